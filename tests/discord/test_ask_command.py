"""/ask through the real command tree, with only Discord's servers faked."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot.coaching.models import InputRejected, Passage, Question, TrustReading, Turn
from bot.exts.errors import GENERIC_ERROR
from bot.exts.render import MESSAGE_LIMIT
from tests.discord.discord_fakes import (
    DEFERRED_WITH_SOURCE,
    DELETE_ORIGINAL,
    EPHEMERAL,
    FOLLOWUP,
    INTERACTION_CALLBACK,
    FakeDiscord,
    Request,
)

SITUATION = "The seller seems honest, so I'll skip the inspection of the used car."


def question_numbers(content: str) -> list[int]:
    return [int(n) for n in re.findall(r"^\*\*(\d+)\.\*\* \S", content, re.MULTILINE)]


def is_ephemeral(request: Request) -> bool:
    return bool((request.json or {}).get("flags", 0) & EPHEMERAL)


def answer_at_length(parley_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the coach answer with three very long questions (over Discord's message limit)."""
    passage = Passage(source="essay.md", text="Trust is not a plan.", score=0.9)
    questions = tuple(
        Question(f"Question {n}: " + "and what then? " * 100, "risk", f"m{n}", "probe", passage)
        for n in range(3)
    )

    async def long_turn(*args: Any, **kwargs: Any) -> Turn:
        return Turn(questions, (passage,), TrustReading(True, False))

    monkeypatch.setattr(parley_app.coach, "ask", long_turn)


async def test_ask_answers_with_numbered_questions_and_a_citations_embed(
    fake_discord: FakeDiscord,
) -> None:
    await fake_discord.slash("ask", question=SITUATION)

    assert fake_discord.calls() == [INTERACTION_CALLBACK, FOLLOWUP]
    answer = fake_discord.sent(FOLLOWUP)[0]
    body = answer.json or {}
    numbers = question_numbers(body["content"])
    assert 1 <= len(numbers) <= 3
    assert numbers == list(range(1, len(numbers) + 1))
    (embed,) = body["embeds"]
    assert [field["name"].split(".")[0] for field in embed["fields"]] == [str(n) for n in numbers]
    assert all(field["value"].strip() for field in embed["fields"])
    assert not is_ephemeral(answer)
    assert body["allowed_mentions"] == {"parse": []}  # quoted user text can't ping anyone


async def test_ask_defers_before_asking_the_coach(
    fake_discord: FakeDiscord, parley_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_before_ask: list[str] = []
    real_ask = parley_app.coach.ask

    async def spy(*args: Any, **kwargs: Any) -> Turn:
        sent_before_ask.extend(fake_discord.calls())
        return await real_ask(*args, **kwargs)

    monkeypatch.setattr(parley_app.coach, "ask", spy)

    await fake_discord.slash("ask", question=SITUATION)

    assert sent_before_ask == [INTERACTION_CALLBACK]
    assert fake_discord.sent(INTERACTION_CALLBACK)[0].json == {"type": DEFERRED_WITH_SOURCE}


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
async def test_ask_with_a_blank_question_gets_the_rejection_privately(
    fake_discord: FakeDiscord, parley_app: Any, question: str
) -> None:
    with pytest.raises(InputRejected) as rejected:
        await parley_app.coach.ask(question)

    await fake_discord.slash("ask", question=question)

    # The public "thinking…" placeholder is removed so the reply can be ephemeral.
    assert fake_discord.calls() == [INTERACTION_CALLBACK, DELETE_ORIGINAL, FOLLOWUP]
    reply = fake_discord.sent(FOLLOWUP)[0]
    assert (reply.json or {})["content"] == str(rejected.value)
    assert is_ephemeral(reply)
    assert not (reply.json or {}).get("embeds")


async def test_an_unexpected_error_gives_the_generic_message_and_logs_the_traceback(
    fake_discord: FakeDiscord,
    parley_app: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Turn:
        raise RuntimeError("vector store exploded")

    monkeypatch.setattr(parley_app.coach, "ask", broken)

    with caplog.at_level(logging.ERROR, logger="bot.exts.errors"):
        await fake_discord.slash("ask", question=SITUATION)

    reply = fake_discord.sent(FOLLOWUP)[-1]
    assert (reply.json or {})["content"] == GENERIC_ERROR
    assert is_ephemeral(reply)
    (record,) = [r for r in caplog.records if r.name == "bot.exts.errors"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "vector store exploded" in caplog.text  # the traceback is in the log...
    assert "exploded" not in (reply.json or {})["content"]  # ...and not shown to the user


async def test_a_long_answer_is_sent_as_several_messages_with_the_embed_last(
    fake_discord: FakeDiscord, parley_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_at_length(parley_app, monkeypatch)

    await fake_discord.slash("ask", question=SITUATION)

    bodies = [request.json or {} for request in fake_discord.sent(FOLLOWUP)]
    assert len(bodies) > 1
    assert all(len(body["content"]) <= MESSAGE_LIMIT for body in bodies)
    assert [bool(body.get("embeds")) for body in bodies] == [False] * (len(bodies) - 1) + [True]


async def test_an_error_after_part_of_the_answer_keeps_that_part(
    fake_discord: FakeDiscord, parley_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_at_length(parley_app, monkeypatch)
    fake_discord.fail(FOLLOWUP, after=1)  # the first part arrives, the second does not

    await fake_discord.slash("ask", question=SITUATION)

    assert DELETE_ORIGINAL not in fake_discord.calls()
    first, _failed, error = fake_discord.sent(FOLLOWUP)
    assert (first.json or {})["content"].startswith("**1.**")
    assert (error.json or {})["content"] == GENERIC_ERROR
    assert is_ephemeral(error)
