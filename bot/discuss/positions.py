"""What each member would actually do: give, demand, sequence, verify, and how much.

The reveal compares these, not labels: "Ana would lift at once, Bo in tranches" and "40% vs
10% up front" are the disagreements a team has to settle. The words are data
(``positions`` in ``prompts/discuss/discussion.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.discuss.members import Named, clauses

AT_ONCE = "at once"
STAGED = "step by step"
_AMOUNT = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|bn|million|billion)?|\d[\d,.]*\s?(?:%|per ?cent|percent)|"
    r"\d[\d,.]*\s?(?:k|m|bn|million|billion|dollars|euros|pounds)\b|\b(?:half|a third|a quarter)\b)",
    re.I,
)
PHRASE_WORDS = 9  # longest "gives"/"demands" phrase shown


@dataclass(frozen=True, slots=True)
class Position:
    """One answer's stance in its own words; None where it says nothing."""

    gives: str | None = None
    demands: str | None = None
    sequence: str | None = None  # AT_ONCE or STAGED
    amounts: tuple[str, ...] = ()
    verifies: bool | None = None  # True: checks first; False: drops a check

    @property
    def says_something(self) -> bool:
        """True when the answer takes any stance at all."""
        return bool(self.gives or self.demands or self.sequence or self.amounts) or (
            self.verifies is not None
        )

    def to_json(self) -> dict[str, object]:
        return {
            "gives": self.gives,
            "demands": self.demands,
            "sequence": self.sequence,
            "amounts": list(self.amounts),
            "verifies": self.verifies,
        }


def position_of(
    text: str, mechanisms: Sequence[Named], words: dict[str, tuple[str, ...]]
) -> Position:
    """The stance of one answer, from its clauses and the mechanisms it names."""
    parts = clauses(text)
    return Position(
        gives=_phrase(parts, words["gives"]),
        demands=_phrase(parts, words["demands"]),
        sequence=_sequence(text, mechanisms, words),
        amounts=tuple(dict.fromkeys(m.group(0).strip() for m in _AMOUNT.finditer(text))),
        verifies=_verifies(mechanisms),
    )


def _sequence(
    text: str, mechanisms: Sequence[Named], words: dict[str, tuple[str, ...]]
) -> str | None:
    """Step by step when the answer stages anything (a staged mechanism or words), else at once."""
    staged = any(m.kind == "staged performance" and not m.dropped for m in mechanisms)
    if staged or _pattern(words["staged"]).search(text):
        return STAGED
    return AT_ONCE if _pattern(words["at_once"]).search(text) else None


def _verifies(mechanisms: Sequence[Named]) -> bool | None:
    checks = [m for m in mechanisms if m.kind == "verification/inspection"]
    if not checks:
        return None
    return any(not m.dropped for m in checks)


def _phrase(parts: Sequence[str], verbs: tuple[str, ...]) -> str | None:
    """The first clause's words from one of ``verbs`` on, short enough to quote."""
    pattern = _pattern(verbs)
    for part in parts:
        match = pattern.search(part)
        if match:
            words = part[match.start() :].split()
            return " ".join(words[:PHRASE_WORDS]).rstrip(",;:")
    return None


@lru_cache(maxsize=16)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)  # "all at once" before "at once"
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b", re.I)
