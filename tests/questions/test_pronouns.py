"""A counterpart whose gender the user made plain is "her" or "him" in questions, not "them"."""

from __future__ import annotations

import pytest

from bot.questions.pronouns import gender_of, gendered


@pytest.mark.parametrize(
    ("counterpart", "named", "message", "gender"),
    [
        ("Chloe", True, "new flatmate Chloe is lovely, she'll venmo me", "female"),
        ("Dean", True, "Dean quoted 7.5k, he seems sound", "male"),
        ("your sister", False, "my sister wants to borrow 2k", "female"),
        ("your best friend's mum", False, "my best friends mum asked to borrow 8k", "female"),
        ("the guy", False, "a guy on marketplace", "male"),
        ("the landlord", False, "the landlord says she'll fix it", None),  # a role tells nothing
        ("Sam", True, "Sam wants the deposit back", None),
    ],
)
def test_the_counterparts_gender_comes_from_the_users_words(
    counterpart: str, named: bool, message: str, gender: str | None
) -> None:
    assert gender_of(counterpart, named, message) == gender


@pytest.mark.parametrize(
    ("text", "gender", "expected"),
    [
        (
            "If Chloe stopped paying, how long could you cover their share?",
            "female",
            "If Chloe stopped paying, how long could you cover her share?",
        ),
        (
            "What would it cost Dean if they would walk away, and what do you owe them?",
            "male",
            "What would it cost Dean if he would walk away, and what do you owe him?",
        ),
        # "they lose" would need its verb changed too, and "many of them" is someone else.
        (
            "What do they lose, and how many of them could replace you?",
            "female",
            "What do they lose, and how many of them could replace you?",
        ),
        ("How long could you cover their share?", None, "How long could you cover their share?"),
    ],
)
def test_only_forms_that_need_no_other_change_are_gendered(
    text: str, gender: str | None, expected: str
) -> None:
    assert gendered(text, gender) == expected
