"""The offline question engine: picks 1-3 Socratic moves from the question bank and fills them.

This is the default engine. An LLM engine (a later issue) receives the same ``PlanRequest`` —
the trust reading, the retrieved passages and the uncovered dimensions — and must return the
same ``Question`` objects, so front ends never know which engine answered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.coaching.models import Conversation, Passage, Question, TrustReading
from bot.datafiles import load_yaml
from bot.knowledge.retrieval import token_set, tokenize
from bot.knowledge.store import GLOBAL_SCOPE

if TYPE_CHECKING:
    from bot.reading.models import Reading

DIMENSIONS = (
    "stakes",
    "risk",
    "mechanism",
    "incentives",
    "security",
    "resources",
    "control",
    "reputation",
    "time",
)
SOCRATIC_TYPES = ("clarify", "assumptions", "evidence", "viewpoints", "implications")
TRIGGERS = (
    "character",
    "chemistry",
    "promise",
    "relationship",
    "gut",
    "proof",
    "dropped",
    "examining",
    "offtopic",
    "any",
)
DEFAULT_COUNTERPART = "the other side"


class QuestionBankError(ValueError):
    """The question bank file is malformed; the message names the move and the problem."""


@dataclass(frozen=True, slots=True)
class Move:
    """One kind of question the coach can ask."""

    id: str
    dimension: str
    type: str
    when: tuple[str, ...]
    needs: tuple[str, ...]
    anchor: frozenset[str]
    templates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything an engine needs to plan one turn."""

    message: str
    reading: TrustReading
    passages: tuple[Passage, ...]
    conversation: Conversation
    max_questions: int = 3
    situation: Reading | None = None  # the full reading, when the coach has a reader
    scopes: tuple[str, ...] = (GLOBAL_SCOPE,)  # knowledge scopes the user may be shown
    avoid: frozenset[str] = frozenset()  # passages already on screen, not to be cited again

    @property
    def uncovered(self) -> list[str]:
        """Dimensions not yet probed in this conversation, in canonical order."""
        return [d for d in DIMENSIONS if d not in self.conversation.covered]


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """The questions of one turn and who produced them (an LLM may fall back to offline)."""

    questions: list[Question]
    engine: str
    fallback: bool
    reason: str = ""
    attempts: int = 0
    seconds: float = 0.0
    preface: tuple[str, ...] = ()  # plain lines shown before the questions


class QuestionEngine(Protocol):
    """Anything that turns a plan request into grounded questions."""

    name: str

    def plan(self, request: PlanRequest) -> list[Question]: ...

    def plan_outcome(self, request: PlanRequest) -> PlanOutcome: ...


def load_moves(path: Path) -> list[Move]:
    """Read and validate the question bank."""
    data = load_yaml(path)
    moves = [_parse_move(raw) for raw in data.get("moves", [])]
    if not moves:
        raise QuestionBankError(f"{path} defines no moves.")
    ids = [m.id for m in moves]
    if len(set(ids)) != len(ids):
        raise QuestionBankError(f"{path} repeats a move id.")
    return moves


def _parse_move(raw: dict) -> Move:
    move = Move(
        id=str(raw["id"]),
        dimension=str(raw["dimension"]),
        type=str(raw["type"]),
        when=tuple(raw.get("when") or ["any"]),
        needs=tuple(raw.get("needs") or []),
        anchor=frozenset(tokenize(str(raw.get("anchor", "")))),
        templates=tuple(str(t).strip() for t in raw["templates"]),
    )
    problems = [
        f"dimension {move.dimension!r}" * (move.dimension not in DIMENSIONS),
        f"type {move.type!r}" * (move.type not in SOCRATIC_TYPES),
        "a trigger" * any(w not in TRIGGERS for w in move.when),
        "a template that is not a question" * any(not t.endswith("?") for t in move.templates),
    ]
    if any(problems):
        raise QuestionBankError(
            f"Move {move.id!r} has an unknown or bad " + ", ".join(filter(None, problems))
        )
    return move


class OfflineEngine:
    """Plans questions from the bank, no model needed."""

    name = "offline"

    def __init__(self, moves: list[Move]) -> None:
        self.moves = moves

    def plan(self, request: PlanRequest) -> list[Question]:
        """Choose up to ``max_questions`` moves with distinct dimensions and ground each one."""
        slots = _slots(request.reading, request.conversation)
        # Within a conversation a short reply ("he never let us down") is still on topic.
        ongoing = request.conversation.turns > 0
        triggers = _triggers(request.reading, ongoing)
        count = min(request.max_questions, _question_count(request.reading, ongoing))
        ranked = self._rank(request, slots, triggers)
        questions: list[Question] = []
        used_passages: set[str] = set()
        for move in ranked:
            if len(questions) == count:
                break
            if any(q.dimension == move.dimension for q in questions):
                continue
            text = _fill(move, slots, request)
            if text is None or not request.passages:
                continue
            passage = _ground(move, request.passages, used_passages)
            used_passages.add(passage.chunk_id)
            questions.append(Question(text, move.dimension, move.id, move.type, passage))
        return questions

    def plan_outcome(self, request: PlanRequest) -> PlanOutcome:
        """The planned questions, labelled as the offline engine's."""
        return PlanOutcome(self.plan(request), self.name, fallback=False)

    def _rank(self, request: PlanRequest, slots: dict[str, str], triggers: set[str]) -> list[Move]:
        asked = set(request.conversation.asked_moves)
        uncovered = set(request.uncovered)

        def score(move: Move) -> float:
            fit = len(triggers.intersection(move.when))
            # One matching trigger makes a move apt; more only break ties.
            value = (3.0 if fit else 0.5) + 0.4 * max(0, fit - 1)
            value += 2.0 if move.dimension in uncovered else 0.0
            value += 2.5 if move.needs else 0.0  # questions in the user's own words come first
            value -= 6.0 if move.id in asked else 0.0
            return value + jitter(request.message, move.id)

        eligible = [
            m for m in self.moves if all(n in slots for n in m.needs) and _applies(m, triggers)
        ]
        return sorted(eligible, key=score, reverse=True)


def _applies(move: Move, triggers: set[str]) -> bool:
    if "offtopic" in triggers:
        return "offtopic" in move.when
    return "offtopic" not in move.when and ("any" in move.when or bool(triggers & set(move.when)))


def _triggers(reading: TrustReading, ongoing: bool) -> set[str]:
    triggers = set(reading.categories)
    if reading.dropped_safeguard:
        triggers.add("dropped")
    if reading.examining_risk:
        triggers.add("examining")
    if not reading.on_topic and not ongoing:
        triggers.add("offtopic")
    return triggers


def _question_count(reading: TrustReading, ongoing: bool) -> int:
    if not reading.on_topic and not ongoing:
        return 1
    if reading.relies_on_trust:
        return 3
    return 2


def _slots(reading: TrustReading, conversation: Conversation) -> dict[str, str]:
    counterpart = reading.counterpart or conversation.counterpart or DEFAULT_COUNTERPART
    slots = {"counterpart": counterpart}
    if reading.promise:
        slots["promise"] = reading.promise
    if reading.dropped_safeguard:
        slots["safeguard"] = reading.dropped_safeguard
    if reading.cues:
        slots["cue"] = reading.cues[0]
    return slots


def _fill(move: Move, slots: dict[str, str], request: PlanRequest) -> str | None:
    """The first wording (in a per-message rotation) not yet asked in this conversation."""
    asked = set(request.conversation.asked_questions)
    start = int(jitter(request.message, move.id + "#") * 1000)
    values = {**slots, "Counterpart": capitalise(slots["counterpart"])}
    for i in range(len(move.templates)):
        template = move.templates[(start + i) % len(move.templates)]
        text = capitalise(template.format(**values))
        if text not in asked:
            return text
    return None


def _ground(move: Move, passages: tuple[Passage, ...], used: set[str]) -> Passage:
    """The retrieved passage that best fits the move's anchor, preferring fresh citations."""

    def fit(passage: Passage) -> float:
        overlap = len(move.anchor & token_set(passage.text)) / max(1, len(move.anchor))
        value = passage.score + 0.6 * overlap - (0.3 if passage.chunk_id in used else 0.0)
        # A passage that is itself a list of questions is no evidence for a question.
        return value - (0.3 if passage.text.count("?") >= 3 else 0.0)

    return max(passages, key=fit)


def jitter(message: str, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) so wording varies from message to message."""
    digest = hashlib.blake2b(f"{salt}\x00{message}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32


def capitalise(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:] if text else text
