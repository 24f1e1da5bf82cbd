"""What counts as a usable question from the model: the offline engine's guarantees, as checks."""

from __future__ import annotations

import pytest

from bot.coaching.llm import PromptSet
from bot.coaching.llm.validation import (
    TurnContext,
    check_answer,
    parse_answer,
    question_text_problems,
    stems,
)
from tests.llm.conftest import PASSAGES, answer

CONTEXT = TurnContext(
    passages={f"P{i}": p for i, p in enumerate(PASSAGES, 1)},
    max_questions=3,
    asked=frozenset(),
)

FINE = [
    "What would it cost you if the roof is not fixed before winter?",
    'You said "he seems honest". Which future behaviour of his is that judgement standing in for?',
    "Who pays, and how much, if the supplier misses the delivery date?",
]
REFUSED = {
    "You should get an inspection?": "advice",
    "Make sure the contract has a penalty clause, right?": "advice",
    "Shouldn't you ask for a warranty before signing?": "advice",
    "I recommend escrow; would that work for you?": "advice",
    "Consider adding a penalty clause, would he accept?": "advice",
    "The real risk is the roof, isn't it?": "answer away",
    "Obviously he could walk away, so what then?": "answer away",
    "Get a written warranty.": "question mark",
    "And so?": "characters",
    "What does he gain here? And what do you lose?": "several questions",
    "What does the person mean by seems honest?": "speak to them",
}


@pytest.mark.parametrize("text", FINE)
def test_a_real_question_passes(prompts: PromptSet, text: str) -> None:
    assert question_text_problems(text, prompts.rules) == []


@pytest.mark.parametrize(("text", "problem"), list(REFUSED.items()))
def test_advice_answers_and_statements_are_refused(
    prompts: PromptSet, text: str, problem: str
) -> None:
    assert any(problem in p for p in question_text_problems(text, prompts.rules))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("no json here", "not a JSON object"),
        ('{"questions": [', "not a JSON object"),
        ('{"questions": [}', "not valid JSON"),
        ('{"questions": [{"text": "What?"}]}', "does not match the format"),
    ],
)
def test_broken_format_is_named(raw: str, problem: str) -> None:
    assert problem in parse_answer(raw)


def test_code_fence_around_the_json_is_tolerated(prompts: PromptSet) -> None:
    raw = (
        "```json\n" + answer(("What is really at stake for you here?", "stakes", ["P1"])) + "\n```"
    )
    assert check_answer(raw, CONTEXT, prompts.rules).ok


def test_unknown_passage_id_is_named_in_the_error(prompts: PromptSet) -> None:
    raw = answer(("What is really at stake for you here?", "stakes", ["P7"]))
    verdict = check_answer(raw, CONTEXT, prompts.rules)
    assert not verdict.ok and "P7, which was not retrieved" in verdict.errors[0]


def test_repeat_of_an_asked_question_is_refused_whatever_the_punctuation(
    prompts: PromptSet,
) -> None:
    context = TurnContext(CONTEXT.passages, 3, frozenset({"what is really at stake for you here"}))
    raw = answer(("What is REALLY at stake for you, here?", "stakes", ["P1"]))
    assert "already asked" in check_answer(raw, context, prompts.rules).errors[0]


ANCHORED = TurnContext(
    CONTEXT.passages, 3, frozenset(), anchors=frozenset(stems("The vendor skipped the audit."))
)


@pytest.mark.parametrize(
    ("text", "passage", "connects"),
    [
        ("What did the vendor promise about the software?", "P1", True),  # the message's words
        ("Who would get access to the sites to look for you?", "P2", True),  # the cited passage
        ("What would it cost you if this goes wrong?", "P3", True),  # negotiation vocabulary
        ("How would you explain a single switch in a computer to a child?", "P1", False),
    ],
)
def test_a_question_must_connect_to_the_deal(
    prompts: PromptSet, text: str, passage: str, connects: bool
) -> None:
    verdict = check_answer(answer((text, "risk", [passage])), ANCHORED, prompts.rules)
    assert verdict.ok is connects
