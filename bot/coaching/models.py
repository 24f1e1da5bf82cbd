"""Plain data passed between the coaching core and its front ends (terminal, Discord, JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.reading.models import Reading


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved piece of the knowledge base that a question can rest on."""

    source: str
    text: str
    score: float
    title: str = ""
    chunk_id: str = ""
    # Scoring details, not identity: a passage restored from storage is the same passage.
    case_kind: str = field(default="", compare=False)  # the deal kind of a case note
    original: bool = field(default=False, compare=False)  # the essay's own text
    quote: str = field(default="", compare=False)  # the sentences that support the question

    def excerpt(self, limit: int = 220) -> str:
        """A short quotation for citations: the supporting sentences, or the text cut at a word."""
        text = self.quote or self.text
        if len(text) <= limit:
            return text
        cut = text[:limit].rsplit(" ", 1)[0]
        return cut.rstrip(",;:") + " …"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "text": self.text, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class TrustReading:
    """What the trust lens saw in one message."""

    relies_on_trust: bool
    examining_risk: bool
    cues: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    counterpart: str | None = None
    promise: str | None = None
    dropped_safeguard: str | None = None
    mechanisms_named: tuple[str, ...] = ()
    on_topic: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "relies_on_trust": self.relies_on_trust,
            "examining_risk": self.examining_risk,
            "cues": list(self.cues),
            "counterpart": self.counterpart,
            "promise": self.promise,
            "dropped_safeguard": self.dropped_safeguard,
        }


@dataclass(frozen=True, slots=True)
class Question:
    """One Socratic question and the passage it is grounded in."""

    text: str
    dimension: str
    move_id: str
    socratic_type: str
    passage: Passage


@dataclass(frozen=True, slots=True)
class Turn:
    """Parley's answer to one user message."""

    questions: tuple[Question, ...]
    passages: tuple[Passage, ...]
    trust: TrustReading
    notices: tuple[str, ...] = ()
    engine: str = "offline"
    # True when a configured LLM failed (timeout, error, invalid output) and `engine` stood in.
    fallback: bool = False
    # The situation reading behind the questions (intent, deal, slots), when a reader ran.
    reading: Reading | None = None
    # Plain lines shown before the questions: a term's definition, a recap, a language note.
    preface: tuple[str, ...] = ()

    @property
    def focus(self) -> list[str]:
        """The dimensions the questions probe, in question order, without repeats."""
        return list(dict.fromkeys(q.dimension for q in self.questions))

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": [q.text for q in self.questions],
            "passages": [p.to_json() for p in self.passages],
            "trust": self.trust.to_json(),
            "focus": self.focus,
            "citations": [
                {
                    "question": i,
                    "source": q.passage.source,
                    "title": q.passage.title,
                    "text": q.passage.excerpt(),
                }
                for i, q in enumerate(self.questions)
            ],
            "notices": list(self.notices),
            "preface": list(self.preface),
            "engine": self.engine,
            "fallback": self.fallback,
            **(self.reading.to_json() if self.reading else {}),
        }


# How much of the user's recent messages a conversation keeps for its recap.
SAID_TURNS = 8
SAID_CHARS = 400


@dataclass(slots=True)
class Conversation:
    """What Parley remembers of one conversation, so no question is asked twice."""

    asked_moves: list[str] = field(default_factory=list)
    asked_questions: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    turns: int = 0
    counterpart: str | None = None  # who the user is dealing with, once they have said so
    # The LLM engine's ConversationMemory (recent exchanges, older ones summarised) as JSON.
    memory: dict[str, Any] = field(default_factory=dict)
    # What the conversation has established about the deal: kind, counterpart, object, money,
    # timing, and the risks and mechanisms the user has named (see ``remember_situation``).
    situation: dict[str, Any] = field(default_factory=dict)

    def record(self, turn: Turn) -> None:
        """Remember the questions of a finished turn, and the situation it read."""
        self.record_questions(turn.questions)
        self.counterpart = turn.trust.counterpart or self.counterpart
        if turn.reading is not None:
            self.remember_situation(turn.reading)

    def remember_situation(self, reading: Reading) -> None:
        """Keep the deal reading, and add the mechanisms and intents of this message."""
        deal = reading.deal
        for key in ("kind", "counterpart", "object", "money", "timing"):
            if getattr(deal, key):
                self.situation[key] = getattr(deal, key)
        if deal.kind:
            self.situation["confidence"] = deal.confidence
        self.situation["counterpart_named"] = bool(
            deal.counterpart_named or self.situation.get("counterpart_named")
        )
        named = self.situation.setdefault("mechanisms", [])
        named.extend(m for m in reading.trust.mechanisms_named if m not in named)
        if reading.trust.relies_on_trust:
            self.situation["trust_turns"] = self.situation.get("trust_turns", 0) + 1
        self.situation["last_intents"] = list(reading.intents)
        languages = self.situation.setdefault("languages", [])
        if reading.language not in languages:
            languages.append(reading.language)  # the "I coach in English" note is said once
        # The user's own words, so a recap names only what they actually talked about.
        said = self.situation.setdefault("said", [])
        said.append(reading.text[:SAID_CHARS])
        del said[:-SAID_TURNS]

    def record_questions(self, questions: Iterable[Question]) -> None:
        """Remember questions asked, and the dimensions they covered."""
        self.turns += 1
        for q in questions:
            self.asked_moves.append(q.move_id)
            self.asked_questions.append(q.text)
            if q.dimension not in self.covered:
                self.covered.append(q.dimension)

    def to_json(self) -> dict[str, Any]:
        return {
            "asked_moves": self.asked_moves,
            "asked_questions": self.asked_questions,
            "covered": self.covered,
            "turns": self.turns,
            "counterpart": self.counterpart,
            "memory": self.memory,
            "situation": self.situation,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Conversation:
        return cls(
            asked_moves=list(data.get("asked_moves", [])),
            asked_questions=list(data.get("asked_questions", [])),
            covered=list(data.get("covered", [])),
            turns=int(data.get("turns", 0)),
            counterpart=data.get("counterpart"),
            memory=dict(data.get("memory") or {}),
            situation=dict(data.get("situation") or {}),
        )


class InputRejected(ValueError):
    """A message Parley cannot coach on; ``str(exc)`` is a plain reply for the user."""
