"""Per-server settings: who manages Parley, where it coaches, and whether answers are private."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from bot.discuss.clock import Clock, utc_now
from bot.discuss.tables import server_settings
from bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """One server's settings; the defaults apply until an admin runs ``/parley config``."""

    guild_id: int
    manager_role_id: int | None = None
    coach_channel_ids: frozenset[int] = field(default_factory=frozenset)
    ephemeral_answers: bool = False

    def coaches_in(self, channel_id: int | None) -> bool:
        """True when Parley may coach in the channel (an empty list means every channel)."""
        return not self.coach_channel_ids or channel_id in self.coach_channel_ids

    def may_manage(self, *, is_admin: bool, role_ids: Iterable[int]) -> bool:
        """Admins always may; otherwise holders of the server's manager role."""
        return is_admin or (
            self.manager_role_id is not None and self.manager_role_id in set(role_ids)
        )


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """What ``/parley config`` asked to change; ``None`` leaves a setting as it is."""

    manager_role_id: int | None = None
    clear_manager_role: bool = False
    add_channel_id: int | None = None
    remove_channel_id: int | None = None
    all_channels: bool = False
    ephemeral_answers: bool | None = None

    @property
    def empty(self) -> bool:
        return self == ConfigChange()

    def apply(self, config: ServerConfig) -> ServerConfig:
        """The settings after this change."""
        channels = set(config.coach_channel_ids)
        if self.all_channels:
            channels.clear()
        if self.add_channel_id is not None:
            channels.add(self.add_channel_id)
        if self.remove_channel_id is not None:
            channels.discard(self.remove_channel_id)
        role = config.manager_role_id
        if self.clear_manager_role:
            role = None
        if self.manager_role_id is not None:
            role = self.manager_role_id
        ephemeral = config.ephemeral_answers
        if self.ephemeral_answers is not None:
            ephemeral = self.ephemeral_answers
        return replace(
            config,
            manager_role_id=role,
            coach_channel_ids=frozenset(channels),
            ephemeral_answers=ephemeral,
        )


class ServerConfigStore:
    """Reads and writes server settings, cached: every guild message asks for them."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._db = database
        self._clock = clock
        # Only this process writes settings, so a cache invalidated on write stays true.
        self._cache: dict[int, ServerConfig] = {}

    async def get(self, guild_id: int) -> ServerConfig:
        """The server's settings, or the defaults."""
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        query = sa.select(server_settings).where(server_settings.c.guild_id == guild_id)
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        config = _from_row(row) if row else ServerConfig(guild_id)
        self._cache[guild_id] = config
        return config

    async def update(self, guild_id: int, change: ConfigChange) -> ServerConfig:
        """Apply a change and store the result."""
        config = change.apply(await self.get(guild_id))
        values = {
            "manager_role_id": config.manager_role_id,
            "coach_channel_ids": sorted(config.coach_channel_ids),
            "ephemeral_answers": config.ephemeral_answers,
            "updated_at": self._clock(),
        }
        async with self._db.engine.begin() as conn:
            updated = await conn.execute(
                server_settings.update()
                .where(server_settings.c.guild_id == guild_id)
                .values(**values)
            )
            if updated.rowcount == 0:
                await conn.execute(server_settings.insert().values(guild_id=guild_id, **values))
        self._cache[guild_id] = config
        return config


def _from_row(row: sa.RowMapping) -> ServerConfig:
    return ServerConfig(
        guild_id=row["guild_id"],
        manager_role_id=row["manager_role_id"],
        coach_channel_ids=frozenset(int(c) for c in row["coach_channel_ids"] or []),
        ephemeral_answers=bool(row["ephemeral_answers"]),
    )
