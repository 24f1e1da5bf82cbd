"""Fixtures for the coaching core: the real lexicon and question bank from prompts/."""

from __future__ import annotations

import pytest

from bot.coaching.planner import Move, OfflineEngine, load_moves
from bot.coaching.trust_lens import Lexicon, TrustLens
from bot.settings import REPO_ROOT


@pytest.fixture(scope="session")
def lens() -> TrustLens:
    """The trust lens with the shipped lexicon."""
    return TrustLens(Lexicon.load(REPO_ROOT / "prompts" / "trust_lens.yaml"))


@pytest.fixture(scope="session")
def moves() -> list[Move]:
    """The shipped question bank."""
    return load_moves(REPO_ROOT / "prompts" / "question_bank.yaml")


@pytest.fixture(scope="session")
def engine(moves: list[Move]) -> OfflineEngine:
    """The offline question engine."""
    return OfflineEngine(moves)
