"""The async face of the coach: what the Discord cogs and the terminal call."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection

from bot.coaching.coach import Coach
from bot.coaching.models import Conversation, Turn
from bot.knowledge.store import GLOBAL_SCOPE
from bot.storage.conversations import ConversationStore


class CoachService:
    """Runs coaching turns off the event loop and remembers each conversation."""

    def __init__(self, coach: Coach, conversations: ConversationStore) -> None:
        self.coach = coach
        self._conversations = conversations
        # Two quick messages in one thread must not both read the same "asked" list.
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def ask(
        self,
        text: str,
        conversation_id: str | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
    ) -> Turn:
        """One coaching turn; raises ``InputRejected`` with a user-facing message."""
        if conversation_id is None:
            return await asyncio.to_thread(self.coach.turn, text, None, k=k, scopes=scopes)
        async with self._locks[conversation_id]:
            conversation = await self._conversations.load(conversation_id) or Conversation()
            turn = await asyncio.to_thread(self.coach.turn, text, conversation, k=k, scopes=scopes)
            conversation.record(turn)
            await self._conversations.save(conversation_id, conversation)
        return turn

    async def open_conversation(self, conversation_id: str, owner: str) -> None:
        """Remember a conversation (e.g. a Discord thread) as one Parley coaches in."""
        if not await self._conversations.exists(conversation_id):
            await self._conversations.save(conversation_id, Conversation(), owner=owner)

    async def has_conversation(self, conversation_id: str) -> bool:
        """True for conversations opened by Parley."""
        return await self._conversations.exists(conversation_id)
