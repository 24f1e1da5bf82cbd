"""The async database handle, built once in the entry point and passed to whoever needs it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.storage import migrations

log = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached, opened or written; the message says what to do."""


class Database:
    """An async SQLAlchemy engine whose schema is upgraded on connect."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(url, **_engine_options(url))

    async def connect(self) -> None:
        """Create or upgrade the schema; fail with a plain message when the database is unusable."""
        _ensure_sqlite_folder(self.url)
        try:
            async with self.engine.begin() as conn:
                applied = await conn.run_sync(migrations.upgrade)
        except (DBAPIError, OSError) as exc:
            raise DatabaseUnavailable(describe_failure(self.url, exc)) from exc
        if applied:
            log.info("Database upgraded: %s", ", ".join(applied))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A transaction whose driver errors surface as a plain ``DatabaseUnavailable``."""
        try:
            async with self.engine.begin() as conn:
                yield conn
        except (DBAPIError, OSError) as exc:
            raise DatabaseUnavailable(describe_failure(self.url, exc)) from exc

    async def close(self) -> None:
        """Release all connections."""
        await self.engine.dispose()


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Wait for a lock held by another process instead of failing at once.
        return {"connect_args": {"timeout": 5}}
    return {"pool_pre_ping": True}


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url and ":memory:" not in url:
        Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)


def describe_failure(url: str, exc: BaseException) -> str:
    """A short, plain explanation of a database failure."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text:
        return "The session database is busy (locked by another process). Try again in a moment."
    if "not a database" in text or "malformed" in text:
        where = url.split(":///", 1)[-1]
        return (
            f"The session database {where} is damaged. Move it aside and start again; Parley "
            "creates a new one (sessions stored in the damaged file are not carried over)."
        )
    if "readonly" in text or "read-only" in text:
        return "The session database is read-only; check the permissions of the data directory."
    where = url.split("@")[-1] if "@" in url else url
    return f"The session database ({where}) cannot be used: {type(exc).__name__}."
