"""Prep sessions through the service: real coach, real Chroma, real SQLite."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import build_app
from bot.prep.ledger import ESCROW, LEGAL, SHARED, TRUST_ONLY, WARRANTY, YOU
from bot.prep.models import (
    ACTIVE,
    FINISHED,
    PAUSED,
    NotSessionOwner,
    PrepError,
    RiskInput,
    SessionNotFound,
)
from bot.prep.service import PrepService
from bot.prep.store import PrepStore
from bot.storage.database import Database, DatabaseUnavailable
from tests.prep.conftest import Clock
from tests.prep.scenario import (
    ALTERNATIVES,
    COUNTERPART,
    SITUATION,
    STAKES,
    TOPIC,
    TRUST_AUDIT,
    play,
)

OWNER = "terminal:alice"
TRUSTING = "He seems honest, so he will fix it."


async def started(prep: PrepService, owner: str = OWNER) -> str:
    return (await prep.start(owner, COUNTERPART, TOPIC)).session_id


async def test_a_session_opens_at_stage_one_with_a_cited_question(prep: PrepService) -> None:
    reply = await prep.start(OWNER, COUNTERPART, TOPIC)

    assert (reply.stage_number, reply.stage_count, reply.stage_title) == (1, 7, "Situation")
    assert reply.header == "What you want, and by when."
    (question,) = reply.questions
    assert "the landlord" in question.text
    assert question.passage.title and question.passage.chunk_id  # grounded in the knowledge base
    assert reply.actions == ("back", "next", "skip", "pause", "finish", "risk")


async def test_each_answer_is_in_the_database_the_moment_it_is_acknowledged(
    prep: PrepService, parley_app: Any
) -> None:
    session_id = await started(prep)
    other = Database(parley_app.settings.sqlalchemy_url)  # another process's view of the file
    try:
        for n, line in enumerate(SITUATION, start=1):
            await prep.answer(session_id, OWNER, line)
            stored = await PrepStore(other).answers(session_id)
            assert [a.text for a in stored] == SITUATION[:n]
    finally:
        await other.close()


async def test_an_answer_leaning_on_trust_gets_cited_follow_ups_before_the_stage_can_close(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    await prep.answer(session_id, OWNER, SITUATION[0])

    reply = await prep.answer(session_id, OWNER, TRUSTING)

    assert reply.follow_up and 1 <= len(reply.questions) <= 2
    assert all(q.passage.text for q in reply.questions)
    assert any('"seems honest"' in n for n in reply.notices)
    refused = await prep.act(session_id, OWNER, "next")
    assert refused.refused and refused.stage_number == 1
    assert "answer the follow-up" in refused.notices[0]


async def test_a_plain_answer_to_the_follow_up_closes_it(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, [SITUATION[0], TRUSTING])

    reply = await prep.answer(
        session_id, OWNER, "If the boiler is not fixed by November, rent drops 20%."
    )

    assert not reply.follow_up
    moved = await prep.act(session_id, OWNER, "next")
    assert (moved.refused, moved.stage_title) == (False, "Stakes")


async def test_a_they_will_assumption_becomes_a_ledger_risk_covered_only_by_trust(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next", "/next", "/next"])

    reply = await prep.answer(session_id, OWNER, TRUST_AUDIT[0])

    assert not reply.follow_up  # the stage's own next question audits it
    assert reply.questions[0].text.startswith(
        "Suppose the landlord does not replace the boiler before 1 November."
    )  # the "they will…" read back as broken, not pasted in quotes
    (row,) = reply.ledger
    assert row.risk == "Not kept: replace the boiler before 1 November"  # not the whole sentence
    assert (row.mechanism_kind, row.assumption) == (TRUST_ONLY, 0)


async def test_risk_allocation_answers_fill_the_ledger_row(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next"] * 3 + TRUST_AUDIT[:3] + ["/skip", "/next"])

    reply = await play(
        prep, OWNER, session_id,
        ["Both of us, but mostly me.", "A fixed rent in the lease, with arbitration if he breaks it."],
    )  # fmt: skip

    (row,) = reply.ledger
    assert (row.bearer_kind, row.mechanism_kind) == (SHARED, LEGAL)
    assert "what risk is left over" in reply.questions[0].text


async def test_a_trust_only_mechanism_answer_is_followed_up_and_a_better_one_replaces_it(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next"] * 3 + TRUST_AUDIT[:3] + ["/skip", "/next", "me"])

    leaning = await prep.answer(session_id, OWNER, "He seems honest, so I'll trust him on that.")
    assert leaning.follow_up and leaning.ledger[0].mechanism_kind == TRUST_ONLY
    covered = await prep.answer(session_id, OWNER, "Arbitration clause in the lease.")

    assert (covered.ledger[0].bearer_kind, covered.ledger[0].mechanism_kind) == (YOU, LEGAL)


@pytest.mark.parametrize(
    ("lines", "expected_title", "expected_notice"),
    [
        (["/skip"], "Situation", "Skipped"),
        (["/next", "/skip"], "Stakes", "Skipped"),
        (["/next", STAKES[0], "/skip"], "Stakes", "write down the landlord's side"),
        (["/back"], "Situation", "first stage"),
        (["/next"] * 6 + ["/next"], "Commitments", "last stage"),
    ],
    ids=[
        "skip a question",
        "skip another",
        "perspective cannot be skipped",
        "back at the start",
        "next at the end",
    ],
)
async def test_buttons_move_the_session_or_say_why_not(
    prep: PrepService, lines: list[str], expected_title: str, expected_notice: str
) -> None:
    session_id = await started(prep)

    reply = await play(prep, OWNER, session_id, lines)

    assert reply.stage_title == expected_title
    assert expected_notice in " ".join(reply.notices)


async def test_back_returns_to_what_was_skipped(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/skip", "/next"])

    reply = await prep.act(session_id, OWNER, "back")

    assert reply.questions[0].text.startswith("What exactly do you want")


async def test_a_button_from_an_older_message_does_not_move_the_session(prep: PrepService) -> None:
    session_id = await started(prep)
    await prep.act(session_id, OWNER, "next", shown_stage=0)

    stale = await prep.act(session_id, OWNER, "next", shown_stage=0)

    assert stale.refused and stale.stage_title == "Stakes"
    assert "earlier message" in stale.notices[0]


async def test_finish_waits_for_the_other_sides_stakes_and_fears(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, [*SITUATION, "/next", STAKES[0], "/next", "/next"])

    reply = await prep.act(session_id, OWNER, "finish")

    assert reply.refused and reply.brief is None
    assert reply.stage_title == "Stakes"  # taken back to what is missing
    assert "the landlord's side" in reply.notices[0]
    assert "what does the landlord stand to gain" in reply.questions[0].text


async def test_finish_waits_for_an_open_trust_follow_up(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next", STAKES[0], STAKES[1], STAKES[2], TRUSTING])

    reply = await prep.act(session_id, OWNER, "finish")

    assert reply.refused and reply.follow_up and reply.brief is None


async def test_a_first_finish_lists_what_is_open_and_asks_to_confirm(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next", *STAKES[:3]])

    reply = await prep.act(session_id, OWNER, "finish")

    assert reply.brief is None and reply.session.status != FINISHED
    assert "- Not answered: Situation · What you want." in reply.message
    assert "Press Finish again" in reply.message and reply.actions[0] == "confirm"


@pytest.mark.parametrize("second", ["finish", "confirm"])
async def test_a_second_finish_or_confirm_writes_the_brief_and_closes_the_session(
    prep: PrepService, second: str
) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next", *STAKES[:3], "/finish"])

    reply = await prep.act(session_id, OWNER, second)

    assert reply.brief is not None and reply.brief.png.startswith(b"\x89PNG")
    assert reply.session.status == FINISHED and reply.actions == ()
    with pytest.raises(PrepError, match="finished"):
        await prep.answer(session_id, OWNER, "one more thing")


async def test_an_answer_after_the_listing_makes_finish_list_again(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next", *STAKES[:3], "/finish", STAKES[3]])

    reply = await prep.act(session_id, OWNER, "finish")

    assert reply.brief is None and "still open" in reply.message


async def test_the_brief_opens_with_the_open_items(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next", *STAKES[:3], "/finish", "/finish"])

    brief = (await prep.export(session_id, OWNER)).markdown

    first = next(line for line in brief.splitlines() if line.startswith("## "))
    assert first == "## Open items"
    assert "- Not answered: Alternatives · Walk-away point." in brief


async def test_pause_and_resume_show_the_same_stage_question_and_citation(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    before = await play(prep, OWNER, session_id, ["/next", STAKES[0]])

    paused = await prep.act(session_id, OWNER, "pause")
    resumed = await prep.show(session_id, OWNER)

    assert paused.session.status == PAUSED and not paused.questions
    assert resumed.session.status == ACTIVE
    assert (resumed.stage_title, resumed.questions) == (before.stage_title, before.questions)
    assert resumed.actions == before.actions


async def test_a_crash_loses_nothing_and_a_new_process_resumes_at_the_same_question(
    prep: PrepService, parley_app: Any, embedder: Any
) -> None:
    session_id = await started(prep)
    before = await play(prep, OWNER, session_id, [*SITUATION, "/next", STAKES[0], TRUSTING])
    await parley_app.database.close()  # the process dies: no pause, no goodbye

    restarted = await build_app(parley_app.settings, embedder=embedder, sync_knowledge=False)
    try:
        resumed = await restarted.prep.show(session_id, OWNER)
        stored = await restarted.prep.store.answers(session_id)
    finally:
        await restarted.aclose()

    assert [a.text for a in stored] == [*SITUATION, STAKES[0], TRUSTING]
    assert resumed.follow_up and resumed.questions == before.questions


async def test_a_20000_character_answer_is_saved_cut_with_a_notice_and_nothing_is_lost(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    await prep.answer(session_id, OWNER, SITUATION[0])

    reply = await prep.answer(session_id, OWNER, "It has to be soon. " * 1100)

    stored = await prep.store.answers(session_id)
    assert stored[0].text == SITUATION[0]
    assert len(stored[1].text) <= prep.coach.max_chars
    assert any("I saved the first 4,000" in n for n in reply.notices)


@pytest.mark.parametrize(
    ("risk", "message"),
    [
        (RiskInput(""), "Nothing was saved"),
        (RiskInput("   ", "me", "escrow"), "the risk field was empty"),
    ],
)
async def test_an_empty_risk_is_refused_and_the_ledger_is_unchanged(
    prep: PrepService, risk: RiskInput, message: str
) -> None:
    session_id = await started(prep)
    await prep.save_risk(session_id, OWNER, RiskInput("Boiler not fixed", "me", "escrow"))

    with pytest.raises(PrepError, match=message):
        await prep.save_risk(session_id, OWNER, risk)

    assert [r.risk for r in await prep.store.ledger(session_id)] == ["Boiler not fixed"]


async def test_a_ledger_row_can_be_edited(prep: PrepService) -> None:
    session_id = await started(prep)
    added = await prep.save_risk(session_id, OWNER, RiskInput("Boiler not fixed", "me", "his word"))

    edited = await prep.save_risk(
        session_id,
        OWNER,
        RiskInput("Boiler not fixed", "me", "arbitration", "fees"),
        added.ledger[0].id,
    )

    (row,) = edited.ledger
    assert (row.mechanism_kind, row.residual, edited.notices) == (
        LEGAL,
        "fees",
        ("Risk 1 updated.",),
    )


@pytest.mark.parametrize(
    ("who", "error"),
    [("terminal:mallory", NotSessionOwner), (OWNER, SessionNotFound)],
    ids=["someone else", "deleted"],
)
async def test_only_the_owner_can_use_a_session_and_a_deleted_one_is_gone(
    prep: PrepService, who: str, error: type[Exception]
) -> None:
    session_id = await started(prep)
    if error is SessionNotFound:
        await prep.delete(session_id, OWNER)

    with pytest.raises(error):
        await prep.answer(session_id, who, "hello")


async def test_concurrent_sessions_of_several_users_never_mix(prep: PrepService) -> None:
    owners = [f"discord-user:{n}" for n in range(6)]
    ids = await asyncio.gather(*(started(prep, owner) for owner in owners))

    async def answer_all(owner: str, session_id: str) -> None:
        for line in ALTERNATIVES:
            await prep.answer(session_id, owner, f"{owner}: {line}")

    await asyncio.gather(*(answer_all(o, s) for o, s in zip(owners, ids, strict=True)))

    for owner, session_id in zip(owners, ids, strict=True):
        stored = await prep.store.answers(session_id)
        assert [a.text for a in stored] == [f"{owner}: {line}" for line in ALTERNATIVES]


async def test_idle_sessions_are_warned_then_deleted_and_activity_cancels_it(
    prep: PrepService, clock: Clock
) -> None:
    idle, warning = prep.policy.idle, prep.policy.warning
    session_id = await started(prep)
    assert (await prep.due_for_expiry("terminal:")).warn == []

    clock.advance(seconds=(idle - warning).total_seconds() + 1)
    due = await prep.due_for_expiry("terminal:")
    assert [s.id for s in due.warn] == [session_id] and due.delete == []
    await prep.mark_warned(due.warn[0])

    clock.advance(seconds=warning.total_seconds())
    (expired,) = (await prep.due_for_expiry("terminal:")).delete
    assert await prep.expire(expired)
    with pytest.raises(SessionNotFound):
        await prep.show(session_id, OWNER)


async def test_using_a_warned_session_keeps_it(prep: PrepService, clock: Clock) -> None:
    session_id = await started(prep)
    clock.advance(seconds=prep.policy.idle.total_seconds())
    (warned,) = (await prep.due_for_expiry("terminal:")).warn
    await prep.mark_warned(warned)

    await prep.answer(session_id, OWNER, SITUATION[0])
    clock.advance(seconds=prep.policy.warning.total_seconds() + 1)

    assert (await prep.due_for_expiry("terminal:")).delete == []
    assert not await prep.expire(warned)


async def test_a_missing_database_file_is_reported_and_nothing_is_written_elsewhere(
    prep: PrepService, parley_app: Any
) -> None:
    session_id = await started(prep)
    database_file = parley_app.settings.data_dir / "parley.db"
    database_file.rename(database_file.with_suffix(".moved"))

    with pytest.raises(DatabaseUnavailable, match="is missing") as failure:
        await prep.answer(session_id, OWNER, SITUATION[0])

    assert "not saved" in str(failure.value)
    assert not database_file.exists()


RISK_STAGE = ["/next"] * 3 + TRUST_AUDIT[:3] + ["/skip", "/next"]


async def test_a_follow_up_to_the_residual_never_overwrites_the_residual_or_the_mechanism(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    answers = ["me", "Ten percent held in escrow until the boiler passes its first service."]
    await play(prep, OWNER, session_id, [*RISK_STAGE, *answers])

    leaning = await prep.answer(session_id, OWNER, "The rest I leave to his word, he's honest.")
    assert leaning.follow_up
    after = await prep.answer(session_id, OWNER, "A penalty of 20 pounds a day would help.")

    (row,) = after.ledger
    assert row.residual == "The rest I leave to his word, he's honest."
    assert (row.mechanism, row.mechanism_kind) == (answers[1], ESCROW)


async def test_a_bearer_answer_that_names_a_mechanism_fills_that_column_too(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, RISK_STAGE)

    reply = await prep.answer(
        session_id, OWNER, "It lands on me, but a 12-month warranty covers it."
    )

    (row,) = reply.ledger
    assert (row.bearer_kind, row.mechanism_kind) == (YOU, WARRANTY)
    assert "what risk is left over" in reply.questions[0].text  # the mechanism was answered


async def test_a_free_text_risk_in_the_risk_stage_becomes_a_ledger_row(prep: PrepService) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, ["/next"] * 4)

    reply = await prep.answer(
        session_id,
        OWNER,
        "The risk is that the gutters leak; I'd pay, so the agent holds a deposit.",
    )

    (row,) = reply.ledger
    assert (row.risk, row.bearer_kind, row.mechanism_kind) == ("The gutters leak", YOU, ESCROW)


async def test_a_risk_stated_in_another_stage_becomes_a_ledger_row(prep: PrepService) -> None:
    session_id = await started(prep)

    reply = await prep.answer(session_id, OWNER, "My biggest worry is that the flat gets sold.")

    assert [row.risk for row in reply.ledger] == ["The flat gets sold"]


async def test_a_safeguard_refused_on_trust_gets_a_follow_up_and_stays_trust_only(
    prep: PrepService,
) -> None:
    session_id = await started(prep)
    await play(prep, OWNER, session_id, [*RISK_STAGE, "me"])

    reply = await prep.answer(
        session_id, OWNER, "He's reliable, I won't insult him by asking for a penalty clause."
    )

    assert reply.follow_up
    assert reply.ledger[0].mechanism_kind == TRUST_ONLY


async def test_stage_questions_build_on_the_deal_kind_and_earlier_answers(
    prep: PrepService,
) -> None:
    session_id = await started(prep)  # a flat lease: the tenant's kind of deal
    await play(prep, OWNER, session_id, [*SITUATION, "/next"])

    reply = await prep.answer(session_id, OWNER, STAKES[0])

    assert reply.questions[0].text.startswith(
        "Besides a deposit, rent in advance each month, and reasonable care of the property,"
    )  # what a tenant gives, from the catalogue
    assert (
        "a two-year renewal at today's rent"
        in (await prep.store.asked(session_id, "stakes/yours/0"))[0].question.text
    )  # the Situation answer, as a phrase and not in quotes
