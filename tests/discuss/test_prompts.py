"""Discussion prompts: a cited scenario and two or three questions about stakes and risk."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.discuss.data import DiscussData
from bot.discuss.scenarios import catalogue, clip_sentences, pick_unseen
from bot.knowledge.store import scopes_for
from bot.settings import REPO_ROOT
from tests.discord.discord_fakes import EPHEMERAL, FOLLOWUP, GUILD_ID, TEXT_CHANNEL_ID
from tests.discuss.team_fakes import ADMIN, START_THREAD, FakeClock, TeamDiscord

DATA = DiscussData.load(REPO_ROOT / "prompts" / "discuss" / "discussion.yaml")


async def test_a_prompt_has_a_cited_short_scenario_and_two_or_three_questions(
    parley_app: Any,
) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)

    assert prompt.scenario.source and prompt.scenario.title
    assert 0 < len(prompt.scenario.text) <= DATA.scenario_chars
    assert 2 <= len(prompt.questions) <= 3
    assert all(q.text.endswith("?") and q.passage.source for q in prompt.questions)


async def test_every_shipped_scenario_asks_about_stakes_or_risk_not_whom_to_trust(
    parley_app: Any,
) -> None:
    scenarios = catalogue(parley_app.knowledge.chunks(), scopes_for(GUILD_ID), DATA)
    discussions = parley_app.discussions
    seen: dict = {}
    events: list[str] = []

    for _ in scenarios:
        prompt = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)
        seen[prompt.scenario.key] = discussions.clock()
        events.append(prompt.scenario.event_key)
        await discussions.remember(GUILD_ID, TEXT_CHANNEL_ID, prompt)
        dimensions = {q.dimension for q in prompt.questions}
        assert dimensions & {"stakes", "risk"}, prompt.scenario.key
        # Nobody in the team said the scenario's words, so none is quoted back at them (a
        # case note's own question may quote the case, with its quotation closed).
        assert not any(re.search(r"when you say", q.text, re.I) for q in prompt.questions)
        assert all(q.text.count('"') % 2 == 0 for q in prompt.questions)
        assert not any(re.search(r"\bdo you trust\b", q.text, re.I) for q in prompt.questions)
        # Citations point past the scenario already on screen.
        assert all(q.passage.chunk_id != prompt.scenario.chunk_id for q in prompt.questions)

    assert len(seen) == len(scenarios)  # no scenario came twice before all had come once
    # A case note and the essay's section on the same event are one event: every event comes
    # once before the other telling of any of them.
    distinct = len({s.event_key for s in scenarios})
    assert len(set(events[:distinct])) == distinct


async def test_the_shipped_knowledge_offers_case_notes_and_essay_scenarios(
    parley_app: Any,
) -> None:
    keys = {s.key for s in catalogue(parley_app.knowledge.chunks(), scopes_for(None), DATA)}

    assert "global:used-car-purchase" in keys
    assert "global:essay-digest#the-used-car-haggling-over-price-and-over-risk" in keys
    notes = len(list((REPO_ROOT / "knowledge" / "cases").glob("*.md")))
    assert len(keys) == notes + len(DATA.essay_sections)


async def test_channels_remember_what_they_discussed_separately(
    parley_app: Any, clock: FakeClock
) -> None:
    discussions = parley_app.discussions
    first = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)
    await discussions.remember(GUILD_ID, TEXT_CHANNEL_ID, first)

    again = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)
    elsewhere = await discussions.prompt(
        GUILD_ID, channel_that_would_pick(first.scenario.key, parley_app)
    )

    assert again.scenario.key != first.scenario.key
    assert elsewhere.scenario.key == first.scenario.key  # another channel has not discussed it


def channel_that_would_pick(key: str, parley_app: Any) -> int:
    """A channel id whose own order starts with the scenario ``key``."""
    scenarios = catalogue(parley_app.knowledge.chunks(), scopes_for(GUILD_ID), DATA)
    return next(c for c in range(1, 10_000) if pick_unseen(scenarios, {}, c).key == key)


@pytest.mark.parametrize(
    ("topic", "kinds"),
    [
        ("a landlord who promises to fix the boiler", {"residential-tenant"}),
        ("hiding a lawsuit when selling a company", {"selling-a-business"}),
        ("inspectors watching missiles being destroyed", {"arms-control"}),
        (
            "paying a builder before the work is done",
            {"contractor-renovation", "construction-project"},
        ),
    ],
)
async def test_a_topic_brings_a_case_of_its_kind_of_deal(
    parley_app: Any, topic: str, kinds: set[str]
) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID, topic)

    assert prompt.scenario.kind in kinds and not prompt.scenario.composed


async def test_a_topic_the_channel_already_discussed_brings_a_runner_up(
    parley_app: Any, clock: FakeClock
) -> None:
    discussions = parley_app.discussions
    topic = "a landlord who promises to fix the boiler"
    first = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID, topic)
    await discussions.remember(GUILD_ID, TEXT_CHANNEL_ID, first)

    second = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID, topic)

    assert second.scenario.key != first.scenario.key


async def test_once_every_scenario_is_used_the_oldest_comes_round_again(
    parley_app: Any, clock: FakeClock
) -> None:
    scenarios = catalogue(parley_app.knowledge.chunks(), scopes_for(None), DATA)
    seen = {s.key: clock() for s in scenarios}
    oldest = scenarios[5]
    seen[oldest.key] = clock().replace(year=2020)

    assert pick_unseen(scenarios, seen, TEXT_CHANNEL_ID) == oldest


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("One. Two. Three.", 100, "One. Two. Three."),
        ("One sentence here. Another one there.", 25, "One sentence here."),
        ("A single very long sentence without a stop", 20, "A single very long …"),
        # A closing quote stays with its sentence.
        ('He said, "We will fix it." Then he left town.', 30, 'He said, "We will fix it."'),
        # A cut inside a quotation goes back to before it opened.
        ('It opens. He said, "fix it. Soon." Done.', 24, "It opens."),
        ('Long words and "a quote that never ends before the limit', 30, "Long words and …"),
    ],
)
def test_scenarios_are_cut_at_a_sentence_end(text: str, limit: int, expected: str) -> None:
    assert clip_sentences(text, limit) == expected


async def test_discuss_prompt_opens_a_thread_on_the_scenario_with_the_questions_inside(
    team_discord: TeamDiscord,
) -> None:
    await team_discord.run("discuss", "prompt", user=ADMIN)

    (thread_id,) = team_discord.threads_opened()
    (start,) = team_discord.sent(START_THREAD)
    scenario, questions = team_discord.messages[thread_id], team_discord.posted_in(thread_id)[0]
    assert int(start.args["channel_id"]) == TEXT_CHANNEL_ID
    assert scenario["content"].startswith("**Discussion: ")
    assert re.search(r"^> \S", scenario["content"], re.M)  # the scenario is quoted
    assert re.search(r"^-# Scenario from \S", scenario["content"], re.M)  # and cited
    numbers = re.findall(r"^\*\*(\d)\.\*\* ", questions["content"], re.M)
    assert numbers in (["1", "2"], ["1", "2", "3"])
    (citations,) = questions["embeds"]
    assert len(citations["fields"]) == len(numbers)
    (reply,) = team_discord.sent(FOLLOWUP)
    assert reply.json["content"] == f"Started a discussion in <#{thread_id}>."
    assert reply.json["flags"] & EPHEMERAL
