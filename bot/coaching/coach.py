"""The coaching turn: trust lens, retrieval, question planning, citations."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.coaching.inbound import clean_message
from bot.coaching.models import Conversation, Turn
from bot.coaching.planner import PlanRequest, QuestionEngine
from bot.coaching.trust_lens import TrustLens
from bot.knowledge.retrieval import HybridRetriever
from bot.knowledge.store import GLOBAL_SCOPE

# Questions are grounded in a wider pool than the k passages shown, so each can cite its best fit.
GROUNDING_POOL = 8


@dataclass(slots=True)
class Coach:
    """Runs one coaching turn. Blocking (embeddings, Chroma): call it from a worker thread."""

    lens: TrustLens
    retriever: HybridRetriever
    engine: QuestionEngine
    max_chars: int = 4000
    top_k: int = 3

    def turn(
        self,
        message: str,
        conversation: Conversation | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
    ) -> Turn:
        """Coach on one message; raises ``InputRejected`` for input that cannot be coached."""
        conversation = conversation or Conversation()
        inbound = clean_message(
            message, max_chars=self.max_chars, injection=self.lens.looks_like_injection(message)
        )
        reading = self.lens.read(inbound.text)
        k = k or self.top_k
        pool = self.retriever.search(inbound.text, max(k, GROUNDING_POOL), scopes=scopes)
        request = PlanRequest(inbound.text, reading, tuple(pool), conversation)
        questions = self.engine.plan(request)
        return Turn(
            questions=tuple(questions),
            passages=tuple(pool[:k]),
            trust=reading,
            notices=inbound.notices,
            engine=self.engine.name,
        )
