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
    third_parties: tuple[str, ...] = ()
    # True when the message itself uses the kind's keywords (evidence beyond the embedding).
    worded: bool = False
    # The kind's typical hidden risks and who bears each by default ("the mileage is false (you)").
    risks: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "confidence": round(self.confidence, 3),
            "kind2": self.kind2,
            "counterpart": self.counterpart,
            "object": self.object,
            "money": self.money,
            "timing": self.timing,
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
