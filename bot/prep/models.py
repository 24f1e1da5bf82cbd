"""Plain data of prep sessions: what is stored, and what the front ends are handed back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.coaching.models import InputRejected, Question

ACTIVE = "active"
PAUSED = "paused"
FINISHED = "finished"

# What a front end can offer as buttons (terminal: /next, /back...). "risk" adds a ledger row;
# "confirm" is offered only after Finish listed what is still open.
FINISH = "finish"
CONFIRM = "confirm"
NAVIGATION = ("back", "next", "skip", "pause", FINISH, CONFIRM)
ACTIONS = ("back", "next", "skip", "pause", FINISH, "risk")


class PrepError(InputRejected):
    """A prep request that cannot be carried out; ``str(exc)`` is a plain reply for the user.

    It is an ``InputRejected`` so the shared Discord error path shows the text as it is.
    """


class SessionNotFound(PrepError):
    """No session has this id (never had, deleted, or expired)."""


class NotSessionOwner(PrepError):
    """Someone other than the session's owner tried to use it."""


def utcnow() -> datetime:
    """The current time in UTC; the default clock."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(slots=True)
class PrepSession:
    """One prep session's row: who, what, where it stands."""

    id: str
    owner: str
    counterpart: str
    topic: str
    stage: int
    status: str
    state: dict[str, Any]
    channel: str
    created_at: datetime
    updated_at: datetime
    warned_at: datetime | None = None

    @property
    def follow_ups(self) -> dict[str, dict[str, Any]]:
        """Pending trust follow-ups by stage id (at most one per stage)."""
        return self.state.setdefault("follow_ups", {})

    @property
    def skipped(self) -> list[str]:
        """Slot keys the user chose to skip."""
        return self.state.setdefault("skipped", [])

    @property
    def name(self) -> str:
        """The counterpart as questions name them: "Darren Pugh", not the role the form gave
        in brackets ("Darren Pugh (livery yard owner)"), which reads as a form field when
        repeated in every question. The brief's header keeps the whole entry."""
        return short_name(self.counterpart)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The knowledge scopes this session's citations may come from."""
        return tuple(self.state.get("scopes") or ("global",))


@dataclass(frozen=True, slots=True)
class Answer:
    """One stored answer."""

    id: int
    stage: str
    question: str
    round: int
    text: str
    follow_up: bool
    leaned_on_trust: bool
    created_at: datetime

    @property
    def slot(self) -> str:
        """The slot key this answer belongs to."""
        return f"{self.stage}/{self.question}/{self.round}"


@dataclass(frozen=True, slots=True)
class NewAnswer:
    """An answer about to be stored."""

    stage: str
    question: str
    round: int
    text: str
    follow_up: bool
    reading: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RiskInput:
    """A ledger row as the user typed it (modal or ``/risk a | b | c | d``)."""

    risk: str
    bearer: str = ""
    mechanism: str = ""
    residual: str = ""


# The risk a trust-audit row stands for: the "they will…" not being kept, or an assumption
# of fact ("he's not in money trouble") proving untrue.
ASSUMPTION_RISK = "Not kept: {text}"
ASSUMPTION_UNTRUE = "Not true: {text}"


def promised(risk: str) -> str:
    """An assumption row's risk without the "Not kept: " (or "Not true: ") it was written with."""
    for form in (ASSUMPTION_RISK, ASSUMPTION_UNTRUE):
        risk = risk.removeprefix(form.split("{", 1)[0])
    return risk


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One row of the risk ledger, with the categories the risk map places it by."""

    id: int
    position: int
    risk: str
    bearer: str
    mechanism: str
    residual: str
    bearer_kind: str
    mechanism_kind: str
    assumption: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerChange:
    """What an answer or a modal does to the ledger: add a row, or change some columns."""

    row_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    # A new row that takes the place (and position) of this one: the same risk, re-worded.
    replaces: int | None = None


@dataclass(frozen=True, slots=True)
class Asked:
    """A question shown to the user, stored so a resume shows it again with the same citation."""

    slot: str
    question: Question


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """Everything stored about one session: what the brief is written from."""

    session: PrepSession
    answers: tuple[Answer, ...]
    ledger: tuple[LedgerRow, ...]
    asked: tuple[Asked, ...]


@dataclass(frozen=True, slots=True)
class Brief:
    """The brief and its risk map, ready to attach or write."""

    session_id: str
    markdown: str
    png: bytes

    @property
    def markdown_name(self) -> str:
        return f"prep-{self.session_id}-brief.md"

    @property
    def png_name(self) -> str:
        return f"prep-{self.session_id}-risk-map.png"


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A line of ``/prep list``."""

    id: str
    counterpart: str
    topic: str
    stage_number: int
    stage_title: str
    status: str
    updated_at: datetime
    expires_at: datetime | None
    expiring: bool


@dataclass(frozen=True, slots=True)
class Reply:
    """What a front end shows after any request: the stage, notes, questions and buttons."""

    session: PrepSession
    stage_number: int
    stage_count: int
    stage_title: str
    header: str = ""  # the stage's goal when the reply opens a stage; empty otherwise
    notices: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    follow_up: bool = False
    # The slot the questions ask about ("stakes/their_gains/0", "follow-up:risks:ab12cd34").
    slot: str = ""
    message: str = ""
    refused: bool = False
    actions: tuple[str, ...] = ()
    ledger: tuple[LedgerRow, ...] = ()
    brief: Brief | None = None

    @property
    def session_id(self) -> str:
        return self.session.id


_ROLE_AFTER = re.compile(r"\s*(?:\([^)]*\)|,\s.*|\s[-–—]\s.*)$")


def short_name(counterpart: str) -> str:
    """ "Darren Pugh (livery yard owner)" → "Darren Pugh"; "Tom Hale, editor" → "Tom Hale";
    an entry that is all role ("the landlord") stays whole."""
    text = " ".join(counterpart.split())
    short = _ROLE_AFTER.sub("", text)
    return short if short and short[:1].isupper() else text
