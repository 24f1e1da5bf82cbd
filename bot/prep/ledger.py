"""The risk ledger's two axes: who bears a risk, and which mechanism (if any) carries it.

Users answer in their own words; the risk map needs categories. Mechanisms are recognised by
the trust lens (the same lexicon the coach uses), bearers by a few pronoun patterns.
"""

from __future__ import annotations

import re

from bot.coaching.models import TrustReading

# Mechanism categories, strongest protection first; the last two are the map's warning rows.
VERIFICATION = "verification/inspection"
WARRANTY = "warranty"
ESCROW = "escrow/holdback"
STAGED = "staged performance"
PENALTY = "penalty"
LEGAL = "arbitration/legal recourse"
NOTICE = "notice duty"
INSURANCE = "insurance/bond"
OTHER = "other mechanism"
ACCEPTED = "accepted consciously"
TRUST_ONLY = "trust only"
MECHANISM_KINDS = (
    VERIFICATION, WARRANTY, ESCROW, STAGED, PENALTY, LEGAL, NOTICE, INSURANCE, OTHER,
    ACCEPTED, TRUST_ONLY,
)  # fmt: skip

# The trust lens's mechanism names (prompts/trust_lens.yaml) → ledger categories.
_FROM_LENS = {
    "inspection": VERIFICATION,
    "verification": VERIFICATION,
    "audit": VERIFICATION,
    "warranty": WARRANTY,
    "escrow": ESCROW,
    "staged payment": STAGED,
    "penalty clause": PENALTY,
    "arbitration": LEGAL,
    "lawyer": LEGAL,
    "written contract": LEGAL,
    "notice duty": NOTICE,
    "insurance": INSURANCE,
}
_ACCEPT = re.compile(
    r"\b(?:accept(?:ed|ing)?|live with it|take (?:that|the|this) risk|bear it)\b", re.I
)
# Answers that name trust itself (or nothing) as what covers a risk.
_TRUST_WORDS = re.compile(
    r"\b(?:trust\w*|(?:his|her|their|my) word|promis\w*|good faith|handshake|honest\w*|"
    r"none|nothing|no mechanism|n/?a)\b",
    re.I,
)

YOU = "you"
THEM = "them"
SHARED = "shared"
OTHERS = "others"
UNASSIGNED = "unassigned"
BEARER_KINDS = (YOU, SHARED, THEM, OTHERS, UNASSIGNED)

_SHARED = re.compile(r"\b(?:both|shared?|split|jointly|each of us|50/50|half)\b", re.I)
_YOU = re.compile(r"\b(?:i|me|my|mine|myself|we|us|our|ours)\b", re.I)
_THEM = re.compile(r"\b(?:they|them|their|theirs|he|him|his|she|her|hers|the other side)\b", re.I)
_OTHERS = re.compile(
    r"\b(?:third[- ]part(?:y|ies)|insurer|customers?|clients?|staff|employees?|family|"
    r"public|taxpayers?|suppliers? of|someone else|others?|nobody|no one)\b",
    re.I,
)


def mechanism_kind(text: str, reading: TrustReading) -> str:
    """The category of the mechanism an answer names; trust only when it names none."""
    for name in reading.mechanisms_named:
        if name in _FROM_LENS:
            return _FROM_LENS[name]
    if _ACCEPT.search(text):
        return ACCEPTED
    if reading.relies_on_trust or not text.strip() or _TRUST_WORDS.search(text):
        return TRUST_ONLY
    return OTHER


def bearer_kind(text: str, counterpart: str = "") -> str:
    """Who bears a risk: the first party the answer names, or both when it says so."""
    if not text.strip():
        return UNASSIGNED
    if _SHARED.search(text):
        return SHARED
    found = {
        YOU: _first(_YOU, text),
        THEM: min(_first(_THEM, text), _first(_counterpart_pattern(counterpart), text)),
        OTHERS: _first(_OTHERS, text),
    }
    kind, position = min(found.items(), key=lambda item: item[1])
    return kind if position < len(text) + 1 else UNASSIGNED


def _first(pattern: re.Pattern[str] | None, text: str) -> int:
    """Where ``pattern`` first matches, or past the end when it does not."""
    match = pattern.search(text) if pattern else None
    return match.start() if match else len(text) + 1


def _counterpart_pattern(counterpart: str) -> re.Pattern[str] | None:
    """The counterpart's own name or role ("Dana", "the landlord") as a pattern."""
    words = [w for w in re.findall(r"[\w'-]+", counterpart) if len(w) > 2 and w.lower() != "the"]
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.I) if words else None


def is_trust_only(kind: str) -> bool:
    """Risks that nothing but trust covers: the ones the map and the brief make stand out."""
    return kind == TRUST_ONLY
