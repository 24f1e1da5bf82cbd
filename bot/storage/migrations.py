"""Schema migrations, applied in order at start-up; each runs once and is recorded.

Add a migration by appending a function to ``MIGRATIONS``; never edit one that has shipped.
Migrations use SQLAlchemy constructs only, so they run on SQLite and Postgres alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import bot.discuss.tables  # puts the discussion tables on the shared metadata
import bot.prep.tables  # noqa: F401  (puts the prep tables on the shared metadata)
from bot.storage import tables

Migration = Callable[[Connection], None]


def _create(*names: str) -> Migration:
    def run(conn: Connection) -> None:
        tables.metadata.create_all(conn, tables=[tables.metadata.tables[n] for n in names])

    run.__name__ = "create_" + "_".join(names)
    return run


MIGRATIONS: list[Migration] = [
    _create("conversations"),
    _create("prep_sessions", "prep_answers", "prep_ledger", "prep_asked"),
    _create("server_settings"),
    _create("discussed_scenarios", "discussion_schedules"),
    _create("divergence_rounds", "divergence_answers"),
]


def upgrade(conn: Connection) -> list[str]:
    """Bring the schema to the newest version; returns the names of migrations applied."""
    tables.schema_version.create(conn, checkfirst=True)
    current = conn.execute(sa.select(sa.func.max(tables.schema_version.c.version))).scalar() or 0
    applied: list[str] = []
    for version, migration in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        migration(conn)
        conn.execute(
            tables.schema_version.insert().values(
                version=version, name=migration.__name__, applied_at=datetime.now(UTC)
            )
        )
        applied.append(migration.__name__)
    return applied
