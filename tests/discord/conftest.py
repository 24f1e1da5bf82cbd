"""Fixtures for the Discord layer: the real bot on the real app, talking to a fake Discord."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.bot import ParleyBot
from tests.discord.discord_fakes import FakeDiscord, settle


@pytest.fixture
async def fake_discord(
    parley_app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[FakeDiscord]:
    """The real ParleyBot on the real app, logged in to a fake Discord, in one guild.

    The fake starts with nothing recorded; ``fake_discord.bot`` is the bot. A test fails
    if discord.py had to swallow an exception from a handler, since a crashed listener sends
    nothing and would otherwise pass for one that rightly ignored a message.
    """
    bot = ParleyBot(parley_app, sync_commands=False)
    fake = FakeDiscord(bot)
    fake.install(monkeypatch)
    try:
        await bot.login("fake-token")  # the real login: fetches the bot user, runs setup_hook
        bot._connection.parse_guild_create(fake.guild_payload())
        await settle()
        fake.clear()
        yield fake
    finally:
        await bot.close()
    swallowed = [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.name.startswith("discord") and record.levelno >= logging.ERROR
    ]
    assert not swallowed, f"discord.py swallowed handler errors: {swallowed}"
