"""The LLM question engine: richer questions from any langchain chat model, never a broken turn.

One turn: the model answers in JSON; the answer is checked (see ``validation``); a bad answer is
sent back once with the errors; a second bad answer, a timeout, a rate limit or a dead endpoint
hands the turn to the offline engine, with one log line. Either way the caller gets questions
that satisfy the offline engine's guarantees, and a ``PlanOutcome`` saying who produced them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from bot.coaching.llm.context import build_turn_prompt, fence_text, system_values
from bot.coaching.llm.loop import BackgroundLoop
from bot.coaching.llm.memory import ConversationMemory
from bot.coaching.llm.prompts import PromptSet
from bot.coaching.llm.validation import TurnContext, Verdict, check_answer, output_schema
from bot.coaching.models import Question
from bot.coaching.planner import PlanOutcome, PlanRequest, QuestionEngine

log = logging.getLogger(__name__)

# Extra time the blocking wrapper allows beyond the engine's own deadline before giving up on
# the private loop itself (it should never be needed: the deadline is enforced inside).
_GUARD_SECONDS = 2.0
# Known failure kinds by exception class name, so no provider package needs importing here.
_FAILURE_KINDS = (
    ("RateLimit", "rate limited"),
    ("Timeout", "timed out"),
    ("Connect", "endpoint unreachable"),
    ("Authentication", "API key refused"),
    ("PermissionDenied", "API key refused"),
    ("NotFound", "model or endpoint not found"),
    ("BadRequest", "request refused"),
)
OnText = Callable[[str, int], None]
# (prompt name, extra values) for question prompts other than the coaching turn.
PromptChoice = tuple[str, dict[str, object]] | None


@dataclass(frozen=True, slots=True)
class StreamUpdate:
    """One step of a streamed turn: raw model text so far, or the final outcome."""

    text: str = ""
    attempt: int = 1
    outcome: PlanOutcome | None = None


@dataclass(slots=True)
class LLMEngine:
    """A ``QuestionEngine`` backed by a chat model, with the offline engine as its safety net."""

    model: BaseChatModel
    model_name: str
    prompts: PromptSet
    offline: QuestionEngine
    timeout: float = 20.0
    memory_budget: int = 800
    strict_json: bool = False
    schema_limits: bool = False
    max_passages: int = 8
    loop: BackgroundLoop = field(default_factory=BackgroundLoop)

    @property
    def name(self) -> str:
        """The configured model, e.g. ``openai:gpt-4.1-mini``."""
        return self.model_name

    def plan(self, request: PlanRequest) -> list[Question]:
        """``QuestionEngine.plan``: blocking, call it from a worker thread."""
        return self.plan_outcome(request).questions

    def plan_outcome(self, request: PlanRequest, prompt: PromptChoice = None) -> PlanOutcome:
        """Plan one turn, blocking; never raises for model trouble, never waits past the deadline.

        ``prompt`` picks another question prompt than ``coaching_turn``, e.g.
        ``("prep_stage", {"stage": ..., "stage_goal": ..., "answers": ...})``: the values the
        request provides (passages, uncovered dimensions, limits) are filled in for it.
        """
        try:
            return self.loop.run(
                self.aplan(request, prompt=prompt), timeout=self.timeout + _GUARD_SECONDS
            )
        except TimeoutError:
            return self._fallback(request, f"no answer within {self.timeout:g} s", time.monotonic())

    async def astream(
        self, request: PlanRequest, prompt: PromptChoice = None
    ) -> AsyncIterator[StreamUpdate]:
        """Plan one turn from any event loop, yielding the model's text as it arrives.

        The last update carries the outcome. The model runs on the engine's private loop; updates
        cross to the caller's loop through a queue.
        """
        caller = asyncio.get_running_loop()
        queue: asyncio.Queue[StreamUpdate | BaseException] = asyncio.Queue()

        def push(item: StreamUpdate | BaseException) -> None:
            caller.call_soon_threadsafe(queue.put_nowait, item)

        async def produce() -> None:
            try:
                outcome = await self.aplan(
                    request, lambda text, n: push(StreamUpdate(text, n)), prompt=prompt
                )
                push(StreamUpdate(outcome=outcome))
            except BaseException as exc:  # hand anything, even cancellation, to the consumer
                push(exc)

        future = self.loop.submit(produce())
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
                if item.outcome is not None:
                    return
        finally:
            future.cancel()  # the consumer stopped early: stop the model too

    async def aplan(
        self, request: PlanRequest, on_text: OnText | None = None, *, prompt: PromptChoice = None
    ) -> PlanOutcome:
        """Plan one turn on the engine's loop: ask, check, repair once, else fall back."""
        started = time.monotonic()
        if not request.passages:
            # Nothing to ground a question in: the offline engine's answer (no question) stands.
            return self._fallback(request, "no passage retrieved", started, quiet=True)
        memory = ConversationMemory.from_json(
            request.conversation.memory, budget=self.memory_budget
        )
        turn_prompt = build_turn_prompt(request, memory, self.max_passages)
        name, extra = prompt or ("coaching_turn", {})
        try:
            async with asyncio.timeout(self.timeout):
                verdict, attempts = await self._ask_with_repair(
                    name, {**turn_prompt.values, **extra}, turn_prompt.context, on_text
                )
        except TimeoutError:
            return self._fallback(request, f"no complete answer within {self.timeout:g} s", started)
        except Exception as exc:
            return self._fallback(request, describe_failure(exc), started)
        if not verdict.ok:
            return self._fallback(
                request, "invalid answer after one repair: " + " ".join(verdict.errors), started
            )
        questions = list(verdict.questions)
        self._remember(request, questions)
        return PlanOutcome(
            questions, self.name, False, attempts=attempts, seconds=time.monotonic() - started
        )

    async def _ask_with_repair(
        self,
        prompt_name: str,
        values: dict[str, object],
        context: TurnContext,
        on_text: OnText | None,
    ) -> tuple[Verdict, int]:
        messages: list[BaseMessage] = [
            SystemMessage(self.prompts.render("system", **system_values())),
            HumanMessage(self.prompts.render(prompt_name, **values)),
        ]
        answer = await self._complete(messages, context, on_text, attempt=1)
        verdict = check_answer(answer, context, self.prompts.rules)
        if verdict.ok:
            return verdict, 1
        log.info("LLM %s answer rejected, asking once more: %s", self.name, verdict.errors)
        repair = self.prompts.render(
            "repair",
            errors="\n".join(f"- {e}" for e in verdict.errors),
            max_questions=context.max_questions,
            passage_ids=", ".join(context.passages),
        )
        messages += [AIMessage(answer), HumanMessage(repair)]
        answer = await self._complete(messages, context, on_text, attempt=2)
        return check_answer(answer, context, self.prompts.rules), 2

    async def _complete(
        self,
        messages: list[BaseMessage],
        context: TurnContext,
        on_text: OnText | None,
        attempt: int,
    ) -> str:
        """Stream one answer, reporting the text so far after every chunk."""
        text = ""
        async for chunk in self.model.astream(messages, **self._call_options(context)):
            piece = chunk.text
            if not piece:
                continue
            text += piece
            if on_text is not None:
                on_text(text, attempt)
        return text

    def _call_options(self, context: TurnContext) -> dict[str, Any]:
        """Ask servers that support it (OpenAI and compatibles) to decode only valid JSON."""
        if not self.strict_json:
            return {}
        schema = output_schema(
            list(context.passages), context.max_questions, limits=self.schema_limits
        )
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "parley_questions", "schema": schema, "strict": True},
            }
        }

    def _fallback(
        self, request: PlanRequest, reason: str, started: float, *, quiet: bool = False
    ) -> PlanOutcome:
        """The offline engine's questions, with one log line saying why."""
        questions = self.offline.plan(request)
        if not quiet:
            log.warning("LLM %s: %s; answered with the offline engine.", self.name, reason[:400])
        self._remember(request, questions)
        return PlanOutcome(
            questions,
            self.offline.name,
            True,
            reason=reason,
            seconds=time.monotonic() - started,
        )

    def _remember(self, request: PlanRequest, questions: list[Question]) -> None:
        # The conversation object is the one the service records and saves after the turn.
        memory = ConversationMemory.from_json(
            request.conversation.memory, budget=self.memory_budget
        )
        memory.add(request.message, [q.text for q in questions], [q.dimension for q in questions])
        request.conversation.memory = memory.to_json()

    def summarise_divergence(self, topic: str, positions: str) -> str | None:
        """A short, judgement-free account of where answers diverge, or None to use your own.

        Blocking. None after a timeout, an error, or a text that gives advice or does not end
        with a question for the team; the caller then shows its offline summary.
        """
        prompt = self.prompts.render(
            "divergence_summary", topic=fence_text(topic), positions=fence_text(positions)
        )
        messages = [
            SystemMessage(self.prompts.render("system", **system_values())),
            HumanMessage(prompt),
        ]

        async def ask() -> str:
            async with asyncio.timeout(self.timeout):
                reply = await self.model.ainvoke(messages)
            return reply.text.strip()

        try:
            text = self.loop.run(ask(), timeout=self.timeout + _GUARD_SECONDS)
        except Exception as exc:
            log.warning("LLM %s divergence summary: %s", self.name, describe_failure(exc))
            return None
        rules = self.prompts.rules
        if not text.endswith("?") or len(text) > 900 or any(p.search(text) for p in rules.advice):
            log.warning("LLM %s divergence summary refused: %r", self.name, text[:200])
            return None
        return text

    def close(self) -> None:
        """Stop the private loop."""
        self.loop.close()


def describe_failure(exc: BaseException) -> str:
    """A short, log-friendly reason for a failed model call."""
    names = [cls.__name__ for cls in type(exc).__mro__]
    kind = next(
        (label for key, label in _FAILURE_KINDS if any(key in n for n in names)), "model error"
    )
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return f"{kind} ({type(exc).__name__}{': ' + detail if detail else ''})"
