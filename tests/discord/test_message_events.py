"""Mentions, coaching threads and DMs, played as gateway events into the real bot."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot.coaching.models import InputRejected, Turn
from bot.exts.errors import GENERIC_ERROR
from bot.exts.render import DEFAULT_THREAD_NAME
from tests.discord.discord_fakes import (
    BOT_ID,
    OTHER_BOT_ID,
    SEND_MESSAGE,
    START_THREAD,
    TEXT_CHANNEL_ID,
    TYPING,
    FakeDiscord,
    Payload,
    Request,
    user_payload,
)

SITUATION = "My supplier promised delivery by Friday, so I paid the full amount upfront."
FOLLOW_UP = "They have always delivered before, so I did not ask for a penalty clause."


def channel_of(request: Request) -> int:
    return int(request.args["channel_id"])


def question_numbers(request: Request) -> list[int]:
    content = (request.json or {}).get("content", "")
    return [int(n) for n in re.findall(r"^\*\*(\d+)\.\*\* \S", content, re.MULTILINE)]


async def open_coaching_thread(fake: FakeDiscord) -> int:
    """Mention the bot in the text channel; return the id of the thread it opens."""
    await fake.guild_message(SITUATION, mention="bot")
    (start,) = fake.sent(START_THREAD)
    fake.clear()
    return int(start.args["message_id"])  # a thread started on a message takes its id


@pytest.mark.parametrize("mention", ["bot", "bot role"])
async def test_a_mention_opens_a_thread_and_answers_there(
    fake_discord: FakeDiscord, parley_app: Any, mention: Any
) -> None:
    await fake_discord.guild_message(SITUATION, mention=mention)

    assert fake_discord.calls() == [START_THREAD, TYPING, SEND_MESSAGE]
    (start,) = fake_discord.sent(START_THREAD)
    assert channel_of(start) == TEXT_CHANNEL_ID
    name = (start.json or {})["name"]
    assert name.startswith("My supplier promised") and "<@" not in name
    thread_id = int(start.args["message_id"])
    (answer,) = fake_discord.sent(SEND_MESSAGE)
    assert channel_of(answer) == thread_id
    assert channel_of(fake_discord.sent(TYPING)[0]) == thread_id
    assert 1 <= len(question_numbers(answer)) <= 3
    assert len((answer.json or {})["embeds"]) == 1
    assert await parley_app.coach.has_conversation(f"discord-thread:{thread_id}")


async def test_a_follow_up_in_a_coaching_thread_is_answered_without_a_mention(
    fake_discord: FakeDiscord,
) -> None:
    thread_id = await open_coaching_thread(fake_discord)

    await fake_discord.guild_message(FOLLOW_UP, channel_id=thread_id)

    assert fake_discord.calls() == [TYPING, SEND_MESSAGE]
    (answer,) = fake_discord.sent(SEND_MESSAGE)
    assert channel_of(answer) == thread_id
    assert question_numbers(answer)


@pytest.mark.parametrize(
    "author",
    [user_payload(OTHER_BOT_ID, "other bot", bot=True), user_payload(BOT_ID, "Parley", bot=True)],
    ids=["another bot", "itself"],
)
@pytest.mark.parametrize("where", ["mention in channel", "coaching thread"])
async def test_messages_from_bots_are_ignored(
    fake_discord: FakeDiscord, author: Payload, where: str
) -> None:
    if where == "coaching thread":
        thread_id = await open_coaching_thread(fake_discord)
        await fake_discord.guild_message(FOLLOW_UP, channel_id=thread_id, author=author)
    else:
        await fake_discord.guild_message(SITUATION, author=author, mention="bot")

    assert fake_discord.calls() == []


@pytest.mark.parametrize("where", ["text channel", "unregistered thread"])
@pytest.mark.parametrize("mention", [None, "everyone"])
async def test_messages_outside_coaching_threads_without_a_mention_are_ignored(
    fake_discord: FakeDiscord, where: str, mention: Any
) -> None:
    channel_id = TEXT_CHANNEL_ID
    if where == "unregistered thread":
        channel_id = fake_discord.new_id()
        fake_discord.add_thread(channel_id)

    await fake_discord.guild_message(SITUATION, channel_id=channel_id, mention=mention)

    assert fake_discord.calls() == []


async def test_a_mention_in_another_thread_makes_it_a_coaching_thread(
    fake_discord: FakeDiscord, parley_app: Any
) -> None:
    thread_id = fake_discord.new_id()
    fake_discord.add_thread(thread_id)

    await fake_discord.guild_message(SITUATION, channel_id=thread_id, mention="bot")

    # No thread inside a thread: the answer goes right there.
    assert fake_discord.calls() == [TYPING, SEND_MESSAGE]
    assert channel_of(fake_discord.sent(SEND_MESSAGE)[0]) == thread_id
    assert await parley_app.coach.has_conversation(f"discord-thread:{thread_id}")


async def test_a_direct_message_is_answered_in_the_dm(
    fake_discord: FakeDiscord, parley_app: Any
) -> None:
    dm_id = fake_discord.new_id()

    await fake_discord.direct_message(SITUATION, channel_id=dm_id)

    assert fake_discord.calls() == [TYPING, SEND_MESSAGE]
    (answer,) = fake_discord.sent(SEND_MESSAGE)
    assert channel_of(answer) == dm_id
    assert question_numbers(answer)
    assert await parley_app.coach.has_conversation(f"discord-dm:{dm_id}")


async def test_a_bare_mention_opens_a_thread_that_explains_what_to_send(
    fake_discord: FakeDiscord, parley_app: Any
) -> None:
    with pytest.raises(InputRejected) as rejected:
        await parley_app.coach.ask("")

    await fake_discord.guild_message("", mention="bot")

    (start,) = fake_discord.sent(START_THREAD)
    assert (start.json or {})["name"] == DEFAULT_THREAD_NAME
    (reply,) = fake_discord.sent(SEND_MESSAGE)
    assert channel_of(reply) == int(start.args["message_id"])
    assert (reply.json or {})["content"] == str(rejected.value)


async def test_an_error_in_a_thread_is_answered_briefly_and_logged(
    fake_discord: FakeDiscord,
    parley_app: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    thread_id = await open_coaching_thread(fake_discord)

    async def broken(*args: Any, **kwargs: Any) -> Turn:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(parley_app.coach, "ask", broken)

    with caplog.at_level(logging.ERROR, logger="bot.exts.errors"):
        await fake_discord.guild_message(FOLLOW_UP, channel_id=thread_id)

    (reply,) = fake_discord.sent(SEND_MESSAGE)
    assert channel_of(reply) == thread_id
    assert (reply.json or {})["content"] == GENERIC_ERROR
    (record,) = [r for r in caplog.records if r.name == "bot.exts.errors"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
