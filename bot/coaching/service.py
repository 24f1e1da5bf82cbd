"""The async face of the coach: what the Discord cogs and the terminal call."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from weakref import WeakValueDictionary

from bot.coaching.coach import Coach
from bot.coaching.models import Conversation, Turn
from bot.knowledge.store import GLOBAL_SCOPE
from bot.storage.conversations import ConversationStore


class CoachService:
    """Runs coaching turns off the event loop and remembers each conversation."""

    def __init__(self, coach: Coach, conversations: ConversationStore) -> None:
        self.coach = coach
        self._conversations = conversations
        # Two quick messages in one thread must not both read the same "asked" list; locks
        # vanish once no turn holds them, so the table does not grow with every thread seen.
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()
        # Every message in every visible thread asks "is this ours?": remember the yeses.
        self._known: set[str] = set()

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
        async with self._lock_for(conversation_id):
            conversation = await self._conversations.load(conversation_id) or Conversation()
            turn = await asyncio.to_thread(self.coach.turn, text, conversation, k=k, scopes=scopes)
            conversation.record(turn)
            await self._conversations.save(conversation_id, conversation)
        return turn

    def _lock_for(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        return lock

    async def open_conversation(self, conversation_id: str, owner: str) -> None:
        """Remember a conversation (e.g. a Discord thread) as one Parley coaches in."""
        if not await self._conversations.exists(conversation_id):
            await self._conversations.save(conversation_id, Conversation(), owner=owner)
        self._known.add(conversation_id)

    async def has_conversation(self, conversation_id: str) -> bool:
        """True for conversations opened by Parley."""
        if conversation_id in self._known:
            return True
        found = await self._conversations.exists(conversation_id)
        if found:
            self._known.add(conversation_id)
        return found
