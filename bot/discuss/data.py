"""Reading ``prompts/discuss/discussion.yaml``: what discussion prompts and reveals say."""

from __future__ import annotations

import string
from dataclasses import dataclass
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
)
REVEAL_FIELDS = frozenset(
    {"names", "cues", "mechanisms", "by_person", "counterpart", "trusting", "mechanical"}
)


class DiscussDataError(ValueError):
    """The discussion data file is malformed; the message names the problem."""


@dataclass(frozen=True, slots=True)
class Perspective:
    """Whose shoes the team stands in, and who the other party is."""

    side: str | None = None
    counterpart: str | None = None


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

    @classmethod
    def load(cls, path: Path) -> DiscussData:
        """Read and validate the file; a mistake fails loudly at start, naming what is wrong."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        focus = tuple(str(d) for d in raw.get("focus") or ())
        if not focus or any(d not in DIMENSIONS for d in focus):
            raise DiscussDataError(f"{path}: focus must list dimensions from {DIMENSIONS}.")
        reveal = {str(k): str(v) for k, v in (raw.get("reveal") or {}).items()}
        _check_reveal(path, reveal)
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
        )


def _check_reveal(path: Path, reveal: dict[str, str]) -> None:
    missing = [k for k in REVEAL_KEYS if k not in reveal]
    if missing:
        raise DiscussDataError(f"{path}: reveal lacks {', '.join(missing)}.")
    for key, text in reveal.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        unknown = fields - REVEAL_FIELDS
        if unknown:
            raise DiscussDataError(f"{path}: reveal.{key} uses unknown {sorted(unknown)}.")
