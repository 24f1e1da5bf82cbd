"""Fixtures for team features: the real app with a hand-moved clock, and a two-server Discord."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.bot import ParleyBot
from bot.cli import main
from bot.settings import Settings
from tests.discuss.team_fakes import MONDAY_0800_UTC, FakeClock, TeamDiscord, settle


@pytest.fixture
def clock(parley_app: Any) -> FakeClock:
    """The app's discussions run on this clock: Monday 3 March 2025, 08:00 UTC, until moved."""
    fake = FakeClock(MONDAY_0800_UTC)
    parley_app.discussions.clock = fake
    return fake


@pytest.fixture
async def team_discord(
    parley_app: Any,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[TeamDiscord]:
    """The real bot on the real app, in two servers of a fake Discord.

    Fails the test if discord.py swallowed an exception from a handler, a button or a form.
    """
    async with running_bot(parley_app, monkeypatch) as fake:
        yield fake
    swallowed = [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.name.startswith("discord") and record.levelno >= logging.ERROR
    ]
    assert not swallowed, f"discord.py swallowed handler errors: {swallowed}"


@asynccontextmanager
async def running_bot(app: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamDiscord]:
    """A logged-in bot on ``app`` with its own fake Discord; a second one is a restart."""
    bot = ParleyBot(app, sync_commands=False)
    fake = TeamDiscord(bot)
    fake.install(monkeypatch)
    try:
        await bot.login("fake-token")
        fake.join_servers()
        await settle()
        fake.clear()
        yield fake
    finally:
        await bot.close()


@pytest.fixture(scope="session")
def reader(embedder: Any) -> Any:
    """The situation reader /ask uses, on the real embedder: how the reveal reads answers."""
    from bot.reading.build import build_reader
    from bot.settings import REPO_ROOT

    return build_reader(REPO_ROOT / "prompts", embedder.embed_query)


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run `parley ...` in this process, on the test's data dir, without any .env."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARLEY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DISCORD_TOKEN", "")
    return main
