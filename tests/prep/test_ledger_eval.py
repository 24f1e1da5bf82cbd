"""`parley eval`'s ledger section: accuracy per column and split over a labelled answers file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.coaching.trust_lens import TrustLens
from bot.prep.evaluation import catalogue_parties, load_answers, risk_acceptable, score_ledger
from bot.reading.build import CATALOGUE_DIR
from bot.reading.catalogue import load_catalogue

FIXTURE = Path(__file__).parent / "data" / "ledger_eval_fixture.yaml"


@pytest.fixture(scope="module")
def scores(lens: TrustLens) -> dict[str, dict[str, float]]:
    parties = catalogue_parties(load_catalogue(CATALOGUE_DIR), lambda deal: None)
    return score_ledger(load_answers(FIXTURE), lens.read, parties)


def test_each_split_is_scored_with_its_count(scores: dict[str, dict[str, float]]) -> None:
    assert {split: s["count"] for split, s in scores.items()} == {"dev": 3, "heldout": 1}


def test_a_mislabelled_answer_counts_as_a_miss(scores: dict[str, dict[str, float]]) -> None:
    # a003 labels the bearer "them" for "it's my drone and my loss"; the other two read right.
    assert scores["dev"]["bearer"] == round(2 / 3, 3)


def test_a_column_is_scored_only_over_answers_that_label_it(
    scores: dict[str, dict[str, float]],
) -> None:
    assert "also" in scores["dev"] and "also" not in scores["heldout"]
    assert "leans_on_trust" not in scores["heldout"]


@pytest.mark.parametrize(
    ("got", "expected", "acceptable"),
    [
        ("The car's mileage is wrong", "mileage fraud", True),
        ("Hidden damp", "damp behind the plaster", True),
        ("Late payment", "paying late", True),
        ("The boiler fails in winter", "mileage fraud", False),
        (
            "They will keep the price fixed for two years and the delivery dates too",
            "price rise",
            False,
        ),
        ("", "late payment", False),
    ],
)
def test_a_risk_phrase_is_acceptable_when_short_and_on_the_same_thing(
    got: str, expected: str, acceptable: bool
) -> None:
    assert risk_acceptable(got, expected) is acceptable
