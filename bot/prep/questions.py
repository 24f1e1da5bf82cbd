"""The questions a prep session asks, all from the coach (never a second planner or lens).

Stage questions are worded by ``prompts/prep/stages.yaml`` and grounded in the passage the
coach's retriever finds for their anchor; trust follow-ups are a coaching turn of the coach's
own engine. Each is generated once and stored, so a resume shows the same question with the
same citation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.coaching.coach import GROUNDING_POOL, Coach
from bot.coaching.models import Conversation, InputRejected, Passage, Question, Turn
from bot.knowledge.retrieval import tokenize
from bot.prep.models import LedgerRow, PrepSession
from bot.prep.stages import Slot, Stage, fill
from bot.prep.store import PrepStore

# How much a passage's fit to the question's anchor counts against its retrieval score, and
# the handicap of a passage already cited in the session (fresh sources read better).
ANCHOR_WEIGHT = 0.6
REPEAT_PENALTY = 0.3


class Questions:
    """Finds, stores and re-shows the questions of a session."""

    def __init__(self, store: PrepStore, coach: Coach, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.coach = coach
        self.clock = clock

    async def for_slot(
        self, session: PrepSession, slot: Slot, ledger: Sequence[LedgerRow]
    ) -> Question:
        """The slot's question with its citation, as first shown (stored), or grounded now."""
        stored = await self.store.asked(session.id, slot.key)
        if stored:
            return stored[0].question
        item, number = await self._item(session, slot, ledger)
        text = fill(
            slot.question.wording(slot.round),
            counterpart=session.counterpart,
            topic=session.topic,
            item=item,
            n=str(number),
        )
        cited = {a.question.passage.chunk_id for a in await self.store.asked(session.id)}
        passage = await asyncio.to_thread(self._ground, slot, session, cited)
        question = Question(
            text, slot.question.dimension, f"prep:{slot.key}", slot.question.type, passage
        )
        await self.store.add_asked(session.id, slot.key, [question], self.clock())
        return question

    async def follow_ups(
        self, session: PrepSession, stage: Stage, pending: dict[str, Any]
    ) -> tuple[Question, ...]:
        """The coach's questions on a trust-leaning answer; empty when it has none to ask.

        Updates ``session.state["conversation"]`` so the coach never repeats itself; the caller
        stores the session.
        """
        slot = f"follow-up:{stage.id}:{pending['id']}"
        stored = await self.store.asked(session.id, slot)
        if stored:
            return tuple(a.question for a in stored)
        conversation = Conversation.from_json(session.state.get("conversation") or {})
        turn = await self._coach_turn(session, pending["text"], conversation)
        if turn is None or not turn.questions:
            return ()
        conversation.record(turn)
        session.state["conversation"] = conversation.to_json()
        await self.store.add_asked(session.id, slot, turn.questions, self.clock())
        return turn.questions

    async def _coach_turn(
        self, session: PrepSession, answer: str, conversation: Conversation
    ) -> Turn | None:
        # Naming the counterpart lets the coach word its questions about them.
        text = f"About {session.counterpart}: {answer}"
        try:
            return await asyncio.to_thread(
                self.coach.turn, text, conversation, scopes=session.scopes, situational=False
            )
        except InputRejected:
            return None

    async def _item(
        self, session: PrepSession, slot: Slot, ledger: Sequence[LedgerRow]
    ) -> tuple[str, int]:
        """What a repeating stage's question is about: the assumption, or the ledger risk."""
        if slot.stage.repeat == "ledger":
            row = next(r for r in ledger if r.id == slot.round)
            return row.risk, row.position
        first = slot.stage.questions[0]
        if slot.stage.repeat == "open" and slot.question is not first:
            for answer in await self.store.answers(session.id):
                if (answer.stage, answer.question, answer.round) == (
                    slot.stage.id,
                    first.key,
                    slot.round,
                ):
                    return answer.text, slot.round + 1
        return "", slot.round + 1

    def _ground(self, slot: Slot, session: PrepSession, cited: set[str]) -> Passage:
        """The passage that best fits the question's anchor, preferring ones not yet cited."""
        query = f"{slot.question.anchor} {session.topic}"
        pool = self.coach.retriever.search(query, GROUNDING_POOL, scopes=session.scopes)
        if not pool:
            return _guide_passage(slot)
        anchor = set(tokenize(slot.question.anchor))

        def fit(passage: Passage) -> float:
            overlap = len(anchor & set(tokenize(passage.text))) / max(1, len(anchor))
            repeat = REPEAT_PENALTY if passage.chunk_id in cited else 0.0
            return passage.score + ANCHOR_WEIGHT * overlap - repeat

        return max(pool, key=fit)


def _guide_passage(slot: Slot) -> Passage:
    """With an empty knowledge base, the question rests on Parley's own stage guide."""
    return Passage(
        source="prompts/prep/stages.yaml",
        text=f"{slot.stage.title}: {slot.stage.goal}",
        score=0.0,
        title="Parley prep guide",
        chunk_id=f"guide:{slot.stage.id}",
    )
