"""The question corpus: questions about each kind of deal (the catalogue), questions that build
on a mechanism the user named, the glossary, and the generic last-resort moves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.datafiles import load_yaml
from bot.reading.catalogue import DealKind


@dataclass(frozen=True, slots=True)
class MechanismMoves:
    """Questions for a user who already named this mechanism."""

    id: str
    pattern: re.Pattern[str]
    questions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """A glossary entry: a plain definition and questions applying it to the user's deal."""

    term: str
    pattern: re.Pattern[str]
    definition: str
    dimension: str
    questions: tuple[str, ...]
    tactics: bool = False  # a term of the haggle itself (BATNA), cited from the tactics guide


@dataclass(frozen=True, slots=True)
class Tactic:
    """A move the user is answering ("take it or leave it", a buyer gone quiet), its cues, the
    questions that make the user work out their numbers and alternatives, and the section of
    the tactics guide they are cited from."""

    id: str
    pattern: re.Pattern[str]
    section: str
    questions: tuple[tuple[str, str], ...]  # (dimension, wording)
    strong: bool = False  # the move even for a user examining risks or pushing back


@dataclass(frozen=True, slots=True)
class QuestionCorpus:
    """Everything the planner chooses from, loaded once."""

    kinds: dict[str, DealKind]
    mechanisms: tuple[MechanismMoves, ...]
    generic: dict[str, tuple[str, ...]]
    lines: dict[str, tuple[str, ...]]
    terms: tuple[Term, ...]
    languages: dict[str, str]
    # What a small-talk move's citation should be about, by move id (its message names no deal).
    anchors: dict[str, str]
    tactics: tuple[Tactic, ...] = ()
    # Generic moves asked whenever their words are in the message ("off the record").
    cued: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def cued_moves(self, text: str) -> list[str]:
        """The ids of the generic moves whose words the message uses."""
        return [move for move, pattern in self.cued.items() if pattern.search(text)]

    def named_mechanisms(self, text: str) -> list[MechanismMoves]:
        """The mechanisms the message names, in the order they appear."""
        found = [(m.pattern.search(text), m) for m in self.mechanisms]
        return [m for match, m in sorted((f for f in found if f[0]), key=lambda f: f[0].start())]

    def term_in(self, text: str) -> Term | None:
        """The glossary term the message asks about: the one right after "what's a", else the
        longest match ("whats a cliff in vesting?" asks about the cliff, not vesting)."""
        found = [(t.pattern.search(text), t) for t in self.terms]
        hits = [(match, t) for match, t in found if match]
        asked = [h for h in hits if _ASKED.search(text[max(0, h[0].start() - 30) : h[0].start()])]
        return max(asked or hits, key=lambda h: len(h[0].group(0)))[1] if hits else None

    def tactic_in(self, text: str) -> Tactic | None:
        """The move the message is answering, the narrowest listed first."""
        return next((t for t in self.tactics if t.pattern.search(text)), None)


_ASKED = re.compile(
    r"\b(?:what(?:'s| is| are| does| do)?|whats|define|meaning of|explain|mean by)\s+"
    r"(?:(?:an?|the|this|that)\s+)?$",
    re.I,
)


def _words_pattern(words: list[str]) -> re.Pattern[str]:
    # A plural term ("confidence-building measures") is also asked about in the singular.
    singular = [w[:-1] for w in words if w.endswith("s") and not w.endswith("ss") and len(w) > 5]
    alternatives = "|".join(
        sorted((re.escape(w) for w in {*words, *singular}), key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?:s|es)?(?![\w-])", re.I)


def load_corpus(
    moves_file: Path,
    glossary_file: Path,
    languages_file: Path,
    kinds: dict[str, DealKind],
    tactics_file: Path | None = None,
) -> QuestionCorpus:
    """Read the move, glossary and tactics files; the deal questions come with the catalogue."""
    tactics = _read_tactics(tactics_file) if tactics_file else ()
    *parts, cued = _read(moves_file, glossary_file, languages_file)
    return QuestionCorpus(kinds, *parts, tactics, cued)


@lru_cache(maxsize=4)
def _read_tactics(path: Path) -> tuple[Tactic, ...]:
    return tuple(
        Tactic(
            t["id"],
            re.compile("|".join(f"(?:{c})" for c in t["cues"]), re.I),
            t["section"],
            tuple((q["dimension"], q["text"]) for q in t["questions"]),
            bool(t.get("strong")),
        )
        for t in load_yaml(path)["situations"]
    )


@lru_cache(maxsize=4)
def _read(moves_file: Path, glossary_file: Path, languages_file: Path) -> tuple:
    """The parsed files (read-only data, cached: tests build many apps)."""
    moves = load_yaml(moves_file)
    glossary = load_yaml(glossary_file)
    languages = load_yaml(languages_file)
    return (
        tuple(
            MechanismMoves(
                m["id"],
                _words_pattern([m["id"].replace("-", " "), *m["words"]]),
                tuple(m["questions"]),
            )
            for m in moves["mechanisms"]
        ),
        {g["id"]: tuple(g["questions"]) for g in moves["generic"]},
        {g["id"]: tuple(g.get("lines") or ()) for g in moves["generic"]},
        tuple(
            Term(
                t["term"],
                _words_pattern([t["term"], *t.get("aliases", [])]),
                " ".join(t["definition"].split()),
                t.get("dimension", "mechanism"),
                tuple(t.get("questions") or ()),
                t.get("guide") == "tactics",
            )
            for t in glossary["terms"]
        ),
        {str(k): str(v) for k, v in languages["coach_in_english"].items()},
        {g["id"]: g["anchor"] for g in moves["generic"] if g.get("anchor")},
        {g["id"]: _words_pattern(g["words"]) for g in moves["generic"] if g.get("words")},
    )
