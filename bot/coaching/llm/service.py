"""The coaching turn and service with an LLM engine: per-turn engine name, fallback flag, streaming.

``LLMCoach`` is the ``Coach`` turn split in three (prepare, plan, finish) so the plan step can
run either blocking (``turn``) or streamed on the event loop (``StreamingCoachService``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass

from bot.coaching.coach import GROUNDING_POOL, Coach
from bot.coaching.inbound import clean_message
from bot.coaching.llm.engine import LLMEngine, PlanOutcome
from bot.coaching.llm.streaming import PreviewBuilder, TurnUpdate, preview_text
from bot.coaching.models import Conversation, Passage, TrustReading, Turn
from bot.coaching.planner import PlanRequest
from bot.coaching.service import CoachService
from bot.knowledge.store import GLOBAL_SCOPE


@dataclass(frozen=True, slots=True)
class Prepared:
    """A turn up to planning: cleaned message, reading, passages."""

    request: PlanRequest
    reading: TrustReading
    shown: tuple[Passage, ...]
    notices: tuple[str, ...]


@dataclass(slots=True)
class LLMCoach(Coach):
    """A ``Coach`` whose turns say which engine answered and whether the LLM fell back."""

    def turn(
        self,
        message: str,
        conversation: Conversation | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
    ) -> Turn:
        """Coach on one message (blocking); raises ``InputRejected`` for unusable input."""
        prepared = self.prepare(message, conversation, k=k, scopes=scopes)
        return self.finish(prepared, self.plan(prepared.request))

    def prepare(
        self,
        message: str,
        conversation: Conversation | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
    ) -> Prepared:
        """Clean, read and retrieve (blocking: embeddings and Chroma)."""
        inbound = clean_message(
            message, max_chars=self.max_chars, injection=self.lens.looks_like_injection(message)
        )
        reading = self.lens.read(inbound.text)
        k = k or self.top_k
        pool = self.retriever.search(inbound.text, max(k, GROUNDING_POOL), scopes=scopes)
        request = PlanRequest(inbound.text, reading, tuple(pool), conversation or Conversation())
        return Prepared(request, reading, tuple(pool[:k]), inbound.notices)

    def plan(self, request: PlanRequest) -> PlanOutcome:
        """The engine's questions, with who produced them."""
        if isinstance(self.engine, LLMEngine):
            return self.engine.plan_outcome(request)
        return PlanOutcome(self.engine.plan(request), self.engine.name, False)

    @staticmethod
    def finish(prepared: Prepared, outcome: PlanOutcome) -> Turn:
        """The turn as front ends see it."""
        return Turn(
            questions=tuple(outcome.questions),
            passages=prepared.shown,
            trust=prepared.reading,
            notices=prepared.notices,
            engine=outcome.engine,
            fallback=outcome.fallback,
        )


class StreamingCoachService(CoachService):
    """``CoachService`` plus ``stream_ask``: the same turn, with previews while the LLM writes.

    Discord use (one message edited at most once a second, then the rendered turn)::

        editor = ThrottledEditor(message.edit_content)   # any async edit(text) callback
        turn = await show_stream(service.stream_ask(text, conversation_id), editor)
    """

    async def stream_ask(
        self,
        text: str,
        conversation_id: str | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
    ) -> AsyncIterator[TurnUpdate]:
        """Yield previews of the questions, then one update carrying the finished turn.

        Raises ``InputRejected`` before the first update for input that cannot be coached. With
        the offline engine there is no preview: the only update is the finished turn.
        """
        coach = self.coach
        if not isinstance(coach, LLMCoach) or not isinstance(coach.engine, LLMEngine):
            turn = await self.ask(text, conversation_id, k=k, scopes=scopes)
            yield TurnUpdate(preview_text([q.text for q in turn.questions]), turn)
            return
        if conversation_id is None:
            async for update in _stream_turn(coach, coach.engine, text, None, k, scopes):
                yield update
            return
        async with self._lock_for(conversation_id):
            conversation = await self._conversations.load(conversation_id) or Conversation()
            async for update in _stream_turn(coach, coach.engine, text, conversation, k, scopes):
                if update.turn is not None:
                    conversation.record(update.turn)
                    await self._conversations.save(conversation_id, conversation)
                yield update


async def _stream_turn(
    coach: LLMCoach,
    engine: LLMEngine,
    text: str,
    conversation: Conversation | None,
    k: int | None,
    scopes: Collection[str],
) -> AsyncIterator[TurnUpdate]:
    """Prepare off the loop, stream the plan, finish."""
    prepared = await asyncio.to_thread(coach.prepare, text, conversation, k=k, scopes=scopes)
    builder = PreviewBuilder(engine.prompts.rules)
    attempt = 1
    async for step in engine.astream(prepared.request):
        if step.outcome is not None:
            turn = coach.finish(prepared, step.outcome)
            yield TurnUpdate(preview_text([q.text for q in turn.questions]), turn)
            return
        if step.attempt != attempt:  # the repair answer replaces the first one
            attempt, builder.last = step.attempt, ""
        preview = builder.update(step.text)
        if preview is not None:
            yield TurnUpdate(preview)
