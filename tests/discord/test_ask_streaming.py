"""/ask with an LLM engine: questions appear as they are written, then the finished answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import bot.coaching.llm as llm
from bot.app import Parley, build_app
from bot.knowledge.embeddings import MiniLMEmbedder
from bot.settings import Settings
from tests.conftest import make_settings
from tests.discord.discord_fakes import EDIT_ORIGINAL, FOLLOWUP, INTERACTION_CALLBACK, FakeDiscord
from tests.llm.conftest import GOOD, RecordingFake


@pytest.fixture
async def parley_app(
    settings: Settings, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Parley]:
    """The real app with PARLEY_LLM set; only the paid model is replaced by langchain's fake."""
    model = RecordingFake(responses=[GOOD], calls=[])
    monkeypatch.setattr(llm, "build_chat_model", lambda *a, **k: model)
    configured = make_settings(settings.data_dir, PARLEY_LLM="fake:model", PARLEY_LLM_TIMEOUT=5)
    app = await build_app(configured, embedder=embedder)
    yield app
    app.coach.coach.engine.close()
    await app.aclose()


async def test_streamed_answer_edits_the_reply_then_finishes_in_place(
    fake_discord: FakeDiscord,
) -> None:
    await fake_discord.slash("ask", question="He seems honest, so we can skip the inspection.")

    calls = fake_discord.calls()
    assert calls[0] == INTERACTION_CALLBACK
    assert FOLLOWUP not in calls  # the preview message became the answer: no second message
    edits = [request.json or {} for request in fake_discord.sent(EDIT_ORIGINAL)]
    contents = [e["content"] for e in edits if "content" in e]
    assert "what will do that job if it is skipped?" in contents[-1]
    assert any(e.get("embeds") for e in edits)  # citations arrive with the finished answer
