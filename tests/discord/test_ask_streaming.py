"""/ask with an LLM engine: questions appear as they are written, then the finished answer."""

from __future__ import annotations

import pytest

from bot.app import Parley
from tests.discord.discord_fakes import EDIT_ORIGINAL, FOLLOWUP, INTERACTION_CALLBACK, FakeDiscord
from tests.llm.conftest import GOOD, RecordingFake


@pytest.fixture
async def parley_app(llm_app) -> Parley:
    """The real app with an LLM engine whose (fake) model writes two good questions."""
    return await llm_app(RecordingFake(responses=[GOOD], calls=[]))


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
