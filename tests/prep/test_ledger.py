"""The risk map's axes: who bears a risk, and what carries it, read from the user's words."""

from __future__ import annotations

import pytest

from bot.coaching.trust_lens import TrustLens
from bot.prep import ledger


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Me, entirely: I would be cold.", ledger.YOU),
        ("We would pay for it", ledger.YOU),
        ("They do, until they deliver", ledger.THEM),
        ("the landlord", ledger.THEM),
        ("Both of us, but mostly me", ledger.SHARED),
        ("split 50/50", ledger.SHARED),
        ("Our customers, sadly", ledger.OTHERS),  # the customers, not the possessive "our"
        ("the insurer", ledger.OTHERS),
        ("", ledger.UNASSIGNED),
        ("unclear so far", ledger.UNASSIGNED),
    ],
)
def test_who_bears_a_risk(text: str, kind: str) -> None:
    assert ledger.bearer_kind(text, "the landlord") == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("An inspection by an independent surveyor before I sign", ledger.VERIFICATION),
        ("A 12-month warranty on the boiler", ledger.WARRANTY),
        ("Hold back 10% in escrow until it works", ledger.ESCROW),
        ("Pay in instalments as each milestone is met", ledger.STAGED),
        ("A penalty of 50 pounds per day late", ledger.PENALTY),
        ("Arbitration if he breaks it", ledger.LEGAL),
        ("A no surprises duty: 30 days notice of any sale", ledger.NOTICE),
        ("I accept it; the amount is small", ledger.ACCEPTED),
        ("He seems honest, so I'll trust him", ledger.TRUST_ONLY),
        ("trust - his word", ledger.TRUST_ONLY),
        ("nothing", ledger.TRUST_ONLY),
        ("", ledger.TRUST_ONLY),
        ("Weekly photos of the work", ledger.OTHER),
    ],
)
def test_what_carries_a_risk(lens: TrustLens, text: str, kind: str) -> None:
    assert ledger.mechanism_kind(text, lens.read(text)) == kind
