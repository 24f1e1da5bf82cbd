"""The coaching turn: trust lens, retrieval, question planning, citations."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.coaching.inbound import clean_message
from bot.coaching.models import Conversation, Passage, Turn
from bot.coaching.planner import PlanOutcome, PlanRequest, QuestionEngine
from bot.coaching.trust_lens import TrustLens
from bot.knowledge.retrieval import HybridRetriever
from bot.knowledge.store import GLOBAL_SCOPE
from bot.reading.reader import SituationReader

# Questions are grounded in a wider pool than the k passages shown, so each can cite its best fit.
GROUNDING_POOL = 8


@dataclass(frozen=True, slots=True)
class Prepared:
    """A turn up to planning: the request for the engine, and what the user will be shown."""

    request: PlanRequest
    shown: tuple[Passage, ...]
    notices: tuple[str, ...]


@dataclass(slots=True)
class Coach:
    """Runs one coaching turn. Blocking (embeddings, Chroma): call it from a worker thread.

    The turn is split in three (prepare, plan, finish) so a streaming engine can run the plan
    step on the event loop while the blocking parts stay in a worker thread.
    """

    lens: TrustLens
    retriever: HybridRetriever
    engine: QuestionEngine
    max_chars: int = 4000
    top_k: int = 3
    # Reads intent, deal and parties; without one, only the trust lens reads the message.
    reader: SituationReader | None = None

    def turn(
        self,
        message: str,
        conversation: Conversation | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
        situational: bool = True,
    ) -> Turn:
        """Coach on one message; raises ``InputRejected`` for input that cannot be coached.

        ``situational=False`` plans from the question bank alone (prep follow-ups, for now).
        """
        prepared = self.prepare(message, conversation, k=k, scopes=scopes, situational=situational)
        return self.finish(prepared, self.engine.plan_outcome(prepared.request))

    def prepare(
        self,
        message: str,
        conversation: Conversation | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
        situational: bool = True,
    ) -> Prepared:
        """Check the message, read it through the trust lens and retrieve passages."""
        inbound = clean_message(
            message,
            max_chars=self.max_chars,
            injection=self.lens.looks_like_injection(message),
            check_language=self.reader is None or not situational,
        )
        conversation = conversation or Conversation()
        reader = self.reader if situational else None
        situation = reader.read(inbound.text, conversation) if reader else None
        reading = situation.trust if situation else self.lens.read(inbound.text)
        k = k or self.top_k
        pool = self.retriever.search(inbound.text, max(k, GROUNDING_POOL), scopes=scopes)
        request = PlanRequest(
            inbound.text,
            reading,
            tuple(pool),
            conversation,
            situation=situation,
            scopes=tuple(scopes),
        )
        return Prepared(request, tuple(pool[:k]), inbound.notices)

    @staticmethod
    def finish(prepared: Prepared, outcome: PlanOutcome) -> Turn:
        """The turn as front ends see it: every cited passage is among those shown."""
        # Cited passages first; the best match for the message itself stays in view too.
        cited = {q.passage.chunk_id: q.passage for q in outcome.questions}
        rest = [p for p in prepared.shown if p.chunk_id not in cited]
        shown = (*cited.values(), *rest)[: max(len(prepared.shown), len(cited) + bool(rest))]
        return Turn(
            questions=tuple(outcome.questions),
            passages=shown,
            trust=prepared.request.reading,
            notices=prepared.notices,
            engine=outcome.engine,
            fallback=outcome.fallback,
            reading=prepared.request.situation,
            preface=outcome.preface,
        )
