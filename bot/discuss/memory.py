"""Which scenarios each channel has discussed, so /discuss without a topic brings a new one."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.discuss.clock import as_utc
from bot.discuss.tables import discussed_scenarios
from bot.storage.database import Database


class ScenarioMemory:
    """Per-channel memory of discussed scenarios, in the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def seen(self, channel_id: int) -> dict[str, datetime]:
        """Scenario keys the channel has discussed, with when each was last posted."""
        table = discussed_scenarios
        query = sa.select(table.c.scenario_key, table.c.discussed_at).where(
            table.c.channel_id == channel_id
        )
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.scenario_key: as_utc(row.discussed_at) for row in rows}

    async def remember(self, guild_id: int, channel_id: int, key: str, now: datetime) -> None:
        """Note that the channel discussed a scenario now."""
        table = discussed_scenarios
        async with self._db.engine.begin() as conn:
            updated = await conn.execute(
                table.update()
                .where(table.c.channel_id == channel_id, table.c.scenario_key == key)
                .values(discussed_at=as_utc(now))
            )
            if updated.rowcount == 0:
                await conn.execute(
                    table.insert().values(
                        channel_id=channel_id,
                        scenario_key=key,
                        guild_id=guild_id,
                        discussed_at=as_utc(now),
                    )
                )
