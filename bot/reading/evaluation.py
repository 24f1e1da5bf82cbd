"""Scores of the situation reader on the labelled dev set (``tests/data/eval/reading_dev.jsonl``).

The set was written by a helper that never saw the code or the training corpus; its ``heldout``
half is for reporting only, never for tuning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from bot.reading.clauses import is_clean_clause
from bot.reading.models import Reading

_DETERMINER = re.compile(r"^(?:the|my|our|your|this|that|a|an|his|her|their)\s+", re.I)


def load_set(path: Path, split: str) -> list[dict]:
    """The labelled messages of one split ("dev", "heldout" or "all")."""
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [r for r in rows if split in ("all", r.get("split"))]


def same_party(predicted: str | None, labelled: str | None) -> bool:
    """Counterparts match when their head words agree ("your landlord" ~ "my landlord")."""
    if not predicted or not labelled:
        return predicted == labelled
    a, b = (_DETERMINER.sub("", x.lower()).strip() for x in (predicted, labelled))
    return a == b or a.split()[-1] == b.split()[-1] or a in b or b in a


def score_reading(read: Callable[[str], Reading], rows: list[dict]) -> dict[str, float]:
    """Trust F1, intent accuracy, kind top-1/top-2, counterpart, object and clean-slot rates."""
    tp = fp = fn = intent_exact = intent_hit = 0
    kind_rows = kind1 = kind2 = party_rows = party_ok = obj_rows = obj_ok = 0
    slots = clean = 0
    for row in rows:
        reading = read(row["text"])
        flagged, labelled = reading.trust.relies_on_trust, bool(row["trust"])
        tp, fp, fn = (
            tp + (flagged and labelled),
            fp + (flagged and not labelled),
            fn + (labelled and not flagged),
        )
        intent_exact += set(reading.intents) == set(row["intents"])
        intent_hit += bool(set(reading.intents) & set(row["intents"]))
        if row.get("kind"):
            kind_rows += 1
            kind1 += reading.deal.kind is not None and reading.deal.kind in (
                row["kind"],
                row.get("kind2"),
            )
            kind2 += bool(
                {reading.deal.kind, reading.deal.kind2} & {row["kind"], row.get("kind2")} - {None}
            )
        if row.get("counterpart"):
            party_rows += 1
            party_ok += same_party(reading.deal.counterpart, row["counterpart"])
        if row.get("object"):
            obj_rows += 1
            obj_ok += same_party(reading.deal.object, row["object"])
        for value in reading.slots.values():
            slots += 1
            clean += is_clean_clause(value) or len(value.split()) <= 3
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {
        "messages": len(rows),
        "trust_f1": round(2 * precision * recall / max(1e-9, precision + recall), 3),
        "trust_precision": round(precision, 3),
        "trust_recall": round(recall, 3),
        "intent_exact": round(intent_exact / max(1, len(rows)), 3),
        "intent_any_hit": round(intent_hit / max(1, len(rows)), 3),
        "kind_top1": round(kind1 / max(1, kind_rows), 3),
        "kind_top2": round(kind2 / max(1, kind_rows), 3),
        "counterpart": round(party_ok / max(1, party_rows), 3),
        "object": round(obj_ok / max(1, obj_rows), 3),
        "slots_clean": round(clean / max(1, slots), 3),
        "slots": slots,
    }
