"""Errors of the LLM engine's setup; failures during a turn never raise, they fall back."""

from __future__ import annotations

from bot.coaching.planner import QuestionBankError


class LLMConfigError(QuestionBankError):
    """The LLM setup is unusable (bad setting, missing package, broken prompt file).

    A subclass of ``QuestionBankError`` on purpose: every front end already reports a broken
    question engine as one plain line at start, and an LLM engine is a question engine.
    """
