"""A server's notes stay in that server: never in another's retrieval, prompts, rounds or briefs.

Each surface is checked both ways: the note shows up in its own server (so the check can see
it at all) and never in the other one.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.discuss.data import DiscussData
from bot.discuss.scenarios import NoScenario, catalogue
from bot.knowledge.store import GLOBAL_SCOPE, scopes_for
from bot.settings import REPO_ROOT
from tests.discord.discord_fakes import GUILD_ID, TEXT_CHANNEL_ID
from tests.discuss.team_fakes import MEMBER, OTHER_CHANNEL_ID, OTHER_GUILD_ID, TeamDiscord

HOME, AWAY = GUILD_ID, OTHER_GUILD_ID
MARK = "ZX-4417"  # in the note's text only: no query or answer says it
NOTE_TITLE = "Zephyr Freight hive rental, file ZX-4417"
# A trade no kind in the catalogue covers, so no deal guide outranks the note where it fits.
NOTE = (
    "Case file ZX-4417. Zephyr Freight rents out bee hives to orchards in Valparaiso. Its manager "
    "promised the hives were certified and healthy, so the orchard signed without an inspection "
    "and paid six months of hive rental upfront. Zephyr Freight went bankrupt in the fourth month."
)
QUERY = (
    "We rent bee hives for our orchards in Valparaiso from Zephyr Freight; their manager promised "
    "the hives are certified, so we will pay the hive rental upfront without an inspection."
)
DATA = DiscussData.load(REPO_ROOT / "prompts" / "discuss" / "discussion.yaml")

Surface = Callable[[Any, int], Awaitable[str]]


async def retrieval(app: Any, guild: int) -> str:
    passages = app.retriever.search(QUERY, 8, scopes=scopes_for(guild))
    return " ".join(f"{p.title} {p.text}" for p in passages)


async def coaching_turn(app: Any, guild: int) -> str:
    turn = await app.coach.ask(QUERY, scopes=scopes_for(guild))
    return json.dumps(turn.to_json())


async def prompt_on_the_topic(app: Any, guild: int) -> str:
    try:
        prompt = await app.discussions.prompt(guild, TEXT_CHANNEL_ID, QUERY)
    except NoScenario as refused:  # nothing in this server fits the topic: a fair answer
        return str(refused)
    cited = " ".join(f"{q.passage.title} {q.passage.text}" for q in prompt.questions)
    return f"{prompt.scenario.title} {prompt.scenario.text} {cited}"


async def every_prompt_without_a_topic(app: Any, guild: int) -> str:
    shown = []
    count = len(catalogue(app.knowledge.chunks(), scopes_for(guild), DATA))
    for _ in range(count):
        prompt = await app.discussions.prompt(guild, TEXT_CHANNEL_ID)
        await app.discussions.remember(guild, TEXT_CHANNEL_ID, prompt)
        shown.append(f"{prompt.scenario.title} {prompt.scenario.text}")
    return " ".join(shown)


async def round_follow_up(app: Any, guild: int) -> str:
    try:
        prompt = await app.discussions.prompt(guild, TEXT_CHANNEL_ID, QUERY)
    except NoScenario as refused:
        return str(refused)
    opened = await app.discussions.open_round(
        guild_id=guild, thread_id=1, facilitator_id=1, prompt=prompt, closes_at=None
    )
    await app.discussions.answer(opened.id, user_id=2, author="Ana", text=QUERY)
    reveal = await app.discussions.close_round(opened.id)
    question = reveal.follow_up
    return f"{question.passage.title} {question.passage.text}" if question else ""


async def prep_brief(app: Any, guild: int) -> str:
    topic = "renting certified bee hives in Valparaiso from Zephyr Freight"
    reply = await app.prep.start("tester", "Zephyr Freight", topic, scopes=scopes_for(guild))
    session = reply.session.id
    for text in (QUERY, "Certified hives in Valparaiso by March, paid for upfront."):
        await app.prep.answer(session, "tester", text)
    return (await app.prep.export(session, "tester")).markdown


SURFACES = [
    retrieval,
    coaching_turn,
    prompt_on_the_topic,
    every_prompt_without_a_topic,
    round_follow_up,
    prep_brief,
]


@pytest.fixture
async def note_at_home(parley_app: Any) -> Any:
    """The home server keeps a note the other server must never see."""
    await parley_app.notes.add_text(HOME, title=NOTE_TITLE, text=NOTE)
    return parley_app


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.__name__)
async def test_a_servers_note_never_reaches_another_server(
    note_at_home: Any, surface: Surface
) -> None:
    assert MARK in await surface(note_at_home, HOME)
    assert MARK not in await surface(note_at_home, AWAY)


async def test_without_a_server_only_the_shared_knowledge_is_read(note_at_home: Any) -> None:
    assert scopes_for(None) == (GLOBAL_SCOPE,)
    assert MARK not in await retrieval(note_at_home, None)  # type: ignore[arg-type]


async def test_notes_list_shows_only_the_servers_own_notes(
    team_discord: TeamDiscord, note_at_home: Any
) -> None:
    await team_discord.run("notes", "list", user=MEMBER)
    await team_discord.run("notes", "list", user=MEMBER, channel_id=OTHER_CHANNEL_ID)

    home, away = team_discord.replies()
    assert NOTE_TITLE in home
    assert away == "This server has no case notes yet. Managers can add one with /notes add."


async def test_a_note_cannot_be_shown_or_removed_from_another_server(
    team_discord: TeamDiscord, note_at_home: Any
) -> None:
    name = "zephyr-freight-hive-rental-file-zx-4417"
    await team_discord.run("notes", "show", name=name, channel_id=OTHER_CHANNEL_ID)
    await team_discord.run("notes", "remove", name=name, channel_id=OTHER_CHANNEL_ID)

    refusal = f"This server has no note called {name!r}; see /notes list."
    assert team_discord.replies() == [refusal, refusal]
    assert [n.name for n in await note_at_home.notes.list(HOME)] == [name]
