"""Prep sessions in the SQL database. Every write is one transaction: a crash keeps all or none.

Any failure of the database (locked, missing, read-only, unreachable) surfaces as
``DatabaseUnavailable`` with a plain message, never as a driver error.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.coaching.models import Passage, Question
from bot.prep.models import (
    Answer,
    Asked,
    LedgerChange,
    LedgerRow,
    NewAnswer,
    PrepSession,
    SessionRecord,
    as_utc,
)
from bot.prep.tables import prep_answers, prep_asked, prep_ledger, prep_sessions
from bot.storage.database import Database, DatabaseUnavailable


class PrepStore:
    """Reads and writes prep sessions, answers, ledger rows and asked questions."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._sqlite_file = _sqlite_file(database.url)

    # -- plumbing ------------------------------------------------------------------------

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[AsyncConnection]:
        """A transaction, with database failures turned into plain ``DatabaseUnavailable``."""
        self._check_file()
        async with self._db.transaction() as conn:
            yield conn

    def _check_file(self) -> None:
        # An SQLite file deleted under a running process still accepts writes through open
        # connections, into a file nobody will ever see: refuse instead of losing answers.
        if self._sqlite_file is not None and not self._sqlite_file.exists():
            raise DatabaseUnavailable(
                f"The session database file {self._sqlite_file} is missing. Restore it from a "
                "backup, or restart Parley to start a new, empty one."
            )

    # -- sessions ------------------------------------------------------------------------

    async def create(self, session: PrepSession) -> None:
        """Insert a new session."""
        async with self._begin() as conn:
            await conn.execute(prep_sessions.insert().values(**_session_values(session)))

    async def exists(self, session_id: str) -> bool:
        """True when a session has this id."""
        query = sa.select(prep_sessions.c.id).where(prep_sessions.c.id == session_id)
        async with self._begin() as conn:
            return (await conn.execute(query)).first() is not None

    async def get(self, session_id: str) -> PrepSession | None:
        """The session with this id, or None."""
        return next(iter(await self._sessions(prep_sessions.c.id == session_id)), None)

    async def by_channel(self, channel: str) -> PrepSession | None:
        """The session shown in a channel (e.g. ``discord-thread:1``), or None."""
        if not channel:
            return None
        return next(iter(await self._sessions(prep_sessions.c.channel == channel)), None)

    async def for_owner(self, owner: str) -> list[PrepSession]:
        """An owner's sessions, most recently used first."""
        return await self._sessions(prep_sessions.c.owner == owner)

    async def with_owner_prefix(self, prefix: str) -> list[PrepSession]:
        """Sessions whose owner starts with ``prefix`` (one front end's users)."""
        return await self._sessions(prep_sessions.c.owner.startswith(prefix, autoescape=True))

    async def _sessions(self, condition: sa.ColumnElement[bool]) -> list[PrepSession]:
        query = (
            sa.select(prep_sessions).where(condition).order_by(prep_sessions.c.updated_at.desc())
        )
        async with self._begin() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_session(row) for row in rows]

    async def save(self, session: PrepSession) -> None:
        """Write a session's stage, status, state, channel and times."""
        async with self._begin() as conn:
            await _update_session(conn, session)

    async def delete(self, session_id: str) -> bool:
        """Delete a session and everything stored with it; False if it was already gone."""
        async with self._begin() as conn:
            for table in (prep_answers, prep_ledger, prep_asked):
                await conn.execute(table.delete().where(table.c.session_id == session_id))
            gone = await conn.execute(
                prep_sessions.delete().where(prep_sessions.c.id == session_id)
            )
        return gone.rowcount > 0

    # -- answers and the ledger ------------------------------------------------------------

    async def record_answer(
        self, session: PrepSession, answer: NewAnswer, change: LedgerChange | None = None
    ) -> int:
        """Store an answer, the session's new state and its effect on the ledger, atomically."""
        async with self._begin() as conn:
            result = await conn.execute(
                prep_answers.insert().values(
                    session_id=session.id,
                    stage=answer.stage,
                    question=answer.question,
                    round=answer.round,
                    follow_up=answer.follow_up,
                    text=answer.text,
                    reading=answer.reading,
                    created_at=session.updated_at,
                )
            )
            if change is not None:
                await _apply_ledger(conn, session, change)
            await _update_session(conn, session)
        return int(result.inserted_primary_key[0])

    async def change_ledger(self, session: PrepSession, change: LedgerChange) -> int:
        """Add or edit a ledger row and touch the session, atomically; returns the row id."""
        async with self._begin() as conn:
            row_id = await _apply_ledger(conn, session, change)
            await _update_session(conn, session)
        return row_id

    async def answers(self, session_id: str) -> list[Answer]:
        """A session's answers, oldest first."""
        query = (
            sa.select(prep_answers)
            .where(prep_answers.c.session_id == session_id)
            .order_by(prep_answers.c.id)
        )
        async with self._begin() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_answer(row) for row in rows]

    async def ledger(self, session_id: str) -> list[LedgerRow]:
        """A session's ledger rows, in order."""
        query = (
            sa.select(prep_ledger)
            .where(prep_ledger.c.session_id == session_id)
            .order_by(prep_ledger.c.position, prep_ledger.c.id)
        )
        async with self._begin() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_ledger_row(row) for row in rows]

    # -- asked questions -------------------------------------------------------------------

    async def asked(self, session_id: str, slot: str | None = None) -> list[Asked]:
        """Questions shown in a session (optionally for one slot), in the order asked."""
        condition = prep_asked.c.session_id == session_id
        if slot is not None:
            condition = condition & (prep_asked.c.slot == slot)
        query = sa.select(prep_asked).where(condition).order_by(prep_asked.c.id)
        async with self._begin() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_asked(row) for row in rows]

    async def add_asked(
        self, session_id: str, slot: str, questions: Iterable[Question], at: datetime
    ) -> None:
        """Remember questions shown for a slot, with the passages they cite."""
        values = [_asked_values(session_id, slot, q, at) for q in questions]
        if not values:
            return
        async with self._begin() as conn:
            await conn.execute(prep_asked.insert(), values)

    async def record(self, session_id: str) -> SessionRecord | None:
        """Everything stored about a session, or None if it does not exist."""
        session = await self.get(session_id)
        if session is None:
            return None
        return SessionRecord(
            session=session,
            answers=tuple(await self.answers(session_id)),
            ledger=tuple(await self.ledger(session_id)),
            asked=tuple(await self.asked(session_id)),
        )


# -- row mapping ---------------------------------------------------------------------------


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite") and ":///" in url and ":memory:" not in url:
        return Path(url.split(":///", 1)[1].split("?", 1)[0])
    return None


def _session_values(session: PrepSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "owner": session.owner,
        "counterpart": session.counterpart,
        "topic": session.topic,
        "stage": session.stage,
        "status": session.status,
        # A copy, so later edits of the in-memory state never alias what was written.
        "state": copy.deepcopy(session.state),
        "channel": session.channel,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "warned_at": session.warned_at,
    }


async def _update_session(conn: AsyncConnection, session: PrepSession) -> None:
    values = _session_values(session)
    del values["id"], values["created_at"], values["owner"]
    await conn.execute(
        prep_sessions.update().where(prep_sessions.c.id == session.id).values(**values)
    )


async def _apply_ledger(conn: AsyncConnection, session: PrepSession, change: LedgerChange) -> int:
    values = {**change.values, "updated_at": session.updated_at}
    if change.row_id is not None:
        await conn.execute(
            prep_ledger.update()
            .where((prep_ledger.c.id == change.row_id) & (prep_ledger.c.session_id == session.id))
            .values(**values)
        )
        return change.row_id
    last = sa.select(sa.func.max(prep_ledger.c.position)).where(
        prep_ledger.c.session_id == session.id
    )
    position = ((await conn.execute(last)).scalar() or 0) + 1
    if change.replaces is not None:
        mine = (prep_ledger.c.id == change.replaces) & (prep_ledger.c.session_id == session.id)
        old = (await conn.execute(sa.select(prep_ledger.c.position).where(mine))).scalar()
        if old is not None:
            position = int(old)
            await conn.execute(prep_ledger.delete().where(mine))
    result = await conn.execute(
        prep_ledger.insert().values(
            session_id=session.id, position=position, created_at=session.updated_at, **values
        )
    )
    return int(result.inserted_primary_key[0])


def _session(row: Any) -> PrepSession:
    return PrepSession(
        id=row["id"],
        owner=row["owner"],
        counterpart=row["counterpart"],
        topic=row["topic"],
        stage=int(row["stage"]),
        status=row["status"],
        state=dict(row["state"] or {}),
        channel=row["channel"] or "",
        created_at=as_utc(row["created_at"]),
        updated_at=as_utc(row["updated_at"]),
        warned_at=as_utc(row["warned_at"]) if row["warned_at"] else None,
    )


def _answer(row: Any) -> Answer:
    reading = row["reading"] or {}
    return Answer(
        id=int(row["id"]),
        stage=row["stage"],
        question=row["question"],
        round=int(row["round"]),
        text=row["text"],
        follow_up=bool(row["follow_up"]),
        leaned_on_trust=bool(reading.get("leans_on_trust")),
        created_at=as_utc(row["created_at"]),
    )


def _ledger_row(row: Any) -> LedgerRow:
    return LedgerRow(
        id=int(row["id"]),
        position=int(row["position"]),
        risk=row["risk"],
        bearer=row["bearer"] or "",
        mechanism=row["mechanism"] or "",
        residual=row["residual"] or "",
        bearer_kind=row["bearer_kind"],
        mechanism_kind=row["mechanism_kind"],
        assumption=row["assumption"],
    )


def _asked_values(session_id: str, slot: str, question: Question, at: datetime) -> dict[str, Any]:
    passage = question.passage
    return {
        "session_id": session_id,
        "slot": slot,
        "text": question.text,
        "dimension": question.dimension,
        "move_id": question.move_id,
        "socratic_type": question.socratic_type,
        "source": passage.source,
        "title": passage.title,
        "passage": passage.text,
        "chunk_id": passage.chunk_id,
        "score": float(passage.score),
        "created_at": at,
    }


def _asked(row: Any) -> Asked:
    passage = Passage(
        source=row["source"],
        text=row["passage"],
        score=float(row["score"]),
        title=row["title"],
        chunk_id=row["chunk_id"],
    )
    question = Question(
        row["text"], row["dimension"], row["move_id"], row["socratic_type"], passage
    )
    return Asked(slot=row["slot"], question=question)
