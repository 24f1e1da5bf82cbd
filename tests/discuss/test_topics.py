"""A typed topic finds its situation: the kind of deal, the team's own seat, a fitting scenario.

The table in tests/discuss/data/topics.yaml lists topics a team would type and the case notes
that fit each; topics no case fits must be composed from the catalogue or refused, never
handed an unrelated case.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.discuss.data import DiscussData
from bot.discuss.questions import Draft, repeats
from bot.discuss.scenarios import NoScenario, balanced, catalogue
from bot.discuss.setting import RELEVANCE_FLOOR
from bot.knowledge.store import is_guide, scopes_for
from bot.settings import REPO_ROOT
from tests.discord.discord_fakes import GUILD_ID

DATA = DiscussData.load(REPO_ROOT / "prompts" / "discuss" / "discussion.yaml")
TABLE = yaml.safe_load((Path(__file__).parent / "data" / "topics.yaml").read_text())["topics"]
FITTING = [row for row in TABLE if row["kinds"]]
UNFITTING = [row for row in TABLE if not row["kinds"]]
SEATED = [row for row in TABLE if row.get("side")]
DIPLOMACY = [
    "ceasefire monitoring",
    "a summit between two presidents",
    "sanctions relief in return for inspections",
    "tariff talks with a trading partner",
    "verifying missile reductions",
]
COMMERCE_WORDS = re.compile(r"\b(?:payment|invoice|delivery|supplier|refund|deposit)\b", re.I)


_CHANNELS = itertools.count(9_000_000)


@pytest.fixture
def channel() -> int:
    """A channel of its own: the app (and its rotation memory) is shared by the session."""
    return next(_CHANNELS)


@pytest.mark.parametrize("row", FITTING, ids=lambda r: r["topic"])
async def test_a_topic_brings_a_case_that_fits_it(parley_app: Any, channel: int, row: dict) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, channel, row["topic"])

    assert prompt.scenario.kind in row["kinds"]
    assert not prompt.scenario.composed


@pytest.mark.parametrize("row", UNFITTING, ids=lambda r: r["topic"])
async def test_a_topic_no_case_fits_is_composed_or_refused_never_borrowed(
    parley_app: Any, channel: int, row: dict
) -> None:
    try:
        prompt = await parley_app.discussions.prompt(GUILD_ID, channel, row["topic"])
    except NoScenario as refused:
        assert row["topic"] in str(refused)
        return
    kind = parley_app.discussions.coach.reader.read(row["topic"]).deal.evident_first
    if prompt.scenario.key.startswith("topic:"):
        # No kind of deal either: the team's own words are the scenario.
        assert kind is None and prompt.scenario.composed
        return
    # The reader found a kind of deal: its own case, or a scenario composed for it.
    assert prompt.scenario.kind == kind


@pytest.mark.parametrize(
    "topic",
    [
        "our choir is swapping rehearsal space with a dance school, they swear they'll leave it tidy",
        "location owner for the shoot is nervous about damage",
    ],
)
async def test_a_topic_nothing_fits_becomes_its_own_scenario_citing_no_other_case(
    parley_app: Any, channel: int, topic: str
) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, channel, topic)

    assert prompt.scenario.key.startswith("topic:") and topic.rstrip(".") in prompt.scenario.text
    assert prompt.questions
    assert all(not q.passage.case_kind for q in prompt.questions)


async def test_a_topic_of_a_word_or_two_that_nothing_fits_is_refused(
    parley_app: Any, channel: int
) -> None:
    with pytest.raises(NoScenario, match="origami cranes"):
        await parley_app.discussions.prompt(GUILD_ID, channel, "origami cranes")


@pytest.mark.parametrize("row", SEATED, ids=lambda r: r["topic"])
async def test_the_team_argues_from_its_own_side(parley_app: Any, channel: int, row: dict) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, channel, row["topic"])
    side, counterpart = prompt.scenario.perspective.side, prompt.scenario.perspective.counterpart

    assert re.search(rf"\b{row['side']}", side, re.I)
    assert not re.search(rf"\b{row['side']}", counterpart or "", re.I)


def test_the_floor_sits_above_every_unrelated_match_in_the_table(parley_app: Any) -> None:
    retriever, chunks = parley_app.retriever, {c.id: c for c in parley_app.knowledge.chunks()}
    unrelated = []
    for row in TABLE:
        for hit in retriever.search(row["topic"], 24, scopes=scopes_for(GUILD_ID)):
            meta = chunks[hit.chunk_id].meta
            kind = meta.get("case_kind", "")
            if kind and kind not in row["kinds"] and not is_guide(meta):
                unrelated.append((hit.score, row["topic"], kind))

    assert max(unrelated) < (RELEVANCE_FLOOR, "", "")


async def test_different_topics_do_not_collapse_onto_one_prompt(
    parley_app: Any, channel: int
) -> None:
    keys = [
        (await parley_app.discussions.prompt(GUILD_ID, channel, row["topic"])).scenario.key
        for row in FITTING
    ]
    assert len(set(keys)) == len(keys)


async def test_a_topic_naming_a_scenario_by_its_title_brings_it(
    parley_app: Any, channel: int
) -> None:
    prompt = await parley_app.discussions.prompt(
        GUILD_ID, channel, "Bush and Putin at Brdo Castle, Slovenia (2001)"
    )

    assert prompt.scenario.key == "global:bush-putin-slovenia-2001"


async def test_a_cofounder_leaving_never_lands_on_diplomacy(parley_app: Any, channel: int) -> None:
    discussions = parley_app.discussions
    for _ in range(4):  # the case, then the composed scenarios on its risks
        prompt = await discussions.prompt(GUILD_ID, channel, "our cofounder wants to leave")
        await discussions.remember(GUILD_ID, channel, prompt)

        assert prompt.scenario.kind == "cofounders"
        assert not re.search(r"\b(?:president|summit|Putin)\b", prompt.scenario.text)


async def test_once_the_kinds_cases_are_used_the_topic_gets_a_composed_scenario(
    parley_app: Any, channel: int
) -> None:
    discussions = parley_app.discussions
    topic = "our cofounder wants to leave"
    cases = {
        s.key
        for s in catalogue(parley_app.knowledge.chunks(), scopes_for(GUILD_ID), DATA)
        if s.kind == "cofounders"
    }
    for _ in cases:
        shown = await discussions.prompt(GUILD_ID, channel, topic)
        await discussions.remember(GUILD_ID, channel, shown)
        assert shown.scenario.key in cases

    composed = (await discussions.prompt(GUILD_ID, channel, topic)).scenario

    assert composed.composed and composed.kind == "cofounders"
    assert "composed scenario" in composed.text and "composed scenario" in composed.source
    assert topic in composed.text  # the team's own words frame it
    assert composed.perspective.side == "the founder"
    assert balanced(composed.text) and len(composed.text) <= DATA.scenario_chars


@pytest.mark.parametrize("topic", DIPLOMACY)
async def test_diplomacy_gets_no_commercial_questions(
    parley_app: Any, channel: int, topic: str
) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, channel, topic)

    assert not [q.text for q in prompt.questions if COMMERCE_WORDS.search(q.text)]


@pytest.mark.parametrize("row", FITTING[:12], ids=lambda r: r["topic"])
async def test_three_questions_move_to_stakes_risk_and_a_choice(
    parley_app: Any, channel: int, row: dict
) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, channel, row["topic"])
    questions = prompt.questions

    assert len(questions) == 3
    assert questions[-1].dimension == "mechanism"
    assert re.search(r"\b(?:rather|hold out)\b.+\bor\b.+\bswitch\?$", questions[-1].text)
    assert {q.dimension for q in questions[:2]} & {"stakes", "risk"}
    # The case note's own questions are the sharpest: at least one of them is asked.
    assert any(q.text in prompt.scenario.questions for q in questions)
    assert len({q.passage.chunk_id for q in questions}) == 3  # three different citations


@pytest.mark.parametrize("row", FITTING[:8], ids=lambda r: r["topic"])
async def test_sources_and_citations_read_as_titles(
    parley_app: Any, channel: int, row: dict
) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, channel, row["topic"])
    titles = [q.passage.title for q in prompt.questions]

    assert "http" not in prompt.scenario.source
    assert all(" " in t and "http" not in t for t in titles), titles


@pytest.mark.parametrize(
    ("scenario", "side", "counterpart"),
    [
        ("You are management at a bottling plant. The union is asking for 7%.", "management",
         "the union"),
        ("Northwind, a 35-person startup, has a £24m offer and an earn-out from a competitor.",
         None, None),
    ],
    ids=["you-are-management", "the-scenario-opens-with-the-team"],
)  # fmt: skip
async def test_a_written_scenario_seats_the_team_as_it_says(
    parley_app: Any, scenario: str, side: str | None, counterpart: str | None
) -> None:
    seen = parley_app.discussions.perspective_of(scenario)

    assert seen.counterpart and not scenario.startswith(seen.counterpart)
    assert counterpart is None or seen.counterpart == counterpart
    assert side is None or seen.side == side


@pytest.mark.parametrize("row", FITTING, ids=lambda r: r["topic"])
async def test_no_two_questions_of_a_prompt_ask_the_same_thing(
    parley_app: Any, channel: int, row: dict
) -> None:
    prompt = await parley_app.discussions.prompt(GUILD_ID, channel, row["topic"])
    drafts = [Draft(q.text, q.dimension, "") for q in prompt.questions]

    assert not any(repeats(d, drafts[:n]) for n, d in enumerate(drafts))
