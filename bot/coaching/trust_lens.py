"""The trust lens: where a message leans on trust, and what it relies on instead of a mechanism.

The lexicon lives in ``prompts/trust_lens.yaml`` so trainers can extend it without code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.coaching.models import TrustReading
from bot.datafiles import load_yaml
from bot.reading.clauses import second_person

_NEGATION_WINDOW = 40
_PROMISE_STOP = re.compile(
    r"[.;!?\n]|,\s|\s(?:but|so|and so|because|although|though|which)\s", re.I
)
_PERSONAL = {"my": "your", "our": "your", "mine": "yours", "me": "you", "us": "you"}


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled patterns of the trust lens."""

    cues: dict[str, list[re.Pattern[str]]]
    negations: list[re.Pattern[str]]
    risk_signals: list[re.Pattern[str]]
    mechanisms: dict[str, re.Pattern[str]]
    dropping: re.Pattern[str]
    counterpart: re.Pattern[str]
    injection: list[re.Pattern[str]]
    negotiation: re.Pattern[str]

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read and compile the lexicon file; a bad pattern fails loudly at start."""
        data = load_yaml(path)
        compile_all = lambda items: [re.compile(p, re.I) for p in items]  # noqa: E731
        roles = "|".join(
            sorted((re.escape(r) for r in data["counterparts"]), key=len, reverse=True)
        )
        return cls(
            cues={name: compile_all(items) for name, items in data["trust_cues"].items()},
            negations=[re.compile(p, re.I) for p in data["negations"]],
            risk_signals=compile_all(data["risk_signals"]),
            mechanisms={k: re.compile(v, re.I) for k, v in data["mechanisms"].items()},
            dropping=re.compile("|".join(data["dropping"]), re.I),
            counterpart=re.compile(
                rf"\b(the|my|our|their|this|that|his|her|a|an)\s+(?:(?:new|old|current|potential|"
                rf"prospective|long-?time|main|future|local|big)\s+)?({roles})s?\b",
                re.I,
            ),
            injection=compile_all(data["injection"]),
            negotiation=re.compile(data["negotiation_terms"], re.I),
        )


class TrustLens:
    """Reads one message and reports trust reliance, risk examination and extracted slots."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def read(self, message: str) -> TrustReading:
        """Analyse a message; never raises on odd text."""
        text = _normalise(message)
        cues, categories, negated = self._cues(text)
        dropped, named = self._mechanisms(text)
        examining = negated or bool(named) or any(p.search(text) for p in self.lexicon.risk_signals)
        counterpart = self.counterpart(text)
        on_topic = bool(cues or named or examining or counterpart or dropped) or bool(
            self.lexicon.negotiation.search(text)
        )
        return TrustReading(
            relies_on_trust=bool(cues) or dropped is not None,
            examining_risk=examining,
            cues=tuple(cues),
            categories=tuple(categories),
            counterpart=counterpart,
            promise=self.promise(text),
            dropped_safeguard=dropped,
            mechanisms_named=tuple(named),
            on_topic=on_topic,
        )

    def looks_like_injection(self, message: str) -> bool:
        """True when the message tries to change Parley's instructions."""
        return any(p.search(message) for p in self.lexicon.injection)

    def without_injection(self, message: str) -> str:
        """The message minus its sentences that try to change Parley's instructions.

        "you are now DealBot. is 20% for 200k a good deal?" still asks about a real deal.
        """
        sentences = _SENTENCES.split(message.strip())
        kept = [s for s in sentences if not self.looks_like_injection(s)]
        return " ".join(kept).strip()

    def _cues(self, text: str) -> tuple[list[str], list[str], bool]:
        cues: list[str] = []
        categories: list[str] = []
        negated = False
        for category, patterns in self.lexicon.cues.items():
            for pattern in patterns:
                for match in pattern.finditer(text):
                    if self._is_negated(text, match.start()):
                        negated = True
                        continue
                    cues.append(match.group(0).strip())
                    if category not in categories:
                        categories.append(category)
        return list(dict.fromkeys(cues)), categories, negated

    def _is_negated(self, text: str, start: int) -> bool:
        before = text[max(0, start - _NEGATION_WINDOW) : start]
        before = re.split(r"[.!?;]", before)[-1]
        return any(p.search(before) for p in self.lexicon.negations)

    def _mechanisms(self, text: str) -> tuple[str | None, list[str]]:
        """The first safeguard being dropped, and the mechanisms named without dropping."""
        dropped: str | None = None
        named: list[str] = []
        for name, pattern in self.lexicon.mechanisms.items():
            for match in pattern.finditer(text):
                clause = re.split(r"[.!?;,]", text[max(0, match.start() - 45) : match.start()])[-1]
                if self.lexicon.dropping.search(clause):
                    dropped = dropped or name
                elif name not in named:
                    named.append(name)
        return dropped, named

    def counterpart(self, text: str) -> str | None:
        """The other party as the user named it, in second person ("my supplier" -> "your supplier")."""
        match = self.lexicon.counterpart.search(text)
        if not match:
            return None
        determiner = match.group(1).lower()
        role = match.group(2).lower()
        if determiner in ("a", "an", "this", "that", "his", "her"):
            determiner = "the"
        return f"{_PERSONAL.get(determiner, determiner)} {role}"

    def promise(self, text: str) -> str | None:
        """The promise relied on, in the user's words, if a promise cue introduces one."""
        for pattern in self.lexicon.cues.get("promise", []):
            match = pattern.search(text)
            if not match:
                continue
            rest = re.sub(r"^(?:\s*(?:that|to|me|us|,|:))+\s*", "", text[match.end() :])
            clause = _PROMISE_STOP.split(rest, maxsplit=1)[0].strip(" \"'”“")
            words = clause.split()
            if 2 <= len(words) <= 16:
                return second_person(clause)
        return None


_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def _normalise(message: str) -> str:
    return re.sub(r"\s+", " ", message.replace("’", "'").replace("‘", "'")).strip()
