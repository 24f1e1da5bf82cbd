"""Fixtures for the LLM engine: shipped prompts and question bank, langchain's fake chat models."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from bot.coaching.llm import LLMEngine, PromptSet
from bot.coaching.models import Conversation, Passage
from bot.coaching.planner import OfflineEngine, PlanRequest, load_moves
from bot.coaching.trust_lens import Lexicon, TrustLens
from bot.settings import REPO_ROOT
from tests.samples import PASSAGES

TRUSTING = "He seems honest, so we can skip the inspection."


def answer(*questions: tuple[str, str, list[str]] | dict[str, Any]) -> str:
    """The JSON a well-behaved model writes, from (text, dimension, passage ids) triples."""
    items = [
        q
        if isinstance(q, dict)
        else {"text": q[0], "dimension": q[1], "type": "assumptions", "passages": q[2]}
        for q in questions
    ]
    return json.dumps({"questions": items})


GOOD = answer(
    (
        "When you say he seems honest, what exactly would he have to do later that you could not check today?",
        "risk",
        ["P1"],
    ),
    (
        "What job did the inspection do, and what will do that job if it is skipped?",
        "mechanism",
        ["P2"],
    ),
)


class RecordingFake(FakeListChatModel):
    """FakeListChatModel that remembers the messages of every call."""

    calls: list[list[BaseMessage]] = []  # noqa: RUF012 - pydantic copies the default per instance

    async def _astream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        self.calls.append(list(messages))
        async for chunk in super()._astream(messages, *args, **kwargs):
            yield chunk


class RaisingModel(BaseChatModel):
    """A chat model whose every call raises ``error``."""

    error: BaseException

    @property
    def _llm_type(self) -> str:
        return "raising-fake"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise self.error

    async def _astream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        raise self.error
        yield ChatGenerationChunk(
            message=AIMessage("")
        )  # pragma: no cover - makes this a generator


@pytest.fixture(scope="session")
def prompts() -> PromptSet:
    """The shipped prompts/llm."""
    return PromptSet.load(REPO_ROOT / "prompts" / "llm")


@pytest.fixture(scope="session")
def offline() -> OfflineEngine:
    """The offline engine over the shipped question bank."""
    return OfflineEngine(load_moves(REPO_ROOT / "prompts" / "question_bank.yaml"))


@pytest.fixture(scope="session")
def lens() -> TrustLens:
    """The trust lens with the shipped lexicon."""
    return TrustLens(Lexicon.load(REPO_ROOT / "prompts" / "trust_lens.yaml"))


@pytest.fixture
def request_for(lens: TrustLens) -> Callable[..., PlanRequest]:
    """A plan request for a message over the three test passages."""

    def make(
        text: str = TRUSTING,
        conversation: Conversation | None = None,
        passages: tuple[Passage, ...] = PASSAGES,
    ) -> PlanRequest:
        return PlanRequest(text, lens.read(text), passages, conversation or Conversation())

    return make


@pytest.fixture
def make_engine(prompts: PromptSet, offline: OfflineEngine) -> Iterator[Callable[..., LLMEngine]]:
    """Build LLM engines over fake models; their private loops are closed after the test."""
    engines: list[LLMEngine] = []

    def make(
        model: BaseChatModel | list[str], *, timeout: float = 5.0, **options: Any
    ) -> LLMEngine:
        if isinstance(model, list):
            model = RecordingFake(responses=model, calls=[])
        engine = LLMEngine(model, "fake:model", prompts, offline, timeout=timeout, **options)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()
