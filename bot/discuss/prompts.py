"""Discussion prompts: a scenario and two or three questions from the coach's own planner.

Nothing here plans questions itself. The coach's trust lens reads the scenario, its retriever
finds the passages to ground the questions in, and its engine picks and words them; this
module only frames the request so the questions suit a team reading a third-person case.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.coaching.coach import GROUNDING_POOL, Coach
from bot.coaching.models import Conversation, Question, TrustReading
from bot.coaching.planner import DIMENSIONS, PlanRequest
from bot.discuss.scenarios import Scenario
from bot.reading.models import Reading

MAX_PROMPT_QUESTIONS = 3


class Asked(Protocol):
    """A question already put to the team (a ``Question``, or one stored with a round)."""

    @property
    def text(self) -> str: ...

    @property
    def move_id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class DiscussionPrompt:
    """What /discuss posts: the scenario (cited) and the questions (each cited)."""

    scenario: Scenario
    questions: tuple[Question, ...]


def make_prompt(
    coach: Coach, scenario: Scenario, *, scopes: Collection[str], focus: Sequence[str]
) -> DiscussionPrompt:
    """Plan the questions for a scenario (blocking: run it in a worker thread)."""
    text = f"{scenario.text}\n\n{scenario.context}".strip()
    questions = plan_questions(
        coach,
        text,
        counterpart=scenario.perspective.counterpart,
        scopes=scopes,
        focus=focus,
        max_questions=MAX_PROMPT_QUESTIONS,
        shown=(scenario.chunk_id,),
    )
    return DiscussionPrompt(scenario, tuple(questions))


def plan_questions(
    coach: Coach,
    text: str,
    *,
    counterpart: str | None,
    scopes: Collection[str],
    focus: Sequence[str],
    max_questions: int,
    asked: Sequence[Asked] = (),
    shown: Collection[str] = (),
) -> list[Question]:
    """Questions for a team about ``text``, from the coach's lens, retriever and engine.

    Blocking: embeddings and Chroma. ``asked`` are questions the team has already seen, so the
    planner neither repeats them nor picks their moves again. ``shown`` are passages already on
    screen (the scenario itself): a citation should point somewhere new.
    """
    reading = for_a_team(coach.lens.read(text), counterpart)
    found = coach.retriever.search(text, GROUNDING_POOL + len(shown), scopes=scopes)
    pool = [p for p in found if p.chunk_id not in shown][:GROUNDING_POOL]
    # Marking every other dimension as covered makes the planner favour the focus ones.
    conversation = Conversation(covered=[d for d in DIMENSIONS if d not in focus])
    conversation.asked_moves.extend(q.move_id for q in asked)
    conversation.asked_questions.extend(q.text for q in asked)
    request = PlanRequest(
        text,
        reading,
        tuple(pool),
        conversation,
        max_questions,
        situation=_team_situation(coach, text, counterpart),
        scopes=tuple(scopes),
        avoid=frozenset(shown),
    )
    return coach.engine.plan(request)


def _team_situation(coach: Coach, text: str, counterpart: str | None) -> Reading | None:
    """The scenario read as a deal, taken from the team's seat: its kind and object, the
    perspective's counterpart, and the redirect move (a scenario is there to be examined)."""
    if coach.reader is None:
        return None
    situation = coach.reader.read(text)
    deal = replace(
        situation.deal,
        counterpart=counterpart or situation.deal.counterpart,
        counterpart_named=counterpart is not None,
    )
    trust = for_a_team(situation.trust, deal.counterpart)
    # No text: nothing in a case note is the team's own words, so no wording that builds on
    # what "you" said (a mechanism named, "when you say...") applies.
    return replace(situation.with_deal(deal), trust=trust, intents=("trust",), slots={}, text="")


def for_a_team(reading: TrustReading, counterpart: str | None) -> TrustReading:
    """The lens's reading, adjusted for text that is not the reader's own words.

    Quoting a phrase back ("When you say ...") only makes sense to the person who wrote it, so
    the quoted slots are dropped; the cue categories stay, so the planner still knows which
    kind of trust the text leans on. The counterpart comes from the scenario's perspective,
    since a third-person case names both parties and the lens cannot tell whose side we take.
    Every scenario is a negotiation, even one without the lexicon's negotiation words.
    """
    return replace(
        reading,
        cues=(),
        promise=None,
        dropped_safeguard=None,
        counterpart=counterpart,
        on_topic=True,
    )
