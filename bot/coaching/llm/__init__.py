"""Optional LLM question engine through langchain, with validation and offline fallback.

``build_engine`` reads the settings: empty ``PARLEY_LLM`` returns the offline engine unchanged.
Nothing here imports discord, and ``langchain``/provider packages load only when configured.
"""

from __future__ import annotations

from bot.coaching.llm.engine import LLMEngine, StreamUpdate
from bot.coaching.llm.errors import LLMConfigError
from bot.coaching.llm.memory import ConversationMemory
from bot.coaching.llm.prompts import PromptSet
from bot.coaching.llm.providers import ModelSpec, build_chat_model
from bot.coaching.llm.service import StreamingCoachService
from bot.coaching.llm.streaming import ThrottledEditor, TurnUpdate, show_stream
from bot.coaching.planner import QuestionEngine
from bot.settings import Settings

__all__ = [
    "ConversationMemory",
    "LLMConfigError",
    "LLMEngine",
    "PromptSet",
    "StreamUpdate",
    "StreamingCoachService",
    "ThrottledEditor",
    "TurnUpdate",
    "build_engine",
    "show_stream",
]


def build_engine(settings: Settings, offline: QuestionEngine) -> QuestionEngine:
    """The engine the settings ask for; prompts and provider are checked here, at start."""
    if not settings.llm.strip():
        return offline
    spec = ModelSpec.parse(settings.llm)
    prompts = PromptSet.load(settings.prompts_dir / "llm")
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    model = build_chat_model(
        spec,
        base_url=settings.llm_base_url,
        api_key=api_key,
        timeout=settings.llm_timeout,
        connect_timeout=settings.llm_connect_timeout,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_answer_limit,
    )
    return LLMEngine(
        model,
        spec.label,
        prompts,
        offline,
        timeout=settings.llm_timeout,
        memory_budget=settings.llm_memory_budget,
        strict_json=settings.llm_strict_json and spec.provider == "openai",
        # Self-hosted OpenAI-compatible servers also get length bounds in the schema.
        schema_limits=bool(settings.llm_base_url),
        max_passages=settings.llm_passages,
    )
