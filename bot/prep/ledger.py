"""The risk ledger's reading of an answer: the risk, who bears it, which mechanism carries it.

Users answer in their own words; the risk map needs categories. Mechanisms are read in
``bot/prep/mechanisms.py`` (a safeguard refused or waived is never cover), bearers in
``bot/prep/bearers.py`` (what lands on whom, not the first pronoun). This module is their
public face: the categories, one call per column, and ``read_answer`` for all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.coaching.models import TrustReading
from bot.prep.bearers import Parties, bearer
from bot.prep.categories import (
    ACCEPTED,
    BEARER_KINDS,
    ESCROW,
    INSURANCE,
    LEGAL,
    MECHANISM_KINDS,
    NOTICE,
    OTHER,
    OTHERS,
    PENALTY,
    SHARED,
    STAGED,
    THEM,
    TRUST_ONLY,
    UNASSIGNED,
    VERIFICATION,
    WARRANTY,
    YOU,
)
from bot.prep.mechanisms import read_mechanisms
from bot.reading.catalogue import DealKind

__all__ = [
    "ACCEPTED", "BEARER_KINDS", "ESCROW", "INSURANCE", "LEGAL", "MECHANISM_KINDS", "NOTICE",
    "OTHER", "OTHERS", "PENALTY", "SHARED", "STAGED", "THEM", "TRUST_ONLY", "UNASSIGNED",
    "VERIFICATION", "WARRANTY", "YOU", "AnswerReading", "Parties", "bearer_kind", "deal_parties",
    "is_promise", "is_trust_only", "mechanism_kind", "names_risk", "promise_risk", "read_answer",
    "short_risk",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class AnswerReading:
    """One answer read for the ledger: every column it speaks to."""

    risk: str
    bearer: str
    mechanism: str
    also: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    leans_on_trust: bool = False


def read_answer(
    text: str, reading: TrustReading, parties: Parties, *, risk: str = ""
) -> AnswerReading:
    """Read an answer for every column; ``risk`` is the risk it answers about, when known."""
    mechanisms = read_mechanisms(text, reading)
    return AnswerReading(
        risk=short_risk(risk or text),
        bearer=bearer(text, parties),
        mechanism=mechanisms.kind,
        also=mechanisms.also,
        refused=mechanisms.refused,
        leans_on_trust=mechanisms.leans_on_trust or mechanisms.kind == TRUST_ONLY,
    )


def deal_parties(
    counterpart: str, kinds: Mapping[str, DealKind], kind: str | None = None
) -> Parties:
    """The parties of a negotiation: its counterpart, and the deal kind's role words.

    With the kind unknown, every kind's counterpart words name "them" ("the dealer", "the
    fitter") and every kind's third parties name "others".
    """
    chosen = [kinds[kind]] if kind in kinds else list(kinds.values())
    them = {w for k in chosen for w in (*k.counterpart_words, k.counterpart_role)}
    others = {w for k in chosen for w in k.third_parties} - them
    return Parties.of(counterpart, them, others)


def mechanism_kind(text: str, reading: TrustReading) -> str:
    """The category of the mechanism an answer names and keeps; trust only when it keeps none.

    "They're good people, I won't offend them by asking for an inspection" is trust only: the
    inspection is refused, and a refusal on trust is never cover, whatever else is named.
    """
    return read_mechanisms(text, reading).kind


def bearer_kind(text: str, counterpart: str = "") -> str:
    """Who bears a risk: from what the answer says lands on whom, else the first party named.

    ``read_answer`` with the session's ``Parties`` also knows the deal's role words.
    """
    return bearer(text, Parties.of(counterpart))


_RISK_LEAD = re.compile(
    r"^(?:(?:the |a |my |our |one )?(?:main |biggest |real |big |other |second |key )?"
    r"(?:risk|worry|fear|danger|concern|problem|issue)s?(?: here)?(?: is| would be| being)?"
    r"(?: that)?[:,]?\s+|(?:i'?m|we'?re|i am|we are) (?:worried|afraid|scared|concerned) "
    r"(?:that |about )?|there'?s a (?:risk|chance|danger) (?:that )?|what if |that |if )",
    re.I,
)
_RISK_END = re.compile(
    r"(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bDr)(?<!\bSt)[.;:!?(\n]|\s[-–—]\s|,\s|\s(?:because|since|so|but|which|who|as|and (?:then |so )?(?:the|a|"
    r"i|we|they|it|he|she|then|that)|whatever|even if|unless|like (?:he|she|they|we|you) "
    r"(?:says?|said|promised|told \w+))(?:\s|$)",
    re.I,
)
RISK_WORDS = 12
# Words a clipped risk never ends on ("on the 1st like he…" reads as a typo).
_DANGLING = frozenset(
    ("a", "an", "the", "and", "or", "but", "like", "to", "of", "in", "on", "at", "by", "for",
     "with", "he", "she", "they", "we", "i", "it", "his", "her", "their", "my", "our", "say",
     "says", "said")
)  # fmt: skip


def short_risk(text: str) -> str:
    """A ledger row's risk as a short phrase, not the user's whole sentence."""
    stripped = text.strip()
    clause = _RISK_END.split(_RISK_LEAD.sub("", stripped), maxsplit=1)[0].strip(" ,'\"")
    clause = _RISK_LEAD.sub("", clause)  # "the risk: that ..." has two leads
    words = clause.split()
    if len(words) > RISK_WORDS:
        kept = words[:RISK_WORDS]
        while len(kept) > 3 and kept[-1].lower() in _DANGLING:
            kept.pop()
        clause = " ".join(kept).rstrip(",") + "…"
    if not clause:
        return stripped[:80]
    return clause[:1].upper() + clause[1:]


_PROMISE = re.compile(
    r"^(?:they|he|she|it|[\w.' -]{1,40}?)(?:\s+will\s+|'ll\s+)(?!not\b|never\b)", re.I
)


def promise_risk(text: str) -> str:
    """A "they will…" assumption as the short risk of its not being kept."""
    risk = short_risk(text)
    if promised_thing(text):
        return risk  # "the water will be drinkable" keeps what it is about
    promised = _PROMISE.sub("", risk, count=1)
    return promised[:1].lower() + promised[1:] if promised and promised != risk else risk


_WILL = re.compile(
    r"^(?:they|he|she|it|[\w.' -]{1,40}?)(?:\s+(?:will|won'?t|wont|(?:is|are) going to)\b|'ll\b)",
    re.I,
)


def is_promise(text: str) -> bool:
    """Whether an assumption is a promise ("they will…", "he won't…"), not a belief of fact
    ("he's not in money trouble", "the water will be drinkable")."""
    return bool(_WILL.match(" ".join(text.split()))) and not promised_thing(text)


_THING = re.compile(r"^(the \w+)\s+(?:will|won'?t|wont|'ll|is going to|are going to)\b", re.I)
# "the landlord will…" is about the counterpart; "the boiler will…" about a thing.
_PEOPLE = frozenset(
    ("the landlord", "the seller", "the buyer", "the client", "the supplier", "the contractor",
     "the builder", "the agent", "the company", "the firm", "the owner", "the vendor")
)  # fmt: skip


def promised_thing(text: str) -> str:
    """The thing a "the … will" assumption is about ("the boiler"), or "" for a person."""
    match = _THING.match(" ".join(text.split()))
    thing = match[1].lower() if match else ""
    return "" if thing in _PEOPLE else thing


_NAMES_RISK = re.compile(
    r"(?:^|[.;!?]\s+)(?:(?:the|a|my|our|one|another) (?:main |biggest |real |big |other |key )?"
    r"(?:risk|worry|fear|danger|concern)s? (?:here )?(?:is|would be)\b|(?:i'?m|we'?re|i am|we are) "
    r"(?:worried|afraid|scared|concerned) (?:that|about)\b|there'?s a (?:risk|danger) (?:that|of)\b|"
    r"risk:)",
    re.I,
)


def names_risk(text: str) -> bool:
    """Whether an answer states a risk of its own ("the risk is…", "I'm worried that…")."""
    return bool(_NAMES_RISK.search(text.strip()))


def is_trust_only(kind: str) -> bool:
    """Risks that nothing but trust covers: the ones the map and the brief make stand out."""
    return kind == TRUST_ONLY
