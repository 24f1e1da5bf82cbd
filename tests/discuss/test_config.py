"""Per-server settings: who manages Parley, where it coaches, and whether /ask is private."""

from __future__ import annotations

from typing import Any

import pytest

from bot.discuss.config import ConfigChange, ServerConfig, ServerConfigStore
from bot.storage.database import Database
from tests.discord.discord_fakes import (
    EPHEMERAL,
    FOLLOWUP,
    GUILD_ID,
    INTERACTION_CALLBACK,
    SEND_MESSAGE,
    START_THREAD,
    TEXT_CHANNEL_ID,
)
from tests.discuss.team_fakes import (
    ADMIN,
    MANAGER,
    MANAGER_ROLE_ID,
    MEMBER,
    OTHER_CHANNEL_ID,
    SECOND_CHANNEL_ID,
    ChannelOption,
    RoleOption,
    TeamDiscord,
)

SITUATION = "The seller seems honest, so I'll skip the inspection of the used car."
COACH_HERE = f"On this server I coach in <#{SECOND_CHANNEL_ID}>. Ask me there."


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (ConfigChange(), ServerConfig(1)),
        (ConfigChange(manager_role_id=7), ServerConfig(1, manager_role_id=7)),
        (ConfigChange(add_channel_id=5), ServerConfig(1, coach_channel_ids=frozenset({5}))),
        (ConfigChange(ephemeral_answers=True), ServerConfig(1, ephemeral_answers=True)),
    ],
)
def test_a_change_sets_only_what_it_names(change: ConfigChange, expected: ServerConfig) -> None:
    assert change.apply(ServerConfig(1)) == expected


@pytest.mark.parametrize(
    ("change", "expected_channels", "expected_role"),
    [
        (ConfigChange(remove_channel_id=5), {6}, 7),
        (ConfigChange(all_channels=True), set(), 7),
        (ConfigChange(all_channels=True, add_channel_id=8), {8}, 7),
        (ConfigChange(clear_manager_role=True), {5, 6}, None),
    ],
)
def test_channels_and_roles_can_be_taken_back(
    change: ConfigChange, expected_channels: set[int], expected_role: int | None
) -> None:
    before = ServerConfig(1, manager_role_id=7, coach_channel_ids=frozenset({5, 6}))

    after = change.apply(before)

    assert (set(after.coach_channel_ids), after.manager_role_id) == (
        expected_channels,
        expected_role,
    )


@pytest.mark.parametrize(
    ("is_admin", "roles", "allowed"),
    [(True, [], True), (False, [7], True), (False, [8], False), (False, [], False)],
)
def test_admins_and_the_manager_role_may_manage(
    is_admin: bool, roles: list[int], allowed: bool
) -> None:
    config = ServerConfig(1, manager_role_id=7)

    assert config.may_manage(is_admin=is_admin, role_ids=roles) == allowed


async def test_settings_are_kept_in_the_database(parley_app: Any) -> None:
    await parley_app.servers.update(GUILD_ID, ConfigChange(manager_role_id=7, add_channel_id=5))

    restarted = Database(parley_app.settings.sqlalchemy_url)
    await restarted.connect()
    try:
        stored = await ServerConfigStore(restarted).get(GUILD_ID)
    finally:
        await restarted.close()
    assert stored == ServerConfig(GUILD_ID, manager_role_id=7, coach_channel_ids=frozenset({5}))


async def test_an_admin_sets_the_manager_role_channels_and_privacy(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    await team_discord.run(
        "parley",
        "config",
        manager_role=RoleOption(MANAGER_ROLE_ID),
        add_coach_channel=ChannelOption(SECOND_CHANNEL_ID),
        ephemeral_answers=True,
    )

    assert await parley_app.servers.get(GUILD_ID) == ServerConfig(
        GUILD_ID, MANAGER_ROLE_ID, frozenset({SECOND_CHANNEL_ID}), True
    )
    assert team_discord.replies() == [
        "**Parley's settings on this server**\n"
        f"- Notes and schedules are managed by server admins and members with the <@&{MANAGER_ROLE_ID}> role.\n"
        f"- I coach in <#{SECOND_CHANNEL_ID}>.\n"
        "- Answers to /ask are shown only to the person asking."
    ]


@pytest.mark.parametrize("who", [MANAGER, MEMBER], ids=["manager", "member"])
async def test_only_admins_change_the_settings(
    team_discord: TeamDiscord, parley_app: Any, who: Any
) -> None:
    await team_discord.run("parley", "config", manager_role=RoleOption(MANAGER_ROLE_ID))
    team_discord.clear()

    await team_discord.run("parley", "config", user=who, ephemeral_answers=True)

    assert team_discord.replies() == ["Only server admins can change Parley's settings."]
    assert not (await parley_app.servers.get(GUILD_ID)).ephemeral_answers


async def test_settings_of_one_server_leave_the_other_alone(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    await team_discord.run("parley", "config", ephemeral_answers=True)
    await team_discord.run("parley", "config", channel_id=OTHER_CHANNEL_ID)

    assert "shown to everyone" in team_discord.replies()[-1]


async def limit_coaching_to_the_second_channel(fake: TeamDiscord) -> None:
    await fake.run("parley", "config", add_coach_channel=ChannelOption(SECOND_CHANNEL_ID))
    fake.clear()


async def test_ask_outside_the_coach_channels_says_where_to_ask(team_discord: TeamDiscord) -> None:
    await limit_coaching_to_the_second_channel(team_discord)

    await team_discord.run("ask", user=MEMBER, question=SITUATION)

    assert team_discord.replies() == [COACH_HERE]


async def test_ask_in_a_coach_channel_is_answered(team_discord: TeamDiscord) -> None:
    await limit_coaching_to_the_second_channel(team_discord)

    await team_discord.run("ask", user=MEMBER, channel_id=SECOND_CHANNEL_ID, question=SITUATION)

    assert team_discord.calls() == [INTERACTION_CALLBACK, FOLLOWUP]
    assert "**1.**" in team_discord.replies()[-1]


async def test_a_mention_outside_the_coach_channels_opens_no_thread(
    team_discord: TeamDiscord,
) -> None:
    await limit_coaching_to_the_second_channel(team_discord)

    await team_discord.guild_message(SITUATION, mention="bot")

    assert not team_discord.sent(START_THREAD)
    (reply,) = team_discord.sent(SEND_MESSAGE)
    assert int(reply.args["channel_id"]) == TEXT_CHANNEL_ID
    assert reply.json["content"] == COACH_HERE


async def test_other_messages_outside_the_coach_channels_are_left_alone(
    team_discord: TeamDiscord,
) -> None:
    await limit_coaching_to_the_second_channel(team_discord)

    await team_discord.guild_message("Lunch at one?")

    assert team_discord.calls() == []


@pytest.mark.parametrize("private", [True, False])
async def test_ask_answers_privately_when_the_server_wants_it(
    team_discord: TeamDiscord, private: bool
) -> None:
    await team_discord.run("parley", "config", ephemeral_answers=private)
    team_discord.clear()

    await team_discord.run("ask", user=ADMIN, question=SITUATION)

    (defer,), (answer,) = team_discord.sent(INTERACTION_CALLBACK), team_discord.sent(FOLLOWUP)
    thinking_flags = (defer.json.get("data") or {}).get("flags", 0)
    assert bool(thinking_flags & EPHEMERAL) == private
    assert bool(answer.json.get("flags", 0) & EPHEMERAL) == private


async def test_discussion_prompts_follow_the_coach_channels(team_discord: TeamDiscord) -> None:
    await limit_coaching_to_the_second_channel(team_discord)

    await team_discord.run("discuss", "prompt", user=MEMBER)

    assert team_discord.replies() == [COACH_HERE]
    assert not team_discord.sent(START_THREAD)
