"""Divergence rounds: everyone answers privately, then the answers are revealed side by side.

Answering before seeing anyone else's answer keeps each person's own assumptions visible.
The reveal marks, with the coach's trust lens, which answers lean on trust and which name a
mechanism, and says where the team's assumptions differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from bot.coaching.models import InputRejected, Question
from bot.coaching.trust_lens import TrustLens
from bot.discuss.clock import as_utc
from bot.discuss.data import DiscussData
from bot.discuss.tables import divergence_answers, divergence_rounds
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
    """An answer as the trust lens reads it."""

    author: str
    text: str
    leans_on_trust: bool
    trust_kinds: tuple[str, ...]  # cue categories: character, promise, ...
    cues: tuple[str, ...]
    mechanisms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reveal:
    """What Parley posts when a round closes."""

    round: Round
    answers: tuple[ReadAnswer, ...]
    differences: tuple[str, ...]
    follow_up: Question | None


def read_answers(lens: TrustLens, answers: Iterable[Answer]) -> list[ReadAnswer]:
    """Mark each answer: does it lean on trust, which mechanisms does it name."""
    read: list[ReadAnswer] = []
    for answer in answers:
        reading = lens.read(answer.text)
        read.append(
            ReadAnswer(
                author=answer.author,
                text=answer.text,
                leans_on_trust=reading.relies_on_trust,
                trust_kinds=reading.categories,
                cues=reading.cues,
                mechanisms=reading.mechanisms_named,
            )
        )
    return read


def differences(
    answers: Sequence[ReadAnswer], data: DiscussData, counterpart: str | None = None
) -> list[str]:
    """Sentences on where the team's assumptions differ, worded by the data file."""
    say = data.reveal
    if not answers:
        return [say["none"]]
    if len(answers) == 1:
        return [say["single"]]
    trusting = [a for a in answers if a.leans_on_trust]
    mechanical = [a for a in answers if a.mechanisms]
    trust_only = [a for a in trusting if not a.mechanisms]
    neither = [a for a in answers if not a.leans_on_trust and not a.mechanisms]
    lines: list[str] = []
    if trust_only and mechanical:
        lines.append(
            say["split"].format(
                trusting=names(trusting),
                mechanical=names(mechanical),
                cues=_quoted(c for a in trusting for c in a.cues) or "no phrase in particular",
                mechanisms=_listed(m for a in mechanical for m in a.mechanisms),
                counterpart=counterpart or DEFAULT_COUNTERPART,
            )
        )
    elif len(trust_only) == len(answers):
        lines.append(say["all_trust"].format(cues=_quoted(c for a in trusting for c in a.cues)))
    kinds = {a.author: _kinds(a, data) for a in trusting if a.trust_kinds}
    if len(set(kinds.values())) > 1:
        lines.append(say["trust_kinds"].format(by_person=_by_person(kinds)))
    lines.extend(_mechanism_lines(mechanical, data))
    if not mechanical:
        lines.append(say["no_mechanism"])
    if neither and len(neither) < len(answers):
        lines.append(say["neither"].format(names=names(neither)))
    return lines


def _mechanism_lines(mechanical: Sequence[ReadAnswer], data: DiscussData) -> list[str]:
    if len(mechanical) < 2:
        return []
    sets = {a.author: frozenset(a.mechanisms) for a in mechanical}
    if len(set(sets.values())) == 1:
        return [data.reveal["same_mechanism"].format(mechanisms=_listed(mechanical[0].mechanisms))]
    by_person = {a.author: _listed(a.mechanisms) for a in mechanical}
    return [data.reveal["different_mechanisms"].format(by_person=_by_person(by_person))]


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


def _kinds(answer: ReadAnswer, data: DiscussData) -> str:
    return _listed(data.trust_kinds.get(k, k) for k in answer.trust_kinds)


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
