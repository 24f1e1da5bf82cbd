"""Reading ``prompts/discuss/discussion.yaml``: what discussion prompts and reveals say."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.coaching.planner import DIMENSIONS

REVEAL_KEYS = (
    "none",
    "single",
    "split",
    "all_trust",
    "trust_kinds",
    "different_mechanisms",
    "same_mechanism",
    "neither",
    "no_mechanism",
    "sequence",
    "amounts",
    "dropped",
    "dropped_alone",
    "offtopic",
)
FOLLOW_UP_KEYS = ("sequence", "amounts", "dropped", "split", "different_mechanisms", "all_trust")
REVEAL_FIELDS = frozenset(
    {
        "names",
        "cues",
        "mechanisms",
        "by_person",
        "counterpart",
        "trusting",
        "mechanical",
        "at_once",
        "staged",
        "safeguards",
        "keepers",
        "low",
        "high",
    }
)
POSITION_KEYS = ("at_once", "staged", "gives", "demands")


class DiscussDataError(ValueError):
    """The discussion data file is malformed; the message names the problem."""


@dataclass(frozen=True, slots=True)
class Perspective:
    """Whose shoes the team stands in, and who the other party is."""

    side: str | None = None
    counterpart: str | None = None


@dataclass(frozen=True, slots=True)
class Reclassify:
    """A mechanism word filed under another kind unless the answer's clause says otherwise."""

    term: str
    kind: str
    unless: str = ""


@dataclass(frozen=True, slots=True)
class EssaySection:
    """A section of the essay digest that makes a scenario."""

    heading: str
    title: str
    perspective: Perspective


@dataclass(frozen=True, slots=True)
class DiscussData:
    """Everything in the data file, checked."""

    focus: tuple[str, ...]
    scenario_chars: int
    scenario_headings: tuple[str, ...]
    context_headings: tuple[str, ...]
    perspectives: dict[str, Perspective]
    essay_sections: tuple[EssaySection, ...]
    reveal: dict[str, str]
    trust_kinds: dict[str, str]
    follow_ups: dict[str, str] = field(default_factory=dict)
    positions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Ledger category -> patterns the prep ledger does not know yet (see the data file).
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reclassify: tuple[Reclassify, ...] = ()
    marks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> DiscussData:
        """Read and validate the file; a mistake fails loudly at start, naming what is wrong."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        focus = tuple(str(d) for d in raw.get("focus") or ())
        if not focus or any(d not in DIMENSIONS for d in focus):
            raise DiscussDataError(f"{path}: focus must list dimensions from {DIMENSIONS}.")
        reveal = {str(k): str(v) for k, v in (raw.get("reveal") or {}).items()}
        _check_reveal(path, reveal, REVEAL_KEYS, "reveal")
        follow_ups = {str(k): str(v) for k, v in (raw.get("follow_ups") or {}).items()}
        _check_reveal(path, follow_ups, FOLLOW_UP_KEYS, "follow_ups")
        return cls(
            focus=focus,
            scenario_chars=int(raw.get("scenario_chars", 650)),
            scenario_headings=tuple(raw.get("scenario_headings") or ()),
            context_headings=tuple(raw.get("context_headings") or ()),
            perspectives={
                str(stem): Perspective(p.get("side"), p.get("counterpart"))
                for stem, p in (raw.get("perspectives") or {}).items()
            },
            essay_sections=tuple(
                EssaySection(
                    str(s["heading"]),
                    str(s["title"]),
                    Perspective(s.get("side"), s.get("counterpart")),
                )
                for s in raw.get("essay_sections") or ()
            ),
            reveal=reveal,
            trust_kinds={str(k): str(v) for k, v in (raw.get("trust_kinds") or {}).items()},
            follow_ups=follow_ups,
            positions=_positions(path, raw.get("positions") or {}),
            vocabulary=_string_lists(raw.get("mechanism_vocabulary") or {}),
            marks={str(k): str(v) for k, v in (raw.get("marks") or {}).items()},
            reclassify=tuple(
                Reclassify(str(r["term"]), str(r["kind"]), str(r.get("unless", "")))
                for r in raw.get("reclassify") or ()
            ),
        )


def _check_reveal(path: Path, texts: dict[str, str], keys: tuple[str, ...], section: str) -> None:
    missing = [k for k in keys if k not in texts]
    if missing:
        raise DiscussDataError(f"{path}: {section} lacks {', '.join(missing)}.")
    for key, text in texts.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        unknown = fields - REVEAL_FIELDS
        if unknown:
            raise DiscussDataError(f"{path}: {section}.{key} uses unknown {sorted(unknown)}.")


def _string_lists(raw: dict) -> dict[str, tuple[str, ...]]:
    return {str(k): tuple(str(v) for v in values or ()) for k, values in raw.items()}


def _positions(path: Path, raw: dict) -> dict[str, tuple[str, ...]]:
    positions = _string_lists(raw)
    missing = [k for k in POSITION_KEYS if not positions.get(k)]
    if missing:
        raise DiscussDataError(f"{path}: positions lacks {', '.join(missing)}.")
    return positions
