"""Divergence rounds: private answers first, then the reveal side by side."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.discuss.data import DiscussData
from bot.discuss.divergence import (
    Answer,
    ReadAnswer,
    Reveal,
    Round,
    RoundClosed,
    compare,
    differences,
    read_answers,
)
from bot.discuss.positions import AT_ONCE, STAGED
from bot.exts.discuss import reveal_messages
from bot.settings import REPO_ROOT
from tests.discord.discord_fakes import GUILD_ID, TEXT_CHANNEL_ID
from tests.discuss.conftest import running_bot
from tests.discuss.team_fakes import (
    ADMIN,
    ANA,
    BO,
    EDIT_MESSAGE,
    MANAGER,
    MANAGER_ROLE_ID,
    MEMBER,
    MODAL,
    UPDATE_MESSAGE,
    FakeClock,
    RoleOption,
    TeamDiscord,
    form_labels,
)

DATA = DiscussData.load(REPO_ROOT / "prompts" / "discuss" / "discussion.yaml")
CASE = "A private seller offers a used car; the buyer likes him. Would you pay today?"

TRUSTING = "The seller seems honest, so I'd pay him today."
CAREFUL = "I'd pay only after an inspection, with the money held in escrow."
PROMISED = "He gave his word that the car was never crashed, so that settles it."
INSPECT = "I'd get a mechanic to inspect it before paying."


def answers(*texts: str) -> list[Answer]:
    return [
        Answer(n, name, text) for n, (name, text) in enumerate(zip("ABCD", texts, strict=False))
    ]


def read(reader: Any, *texts: str) -> list[ReadAnswer]:
    return read_answers(reader, answers(*texts), DATA, CASE)


def said(reader: Any, *texts: str) -> list[str]:
    return differences(read(reader, *texts), DATA, "the seller")


def kinds(answer: ReadAnswer) -> set[str]:
    return {m.kind for m in answer.mechanisms}


@pytest.mark.parametrize(
    ("text", "leans_on_trust", "mechanism_kinds"),
    [
        (TRUSTING, True, set()),
        (CAREFUL, False, {"staged performance", "verification/inspection", "escrow/holdback"}),
        (PROMISED, True, set()),
        ("I'd want inspections every quarter.", False, {"verification/inspection"}),
        ("Lift it with snapback if they cheat.", False, {"penalty"}),
        ("A shotgun clause settles any deadlock.", False, {"other mechanism"}),
        ("Put and call options on the partner's stake.", False, {"other mechanism"}),
        ("Agree a transfer-pricing formula first.", False, {"other mechanism"}),
        ("Half now and the rest on delivery.", False, {"staged performance"}),
        ("I'd pay a deposit and the rest later.", False, {"escrow/holdback"}),
        ("The deposit sits in escrow with a solicitor.", False, {"escrow/holdback"}),
        ("He seems honest, so a small deposit is plenty.", True, {"escrow/holdback"}),
        ("Sign the LOI now and sort the earn-out detail in the SPA.", False, set()),
        (
            "Audit rights every quarter and full acceleration if they fire us.",
            False,
            {"verification/inspection", "penalty"},
        ),
        ("Their 5% a week late penalty gets passed straight down to them.", False, {"penalty"}),
        (
            "4% now, another 1.5% in October if efficiency hits 82%.",
            False,
            {"staged performance"},
        ),
        ("There's real goodwill there, monitors can come in later.", True, set()),
        ("An escrow for £1m, the rest we kind of have to trust.", True, {"escrow/holdback"}),
        ("Keep 5% back for 12 months in case of leaks.", False, {"escrow/holdback"}),
        ("If they break it every driver let go gets 12 months' pay.", False, {"penalty"}),
        ("He has to tell the board 7 days before he changes suppliers.", False, {"notice duty"}),
        (
            "They pay the 3.5% in the july payslip first, then we lift the ban.",
            False,
            {"staged performance"},
        ),
        ("The recipes stay owned by the family company.", False, {"other mechanism"}),
        ("Gary did the Hendersons' roof, he's clearly decent. Just pay the 30%.", True, set()),
    ],
    ids=[
        "trust",
        "inspection-and-escrow",
        "promise",
        "plural-inspections",
        "snapback",
        "shotgun-clause",
        "put-and-call",
        "transfer-pricing",
        "rest-on-delivery",
        "deposit-is-held-back",
        "deposit-in-escrow",
        "trust-with-a-deposit",
        "the-earn-out-is-the-deal-not-a-safeguard",
        "terms-listed-are-not-trust",
        "penalty-as-a-consequence",
        "conditional-tranche-with-a-decimal",
        "a-safeguard-put-off-is-no-cover",
        "trust-beside-a-safeguard",
        "a-share-kept-back",
        "months-of-pay-as-a-consequence",
        "days-of-warning",
        "one-side-moves-first",
        "ownership-kept",
        "plain-trust-without-the-word",
    ],
)
def test_each_answer_is_read_by_meaning(
    reader: Any, text: str, leans_on_trust: bool, mechanism_kinds: set[str]
) -> None:
    (answer,) = read(reader, text)

    assert (answer.leans_on_trust, kinds(answer)) == (leans_on_trust, mechanism_kinds)


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        ("No need for intrusive inspections, they signed in good faith.", "inspections"),
        ("We can skip the survey, the agent vouched for it.", "survey"),
        ("I'd get a mechanic to inspect it before paying.", None),
    ],
)
def test_a_dropped_safeguard_is_flagged_and_not_counted_as_cover(
    reader: Any, text: str, dropped: str | None
) -> None:
    (answer,) = read(reader, text)

    assert answer.safeguard_dropped == dropped
    assert all(m.term != dropped for m in answer.mechanisms)


@pytest.mark.parametrize(
    ("text", "off_topic"),
    [
        ("Did anyone watch the match last night?", True),
        ("Let's order pizza for the meeting.", True),
        ("wait are we still doing the offsite in Lisbon or is that cancelled now 😅", True),
        ("has anyone seen my charger lol, the white one", True),
        ("is the 3pm still happening? there's cake if anyone wants", True),
        (TRUSTING, False),
        ("I'd walk away from the car.", False),
    ],
)
def test_answers_about_something_else_are_set_aside(
    reader: Any, text: str, off_topic: bool
) -> None:
    (answer,) = read(reader, text)

    assert answer.off_topic is off_topic


@pytest.mark.parametrize(
    ("text", "sequence", "amounts"),
    [
        ("I'd lift all the sanctions at once.", AT_ONCE, ()),
        ("Lift them in tranches as each step is verified.", STAGED, ()),
        ("40% upfront and the rest on delivery.", STAGED, ("40%",)),
        ("I'd pay the full $12,000 today.", None, ("$12,000",)),
    ],
)
def test_a_position_says_how_much_and_in_what_order(
    reader: Any, text: str, sequence: str | None, amounts: tuple[str, ...]
) -> None:
    (answer,) = read(reader, text)

    assert (answer.position.sequence, answer.position.amounts) == (sequence, amounts)


def test_no_answers_and_one_answer_say_there_is_nothing_to_compare(reader: Any) -> None:
    assert (said(reader), said(reader, TRUSTING)) == (
        [DATA.reveal["none"]],
        [DATA.reveal["single"]],
    )


@pytest.mark.parametrize(
    ("texts", "axis"),
    [
        (("I'd lift the sanctions at once.", "Lift them in tranches."), "sequence"),
        (("40% upfront is fair.", "10% upfront, no more."), "amounts"),
        (("No need for an inspection.", INSPECT), "dropped"),
        ((TRUSTING, CAREFUL), "split"),
        ((TRUSTING, PROMISED), "all_trust"),
        (("I want a warranty.", "Escrow for the price."), "different_mechanisms"),
    ],
)
def test_the_first_difference_is_the_one_of_most_substance(
    reader: Any, texts: tuple[str, ...], axis: str
) -> None:
    found = compare(read(reader, *texts), "the seller")

    assert next(d.axis for d in found if d.axis in DATA.follow_ups) == axis


def test_a_timing_difference_names_who_would_do_what(reader: Any) -> None:
    lines = said(reader, "I'd lift the sanctions at once.", "Lift them in tranches.")

    assert lines[0] == "On timing you differ in substance: A would do it at once, B step by step."


def test_an_amount_difference_quotes_each_persons_figure(reader: Any) -> None:
    lines = said(reader, "40% upfront is fair.", "10% upfront, no more.")

    assert "On how much you differ: A: 40%; B: 10%." in lines


def test_figures_are_compared_only_in_one_unit(reader: Any) -> None:
    lines = said(reader, "40% upfront is fair.", "10% upfront, no more.", "Skip the $600 check.")

    assert "On how much you differ: A: 40%; B: 10%." in lines


def test_mechanisms_are_compared_in_plain_words_not_matched_fragments(reader: Any) -> None:
    lines = said(reader, "Pay half now, the other half when it's done.", "Escrow for the price.")

    assert any("payment in stages" in line and "money held back" in line for line in lines)
    assert not any("half when" in line for line in lines)


def test_an_off_topic_answer_is_set_aside_not_compared(reader: Any) -> None:
    lines = said(reader, TRUSTING, CAREFUL, "Did anyone watch the match last night?")

    assert lines[-1] == "Set aside, as not about the case: C."
    assert not any("C" in line for line in lines[:-1])


def test_differences_are_statements_so_the_one_follow_up_is_the_only_question(
    reader: Any,
) -> None:
    lines = said(reader, TRUSTING, CAREFUL, INSPECT, "No need for an inspection.")

    assert lines and not any(line.rstrip().endswith("?") for line in lines)


def test_there_is_a_follow_up_template_for_every_axis_it_can_pick() -> None:
    assert set(DATA.follow_ups) <= set(DATA.reveal)


# -- through Discord ----------------------------------------------------------------------


async def start_round(fake: TeamDiscord, **options: Any) -> tuple[int, int]:
    """The admin starts a private round; returns (round id, thread id)."""
    await fake.run("discuss", "start", user=ADMIN, mode="private", **options)
    thread_id = fake.threads_opened()[-1]
    buttons = fake.posted_in(thread_id)[-1]
    round_id = int(buttons["components"][0]["components"][0]["custom_id"].rsplit(":", 1)[1])
    return round_id, thread_id


async def answer(fake: TeamDiscord, round_id: int, thread_id: int, who: Any, text: str) -> None:
    await fake.click(f"parley:round:answer:{round_id}", user=who)
    await fake.submit_form(user=who, channel_id=thread_id, what=text)


async def test_starting_a_round_posts_the_prompt_and_two_buttons(
    team_discord: TeamDiscord, clock: FakeClock
) -> None:
    _, thread_id = await start_round(team_discord, minutes=90)

    prompt = team_discord.messages[thread_id]  # the thread opens on the scenario
    questions, buttons = team_discord.posted_in(thread_id)
    assert prompt["content"].startswith("**Discussion: ")
    assert questions["content"].startswith("Talk it through together")
    labels = [c["label"] for c in buttons["components"][0]["components"]]
    assert labels == ["Answer privately", "Close and reveal"]
    deadline = int((clock() + timedelta(minutes=90)).timestamp())
    assert f"<t:{deadline}:f>" in buttons["content"]
    assert f"<@{ADMIN.id}> closes the round" in buttons["content"]


async def test_answer_privately_opens_a_form_and_keeps_the_answer_hidden(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    round_id, thread_id = await start_round(team_discord)
    posted_before = len(team_discord.posted_in(thread_id))

    await team_discord.click(f"parley:round:answer:{round_id}", user=ANA)
    form = (team_discord.callbacks(MODAL)[-1].json or {})["data"]
    await team_discord.submit_form(user=ANA, channel_id=thread_id, what=TRUSTING)

    assert form_labels(form) == ["What would you do, and why?"]
    assert len(team_discord.posted_in(thread_id)) == posted_before  # nothing public yet
    assert team_discord.replies()[-1].startswith("Got your answer.")
    assert [a.text for a in await parley_app.discussions.rounds.answers(round_id)] == [TRUSTING]


async def test_answering_again_replaces_the_earlier_answer_and_shows_it_in_the_form(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    round_id, thread_id = await start_round(team_discord)
    await answer(team_discord, round_id, thread_id, ANA, TRUSTING)

    await team_discord.click(f"parley:round:answer:{round_id}", user=ANA)
    (field,) = [
        c
        for row in (team_discord.callbacks(MODAL)[-1].json or {})["data"]["components"]
        for c in row["components"]
    ]
    await team_discord.submit_form(user=ANA, channel_id=thread_id, what=CAREFUL)

    assert field["value"] == TRUSTING
    assert team_discord.replies()[-1].startswith("Updated your answer.")
    assert [a.text for a in await parley_app.discussions.rounds.answers(round_id)] == [CAREFUL]


@pytest.mark.parametrize(
    ("who", "manager_role", "may_close"),
    [
        (ADMIN, False, True),  # the facilitator
        (MANAGER, True, True),  # the server's manager role
        (MANAGER, False, False),  # the same person before a manager role is set
        (MEMBER, False, False),
    ],
    ids=["facilitator", "manager", "role-not-set", "member"],
)
async def test_only_the_facilitator_and_managers_may_close_a_round(
    team_discord: TeamDiscord, who: Any, manager_role: bool, may_close: bool
) -> None:
    if manager_role:
        await team_discord.run("parley", "config", manager_role=RoleOption(MANAGER_ROLE_ID))
    round_id, _ = await start_round(team_discord)
    team_discord.clear()

    await team_discord.click(f"parley:round:close:{round_id}", user=who)

    assert bool(team_discord.callbacks(UPDATE_MESSAGE)) == may_close
    if not may_close:
        assert team_discord.replies() == [
            f"Only the facilitator, <@{ADMIN.id}>, or a Parley manager can close this round."
        ]


async def test_closing_reveals_the_answers_side_by_side_and_asks_one_question(
    team_discord: TeamDiscord,
) -> None:
    round_id, thread_id = await start_round(team_discord)
    await answer(team_discord, round_id, thread_id, ANA, TRUSTING)
    await answer(team_discord, round_id, thread_id, BO, CAREFUL)
    posted_before = len(team_discord.posted_in(thread_id))

    await team_discord.click(f"parley:round:close:{round_id}", user=ADMIN)

    (update,) = team_discord.callbacks(UPDATE_MESSAGE)
    greyed = update.json["data"]["components"][0]["components"]
    assert all(button["disabled"] for button in greyed)
    side_by_side, summary = team_discord.posted_in(thread_id)[posted_before:]
    (embed,) = side_by_side["embeds"]
    assert [(f["name"], f["value"], f["inline"]) for f in embed["fields"]] == [
        ("Ana · 🤝 leans on trust", TRUSTING, True),
        (
            "Bo · 🔧 names pay only after (staged performance), inspection "
            "(verification/inspection), escrow (escrow/holdback)",
            CAREFUL,
            True,
        ),
    ]
    assert "**Where your assumptions differ**" in summary["content"]
    assert "Leaning on trust: Ana" in summary["content"]
    assert summary["content"].count("**One question for everyone:**") == 1
    assert summary["content"].rstrip().endswith("?")
    assert len(summary["embeds"][0]["fields"]) == 1  # the follow-up's citation


async def test_answer_privately_after_the_round_closed_is_refused(
    team_discord: TeamDiscord,
) -> None:
    round_id, _ = await start_round(team_discord)
    await team_discord.click(f"parley:round:close:{round_id}", user=ADMIN)
    team_discord.clear()

    await team_discord.click(f"parley:round:answer:{round_id}", user=ANA)

    assert not team_discord.callbacks(MODAL)
    assert team_discord.replies() == ["This round has closed; the answers are in the thread."]


async def test_the_follow_up_is_not_one_of_the_prompts_questions(parley_app: Any) -> None:
    discussions = parley_app.discussions
    prompt = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)
    opened = await discussions.open_round(
        guild_id=GUILD_ID, thread_id=1, facilitator_id=1, prompt=prompt, closes_at=None
    )
    await discussions.answer(opened.id, user_id=2, author="Ana", text=TRUSTING)

    reveal = await discussions.close_round(opened.id)

    assert reveal is not None and reveal.follow_up is not None
    assert reveal.follow_up.move_id not in {q.move_id for q in prompt.questions}
    assert await discussions.close_round(opened.id) is None  # only one reveal, ever


async def test_a_closed_round_takes_no_more_answers(parley_app: Any) -> None:
    discussions = parley_app.discussions
    prompt = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)
    opened = await discussions.open_round(
        guild_id=GUILD_ID, thread_id=1, facilitator_id=1, prompt=prompt, closes_at=None
    )
    await discussions.close_round(opened.id)

    with pytest.raises(RoundClosed):
        await discussions.answer(opened.id, user_id=2, author="Ana", text=TRUSTING)


async def test_a_round_reveals_itself_at_its_deadline(
    team_discord: TeamDiscord, clock: FakeClock
) -> None:
    round_id, thread_id = await start_round(team_discord, minutes=30)
    await answer(team_discord, round_id, thread_id, ANA, TRUSTING)
    cog = team_discord.bot.get_cog("Discuss")

    clock.advance(minutes=29)
    await cog.tick()
    assert not team_discord.sent(EDIT_MESSAGE)

    clock.advance(minutes=2)
    await cog.tick()
    await cog.tick()

    (edit,) = team_discord.sent(EDIT_MESSAGE)  # the buttons are greyed out once
    assert all(b["disabled"] for b in edit.json["components"][0]["components"])
    revealed = [m for m in team_discord.posted_in(thread_id) if "side by side:" in m["content"]]
    assert len(revealed) == 1


async def test_buttons_keep_working_after_a_restart(
    parley_app: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(parley_app, monkeypatch) as before:
        round_id, thread_id = await start_round(before)
        message = before.message_with(f"parley:round:answer:{round_id}")

    async with running_bot(parley_app, monkeypatch) as after:
        after.messages[int(message["id"])] = message  # Discord still shows the old message
        after.add_thread(thread_id)
        await answer(after, round_id, thread_id, BO, CAREFUL)

    assert [a.author for a in await parley_app.discussions.rounds.answers(round_id)] == ["Bo"]


def reveal_of(*texts: str) -> Reveal:
    read = [ReadAnswer(f"Member {n}", t, leans_on_trust=False) for n, t in enumerate(texts)]
    closed = Round(1, GUILD_ID, 1, None, 1, "k", "A case", "text", None, (), "closed", None)
    return Reveal(closed, tuple(read), tuple(differences(read, DATA)), None)


def test_many_long_answers_are_spread_over_messages_within_discords_limits() -> None:
    messages = reveal_messages(reveal_of(*["I'd want escrow. " * 58] * 12), DATA)

    *side_by_side, summary = messages
    assert len(side_by_side) > 1 and side_by_side[0][0].startswith("**The answers, side by side")
    for _, embeds in side_by_side:
        (embed,) = embeds
        assert len(embed) <= 6000 and len(embed.fields) <= 25
        assert all(len(f.value) <= 1024 and f.inline for f in embed.fields)
    assert sum(len(e.fields) for _, (e,) in side_by_side) == 12
    assert summary[0].startswith("**Where your assumptions differ**")


def test_a_round_nobody_answered_says_so_without_an_empty_table() -> None:
    (summary,) = reveal_messages(reveal_of(), DATA)

    assert summary[0] == f"**Where your assumptions differ**\n- {DATA.reveal['none']}"
