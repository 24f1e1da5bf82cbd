"""Conversation memory in the SQL database: which questions each thread has already heard."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.coaching.models import Conversation
from bot.storage.database import Database
from bot.storage.tables import conversations


class ConversationStore:
    """Load and save ``Conversation`` state by id (e.g. ``discord-thread:123``)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def load(self, conversation_id: str) -> Conversation | None:
        """The stored conversation, or None if the id is unknown."""
        query = sa.select(conversations.c.state).where(conversations.c.id == conversation_id)
        async with self._db.transaction() as conn:
            state = (await conn.execute(query)).scalar_one_or_none()
        return Conversation.from_json(state) if state is not None else None

    async def save(self, conversation_id: str, conversation: Conversation, owner: str = "") -> None:
        """Insert or update a conversation."""
        now = datetime.now(UTC)
        state = conversation.to_json()
        async with self._db.transaction() as conn:
            updated = await conn.execute(
                conversations.update()
                .where(conversations.c.id == conversation_id)
                .values(state=state, updated_at=now)
            )
            if updated.rowcount == 0:
                await conn.execute(
                    conversations.insert().values(
                        id=conversation_id, owner=owner, state=state, created_at=now, updated_at=now
                    )
                )

    async def exists(self, conversation_id: str) -> bool:
        """True when the id has been opened or used before."""
        query = sa.select(sa.literal(1)).where(conversations.c.id == conversation_id)
        async with self._db.transaction() as conn:
            return (await conn.execute(query)).first() is not None
