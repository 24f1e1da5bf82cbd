"""The LLM engine inside the real app: settings pick it, turns report it, streaming ends in a turn."""

from __future__ import annotations

import httpx
import pytest

from bot.app import Parley, build_coach
from bot.coaching.coach import Coach
from bot.coaching.llm import LLMConfigError, LLMEngine, ThrottledEditor, show_stream
from bot.coaching.models import InputRejected
from tests.conftest import make_settings
from tests.llm.conftest import GOOD, RaisingModel, RecordingFake

MESSAGE = "He seems honest, so we can skip the inspection."


def test_empty_setting_keeps_the_offline_engine(parley_app: Parley) -> None:
    coach = build_coach(parley_app.settings, parley_app.retriever)
    assert type(coach) is Coach and coach.engine.name == "offline"


def test_setting_without_provider_stops_the_start(parley_app: Parley) -> None:
    settings = make_settings(parley_app.settings.data_dir, PARLEY_LLM="gpt-4.1-mini")
    with pytest.raises(LLMConfigError, match="provider:model"):
        build_coach(settings, parley_app.retriever)


async def test_offline_turn_reports_engine_and_no_fallback(parley_app: Parley) -> None:
    data = (await parley_app.coach.ask(MESSAGE)).to_json()
    assert (data["engine"], data["fallback"]) == ("offline", False)


async def test_llm_turn_reports_the_model(llm_app) -> None:
    app = await llm_app(RecordingFake(responses=[GOOD], calls=[]))
    data = (await app.coach.ask(MESSAGE)).to_json()
    assert isinstance(app.coach.coach.engine, LLMEngine)
    assert (data["engine"], data["fallback"]) == ("fake:model", False)


async def test_dead_endpoint_turn_reports_the_fallback(llm_app) -> None:
    app = await llm_app(RaisingModel(error=httpx.ConnectError("refused")))
    data = (await app.coach.ask(MESSAGE)).to_json()
    assert (data["engine"], data["fallback"]) == ("offline", True) and data["questions"]


async def test_stream_shows_previews_then_the_turn(llm_app) -> None:
    app = await llm_app(RecordingFake(responses=[GOOD], calls=[]))
    updates = [u async for u in app.coach.stream_ask(MESSAGE)]
    assert updates[-1].turn is not None and updates[-1].turn.engine == "fake:model"
    assert any(u.preview.startswith("1. When you say he seems honest") for u in updates[:-1])


async def test_streamed_turn_is_remembered_in_its_thread(llm_app) -> None:
    app = await llm_app(RecordingFake(responses=[GOOD], calls=[]))
    await app.coach.open_conversation("discord-thread:1", "discord-user:2")
    async for _ in app.coach.stream_ask(MESSAGE, "discord-thread:1"):
        pass
    saved = await app.coach._conversations.load("discord-thread:1")
    assert saved.turns == 1 and saved.memory["exchanges"][0]["user"] == MESSAGE


async def test_stream_rejects_empty_input_before_any_preview(llm_app) -> None:
    app = await llm_app(RecordingFake(responses=[GOOD], calls=[]))
    with pytest.raises(InputRejected):
        async for _ in app.coach.stream_ask("   "):
            pass


async def test_offline_stream_is_the_finished_turn_alone(parley_app: Parley) -> None:
    updates = [u async for u in parley_app.coach.stream_ask(MESSAGE)]
    assert len(updates) == 1 and updates[0].turn is not None


async def test_show_stream_edits_then_returns_the_turn(llm_app) -> None:
    app = await llm_app(RecordingFake(responses=[GOOD], calls=[]))
    edits: list[str] = []

    async def edit(text: str) -> None:
        edits.append(text)

    turn = await show_stream(app.coach.stream_ask(MESSAGE), ThrottledEditor(edit))
    assert turn is not None and turn.questions and edits
