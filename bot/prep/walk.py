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
from bot.prep.ledger import UNASSIGNED, is_trust_only
from bot.prep.models import Answer, LedgerRow, PrepError, PrepSession, SessionRecord
from bot.prep.stages import Slot, Stage, StageBook, StageQuestion, clip_item, fill

NOTE = "note"  # answers given after a stage's last question: kept, shown as notes
# Fewer words than this across the other side's answers, and their view is "thin": a brief
# that cannot say what the counterpart gains, fears and falls back on is half a brief.
THIN_WORDS = 25
# Risks and answers quoted in an open item are cut to this many characters.
ITEM_QUOTE = 60
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


def open_items(record: SessionRecord, book: StageBook) -> list[str]:
    """What is still open, most pressing first: pending follow-ups, questions that matter left
    unanswered, risks only trust covers or nobody bears, and a thin view of the other side."""
    latest = latest_answers(record.answers)
    items = [
        book.say("open_follow_up", stage=book[book.index(stage_id)].title)
        for stage_id in record.session.follow_ups
    ]
    for stage in book.stages:
        items += _unanswered(stage, book, record, latest)
    items += _ledger_items(record.ledger, book)
    thin = _thin_view(book, latest, record.session.name)
    return items + ([thin] if thin else [])


def latest_answers(answers: Iterable[Answer]) -> dict[str, str]:
    """Slot key → the latest first answer given to it (follow-ups and notes left out)."""
    return {a.slot: a.text for a in answers if not a.follow_up and a.question != NOTE}


def _unanswered(
    stage: Stage, book: StageBook, record: SessionRecord, latest: dict[str, str]
) -> list[str]:
    """The stage's questions that matter with no answer, or only an "I don't know"."""
    items = []
    for slot in _slots_that_matter(stage, latest, record.ledger):
        where = f"{stage.title} · {fill(slot.question.label, counterpart=record.session.name)}"
        if stage.repeat != "none":
            where += f" ({_round_name(stage, slot, latest, record.ledger)})"
        text = latest.get(slot.key)
        if text is None:
            items.append(book.say("open_unanswered", where=where))
        elif book.is_unsure(text):
            items.append(book.say("open_unsure", where=where, answer=text.strip()))
    return items


def _slots_that_matter(
    stage: Stage, latest: dict[str, str], ledger: Sequence[LedgerRow]
) -> list[Slot]:
    """Slots of questions marked ``matters``: once per stage, per round started, or per row
    whose column the ledger itself does not already hold (the form fills columns too)."""
    questions = [q for q in stage.questions if q.matters]
    if stage.repeat == "ledger":
        return [
            Slot(stage, q, row.id)
            for row in ledger
            for q in questions
            if not (q.ledger and getattr(row, q.ledger, ""))
        ]
    if stage.repeat == "open":
        first = stage.questions[0].key
        rounds = sorted(
            int(k.split("/")[2]) for k in latest if k.startswith(f"{stage.id}/{first}/")
        )
        return [Slot(stage, q, r) for r in rounds for q in questions if q.key != first]
    return [Slot(stage, q) for q in questions]


def _round_name(
    stage: Stage, slot: Slot, latest: dict[str, str], ledger: Sequence[LedgerRow]
) -> str:
    """Which round or risk an open item is about, in a few words."""
    if stage.repeat == "ledger":
        row = next(r for r in ledger if r.id == slot.round)
        return f"risk {row.position}, {clip_item(row.risk, ITEM_QUOTE)}"
    first = latest.get(Slot(stage, stage.questions[0], slot.round).key, "")
    return clip_item(first, ITEM_QUOTE)


def _ledger_items(ledger: Sequence[LedgerRow], book: StageBook) -> list[str]:
    """Risks only trust covers, and risks nobody was named as bearing."""
    items = []
    for row in ledger:
        risk = clip_item(row.risk, ITEM_QUOTE)
        if is_trust_only(row.mechanism_kind):
            items.append(book.say("open_trust_only", n=str(row.position), risk=risk))
        if row.bearer_kind == UNASSIGNED and row.bearer:
            items.append(book.say("open_no_bearer", n=str(row.position), risk=risk))
    return items


def _thin_view(book: StageBook, latest: dict[str, str], counterpart: str) -> str:
    """The open item for a thin view of the other side, or ""."""
    theirs = [
        latest.get(Slot(s, q).key, "")
        for s in book.stages
        if s.repeat == "none"
        for q in s.questions
        if q.side == "them"
    ]
    words = sum(len(t.split()) for t in theirs if not book.is_unsure(t))
    if words >= THIN_WORDS:
        return ""
    return book.say("open_thin", counterpart=counterpart, words=str(words))
