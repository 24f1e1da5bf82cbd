"""The ledger reads answers written in people's own words: each column, in a table of cases."""

from __future__ import annotations

import pytest

from bot.coaching.trust_lens import TrustLens
from bot.prep import ledger

MECHANISMS = [
    ("they're good people, I won't offend them by asking for an inspection", ledger.TRUST_ONLY),
    ("no need for a survey, the sellers are lovely", ledger.TRUST_ONLY),
    ("we skipped the escrow because he's family", ledger.TRUST_ONLY),
    ("a deposit plus a late fee written into the contract", ledger.ESCROW),
    ("a late fee of 2% a month, written into the contract", ledger.PENALTY),
    ("a performance bond from their bank", ledger.INSURANCE),
    ("termination right on 30 days' notice", ledger.OTHER),
    ("an independent inspection and a written warranty", ledger.VERIFICATION),
    ("a written warranty for twelve months", ledger.WARRANTY),
    ("money-back guarantee if it arrives broken", ledger.WARRANTY),
    ("10% retention until the defects period ends", ledger.ESCROW),
    ("the rest on delivery", ledger.STAGED),
    ("three instalments tied to milestones", ledger.STAGED),
    ("liquidated damages of 500 a day", ledger.PENALTY),
    ("service credits if uptime drops below 99.9%", ledger.PENALTY),
    ("we can take them to small claims", ledger.LEGAL),
    ("arbitration in Geneva", ledger.LEGAL),
    ("a duty to tell us within 48 hours of any change", ledger.NOTICE),
    ("no surprises: a heads-up before any price change", ledger.NOTICE),
    ("their insurance covers damage to the house", ledger.INSURANCE),
    ("I'll get references from two past clients", ledger.VERIFICATION),
    ("a vet check before collection", ledger.VERIFICATION),
    ("due diligence on the accounts", ledger.VERIFICATION),
    ("a security deposit of one month's rent", ledger.ESCROW),
    ("he gave his word", ledger.TRUST_ONLY),
    ("nothing really, I trust her", ledger.TRUST_ONLY),
    ("I accept it; it's a small amount", ledger.ACCEPTED),
    ("we'll live with it", ledger.ACCEPTED),
    ("a cap on my liability at the escrow amount", ledger.OTHER),
    ("a break clause at year five", ledger.OTHER),
]


@pytest.mark.parametrize(("text", "kind"), MECHANISMS)
def test_mechanism_column_reads_the_kept_mechanism(lens: TrustLens, text: str, kind: str) -> None:
    assert ledger.mechanism_kind(text, lens.read(text)) == kind


BEARERS = [
    ("they lose nothing, it all lands on me", ledger.YOU),
    ("it all falls on us if it goes wrong", ledger.YOU),
    ("I'd be the one out of pocket", ledger.YOU),
    ("my problem, sadly", ledger.YOU),
    ("we would pay for it", ledger.YOU),
    ("the landlord bears it", ledger.THEM),
    ("that's their risk, not mine", ledger.THEM),
    ("he pays if the boiler fails", ledger.THEM),
    ("I lose nothing, the landlord carries it", ledger.THEM),
    ("no risk to us, the supplier eats the cost", ledger.THEM),
    ("both of us, equally", ledger.SHARED),
    ("we split it 50/50", ledger.SHARED),
    ("the insurer", ledger.OTHERS),
    ("our customers, in the end", ledger.YOU),
    ("", ledger.UNASSIGNED),
    ("not sure yet", ledger.UNASSIGNED),
]


@pytest.mark.parametrize(("text", "kind"), BEARERS)
def test_bearer_column_reads_who_it_lands_on(text: str, kind: str) -> None:
    assert ledger.bearer_kind(text, "the landlord") == kind


RISKS = [
    (
        "They will keep the price fixed for two years, we shook hands on it and she's as straight as they come.",
        "They will keep the price fixed for two years",
    ),
    ("The risk is that the boiler fails in winter because it's old", "The boiler fails in winter"),
    ("mileage fraud: I bear it; mechanism: an inspection", "Mileage fraud"),
    ("hidden damp", "Hidden damp"),
    ("my biggest worry is late payment, since they paid late last year", "Late payment"),
    (
        "that the developer runs out of money halfway through the build and the site just sits there for a year",
        "The developer runs out of money halfway through the build…",
    ),
]


@pytest.mark.parametrize(("text", "risk"), RISKS)
def test_a_ledger_risk_is_a_short_phrase_not_the_whole_sentence(text: str, risk: str) -> None:
    assert ledger.short_risk(text) == risk
