"""How stage questions build on the negotiation: phrases of earlier answers, variants, quotes."""

from __future__ import annotations

import pytest

from bot.coaching.models import Passage
from bot.knowledge.quotes import with_quote
from bot.prep.questions import broken, fear, phrase, promised_by, topic_phrase, wanted
from bot.prep.stages import StageQuestion


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Switch to Pak-Direct, 6% dearer and untested at our volume.", "switch to Pak-Direct"),
        ("Rent the flat on Hill Street: 8% more expensive.", "rent the flat on Hill Street"),
        ("Pak-Direct, who quoted last week.", "Pak-Direct"),  # a name keeps its capital
        ("paying for a new boiler and then being stuck with a tenant who stops paying",
         "paying for a new boiler and then being stuck"),  # cut where a clause joins
    ],
)  # fmt: skip
def test_an_answer_becomes_a_short_phrase_that_fits_mid_sentence(
    answer: str, expected: str
) -> None:
    assert phrase(answer) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("I want a two-year renewal at today's rent, with the boiler fixed.",
         "a two-year renewal at today's rent"),
        ("A 12-month renewal at this year's unit price.", "a 12-month renewal at this year's unit price"),
        ("To get the price down.", ""),  # not a noun phrase: the plain wording is used
    ],
)  # fmt: skip
def test_what_the_user_wants_is_a_noun_phrase_or_nothing(answer: str, expected: str) -> None:
    assert wanted(answer) == expected


@pytest.mark.parametrize(
    ("assumption", "past", "expected"),
    [
        ("They will keep the price fixed for the year, she gave me her word.", False,
         "Ms. Okafor does not keep the price fixed for the year"),
        ("He will be on time with every delivery.", True,
         "Ms. Okafor was not on time with every delivery"),
        # A thing promised breaks as itself, and who promised it is not part of the act.
        ("the boiler will be replaced before winter like he promised", False,
         "the boiler is not replaced before winter"),
    ],
)  # fmt: skip
def test_a_they_will_reads_as_the_promise_broken(
    assumption: str, past: bool, expected: str
) -> None:
    thing, act = promised_by(assumption)
    assert broken(thing or "Ms. Okafor", act, past=past) == expected


def test_it_will_be_fine_is_nobodys_promise() -> None:
    assert promised_by("It will be fine, honestly") == ("", "")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("She fears locking in a price while costs go up.", "locking in a price while costs go up"),
        ("Losing face with her board.", ""),  # no "fears": nothing to quote back
    ],
)
def test_the_counterparts_fear_is_taken_from_their_fears_answer(answer: str, expected: str) -> None:
    assert fear(answer) == expected


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("annual supply renewal and pricing", "the annual supply renewal and pricing"),
        ("renewing my flat lease", "renewing my flat lease"),
        ("The kitchen refit", "the kitchen refit"),
    ],
)
def test_the_topic_reads_naturally_after_on(topic: str, expected: str) -> None:
    assert topic_phrase(topic) == expected


QUESTION = StageQuestion(
    key="walk_away", label="Walk-away point", text="What is your walk-away point?",
    anchor="", dimension="resources", type="clarify",
    variants=("Measured against {alternative}, what is your walk-away point?",),
)  # fmt: skip


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"alternative": "switch to Pak-Direct"}, QUESTION.variants[0]),
        ({"alternative": ""}, QUESTION.text),  # an empty slot never shows
        ({}, QUESTION.text),
    ],
)
def test_a_variant_is_used_only_when_every_slot_it_names_has_a_value(
    values: dict[str, str], expected: str
) -> None:
    assert QUESTION.wording(0, values) == expected


def test_a_citation_quotes_the_sentence_that_matters_to_the_question() -> None:
    passage = Passage(
        "case.md",
        "The owner had bought hinges from the same firm for twelve years without trouble. "
        "A late-delivery penalty of 2% a week was written into the framework agreement.",
        0.5,
    )

    quoted = with_quote(passage, "What penalty would cover late delivery?")

    assert quoted.excerpt(300) == (
        "A late-delivery penalty of 2% a week was written into the framework agreement."
    )
