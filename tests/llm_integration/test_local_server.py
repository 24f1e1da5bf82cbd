"""The LLM engine against a real OpenAI-compatible server: streaming, JSON, guarantees, fallback.

The model is tiny (SmolLM2-135M by default) and often writes unusable questions: the point here
is that whatever it writes, the turn keeps every guarantee and says which engine produced it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from bot.app import Parley, build_app
from bot.coaching.llm.validation import output_schema, parse_answer
from bot.knowledge.embeddings import MiniLMEmbedder
from bot.settings import Settings
from tests.conftest import make_settings
from tests.llm_integration.conftest import MODEL

pytestmark = pytest.mark.llm_integration

MESSAGES = [
    "He seems honest, so we can skip the inspection.",
    "My supplier gave his word delivery will be on time, so no penalty clause.",
    "The landlord promised to fix the roof before winter.",
]
# Messages no other test sends, so the server's prompt cache cannot flatter the latency.
LATENCY_MESSAGES = [
    "The contractor seems reliable, I'll pay the full amount before they start.",
    "Our partner gave us their word on the profit split, so I left the audit rights out.",
]
REPORT = Path(__file__).resolve().parents[2] / "data" / "llm" / f"latency-{MODEL}.json"


def llm_settings(settings: Settings, base_url: str, timeout: float = 60) -> Settings:
    return make_settings(
        settings.data_dir,
        PARLEY_LLM=f"openai:{MODEL}",
        PARLEY_LLM_BASE_URL=base_url,
        PARLEY_LLM_TIMEOUT=timeout,
        PARLEY_LLM_MAX_TOKENS=250,
        PARLEY_LLM_PASSAGES=3,  # a short prompt: two CPU cores read ~50 tokens a second
    )


@pytest.fixture
async def app_for(settings: Settings, embedder: MiniLMEmbedder) -> Callable[[str, float], object]:
    apps: list[Parley] = []

    async def make(base_url: str, seconds: float = 60) -> Parley:
        app = await build_app(llm_settings(settings, base_url, seconds), embedder=embedder)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.coach.coach.engine.close()
        await app.aclose()


async def test_server_streams_tokens(server) -> None:
    from bot.coaching.llm.providers import ModelSpec, build_chat_model

    model = build_chat_model(ModelSpec("openai", MODEL), base_url=server.base_url, max_tokens=24)
    chunks = [c.text async for c in model.astream([HumanMessage("Say hello in five words.")])]
    assert len([c for c in chunks if c]) > 1


async def test_strict_json_makes_the_server_write_parseable_answers(server) -> None:
    """The schema travels through langchain-openai and the server decodes only valid JSON."""
    from bot.coaching.llm.providers import ModelSpec, build_chat_model

    # One question of at most 320 characters fits well within 500 tokens, so it always closes.
    model = build_chat_model(ModelSpec("openai", MODEL), base_url=server.base_url, max_tokens=500)
    schema = output_schema(["P1", "P2"], 1, limits=True)
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "parley_questions", "schema": schema, "strict": True},
    }
    prompt = f"Ask one question about this deal: {MESSAGES[0]} Cite P1 or P2."
    chunks = [
        c.text async for c in model.astream([HumanMessage(prompt)], response_format=response_format)
    ]
    parsed = parse_answer("".join(chunks))
    assert not isinstance(parsed, str), "".join(chunks)
    assert parsed.questions[0].passages[0] in {"P1", "P2"}


@pytest.mark.parametrize("message", MESSAGES)
async def test_every_turn_keeps_the_guarantees(server, app_for, message: str) -> None:
    app = await app_for(server.base_url)
    turn = await app.coach.ask(message)
    assert 1 <= len(turn.questions) <= 3
    assert all(q.text.endswith("?") for q in turn.questions)
    assert len({q.dimension for q in turn.questions}) == len(turn.questions)
    assert (turn.engine, turn.fallback) in {(f"openai:{MODEL}", False), ("offline", True)}


async def test_latency_is_measured_and_reported(server, app_for) -> None:
    """First preview and full turn through the streaming API, written to data/llm/ for docs."""
    app = await app_for(server.base_url)
    rows = []
    for message in LATENCY_MESSAGES:
        started = time.monotonic()
        first = None
        async for update in app.coach.stream_ask(message):
            if first is None and update.turn is None:
                first = time.monotonic() - started
            if update.turn is not None:
                total = time.monotonic() - started
                rows.append(
                    {
                        "message": message,
                        "first_preview_s": round(first if first is not None else total, 2),
                        "total_s": round(total, 2),
                        "engine": update.turn.engine,
                        "fallback": update.turn.fallback,
                        "questions": [q.text for q in update.turn.questions],
                    }
                )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(rows, indent=2))
    assert len(rows) == len(LATENCY_MESSAGES)


async def test_dead_endpoint_falls_back_within_three_seconds(app_for, closed_port: int) -> None:
    pytest.importorskip("langchain_openai")
    app = await app_for(f"http://127.0.0.1:{closed_port}/v1", 20)
    started = time.monotonic()
    turn = await app.coach.ask(MESSAGES[0])
    assert (turn.engine, turn.fallback) == ("offline", True)
    assert time.monotonic() - started < 3.0 + 1.0  # + retrieval and the offline plan


async def test_hung_endpoint_falls_back_soon_after_the_timeout(app_for, silent_port: int) -> None:
    pytest.importorskip("langchain_openai")
    app = await app_for(f"http://127.0.0.1:{silent_port}/v1", 2)
    started = time.monotonic()
    turn = await app.coach.ask(MESSAGES[0])
    assert turn.fallback and turn.questions
    assert time.monotonic() - started < 2 + 3.0
