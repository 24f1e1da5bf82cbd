"""Rendering a Turn into Discord message contents and a citations embed."""

from __future__ import annotations

import re

import pytest

from bot.coaching.models import Passage, Question, TrustReading, Turn
from bot.exts.render import (
    DEFAULT_THREAD_NAME,
    EMBED_FIELD_COUNT_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_LIMIT,
    THREAD_NAME_LIMIT,
    render_turn,
    thread_name,
)


def make_turn(
    question_texts: list[str], *, passage: Passage | None = None, notices: tuple[str, ...] = ()
) -> Turn:
    passage = passage or Passage(source="essay.md", text="Trust is not a plan.", score=0.8)
    questions = tuple(
        Question(text, "risk", f"move-{i}", "clarification", passage)
        for i, text in enumerate(question_texts)
    )
    return Turn(questions, (passage,), TrustReading(True, False), notices=notices)


def test_notices_come_first_then_numbered_questions() -> None:
    turn = make_turn(["Who pays if it fails?", "What is the deadline?"], notices=("Cut short.",))

    (content,) = render_turn(turn).contents

    assert content.splitlines()[0].endswith("Cut short.")
    assert re.findall(r"^\*\*(\d+)\.\*\* (.+)$", content, re.MULTILINE) == [
        ("1", "Who pays if it fails?"),
        ("2", "What is the deadline?"),
    ]


@pytest.mark.parametrize(("count", "length"), [(3, 1200), (5, 1990), (2, 5000)])
def test_long_turns_split_into_messages_under_the_limit(count: int, length: int) -> None:
    texts = [(f"Question {n} " + "why " * length)[:length].strip() + "?" for n in range(count)]

    rendered = render_turn(make_turn(texts))

    assert len(rendered.contents) > 1
    assert all(len(content) <= MESSAGE_LIMIT for content in rendered.contents)
    assert (
        " ".join(rendered.contents).split()
        == " ".join(f"**{n}.** {text}" for n, text in enumerate(texts, start=1)).split()
    )


def test_citations_go_under_the_last_message_only() -> None:
    rendered = render_turn(make_turn(["x " * 1500, "y " * 1500]))

    embeds = [embed for _, embed in rendered.messages()]

    assert embeds[:-1] == [None] * (len(embeds) - 1)
    assert embeds[-1] is rendered.citations


def test_each_question_gets_a_field_with_its_source_and_excerpt() -> None:
    passage = Passage(
        source="Crawford, AP Insight 56", text="Trust is not a plan.", score=0.9, title="Essay"
    )

    embed = render_turn(make_turn(["Q1?", "Q2?"], passage=passage)).citations

    assert embed is not None
    assert [field.name for field in embed.fields] == ["1. Essay", "2. Essay"]
    assert all("Trust is not a plan." in (field.value or "") for field in embed.fields)
    assert all("Crawford, AP Insight 56" in (field.value or "") for field in embed.fields)


@pytest.mark.parametrize("question_count", [1, 3, 25, 40])
def test_embed_limits_hold_for_very_long_passages(question_count: int) -> None:
    passage = Passage(
        source="s" * 5000, text="word " * 10_000, score=0.5, title="A very long title " * 50
    )

    embed = render_turn(make_turn(["Q?"] * question_count, passage=passage)).citations

    assert embed is not None
    assert len(embed.title or "") <= EMBED_TITLE_LIMIT
    assert 1 <= len(embed.fields) <= EMBED_FIELD_COUNT_LIMIT
    assert all(len(field.name or "") <= EMBED_FIELD_NAME_LIMIT for field in embed.fields)
    assert all(0 < len(field.value or "") <= EMBED_FIELD_VALUE_LIMIT for field in embed.fields)
    assert len(embed) <= EMBED_TOTAL_LIMIT
    if len(embed.fields) < question_count:  # what was left out is said, not silently dropped
        assert embed.footer.text and str(question_count - len(embed.fields)) in embed.footer.text


def test_a_turn_without_questions_still_renders_a_message() -> None:
    rendered = render_turn(make_turn([]))

    assert rendered.citations is None
    assert len(rendered.contents) == 1
    assert rendered.contents[0].strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My landlord wants a deposit", "My landlord wants a deposit"),
        ("  spaced \n out  ", "spaced out"),
        ("", DEFAULT_THREAD_NAME),
        ("   ", DEFAULT_THREAD_NAME),
    ],
)
def test_thread_name_is_the_tidied_message(text: str, expected: str) -> None:
    assert thread_name(text) == expected


def test_a_long_thread_name_is_cut_at_a_word() -> None:
    name = thread_name("The supplier promised weekly deliveries " * 10)

    assert len(name) <= THREAD_NAME_LIMIT
    assert name.endswith("…")
    assert name[:-1].split()[-1] in {"The", "supplier", "promised", "weekly", "deliveries"}
