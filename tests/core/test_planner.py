"""The offline engine asks 1-3 grounded questions, in the user's words, never the same twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.coaching.models import Conversation, Question
from bot.coaching.planner import (
    DIMENSIONS,
    Move,
    OfflineEngine,
    PlanRequest,
    QuestionBankError,
    load_moves,
)
from bot.coaching.trust_lens import TrustLens
from tests.samples import PASSAGES

TRUSTING = [
    "He seems honest, so we can skip the inspection.",
    "My supplier gave his word delivery will be on time, so no penalty clause.",
    "We have great chemistry with their minister.",
    "The landlord promised to fix the roof before winter.",
    "I've known him for years; we don't need a lawyer.",
]
ADVICE = re.compile(r"^(you should|make sure|always|never|i recommend|consider)\b", re.I)


def plan(
    engine: OfflineEngine, lens: TrustLens, text: str, conversation: Conversation | None = None
) -> list[Question]:
    request = PlanRequest(text, lens.read(text), PASSAGES, conversation or Conversation())
    return engine.plan(request)


@pytest.mark.parametrize("text", TRUSTING)
def test_trusting_message_gets_three_questions(
    engine: OfflineEngine, lens: TrustLens, text: str
) -> None:
    assert len(plan(engine, lens, text)) == 3


@pytest.mark.parametrize("text", [*TRUSTING, "Should the money sit in escrow?", "Hello there"])
def test_every_question_is_a_question_not_advice(
    engine: OfflineEngine, lens: TrustLens, text: str
) -> None:
    questions = plan(engine, lens, text)
    assert 1 <= len(questions) <= 3
    for q in questions:
        assert q.text.endswith("?")
        assert not ADVICE.match(q.text)


@pytest.mark.parametrize("text", TRUSTING)
def test_questions_probe_distinct_dimensions(
    engine: OfflineEngine, lens: TrustLens, text: str
) -> None:
    dimensions = [q.dimension for q in plan(engine, lens, text)]
    assert len(set(dimensions)) == len(dimensions)
    assert set(dimensions) <= set(DIMENSIONS)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("He seems honest, so we can skip the inspection.", "inspection"),
        ("My supplier gave his word delivery will be on time.", "your supplier"),
        ("The landlord promised to fix the roof before winter.", "fix the roof before winter"),
    ],
)
def test_questions_use_the_users_own_words(
    engine: OfflineEngine, lens: TrustLens, text: str, words: str
) -> None:
    assert any(words in q.text for q in plan(engine, lens, text))


def test_every_question_cites_a_retrieved_passage(engine: OfflineEngine, lens: TrustLens) -> None:
    for q in plan(engine, lens, TRUSTING[0]):
        assert q.passage in PASSAGES


def test_questions_differ_from_message_to_message(engine: OfflineEngine, lens: TrustLens) -> None:
    sets = {tuple(q.text for q in plan(engine, lens, t)) for t in TRUSTING}
    assert len(sets) == len(TRUSTING)


def test_no_question_is_asked_twice_in_a_conversation(
    engine: OfflineEngine, lens: TrustLens
) -> None:
    conversation = Conversation()
    asked: list[str] = []
    for _ in range(6):
        questions = plan(engine, lens, TRUSTING[0], conversation)
        conversation.record_questions(questions)
        asked += [q.text for q in questions]
    assert len(asked) == len(set(asked))


def test_uncovered_dimensions_come_next(engine: OfflineEngine, lens: TrustLens) -> None:
    conversation = Conversation()
    first = plan(engine, lens, TRUSTING[1], conversation)
    conversation.record_questions(first)
    second = plan(
        engine, lens, "And what else should I think about with my supplier?", conversation
    )
    assert {q.dimension for q in second}.isdisjoint({q.dimension for q in first})


def test_off_topic_message_gets_one_clarifying_question(
    engine: OfflineEngine, lens: TrustLens
) -> None:
    questions = plan(engine, lens, "What is the capital of France?")
    assert [q.socratic_type for q in questions] == ["clarify"]


def test_no_passages_means_no_ungrounded_questions(engine: OfflineEngine, lens: TrustLens) -> None:
    request = PlanRequest(TRUSTING[0], lens.read(TRUSTING[0]), (), Conversation())
    assert engine.plan(request) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("dimension: weather", "dimension"),
        ("type: rant", "type"),
        ("when: [mood]", "trigger"),
        ("templates: ['Do this now.']", "not a question"),
    ],
)
def test_malformed_question_bank_is_refused_with_the_move_named(
    tmp_path: Path, bad: str, message: str
) -> None:
    fields = {
        "id": "m1",
        "dimension": "stakes",
        "type": "clarify",
        "when": "[any]",
        "templates": "['Why?']",
    }
    key = bad.split(":")[0]
    fields[key] = bad.split(": ", 1)[1]
    body = "\n".join(f"    {k}: {v}" for k, v in fields.items())
    path = tmp_path / "bank.yaml"
    path.write_text(f"moves:\n  - {body.strip()}\n")
    with pytest.raises(QuestionBankError, match=message):
        load_moves(path)


def test_every_shipped_template_fills_with_default_slots(moves: list[Move]) -> None:
    slots = {
        "counterpart": "the seller",
        "Counterpart": "The seller",
        "promise": "x y",
        "safeguard": "inspection",
        "cue": "seems honest",
    }
    for move in moves:
        for template in move.templates:
            assert template.format(**slots).endswith("?")
