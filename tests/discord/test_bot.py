"""Start-up of the real bot: login, extensions, and publishing the slash commands."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from bot.bot import MissingTokenError, ParleyBot, run_discord
from bot.exts import EXTENSIONS
from tests.discord.discord_fakes import (
    APPLICATION_ID,
    APPLICATION_INFO,
    LOGIN,
    SYNC_GLOBAL,
    SYNC_GUILD,
    FakeDiscord,
)

GUILD = 123_456_789_012_345_678


@pytest.mark.parametrize(
    ("guild_id", "sync_key", "route_args"),
    [
        (None, SYNC_GLOBAL, {"application_id": str(APPLICATION_ID)}),
        (GUILD, SYNC_GUILD, {"application_id": str(APPLICATION_ID), "guild_id": str(GUILD)}),
    ],
    ids=["global", "guild"],
)
async def test_login_loads_the_extensions_and_syncs_the_commands_once(
    parley_app: Any,
    monkeypatch: pytest.MonkeyPatch,
    guild_id: int | None,
    sync_key: str,
    route_args: dict[str, str],
) -> None:
    monkeypatch.setattr(parley_app.settings, "discord_guild_id", guild_id)
    bot = ParleyBot(parley_app)
    fake = FakeDiscord(bot)
    fake.install(monkeypatch)

    try:
        await bot.login("fake-token")
        assert set(bot.cogs) >= {"Coach", "ErrorHandlers"}
        assert len(bot.cogs) == len(EXTENSIONS)
    finally:
        await bot.close()

    assert [request.key for request in fake.requests] == [LOGIN, APPLICATION_INFO, sync_key]
    (sync,) = fake.sent(sync_key)
    assert sync.args == route_args
    (ask,) = [command for command in sync.json or [] if command["name"] == "ask"]
    assert [(o["name"], o["type"], o["required"]) for o in ask["options"]] == [
        ("question", 3, True)  # 3: string
    ]


async def test_sync_can_be_skipped(parley_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = ParleyBot(parley_app, sync_commands=False)
    fake = FakeDiscord(bot)
    fake.install(monkeypatch)

    try:
        await bot.login("fake-token")
        assert bot.tree.get_command("ask") is not None
    finally:
        await bot.close()

    assert [request.key for request in fake.requests] == [LOGIN, APPLICATION_INFO]


@pytest.mark.parametrize("token", [None, SecretStr(""), SecretStr("   ")])
async def test_run_discord_refuses_to_start_without_a_token(
    parley_app: Any, monkeypatch: pytest.MonkeyPatch, token: SecretStr | None
) -> None:
    monkeypatch.setattr(parley_app.settings, "discord_token", token)

    with pytest.raises(MissingTokenError, match="DISCORD_TOKEN"):
        await run_discord(parley_app)
