"""Divergence rounds: everyone answers privately, then the answers are revealed side by side.

Answering before seeing anyone else's answer keeps each person's own assumptions visible.
The reveal reads each answer as /ask reads a message (trust reliance, mechanisms and their kind,
a dropped safeguard, off-topic), compares what people would actually do, and says where the
team differs in substance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from bot.coaching.models import InputRejected, Question
from bot.discuss.clock import as_utc
from bot.discuss.data import DiscussData
from bot.discuss.members import Named, is_off_topic, named_mechanisms
from bot.discuss.positions import AT_ONCE, STAGED, Position, position_of
from bot.discuss.questions import DETERMINERS
from bot.discuss.tables import divergence_answers, divergence_rounds
from bot.reading.models import Reading
from bot.reading.reader import SituationReader
from bot.storage.database import Database

# An answer must fit one embed field (1024) so the reveal never cuts anyone short.
MAX_ANSWER_CHARS = 1000
DEFAULT_COUNTERPART = "the other side"


class RoundClosed(InputRejected):
    """The round no longer takes answers; the error path shows ``str(exc)`` to the user."""


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A question of the round's prompt, kept so the follow-up is a different one."""

    text: str
    move_id: str
    dimension: str


@dataclass(frozen=True, slots=True)
class Round:
    """One divergence round in a thread."""

    id: int
    guild_id: int
    thread_id: int
    message_id: int | None
    facilitator_id: int
    scenario_key: str
    title: str
    scenario_text: str
    counterpart: str | None
    questions: tuple[AskedQuestion, ...]
    status: str
    closes_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class Answer:
    """One member's private answer."""

    user_id: int
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class ReadAnswer:
    """An answer read by meaning, as /ask reads a message, with the member's position."""

    author: str
    text: str
    leans_on_trust: bool
    trust_kinds: tuple[str, ...] = ()  # cue categories: character, promise, ...
    cues: tuple[str, ...] = ()
    mechanisms: tuple[Named, ...] = ()  # kept, not waived
    safeguard_dropped: str | None = None
    dropped_kind: str | None = None  # the dropped safeguard's kind, when the ledger knows it
    off_topic: bool = False
    position: Position = field(default_factory=Position)

    def to_json(self) -> dict[str, object]:
        return {
            "author": self.author,
            "text": self.text,
            "leans_on_trust": self.leans_on_trust,
            "trust_cues": list(self.cues),
            "mechanisms": [m.to_json() for m in self.mechanisms],
            "safeguard_dropped": self.safeguard_dropped,
            "off_topic": self.off_topic,
            "position": self.position.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the answers differ: its kind (a key of the data file) and what fills it."""

    axis: str
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class Reveal:
    """What Parley posts when a round closes."""

    round: Round
    answers: tuple[ReadAnswer, ...]
    differences: tuple[str, ...]
    follow_up: Question | None


def read_answers(
    reader: SituationReader, answers: Iterable[Answer], data: DiscussData, case: str = ""
) -> list[ReadAnswer]:
    """Read each answer with the situation reader /ask uses, then its mechanisms and position.

    ``case`` is what the team was asked (scenario and questions): an answer sharing nothing
    with it, and naming no trust, mechanism or position, is set aside as off-topic.
    """
    return [read_answer(reader, a.author, a.text, data, case) for a in answers]


def read_answer(
    reader: SituationReader, author: str, text: str, data: DiscussData, case: str = ""
) -> ReadAnswer:
    """One answer: trust reliance, mechanisms kept and dropped, off-topic, position."""
    reading = reader.read(text)
    named = named_mechanisms(text, data, reader.lens.lexicon.dropping)
    kept = tuple(m for m in named if not m.dropped)
    dropped = next((m.term for m in named if m.dropped), reading.trust.dropped_safeguard)
    dropped_kind = next((m.kind for m in named if m.dropped), None)
    position = position_of(text, named, data.positions)
    # A verb alone ("if anyone wants cake") takes no stand; a figure or a sequence does.
    stands = bool(position.sequence or position.amounts) or position.verifies is not None
    aside = not (named or dropped or stands) and is_off_topic(
        reading, text, case, data.stance, data.chat_words
    )
    return ReadAnswer(
        author=author,
        text=text,
        leans_on_trust=not aside and _leans_on_trust(reading, kept, dropped),
        trust_kinds=reading.trust.categories,
        cues=reading.trust.cues,
        mechanisms=kept,
        safeguard_dropped=dropped,
        dropped_kind=dropped_kind,
        off_topic=aside,
        position=position,
    )


def _leans_on_trust(reading: Reading, kept: Sequence[Named], dropped: str | None) -> bool:
    """A trust cue ("he seems honest, so a deposit is plenty") whatever else is named; a check
    waived with nothing in its place; or the model's reading of an answer that names no
    safeguard. The model alone is not enough beside a named safeguard: a short answer listing
    terms ("audit rights, acceleration, 60 days") reads to it like a promise."""
    if reading.trust.cues or (dropped and not kept):
        return True
    return reading.trust.relies_on_trust and not kept


def differences(
    answers: Sequence[ReadAnswer], data: DiscussData, counterpart: str | None = None
) -> list[str]:
    """Sentences on where the team differs, worded by the data file, the weightiest first."""
    found = compare(answers, counterpart, data.mechanism_labels)
    return [data.reveal[d.axis].format(**d.fields) for d in found]


def compare(
    answers: Sequence[ReadAnswer],
    counterpart: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[Difference]:
    """Where the answers differ: in substance first (timing, checks dropped, amounts), then in
    kind. ``labels`` name each kind of mechanism in plain words ("money held back")."""
    if not answers:
        return [Difference("none", {})]
    serious = [a for a in answers if not a.off_topic]
    aside = [a for a in answers if a.off_topic]
    found = (
        [Difference("single", {})]
        if len(serious) < 2
        else _substance(serious, counterpart, labels or {})
    )
    if aside:
        found.append(Difference("offtopic", {"names": names(aside)}))
    return found


def _substance(
    answers: Sequence[ReadAnswer], counterpart: str | None, labels: Mapping[str, str]
) -> list[Difference]:
    # A check dropped while others keep it outweighs a gap in figures: the figures may not
    # even measure the same thing, a missing check is a risk nobody will see coming.
    other = counterpart or DEFAULT_COUNTERPART
    found = [*_sequence(answers, other), *_dropped(answers, other), *_amounts(answers, other)]
    found += _trust_split(answers, other, labels)
    return found


def _sequence(answers: Sequence[ReadAnswer], counterpart: str) -> list[Difference]:
    at_once = [a for a in answers if a.position.sequence == AT_ONCE]
    staged = [a for a in answers if a.position.sequence == STAGED]
    if not (at_once and staged):
        return []
    fields = {"at_once": names(at_once), "staged": names(staged), "counterpart": counterpart}
    return [Difference("sequence", fields)]


def _amounts(answers: Sequence[ReadAnswer], counterpart: str) -> list[Difference]:
    """Each member's first figure in the unit most of them use: 10% is not compared with $600."""
    units = Counter(_unit(a.position.amounts[0]) for a in answers if a.position.amounts)
    if not units:
        return []
    unit = units.most_common(1)[0][0]
    stated = {
        a.author: a.position.amounts[0]
        for a in answers
        if a.position.amounts and _unit(a.position.amounts[0]) == unit
    }
    if len(stated) < 2 or len(set(stated.values())) < 2:
        return []
    ordered = sorted(set(stated.values()), key=_number)
    fields = {"by_person": _by_person(stated), "low": ordered[0], "high": ordered[-1]}
    return [Difference("amounts", {**fields, "counterpart": counterpart})]


def _dropped(answers: Sequence[ReadAnswer], counterpart: str) -> list[Difference]:
    droppers = [a for a in answers if a.safeguard_dropped]
    if not droppers:
        return []
    # Only a member naming a safeguard of the same kind keeps what the others drop: escrow
    # does not "keep" the audit Jonas would drop.
    dropped_kinds = {a.dropped_kind for a in droppers if a.dropped_kind}
    keepers = [
        a
        for a in answers
        if not a.safeguard_dropped and any(m.kind in dropped_kinds for m in a.mechanisms)
    ]
    fields = {
        "names": names(droppers),
        "safeguards": _listed(_the(a.safeguard_dropped or "") for a in droppers),
        "keepers": names(keepers),
        "counterpart": counterpart,
    }
    return [Difference("dropped" if keepers else "dropped_alone", fields)]


def _trust_split(
    answers: Sequence[ReadAnswer], counterpart: str, labels: Mapping[str, str]
) -> list[Difference]:
    """The old label comparison, kept after the substance: trust against mechanisms."""
    trusting = [a for a in answers if a.leans_on_trust]
    mechanical = [a for a in answers if a.mechanisms]
    trust_only = [a for a in trusting if not a.mechanisms]
    cues = _quoted(c for a in trusting for c in a.cues) or "no phrase in particular"
    found: list[Difference] = []
    if trust_only and mechanical:
        fields = {"trusting": names(trusting), "mechanical": names(mechanical), "cues": cues}
        fields |= {"mechanisms": _terms(mechanical, labels), "counterpart": counterpart}
        found.append(Difference("split", fields))
    elif len(trust_only) == len(answers):
        found.append(Difference("all_trust", {"cues": cues, "counterpart": counterpart}))
    found += _mechanism_kinds(mechanical, labels)
    if not mechanical:
        found.append(Difference("no_mechanism", {}))
    neither = [a for a in answers if not a.leans_on_trust and not a.mechanisms]
    if neither and len(neither) < len(answers):
        found.append(Difference("neither", {"names": names(neither)}))
    return found


def _mechanism_kinds(
    mechanical: Sequence[ReadAnswer], labels: Mapping[str, str]
) -> list[Difference]:
    if len(mechanical) < 2:
        return []
    kinds = {a.author: frozenset(m.kind for m in a.mechanisms) for a in mechanical}
    if len(set(kinds.values())) == 1:
        return [Difference("same_mechanism", {"mechanisms": _terms(mechanical[:1], labels)})]
    by_person = _by_person({a.author: _terms([a], labels) for a in mechanical})
    fields = {"by_person": by_person, "mechanisms": _terms(mechanical, labels)}
    return [Difference("different_mechanisms", fields)]


def follow_up_text(found: Sequence[Difference], data: DiscussData) -> str | None:
    """The one follow-up: for the first difference the data file has a question for."""
    for difference in found:
        template = data.follow_ups.get(difference.axis)
        if template:
            return template.format(**difference.fields)
    return None


def _terms(answers: Iterable[ReadAnswer], labels: Mapping[str, str]) -> str:
    """What the answers name, in plain words: a kind's label where the data file has one (a
    matched fragment such as "half when" reads badly), else the answer's own term."""
    return _listed(labels.get(m.kind) or m.term.lower() for a in answers for m in a.mechanisms)


def _the(term: str) -> str:
    """ "the audit", "their survey": a bare safeguard reads as a noun with its article."""
    first = term.split(" ", 1)[0].lower()
    return term if first in DETERMINERS else f"the {term}"


def _unit(amount: str) -> str:
    """The unit of a figure: a currency sign, "%", or "" for a bare number or "half"."""
    if "%" in amount or re.search(r"per ?cent", amount, re.I):
        return "%"
    sign = re.match(r"[$€£]", amount)
    if sign:
        return sign.group(0)
    word = re.search(r"(dollars|euros|pounds)", amount, re.I)
    return {"dollars": "$", "euros": "€", "pounds": "£"}[word.group(1).lower()] if word else ""


def _number(amount: str) -> float:
    digits = re.sub(r"[^\d.]", "", amount.replace(",", ""))
    try:
        return float(digits)
    except ValueError:
        return {"half": 50.0, "a third": 33.3, "a quarter": 25.0}.get(amount.lower(), 0.0)


def names(answers: Iterable[ReadAnswer]) -> str:
    """``"Ana"``, ``"Ana and Bo"``, ``"Ana, Bo and Cy"``."""
    return _listed(a.author for a in answers)


def _listed(items: Iterable[str]) -> str:
    unique = list(dict.fromkeys(items))
    if len(unique) <= 1:
        return "".join(unique)
    return f"{', '.join(unique[:-1])} and {unique[-1]}"


def _quoted(cues: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in dict.fromkeys(cues))


def _by_person(values: dict[str, str]) -> str:
    return "; ".join(f"{who}: {what}" for who, what in values.items())


class RoundStore:
    """Rounds and their answers in the database, so a restart loses neither."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def open(
        self,
        *,
        guild_id: int,
        thread_id: int,
        facilitator_id: int,
        scenario_key: str,
        title: str,
        scenario_text: str,
        counterpart: str | None,
        questions: Sequence[Question],
        closes_at: datetime | None,
        now: datetime,
    ) -> Round:
        """Start a round; it takes answers until closed or until ``closes_at``."""
        values = {
            "guild_id": guild_id,
            "thread_id": thread_id,
            "facilitator_id": facilitator_id,
            "scenario_key": scenario_key,
            "title": title,
            "scenario_text": scenario_text,
            "counterpart": counterpart,
            "questions": [
                {"text": q.text, "move_id": q.move_id, "dimension": q.dimension} for q in questions
            ],
            "status": "open",
            "closes_at": as_utc(closes_at) if closes_at else None,
            "created_at": as_utc(now),
        }
        async with self._db.engine.begin() as conn:
            result = await conn.execute(divergence_rounds.insert().values(**values))
            round_id = result.inserted_primary_key[0]
        return _round({"id": round_id, "message_id": None, **values})

    async def set_message(self, round_id: int, message_id: int) -> None:
        """Remember the message that carries the round's buttons."""
        async with self._db.engine.begin() as conn:
            await conn.execute(
                divergence_rounds.update()
                .where(divergence_rounds.c.id == round_id)
                .values(message_id=message_id)
            )

    async def get(self, round_id: int) -> Round | None:
        """A round by id."""
        found = await self._select(divergence_rounds.c.id == round_id)
        return found[0] if found else None

    async def due(self, now: datetime) -> list[Round]:
        """Open rounds whose deadline has passed."""
        table = divergence_rounds
        return await self._select(table.c.status == "open", table.c.closes_at <= as_utc(now))

    async def answer(
        self, round_id: int, *, user_id: int, author: str, text: str, now: datetime
    ) -> bool:
        """Store or replace a member's answer; True when it replaced an earlier one."""
        text = text.strip()[:MAX_ANSWER_CHARS]
        table = divergence_answers
        async with self._db.engine.begin() as conn:
            status = (
                await conn.execute(
                    sa.select(divergence_rounds.c.status).where(divergence_rounds.c.id == round_id)
                )
            ).scalar_one_or_none()
            if status != "open":
                raise RoundClosed("This round has closed, so your answer was not counted.")
            updated = await conn.execute(
                table.update()
                .where(table.c.round_id == round_id, table.c.user_id == user_id)
                .values(author=author, text=text, answered_at=as_utc(now))
            )
            if updated.rowcount == 0:
                await conn.execute(
                    table.insert().values(
                        round_id=round_id,
                        user_id=user_id,
                        author=author,
                        text=text,
                        answered_at=as_utc(now),
                    )
                )
        return updated.rowcount > 0

    async def answer_of(self, round_id: int, user_id: int) -> str | None:
        """A member's current answer, to show it again when they reopen the form."""
        table = divergence_answers
        query = sa.select(table.c.text).where(
            table.c.round_id == round_id, table.c.user_id == user_id
        )
        async with self._db.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def answers(self, round_id: int) -> list[Answer]:
        """Every answer of a round, in the order given."""
        table = divergence_answers
        query = (
            sa.select(table.c.user_id, table.c.author, table.c.text)
            .where(table.c.round_id == round_id)
            .order_by(table.c.answered_at, table.c.user_id)
        )
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Answer(int(r.user_id), r.author, r.text) for r in rows]

    async def close(self, round_id: int, now: datetime) -> bool:
        """Close an open round; False if it was already closed (only one closer reveals)."""
        table = divergence_rounds
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                table.update()
                .where(table.c.id == round_id, table.c.status == "open")
                .values(status="closed", closed_at=as_utc(now))
            )
        return result.rowcount == 1

    async def _select(self, *where: sa.ColumnElement[bool]) -> list[Round]:
        query = sa.select(divergence_rounds).where(*where).order_by(divergence_rounds.c.id)
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_round(row) for row in rows]


def _round(row: sa.RowMapping | dict) -> Round:
    return Round(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        thread_id=int(row["thread_id"]),
        message_id=row["message_id"],
        facilitator_id=int(row["facilitator_id"]),
        scenario_key=str(row["scenario_key"]),
        title=str(row["title"]),
        scenario_text=str(row["scenario_text"]),
        counterpart=row["counterpart"],
        questions=tuple(AskedQuestion(**q) for q in row["questions"] or []),
        status=str(row["status"]),
        closes_at=as_utc(row["closes_at"]) if row["closes_at"] else None,
    )
