"""/prep through the real command tree, buttons, select menu, modal and thread messages.

Only Discord's servers are fake (``prep_discord.PrepDiscord``); every interaction is a real
discord.py ``Interaction`` built from the components the bot sent.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_app
from bot.prep.models import FINISHED, PAUSED
from tests.discord.discord_fakes import INTERACTION_CALLBACK, USER_ID
from tests.prep.conftest import Clock
from tests.prep.prep_discord import (
    ADD_THREAD_MEMBER,
    CREATE_THREAD,
    OTHER_USER_ID,
    PRIVATE_THREAD,
    PrepDiscord,
    Sent,
    connect,
)
from tests.prep.scenario import COUNTERPART, LINES, SITUATION, STAKES, TOPIC

BUTTONS = ["back", "next", "skip", "pause", "finish", "risk"]
TRUSTING = "He seems honest, so he will fix it."


async def start(fake: PrepDiscord, user_id: int = USER_ID) -> tuple[int, str]:
    """/prep start; returns (thread id, session id)."""
    await fake.prep("start", user_id=user_id, counterpart=COUNTERPART, topic=TOPIC)
    thread_id = max(fake.state.threads)
    return thread_id, session_of(fake.last_in(thread_id))


def session_of(message: Sent) -> str:
    return message.custom_ids[0].split(":")[2]


def actions_of(message: Sent) -> list[str]:
    return [c.split(":")[1] for c in message.custom_ids]


def last_modal(fake: PrepDiscord) -> dict[str, Any]:
    """The modal the bot opened last (interaction callback type 9)."""
    return next(
        r.json["data"] for r in reversed(fake.sent(INTERACTION_CALLBACK)) if r.json["type"] == 9
    )


async def add_risk(fake: PrepDiscord, thread_id: int, values: dict[str, str]) -> None:
    message = fake.last_in(thread_id)
    await fake.press(message, "risk")
    await fake.submit_modal(last_modal(fake)["custom_id"], values, message=message)


async def run_line(fake: PrepDiscord, thread_id: int, line: str) -> None:
    """A scenario line, done the Discord way: buttons, the modal, or a message in the thread."""
    if line.startswith("/risk "):
        keys = ("risk", "bearer", "mechanism", "residual")
        await add_risk(
            fake, thread_id, dict(zip(keys, [p.strip() for p in line[6:].split("|")], strict=True))
        )
    elif line.startswith("/"):
        await fake.press(fake.last_in(thread_id), line[1:])
    else:
        await fake.say(thread_id, line)


async def test_start_opens_a_private_thread_with_the_first_question_and_the_buttons(
    discord_prep: PrepDiscord,
) -> None:
    thread_id, session_id = await start(discord_prep)

    (create,) = discord_prep.sent(CREATE_THREAD)
    assert create.json["type"] == PRIVATE_THREAD and create.json["invitable"] is False
    (member,) = discord_prep.sent(ADD_THREAD_MEMBER)
    assert int(member.args["user_id"]) == USER_ID
    first = discord_prep.last_in(thread_id)
    assert first.content.startswith("**Stage 1 of 7 · Situation**")
    assert "**1.** What exactly do you want from the landlord" in first.content
    assert first.payload["embeds"][0]["fields"]  # the citation
    assert actions_of(first) == BUTTONS
    assert f"`{session_id}`" in discord_prep.ephemeral_texts()[-1]


async def test_an_answer_in_the_thread_is_saved_and_the_next_question_follows(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)

    await discord_prep.say(thread_id, SITUATION[0])

    reply = discord_prep.last_in(thread_id)
    assert "-# Saved." in reply.content and "By when" in reply.content
    assert [a.text for a in await parley_app.prep.store.answers(session_id)] == [SITUATION[0]]


async def test_a_trusting_answer_gets_follow_ups_and_next_is_refused_privately(
    discord_prep: PrepDiscord,
) -> None:
    thread_id, _ = await start(discord_prep)
    await discord_prep.say(thread_id, TRUSTING)
    follow_up = discord_prep.last_in(thread_id)

    await discord_prep.press(follow_up, "next")

    assert 'leans on "seems honest"' in follow_up.content and "**2.**" in follow_up.content
    assert len(follow_up.payload["embeds"][0]["fields"]) >= 2
    assert discord_prep.last_in(thread_id) is follow_up  # nothing new in the thread
    assert "answer the follow-up" in discord_prep.ephemeral_texts()[-1]


async def test_a_whole_session_through_the_real_callbacks_ends_with_the_brief_attached(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)

    for line in LINES:
        await run_line(discord_prep, thread_id, line)

    session = await parley_app.prep.store.get(session_id)
    assert session is not None and session.status == FINISHED
    files = {u.filename: u.data for u in discord_prep.uploads if u.channel_id == thread_id}
    brief = files[f"prep-{session_id}-brief.md"].decode()
    assert files[f"prep-{session_id}-risk-map.png"].startswith(b"\x89PNG")
    assert "| The landlord fears | He fears paying for a new boiler" in brief
    assert "The landlord's verbal promise to repaint the kitchen" in brief
    assert "**Covered only by trust:** 1 of 3 risks (#3)." in brief
    assert discord_prep.last_in(thread_id).custom_ids == []  # a finished session has no buttons


async def test_a_ledger_row_is_edited_through_the_select_menu_and_the_modal(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)
    await add_risk(
        discord_prep,
        thread_id,
        {"risk": "Boiler not fixed", "bearer": "me", "mechanism": "his word"},
    )
    (row,) = await parley_app.prep.store.ledger(session_id)
    message = discord_prep.last_in(thread_id)

    await discord_prep.choose(message, str(row.id))
    modal = last_modal(discord_prep)
    await discord_prep.submit_modal(
        modal["custom_id"], {"risk": "Boiler not fixed", "bearer": "me", "mechanism": "a 12-month warranty"},
        message=message,
    )  # fmt: skip

    assert modal["title"] == "Edit a risk"
    assert "his word" in str(modal["components"])  # the modal opened filled with the row
    (edited,) = await parley_app.prep.store.ledger(session_id)
    assert (edited.id, edited.mechanism_kind) == (row.id, "warranty")
    assert "Risk 1 updated." in discord_prep.last_in(thread_id).content


@pytest.mark.parametrize("blank", [{"risk": ""}, {"risk": "   ", "bearer": "me"}])
async def test_an_empty_modal_saves_nothing_and_says_so(
    discord_prep: PrepDiscord, parley_app: Any, blank: dict[str, str]
) -> None:
    thread_id, session_id = await start(discord_prep)

    await add_risk(discord_prep, thread_id, blank)

    assert "Nothing was saved" in discord_prep.ephemeral_texts()[-1]
    assert await parley_app.prep.store.ledger(session_id) == []


async def test_buttons_pressed_by_someone_else_are_refused_privately(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)
    message = discord_prep.last_in(thread_id)

    for action in ("next", "finish", "risk"):
        await discord_prep.press(message, action, user_id=OTHER_USER_ID)

    texts = discord_prep.ephemeral_texts()[-3:]
    assert all(t.startswith("Only the person who started this prep session") for t in texts)
    session = await parley_app.prep.store.get(session_id)
    assert session is not None and session.stage == 0
    assert discord_prep.last_in(thread_id) is message


async def test_messages_from_someone_else_in_the_thread_are_not_taken_as_answers(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)

    await discord_prep.say(thread_id, "I am not the owner.", user_id=OTHER_USER_ID)

    assert await parley_app.prep.store.answers(session_id) == []
    assert discord_prep.last_in(thread_id).content.startswith("Only the person who started")


async def test_buttons_and_thread_answers_keep_working_after_a_restart(
    discord_prep: PrepDiscord, parley_app: Any, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread_id, session_id = await start(discord_prep)
    await discord_prep.say(thread_id, SITUATION[0])
    old_message = discord_prep.last_in(thread_id)
    await discord_prep.bot.close()
    await parley_app.database.close()

    app = await build_app(parley_app.settings, embedder=embedder, sync_knowledge=False)
    try:
        restarted = await connect(app, monkeypatch, discord_prep.state)
        await restarted.press(old_message, "next")
        await restarted.say(thread_id, STAKES[0])
        await restarted.bot.close()
        answers = [a.text for a in await app.prep.store.answers(session_id)]
    finally:
        await app.aclose()

    assert restarted.in_channel(thread_id)[0].content.startswith("**Stage 2 of 7 · Stakes**")
    assert answers == [SITUATION[0], STAKES[0]]


async def test_buttons_of_a_deleted_session_say_it_is_gone(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)
    message = discord_prep.last_in(thread_id)
    await parley_app.prep.delete(session_id, f"discord-user:{USER_ID}")

    await discord_prep.press(message, "next")

    assert discord_prep.ephemeral_texts()[-1].startswith(f"There is no prep session '{session_id}'")


@pytest.mark.parametrize(("choice", "kept"), [("no", True), ("yes", False)])
async def test_delete_asks_for_confirmation_first(
    discord_prep: PrepDiscord, parley_app: Any, choice: str, kept: bool
) -> None:
    thread_id, session_id = await start(discord_prep)

    await discord_prep.prep("delete", session=session_id)
    question = discord_prep.last_private_message()
    await discord_prep.click(question, f"parley-prep:delete:{session_id}:{choice}")

    assert "cannot be undone" in question.content
    assert (await parley_app.prep.store.get(session_id) is not None) is kept
    if not kept:
        assert (
            discord_prep.last_in(thread_id).content == "This prep session was deleted by its owner."
        )


async def test_a_thread_deleted_by_a_moderator_pauses_the_session_and_resume_reopens_it(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)
    await discord_prep.say(thread_id, SITUATION[0])
    question = discord_prep.last_in(thread_id).content.split("**1.** ")[1]

    discord_prep.delete_thread(thread_id)
    await discord_prep.say(
        thread_id, "lost in the void"
    )  # the gateway may still deliver stragglers
    await discord_prep.prep("resume", session=session_id)

    assert (
        "Nothing is lost" in discord_prep.dm_texts()[-1]
        and session_id in discord_prep.dm_texts()[-1]
    )
    new_thread = max(discord_prep.state.threads)
    assert new_thread != thread_id
    resumed = discord_prep.last_in(new_thread)
    assert (
        resumed.content.startswith("**Stage 1 of 7 · Situation**") and question in resumed.content
    )
    assert [a.text for a in await parley_app.prep.store.answers(session_id)] == [SITUATION[0]]


async def test_a_20000_character_answer_is_saved_cut_with_a_notice(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)

    await discord_prep.say(thread_id, "We need it before winter. " * 800)

    assert "I saved the first 4,000" in discord_prep.last_in(thread_id).content
    (stored,) = await parley_app.prep.store.answers(session_id)
    assert len(stored.text) <= 4000


async def wait_briefly_for_locks(engine: AsyncEngine) -> None:
    """New connections give up on a lock after 0.2 s instead of 5 s, to keep the test quick."""

    def on_connect(connection: Any, _: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 200")
        cursor.close()

    await engine.dispose()
    event.listen(engine.sync_engine, "connect", on_connect)


# The coach cog also reads the database for every thread message and does not catch a lock,
# so this runs with the prep cog alone.
@pytest.mark.prep_only
async def test_a_locked_database_gets_a_clear_message_and_loses_nothing(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)
    await discord_prep.say(thread_id, SITUATION[0])
    await wait_briefly_for_locks(parley_app.database.engine)
    lock = sqlite3.connect(parley_app.settings.data_dir / "parley.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        await discord_prep.say(thread_id, SITUATION[1])
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    refusal = discord_prep.last_in(thread_id).content
    assert (
        "busy" in refusal
        and "not saved" in refusal
        and "Everything you answered before is safe" in refusal
    )
    await discord_prep.say(thread_id, SITUATION[1])
    assert [a.text for a in await parley_app.prep.store.answers(session_id)] == SITUATION


async def test_list_shows_each_session_and_warns_of_expiry(
    discord_prep: PrepDiscord, parley_app: Any, clock: Clock
) -> None:
    _, first = await start(discord_prep)
    clock.advance(days=parley_app.prep.policy.idle.days)
    _, second = await start(discord_prep)

    await discord_prep.prep("list")

    listing = discord_prep.ephemeral_texts()[-1].splitlines()
    assert [line[1:9] for line in listing] == [second, first]
    assert "⚠ EXPIRES" in listing[1] and "⚠" not in listing[0]


async def test_export_attaches_a_draft_brief_in_the_thread(discord_prep: PrepDiscord) -> None:
    thread_id, session_id = await start(discord_prep)
    await discord_prep.say(thread_id, SITUATION[0])

    await discord_prep.prep("export", session=session_id)

    names = [u.filename for u in discord_prep.uploads if u.channel_id == thread_id]
    assert names == [f"prep-{session_id}-brief.md", f"prep-{session_id}-risk-map.png"]
    brief = discord_prep.uploads[0].data.decode()
    assert "(draft)" in brief and SITUATION[0] in brief


async def test_idle_sessions_are_warned_in_their_thread_then_deleted(
    discord_prep: PrepDiscord, parley_app: Any, clock: Clock
) -> None:
    thread_id, session_id = await start(discord_prep)
    cog: Any = discord_prep.bot.get_cog("Prep")  # load_extension gives the cog its own module
    policy = parley_app.prep.policy

    warn_at = clock.advance(seconds=(policy.idle - policy.warning).total_seconds())
    await cog.expire_sessions(warn_at)
    warning = discord_prep.last_in(thread_id).content
    await cog.expire_sessions(clock.advance(seconds=policy.warning.total_seconds()))

    assert (
        warning.startswith(f"⏳ Your prep session {session_id}") and "will be deleted on" in warning
    )
    assert "expired" in discord_prep.last_in(thread_id).content
    assert await parley_app.prep.store.get(session_id) is None


async def test_pause_then_resume_shows_the_same_stage_with_the_same_buttons(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)
    await discord_prep.say(thread_id, SITUATION[0])
    before = discord_prep.last_in(thread_id)

    await discord_prep.press(before, "pause")
    paused = (await parley_app.prep.store.get(session_id)).status
    await discord_prep.prep("resume")

    after = discord_prep.last_in(thread_id)
    assert paused == PAUSED
    assert after.content.split("**1.** ")[1] == before.content.split("**1.** ")[1]
    assert after.custom_ids == before.custom_ids


async def test_two_users_answering_at_once_never_see_each_others_answers(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    users = (USER_ID, OTHER_USER_ID)
    await discord_prep.fire(
        *(
            discord_prep.prep_payload("start", user_id=u, counterpart=COUNTERPART, topic=TOPIC)
            for u in users
        )
    )
    threads: dict[int, tuple[int, str]] = {}
    for thread_id in discord_prep.state.threads:
        session = await parley_app.prep.find_by_channel(f"discord-thread:{thread_id}")
        threads[int(session.owner.split(":")[1])] = (thread_id, session.id)

    for n in range(3):
        for user, (thread_id, _) in threads.items():
            await discord_prep.say(thread_id, f"user {user} answer {n}", user_id=user)

    assert sorted(threads) == sorted(users)
    for user, (_, session_id) in threads.items():
        stored = [a.text for a in await parley_app.prep.store.answers(session_id)]
        assert stored == [f"user {user} answer {n}" for n in range(3)]


async def test_session_options_autocomplete_with_the_users_own_sessions(
    discord_prep: PrepDiscord,
) -> None:
    _, mine = await start(discord_prep)
    await start(discord_prep, user_id=OTHER_USER_ID)
    payload = discord_prep.prep_payload("resume", session="")
    payload["type"] = 4
    payload["data"]["options"][0]["options"][0]["focused"] = True

    await discord_prep.fire(payload)

    choices = discord_prep.sent(INTERACTION_CALLBACK)[-1].json["data"]["choices"]
    assert [c["value"] for c in choices] == [mine]


async def test_finish_lists_what_is_open_and_the_confirm_button_writes_the_brief(
    discord_prep: PrepDiscord, parley_app: Any
) -> None:
    thread_id, session_id = await start(discord_prep)
    await discord_prep.press(discord_prep.last_in(thread_id), "next")
    for answer in STAKES[:3]:
        await discord_prep.say(thread_id, answer)

    await discord_prep.press(discord_prep.last_in(thread_id), "finish")
    listing = discord_prep.last_in(thread_id)
    await discord_prep.press(listing, "confirm")

    assert "- Not answered: Situation · What you want." in listing.content
    assert "confirm" in actions_of(listing)
    session = await parley_app.prep.store.get(session_id)
    assert session is not None and session.status == FINISHED
    assert any(u.filename == f"prep-{session_id}-brief.md" for u in discord_prep.uploads)
