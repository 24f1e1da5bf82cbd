"""Ledger reading of chat-style answers: the rules that carry it beyond the words we listed.

The table in ``data/ledger_chat.yaml`` is our own, written in the short way people answer in a
chat; the spec tables below pin one rule each, in sentences written for this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.coaching.trust_lens import TrustLens
from bot.prep import ledger
from bot.prep.evaluation import load_answers
from bot.reading.build import CATALOGUE_DIR
from bot.reading.catalogue import load_catalogue

CHAT = load_answers(Path(__file__).parent / "data" / "ledger_chat.yaml")


@pytest.fixture(scope="module")
def parties() -> ledger.Parties:
    """Every deal kind's role words, as when the deal's kind is not known."""
    return ledger.deal_parties("", load_catalogue(CATALOGUE_DIR))


def _cases(column: str) -> list[Any]:
    """One case per row; a row the reading is known to get wrong must still fail (strict)."""
    marks = lambda item: (  # noqa: E731
        [pytest.mark.xfail(reason=item["known_miss"], strict=True)]
        if f"{column}:" in str(item.get("known_miss", ""))
        else []
    )
    return [
        pytest.param(item, item["expected"][column], id=item["id"], marks=marks(item))
        for item in CHAT
    ]


def _read(item: dict[str, Any], lens: TrustLens, parties: ledger.Parties) -> ledger.AnswerReading:
    text = item["answer"]
    return ledger.read_answer(text, lens.read(text), parties, risk=item.get("risk_asked", ""))


def test_the_chat_table_is_large_and_varied() -> None:
    assert len(CHAT) >= 60
    assert len({item["deal"] for item in CHAT}) >= 50
    assert {item["expected"]["mechanism"] for item in CHAT} == set(ledger.MECHANISM_KINDS) - {
        ledger.OTHER
    } | {ledger.OTHER}


@pytest.mark.parametrize(("item", "kind"), _cases("mechanism"))
def test_a_chat_answer_is_filed_under_the_mechanism_it_keeps(
    lens: TrustLens, parties: ledger.Parties, item: dict[str, Any], kind: str
) -> None:
    assert _read(item, lens, parties).mechanism == kind


@pytest.mark.parametrize(("item", "kind"), _cases("bearer"))
def test_a_chat_answer_is_filed_under_whom_the_risk_lands_on(
    lens: TrustLens, parties: ledger.Parties, item: dict[str, Any], kind: str
) -> None:
    assert _read(item, lens, parties).bearer == kind


MECHANISMS = [
    # A deposit that is one instalment of a schedule is a staged payment, not a holdback.
    ("40% deposit, 40% when the frame is up, 20% on handover", ledger.STAGED),
    ("£10k now and £10k once the prototype works", ledger.STAGED),
    ("they forfeit their 5% deposit if they back out", ledger.PENALTY),
    ("she loses her 10% deposit if she can't complete", ledger.ESCROW),
    # A covenant is a promise written in: the enforcement is the main mechanism.
    ("a non-solicit clause, and breaches go to arbitration", ledger.LEGAL),
    ("a non-compete clause for two years", ledger.OTHER),
    # A refusal on cost with an acceptance is accepted on purpose, not trust.
    ("not spending £400 on a survey for a shed, I'll live with it", ledger.ACCEPTED),
    ("not spending £400 on a survey, he's a decent bloke", ledger.TRUST_ONLY),
    # Words inside a mechanism are not the user's trust.
    ("our lawyer is drawing up a declaration of trust over the flat", ledger.LEGAL),
    # Terms no list foresees, set without leaning on trust, are some other mechanism.
    ("any new hire above £80k needs our sign-off", ledger.OTHER),
    ("we'd be stuck, nothing more to say", ledger.TRUST_ONLY),
    # Vocabulary: monitoring, open books, an SLA, a documentary credit, retention of title.
    ("independent observers at every polling station", ledger.VERIFICATION),
    ("open books on their costs before we agree the margin", ledger.VERIFICATION),
    ("a 99.5% SLA with credits back for downtime", ledger.PENALTY),
    ("payment by letter of credit against the shipping documents", ledger.ESCROW),
    ("title stays with us until the last invoice is paid", ledger.OTHER),
    ("the supplier is liable for anything lost in transit", ledger.WARRANTY),
    ("I'll check out the van at the depot", ledger.TRUST_ONLY),
]


@pytest.mark.parametrize(("text", "kind"), MECHANISMS)
def test_each_rule_files_the_mechanism(
    lens: TrustLens, parties: ledger.Parties, text: str, kind: str
) -> None:
    assert ledger.read_answer(text, lens.read(text), parties).mechanism == kind


BEARERS = [
    # The opening of an answer to "who would carry that?" is the answer.
    ("us, if the grant falls through we can't pay rent", ledger.YOU),
    ("me obviously - they've got my money already", ledger.YOU),
    ("honestly both of us, they lose a client and we lose a supplier", ledger.SHARED),
    # A cleft names the bearer, and a thing the deal does not name is a third party.
    ("it's the goats who'd suffer, not me", ledger.OTHERS),
    ("it'd be me and my partner who lose out", ledger.YOU),
    # "So us" closes an answer with its bearer.
    ("the ops team would have to clean it up, so us really", ledger.YOU),
    # Bare "both", "split it" and "shared" say nothing of the loss.
    ("the seller carries it, and I'll look at both reports myself", ledger.THEM),
    ("I'd lose £20k and they'd lose nothing; splitting it: half now", ledger.YOU),
    ("civilians on both sides pay if the truce breaks", ledger.OTHERS),
    ("villagers on both sides pay if the truce breaks", ledger.OTHERS),
    # A sum owned is a loss owned; "pay it back" is the promise, not the loss.
    ("he'll pay it back, he says; if not it's my £8k", ledger.YOU),
    ("if I never see the money again, so be it", ledger.YOU),
    ("I'd be out £3,000 if the car is stolen", ledger.YOU),
    # A pronoun after a third party in an earlier clause is that third party.
    ("our students' exam results, so they're the ones who'd suffer", ledger.OTHERS),
]


@pytest.mark.parametrize(("text", "kind"), BEARERS)
def test_each_rule_files_the_bearer(
    lens: TrustLens, parties: ledger.Parties, text: str, kind: str
) -> None:
    assert ledger.read_answer(text, lens.read(text), parties).bearer == kind
