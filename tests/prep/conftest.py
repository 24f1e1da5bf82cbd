"""Fixtures for prep sessions: the real service on the real app, a movable clock, a fake Discord."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.coaching.trust_lens import Lexicon, TrustLens
from bot.prep.service import PrepService
from bot.prep.stages import StageBook, load_stages
from bot.settings import REPO_ROOT
from tests.prep.prep_discord import PrepDiscord, connect


@dataclass(slots=True)
class Clock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "prep_only: run the bot with only the prep cog loaded")


@pytest.fixture(scope="session")
def lens() -> TrustLens:
    """The trust lens with the shipped lexicon."""
    return TrustLens(Lexicon.load(REPO_ROOT / "prompts" / "trust_lens.yaml"))


@pytest.fixture(scope="session")
def book() -> StageBook:
    """The shipped stages."""
    return load_stages(REPO_ROOT / "prompts" / "prep" / "stages.yaml")


@pytest.fixture
def clock(parley_app: Any) -> Clock:
    """The prep service's clock, frozen at a fixed time until the test moves it."""
    fixed = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    parley_app.prep.clock = fixed
    return fixed


@pytest.fixture
def prep(parley_app: Any) -> PrepService:
    """The real prep service: SQLite under a temporary data dir, the real coach."""
    return parley_app.prep


PREP_ONLY = ("bot.exts.errors", "bot.exts.prep")


@pytest.fixture
async def discord_prep(
    request: pytest.FixtureRequest,
    parley_app: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[PrepDiscord]:
    """The real bot on the real app, logged in to a fake Discord that knows private threads.

    Tests marked ``prep_only`` get a bot with just the prep cog (and the error handlers), for
    failures other cogs do not handle. Fails the test if discord.py swallowed a handler error.
    """
    only = request.node.get_closest_marker("prep_only") is not None
    fake = await connect(parley_app, monkeypatch, extensions=PREP_ONLY if only else None)
    try:
        yield fake
    finally:
        await fake.bot.close()
    swallowed = [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name.startswith("discord") and r.levelno >= logging.ERROR
    ]
    assert not swallowed, f"discord.py swallowed handler errors: {swallowed}"
