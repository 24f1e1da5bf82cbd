"""Scores the ledger's reading of answers against a labelled file, column by column.

The file holds ``answers:``, each with an ``answer`` in the user's words, the ``risk_asked``
(when the answer was given about a known risk), the ``deal`` in a few words, a ``split`` and the
``expected`` columns: ``risk`` (a short phrase), ``bearer``, ``mechanism``, ``also`` and
``leans_on_trust``. A risk phrase is acceptable when it is short and says the same thing as the
expected one (a content word in common); bearer and mechanism must match exactly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.coaching.models import TrustReading
from bot.datafiles import load_yaml
from bot.prep.ledger import RISK_WORDS, AnswerReading, Parties, deal_parties, read_answer
from bot.reading.catalogue import DealKind

COLUMNS = ("risk", "bearer", "mechanism", "also", "leans_on_trust")
_STOP = frozenset(
    {"the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be", "it", "that",
     "this", "my", "our", "their", "his", "her", "its", "with", "at", "by", "from", "if", "not",
     "no", "any", "all", "will", "would", "could"}
)  # fmt: skip


def load_answers(path: Path) -> list[dict[str, Any]]:
    """The labelled answers of one file; a file-wide ``counterpart`` applies to each answer."""
    data = load_yaml(path) or {}
    shared = {"counterpart": data["counterpart"]} if data.get("counterpart") else {}
    return [{**shared, **item} for item in data.get("answers") or []]


def risk_acceptable(got: str, expected: str) -> bool:
    """A short phrase (not a sentence) that shares a content word's stem with the expected one."""
    words = got.rstrip("…").split()
    return 0 < len(words) <= RISK_WORDS and bool(_stems(got) & _stems(expected))


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {w[:5] for w in words if len(w) > 2 and w not in _STOP}


def score_ledger(
    answers: Iterable[Mapping[str, Any]],
    read: Callable[[str], TrustReading],
    parties: Callable[[Mapping[str, Any]], Parties],
) -> dict[str, dict[str, float]]:
    """Accuracy per column and split; a column counts only over answers that label it."""
    hits: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for item in answers:
        got = read_answer(
            item["answer"], read(item["answer"]), parties(item), risk=item.get("risk_asked", "")
        )
        for column, right in _judged(got, item.get("expected") or {}).items():
            hits[item.get("split", "dev")][column].append(right)
    return {split: _summary(columns) for split, columns in sorted(hits.items())}


def _judged(got: AnswerReading, expected: Mapping[str, Any]) -> dict[str, bool]:
    """Which labelled columns the reading got right."""
    checks = {
        "risk": lambda want: risk_acceptable(got.risk, str(want)),
        "bearer": lambda want: got.bearer == want,
        "mechanism": lambda want: got.mechanism == want,
        "also": lambda want: set(got.also) == set(want or ()),
        "leans_on_trust": lambda want: got.leans_on_trust == bool(want),
    }
    return {
        column: check(expected[column]) for column, check in checks.items() if column in expected
    }


def _summary(columns: Mapping[str, list[bool]]) -> dict[str, float]:
    count = max((len(v) for v in columns.values()), default=0)
    scores: dict[str, float] = {"count": count}
    for column in COLUMNS:
        if columns.get(column):
            scores[column] = round(sum(columns[column]) / len(columns[column]), 3)
    return scores


def catalogue_parties(
    kinds: Mapping[str, DealKind], kind_of: Callable[[str], str | None], counterpart: str = ""
) -> Callable[[Mapping[str, Any]], Parties]:
    """Parties per labelled answer: its deal's kind (as the reader reads it) and role words."""
    cache: dict[str, Parties] = {}

    def parties(item: Mapping[str, Any]) -> Parties:
        deal = str(item.get("deal") or "")
        if deal not in cache:
            cache[deal] = deal_parties(
                str(item.get("counterpart") or counterpart), kinds, kind_of(deal) if deal else None
            )
        return cache[deal]

    return parties
