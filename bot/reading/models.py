"""What Parley understood of one message: trust reliance, intent, the deal and its parties."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.coaching.models import TrustReading

# Everything a user can be doing in one message; several may hold at once.
INTENTS = (
    "trust",
    "examining",
    "concept",
    "tactics",
    "pushback",
    "decide",
    "new_facts",
    "offtopic",
    "non_english",
)


# Confidence an evident kind needs with its own words in the text, and without them: measured
# on the prep sessions' topics ("buying my brother out of the family bakery" names no keyword
# but reads as an inheritance at 0.99; a planning deal "on the new estate" read as one at 0.84).
KIND_FLOOR = 0.6
SURE_KIND = 0.93


@dataclass(frozen=True, slots=True)
class DealReading:
    """The kind of deal, its parties and terms, as far as the message tells."""

    kind: str | None = None
    confidence: float = 0.0
    kind2: str | None = None
    # The counterpart as questions name it: the user's words ("the fitter", "Marco") or the
    # kind's role name ("the seller"); ``counterpart_named`` says which.
    counterpart: str | None = None
    counterpart_named: bool = False
    object: str | None = None
    money: str | None = None
    timing: str | None = None
    upfront: str | None = None  # what the user pays before getting anything ("60%", "£85k")
    third_parties: tuple[str, ...] = ()
    # True when the message itself uses the kind's keywords (evidence beyond the embedding).
    worded: bool = False
    # The kind's typical hidden risks and who bears each by default ("the mileage is false (you)").
    risks: tuple[str, ...] = ()

    @property
    def evident_kind(self) -> str | None:
        """The kind when the text gives real evidence of it, for what builds a whole session
        or prompt on it (prep stages, a team's scenario): the kind's own words at
        ``KIND_FLOOR``, or ``SURE_KIND`` without them, and no close second kind. A wrong kind
        there reads worse than none ("origami cranes" read as a used-goods sale at 0.75)."""
        return None if self.kind2 else self.evident_first

    @property
    def evident_first(self) -> str | None:
        """``evident_kind``, with a close second kind allowed (a team prompt may use both)."""
        if self.kind is None:
            return None
        if self.confidence >= SURE_KIND or (self.confidence >= KIND_FLOOR and self.worded):
            return self.kind
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "confidence": round(self.confidence, 3),
            "kind2": self.kind2,
            "counterpart": self.counterpart,
            "object": self.object,
            "money": self.money,
            "timing": self.timing,
            "upfront": self.upfront,
            "third_parties": list(self.third_parties),
            "risks": list(self.risks),
        }


@dataclass(frozen=True, slots=True)
class Reading:
    """One message, read: the trust lens's view plus the classifier, intents and the deal."""

    text: str
    trust: TrustReading
    trust_score: float = 0.0
    intents: tuple[str, ...] = ()
    deal: DealReading = field(default_factory=DealReading)
    language: str = "en"
    # Clean second-person clauses, or absent: "promise" relied on, "safeguard" being dropped.
    slots: dict[str, str] = field(default_factory=dict)
    injection: bool = False  # the message tries to change how Parley works

    def has(self, intent: str) -> bool:
        """True when the user is doing ``intent`` in this message."""
        return intent in self.intents

    def with_deal(self, deal: DealReading) -> Reading:
        """The same reading with the deal completed from the conversation."""
        return replace(self, deal=deal, trust=replace(self.trust, counterpart=deal.counterpart))

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": list(self.intents),
            "deal": self.deal.to_json(),
            "slots": dict(self.slots),
            "language": self.language,
            "trust_score": round(self.trust_score, 3),
        }
