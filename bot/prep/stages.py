"""The seven prep stages, read from ``prompts/prep/stages.yaml`` so trainers can edit the wording."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.coaching.planner import DIMENSIONS, SOCRATIC_TYPES
from bot.datafiles import load_yaml

REPEATS = ("none", "open", "ledger")
LEDGER_COLUMNS = ("assumption", "bearer", "mechanism", "residual")
# Quoted items are cut so a question stays one readable line.
ITEM_LIMIT = 140


# The sentences the code asks the stages file for; a missing one fails at start, not mid-session.
WORDING_KEYS = frozenset(
    {
        "open_heading", "open_none", "open_unanswered", "open_unsure", "open_follow_up",
        "open_trust_only", "open_no_bearer", "open_thin", "finish_confirm", "summary_heading",
        "summary_no_answers",
    }
)  # fmt: skip


class StageBookError(ValueError):
    """The stages file is malformed; the message names the stage or question and the problem."""


@dataclass(frozen=True, slots=True)
class StageQuestion:
    """One question of a stage."""

    key: str
    label: str
    text: str
    anchor: str
    dimension: str
    type: str
    again: str = ""
    perspective: bool = False
    expects_trust: bool = False
    ledger: str = ""
    matters: bool = False  # unanswered, it is an open item of the brief and of Finish
    side: str = ""  # "them": part of the other side's view
    # Wordings that build on the deal kind and earlier answers, best first; one is used when
    # every slot it names has a value, else ``text``.
    variants: tuple[str, ...] = ()
    again_variants: tuple[str, ...] = ()

    def wording(self, round_: int, values: Mapping[str, str] | None = None) -> str:
        """The template for a round: open stages reword their first question after round one;
        of the wordings, the first variant whose slots ``values`` all fill, else the plain one."""
        if round_ > 0 and self.again:
            return _pick(self.again_variants, values or {}, self.again)
        return _pick(self.variants, values or {}, self.text)


def _pick(variants: tuple[str, ...], values: Mapping[str, str], plain: str) -> str:
    usable = (v for v in variants if all(values.get(s) for s in slots_of(v)))
    return next(usable, plain)


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the walk."""

    id: str
    title: str
    goal: str
    repeat: str
    questions: tuple[StageQuestion, ...]
    empty: str = ""

    def question(self, key: str) -> StageQuestion | None:
        """The question with this key, if the stage has one."""
        return next((q for q in self.questions if q.key == key), None)


@dataclass(frozen=True, slots=True)
class Slot:
    """A place an answer goes: a question of a stage, in one round (a ledger row id in stage 5)."""

    stage: Stage
    question: StageQuestion
    round: int = 0

    @property
    def key(self) -> str:
        """A stable text key, e.g. ``"stakes/their_gains/0"``."""
        return slot_key(self.stage.id, self.question.key, self.round)


def slot_key(stage: str, question: str, round_: int) -> str:
    """The text key of a slot."""
    return f"{stage}/{question}/{round_}"


@dataclass(frozen=True, slots=True)
class StageBook:
    """All stages, in order."""

    stages: tuple[Stage, ...]
    # Sentences of finishing and of the brief's top, by key (``wording:`` in the stages file).
    wording: Mapping[str, str] = field(default_factory=dict)
    # Answers that mean "I don't know" (lower case, without the final full stop).
    unsure: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self.stages)

    def __getitem__(self, index: int) -> Stage:
        return self.stages[index]

    def index(self, stage_id: str) -> int:
        """The position of a stage by id."""
        return next(i for i, s in enumerate(self.stages) if s.id == stage_id)

    def say(self, key: str, **values: str) -> str:
        """A sentence from ``wording:``, its slots filled (``{Counterpart}`` capitalised)."""
        return fill(self.wording[key], **values)

    def is_unsure(self, text: str) -> bool:
        """True when an answer only says the user does not know."""
        return " ".join(text.lower().split()).rstrip(".!") in self.unsure

    def perspective_slots(self) -> list[Slot]:
        """The questions the session cannot finish without (round 0)."""
        return [Slot(s, q) for s in self.stages for q in s.questions if q.perspective]


def fill(template: str, **values: str) -> str:
    """Fill a template's slots; ``{Counterpart}`` is ``{counterpart}`` capitalised."""
    counterpart = values.get("counterpart", "")
    values["Counterpart"] = counterpart[:1].upper() + counterpart[1:]
    if "item" in values:
        values["item"] = clip_item(values["item"])
    text = template.format_map(_Blank(values))
    return text[:1].upper() + text[1:]


def slots_of(template: str) -> set[str]:
    """The slot names a template uses: "{counterpart} in {topic}" → {"counterpart", "topic"}."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# A sentence ends at a full stop, "?" or "!" before a space (not "1.5" or "e.g.x").
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=\S)")
# A first sentence shorter than this ("Yes.") is no claim of its own: the item stays whole.
MIN_ITEM_WORDS = 3


def clip_item(text: str, limit: int = ITEM_LIMIT) -> str:
    """A quoted item: its first sentence ("they've fixed the outage problem. Marcus says..."
    quotes the claim, not the reason given for it), cut at a word boundary, without its own
    trailing full stop."""
    text = " ".join(text.split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    text = (first if len(first.split()) >= MIN_ITEM_WORDS else text).rstrip(".")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


class _Blank(dict):
    """Unknown slots stay visible rather than crash a question."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def load_stages(path: Path) -> StageBook:
    """Read and validate the stages file; a bad entry fails loudly at start."""
    data = load_yaml(path) or {}
    stages = tuple(_parse_stage(raw) for raw in data.get("stages", []))
    if not stages:
        raise StageBookError(f"{path} defines no stages.")
    ids = [s.id for s in stages]
    if len(set(ids)) != len(ids):
        raise StageBookError(f"{path} repeats a stage id.")
    wording = {str(k): str(v).strip() for k, v in (data.get("wording") or {}).items()}
    missing = sorted(WORDING_KEYS - wording.keys())
    if missing:
        raise StageBookError(f"{path} has no wording for {', '.join(missing)}.")
    unsure = frozenset(str(u).lower().rstrip(".!") for u in data.get("unsure") or ())
    return StageBook(stages, wording, unsure)


def _parse_stage(raw: dict[str, Any]) -> Stage:
    questions = tuple(_parse_question(raw.get("id", "?"), q) for q in raw.get("questions", []))
    stage = Stage(
        id=str(raw["id"]),
        title=str(raw["title"]),
        goal=str(raw.get("goal", "")),
        repeat=str(raw.get("repeat", "none")),
        questions=questions,
        empty=str(raw.get("empty", "")).strip(),
    )
    if stage.repeat not in REPEATS or not questions:
        raise StageBookError(f"Stage {stage.id!r} needs questions and a repeat in {REPEATS}.")
    if len({q.key for q in questions}) != len(questions):
        raise StageBookError(f"Stage {stage.id!r} repeats a question key.")
    return stage


def _parse_question(stage_id: str, raw: dict[str, Any]) -> StageQuestion:
    question = StageQuestion(
        key=str(raw["key"]),
        label=str(raw.get("label", raw["key"])),
        text=str(raw["text"]).strip(),
        anchor=str(raw.get("anchor", "")),
        dimension=str(raw.get("dimension", "risk")),
        type=str(raw.get("type", "clarify")),
        again=str(raw.get("again", "")).strip(),
        perspective=bool(raw.get("perspective", False)),
        expects_trust=bool(raw.get("expects_trust", False)),
        ledger=str(raw.get("ledger", "")),
        matters=bool(raw.get("matters", False)),
        side=str(raw.get("side", "")),
        variants=_texts(raw.get("variants")),
        again_variants=_texts(raw.get("again_variants")),
    )
    problems = [
        "dimension" * (question.dimension not in DIMENSIONS),
        "type" * (question.type not in SOCRATIC_TYPES),
        "ledger column" * bool(question.ledger and question.ledger not in LEDGER_COLUMNS),
        "text (empty)" * (not question.text),
    ]
    if any(problems):
        where = f"{stage_id}/{question.key}"
        raise StageBookError(f"Question {where!r} has a bad " + ", ".join(filter(None, problems)))
    return question


def _texts(raw: object) -> tuple[str, ...]:
    """A list of wordings from the file, each on one line."""
    return tuple(" ".join(str(v).split()) for v in raw or ()) if isinstance(raw, list) else ()
