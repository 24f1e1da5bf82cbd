"""Where a session stands, derived from what is stored: no cursor to lose in a crash.

The question to ask next is the first one of the current stage with neither an answer nor a
skip; only pending trust follow-ups and skips are kept as state.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.coaching.inbound import clean_message
from bot.coaching.models import TrustReading
from bot.coaching.trust_lens import TrustLens
from bot.prep.models import Answer, LedgerRow, PrepError, PrepSession
from bot.prep.stages import Slot, Stage, StageBook, StageQuestion

NOTE = "note"  # answers given after a stage's last question: kept, shown as notes
INJECTION_NOTICE = (
    "I record your answers to the prep questions as they are; requests to change how I work "
    "are ignored."
)


@dataclass(frozen=True, slots=True)
class Target:
    """Where the next answer goes."""

    stage: Stage
    question_key: str
    round: int
    question: StageQuestion | None
    follow_up: bool

    @property
    def expects_trust(self) -> bool:
        """A first answer to a "they will…" question is meant to be a trust statement."""
        return bool(self.question and self.question.expects_trust and not self.follow_up)


@dataclass(frozen=True, slots=True)
class CleanAnswer:
    """An answer fit to store, with notes for the user about anything changed."""

    text: str
    notices: tuple[str, ...]


def answered(answers: Iterable[Answer]) -> set[str]:
    """Slot keys that hold a first answer (follow-ups and notes do not fill a slot)."""
    return {a.slot for a in answers if not a.follow_up and a.question != NOTE}


def filled(answers: Iterable[Answer], stage: Stage, ledger: Sequence[LedgerRow]) -> set[str]:
    """Answered slots, plus ledger columns already filled (e.g. by the modal or ``/risk``)."""
    done = answered(answers)
    if stage.repeat == "ledger":
        for row in ledger:
            done |= {
                Slot(stage, q, row.id).key
                for q in stage.questions
                if q.ledger and getattr(row, q.ledger, "")
            }
    return done


def current_slot(
    stage: Stage, filled: set[str], skipped: Iterable[str], ledger_ids: Sequence[int] = ()
) -> Slot | None:
    """The next question of ``stage``, or None when the stage has nothing left to ask."""
    done = filled | set(skipped)
    if stage.repeat == "open":
        return _open_slot(stage, filled, set(skipped))
    rounds: Iterable[int] = ledger_ids if stage.repeat == "ledger" else (0,)
    for round_ in rounds:
        for question in stage.questions:
            slot = Slot(stage, question, round_)
            if slot.key not in done:
                return slot
    return None


def _open_slot(stage: Stage, filled: set[str], skipped: set[str]) -> Slot | None:
    """Open stages go round after round; skipping a round's first question closes the list."""
    for round_ in itertools.count():
        first = Slot(stage, stage.questions[0], round_)
        if first.key in skipped:
            return None
        if first.key not in filled:
            return first
        for question in stage.questions[1:]:
            slot = Slot(stage, question, round_)
            if slot.key not in filled and slot.key not in skipped:
                return slot
    return None  # unreachable: count() never ends


def target(
    session: PrepSession, book: StageBook, answers: Sequence[Answer], ledger: Sequence[LedgerRow]
) -> Target:
    """Where an answer arriving now belongs: the pending follow-up, the next slot, or a note."""
    stage = book[session.stage]
    pending = session.follow_ups.get(stage.id)
    if pending:
        key = pending["question"]
        return Target(stage, key, int(pending["round"]), stage.question(key), True)
    done = filled(answers, stage, ledger)
    slot = current_slot(stage, done, session.skipped, [row.id for row in ledger])
    if slot is not None:
        return Target(stage, slot.question.key, slot.round, slot.question, False)
    notes = sum(1 for a in answers if a.stage == stage.id and a.question == NOTE)
    return Target(stage, NOTE, notes, None, False)


def leans_on_trust(reading: TrustReading) -> bool:
    """Relies on trust without weighing the risk or naming a mechanism in the same breath."""
    return reading.relies_on_trust and not reading.examining_risk


def trust_phrase(reading: TrustReading) -> str:
    """What the answer leaned on, in the user's words, for the follow-up's opening line."""
    if reading.cues:
        return f'"{reading.cues[0]}"'
    if reading.dropped_safeguard:
        return f"dropping the {reading.dropped_safeguard}"
    return "trust"


def missing_perspective(book: StageBook, filled: set[str]) -> list[Slot]:
    """The other side's questions still unanswered; the session cannot finish without them."""
    return [slot for slot in book.perspective_slots() if slot.key not in filled]


def clean_answer(raw: str, *, max_chars: int, lens: TrustLens) -> CleanAnswer:
    """Validate an answer; raise ``PrepError`` when there is nothing to store."""
    if not raw or not raw.strip():
        raise PrepError(
            "That answer was empty, so nothing was saved. Answer the question above, "
            "or press Skip to leave it open."
        )
    notices: list[str] = []
    text = raw.strip()
    if len(text) > max_chars:
        notices.append(
            f"Your answer was {len(text):,} characters; I saved the first {max_chars:,}. "
            "Send the rest as another answer if it matters."
        )
        text = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
    # The coach's checks catch binary junk and control characters; its other notes (language,
    # coaching hints) do not fit terse prep answers, so only an injection attempt is mentioned.
    cleaned = clean_message(text, max_chars=max_chars)
    if lens.looks_like_injection(text):
        notices.append(INJECTION_NOTICE)
    return CleanAnswer(cleaned.text, tuple(notices))
