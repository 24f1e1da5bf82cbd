"""With an LLM configured, a divergence reveal opens with the model's account, checked first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

import bot.coaching.llm as llm
from bot.app import Parley, build_app
from bot.knowledge.embeddings import MiniLMEmbedder
from bot.settings import Settings
from tests.conftest import make_settings
from tests.discord.discord_fakes import GUILD_ID, TEXT_CHANNEL_ID
from tests.llm.conftest import RecordingFake

SUMMARY = (
    "Ana relies on the seller's character while Bo wants an inspection and escrow; "
    "which risk does each of you think matters most?"
)
ADVICE = "You should always insist on escrow."


@pytest.fixture
async def app_answering(
    settings: Settings, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[[str], object]]:
    """The real app whose (fake) model answers every call with one fixed text."""
    apps: list[Parley] = []

    async def make(reply: str) -> Parley:
        model = RecordingFake(responses=[reply], calls=[])
        monkeypatch.setattr(llm, "build_chat_model", lambda *a, **k: model)
        configured = make_settings(settings.data_dir, PARLEY_LLM="fake:model", PARLEY_LLM_TIMEOUT=5)
        app = await build_app(configured, embedder=embedder)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.coach.coach.engine.close()
        await app.aclose()


async def reveal_with(app: Parley) -> tuple[str, ...]:
    discussions = app.discussions
    prompt = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)
    opened = await discussions.open_round(
        guild_id=GUILD_ID, thread_id=1, facilitator_id=1, prompt=prompt, closes_at=None
    )
    await discussions.answer(opened.id, user_id=2, author="Ana", text="The seller seems honest.")
    await discussions.answer(opened.id, user_id=3, author="Bo", text="Inspection, then escrow.")
    reveal = await discussions.close_round(opened.id)
    assert reveal is not None
    return reveal.differences


async def test_model_summary_leads_the_differences(app_answering) -> None:
    differences = await reveal_with(await app_answering(SUMMARY))
    assert differences[0] == SUMMARY
    assert len(differences) > 1  # Parley's own reading still follows


async def test_advice_from_the_model_is_left_out(app_answering) -> None:
    differences = await reveal_with(await app_answering(ADVICE))
    assert ADVICE not in differences and differences
