"""The ledger reads answers written in people's own words: each column, in a table of cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.coaching.trust_lens import TrustLens
from bot.prep import ledger
from bot.prep.evaluation import load_answers
from bot.reading.build import CATALOGUE_DIR
from bot.reading.catalogue import load_catalogue

TABLE = load_answers(Path(__file__).parent / "data" / "ledger_table.yaml")


@pytest.fixture(scope="module")
def parties() -> ledger.Parties:
    """The table's counterpart, with every deal kind's role words (no kind is given)."""
    return ledger.deal_parties(TABLE[0]["counterpart"], load_catalogue(CATALOGUE_DIR))


def _cases(column: str) -> list[Any]:
    """One case per table row; a row the reading is known to get wrong must still fail."""
    marks = lambda item: (  # noqa: E731
        [pytest.mark.xfail(reason=item["known_miss"], strict=True)]
        if column in str(item.get("known_miss", ""))
        else []
    )
    return [
        pytest.param(item["answer"], item["expected"][column], id=item["id"], marks=marks(item))
        for item in TABLE
    ]


def test_the_table_covers_at_least_sixty_answers_and_every_category() -> None:
    kinds = {item["expected"]["mechanism"] for item in TABLE}
    bearers = {item["expected"]["bearer"] for item in TABLE}
    assert len(TABLE) >= 60
    assert kinds == set(ledger.MECHANISM_KINDS)
    assert bearers == {ledger.YOU, ledger.THEM, ledger.SHARED, ledger.OTHERS}


@pytest.mark.parametrize(("text", "kind"), _cases("mechanism"))
def test_a_whole_answer_is_filed_under_the_mechanism_it_keeps(
    lens: TrustLens, parties: ledger.Parties, text: str, kind: str
) -> None:
    assert ledger.read_answer(text, lens.read(text), parties).mechanism == kind


@pytest.mark.parametrize(("text", "kind"), _cases("bearer"))
def test_a_whole_answer_is_filed_under_whom_the_risk_lands_on(
    lens: TrustLens, parties: ledger.Parties, text: str, kind: str
) -> None:
    assert ledger.read_answer(text, lens.read(text), parties).bearer == kind


MECHANISMS = [
    ("they're good people, I won't offend them by asking for an inspection", ledger.TRUST_ONLY),
    ("no need for a survey, the sellers are lovely", ledger.TRUST_ONLY),
    ("we skipped the escrow because he's family", ledger.TRUST_ONLY),
    ("a written warranty, but I won't push for an inspection, he's honest", ledger.TRUST_ONLY),
    ("a deposit plus a late fee written into the contract", ledger.ESCROW),
    ("a late fee of 2% a month, written into the contract", ledger.PENALTY),
    ("a performance bond from their bank", ledger.INSURANCE),
    ("termination right on 30 days' notice", ledger.OTHER),
    ("I won't sign without an independent inspection", ledger.VERIFICATION),
    ("a written warranty for twelve months", ledger.WARRANTY),
    ("10% retention until the defects period ends", ledger.ESCROW),
    ("the rest on delivery", ledger.STAGED),
    ("liquidated damages of 500 a day", ledger.PENALTY),
    ("arbitration in Geneva", ledger.LEGAL),
    ("a duty to tell us within 48 hours of any change", ledger.NOTICE),
    ("I'd lose the deposit; I accept that", ledger.ACCEPTED),
    ("a break clause at year five", ledger.OTHER),
    ("it's in the signed contract", ledger.OTHER),
    ("he gave his word", ledger.TRUST_ONLY),
    ("", ledger.TRUST_ONLY),
]


@pytest.mark.parametrize(("text", "kind"), MECHANISMS)
def test_mechanism_column_reads_the_kept_mechanism(lens: TrustLens, text: str, kind: str) -> None:
    assert ledger.mechanism_kind(text, lens.read(text)) == kind


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("a warranty on the engine, but no inspection of the body", (ledger.VERIFICATION,)),
        ("an inspection would insult him", (ledger.VERIFICATION,)),
        (
            "could ask them to insure him for the trial. feels cheeky? no. leave it",
            (ledger.INSURANCE,),
        ),
        ("an inspection before I pay, and a warranty", ()),
    ],
)
def test_a_refused_safeguard_is_recorded_as_refused(
    lens: TrustLens, parties: ledger.Parties, text: str, refused: tuple[str, ...]
) -> None:
    assert ledger.read_answer(text, lens.read(text), parties).refused == refused


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
    ("our customers, in the end", ledger.OTHERS),
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
    ("I'm worried that the van's gearbox is on its way out", "The van's gearbox is on its way out"),
    (
        "that the developer runs out of money halfway through the build and the site just sits there for a year",
        "The developer runs out of money halfway through the build",
    ),
    (
        "the supplier quietly swaps the grade of steel in the brackets for a cheaper one from another mill",
        "The supplier quietly swaps the grade of steel in the brackets…",
    ),
]


@pytest.mark.parametrize(("text", "risk"), RISKS)
def test_a_ledger_risk_is_a_short_phrase_not_the_whole_sentence(text: str, risk: str) -> None:
    assert ledger.short_risk(text) == risk


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("They will replace the boiler before 1 November.", "replace the boiler before 1 November"),
        (
            "Ms. Okafor will hold the price for two years, she's straight",
            "hold the price for two years",
        ),
        ("They will not raise the rent again", "They will not raise the rent again"),
        # A hedge after the promise is not part of it; a clip never ends on "like he".
        (
            "darren will pay each instalment on the 1st like he says",
            "pay each instalment on the 1st",
        ),
        ("They'll stick with the book even if their sales people go cold", "stick with the book"),
        ("he's not in money trouble, whatever the feed merchant says", "He's not in money trouble"),
    ],
)
def test_a_they_will_assumption_becomes_the_short_risk_of_its_breaking(
    text: str, risk: str
) -> None:
    assert ledger.promise_risk(text) == risk


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("The risk is that the roof leaks.", True),
        ("Fine. My other worry is the planning permission.", True),
        ("I'm worried that they sell the building.", True),
        ("He's a reliable builder.", False),
        ("There is little risk appetite on their side.", False),
    ],
)
def test_an_answer_that_states_its_own_risk_is_recognised(text: str, names: bool) -> None:
    assert ledger.names_risk(text) is names


@pytest.mark.parametrize(
    ("assumption", "promise"),
    [
        ("darren will pay each instalment on the 1st", True),
        ("They will not raise the rent again", True),
        ("he wont turn round in january and say the hay's dusty", True),
        ("they'll stick with the book", True),
        ("he's not in money trouble, whatever the feed merchant says", False),
        ("Dad's accountant's number is fair", False),
    ],
)
def test_a_promise_is_told_from_a_belief_of_fact(assumption: str, promise: bool) -> None:
    # The row reads "Not kept: ..." for a promise, "Not true: ..." for a belief.
    assert ledger.is_promise(assumption) is promise
