"""Discussion schedules: reading times, finding slots, surviving restarts, posting on time."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from bot.discuss.schedules import (
    InvalidSchedule,
    Schedule,
    ScheduleStore,
    due_schedules,
    next_run,
    parse_time,
    parse_weekday,
)
from bot.storage.database import Database
from tests.discord.discord_fakes import GUILD_ID, TEXT_CHANNEL_ID
from tests.discuss.team_fakes import (
    ADMIN,
    MANAGER,
    MANAGER_ROLE_ID,
    MEMBER,
    START_THREAD,
    FakeClock,
    RoleOption,
    TeamDiscord,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", time(9, 0)),
        ("09:30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("21:05", time(21, 5)),
        ("5:30pm", time(17, 30)),
        ("12am", time(0, 0)),
        ("12 pm", time(12, 0)),
        (" 7 AM ", time(7, 0)),
    ],
)
def test_times_are_read_as_people_write_them(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "noon", "24:00", "9:75", "13pm", "0am", "9:5"])
def test_an_unreadable_time_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidSchedule, match=r"09:00|00:00|am/pm"):
        parse_time(text)


@pytest.mark.parametrize(
    ("name", "expected"), [("Monday", 0), ("mon", 0), ("Sunday", 6), ("fri", 4)]
)
def test_weekdays_are_read_by_name_or_abbreviation(name: str, expected: int) -> None:
    assert parse_weekday(name) == expected


@pytest.mark.parametrize(
    ("every", "at", "weekday", "zone", "after", "expected"),
    [
        # Daily, before and after today's slot (the clock reads Monday 08:00 UTC).
        ("day", time(9, 0), None, "UTC", utc(2025, 3, 3, 8, 0), utc(2025, 3, 3, 9, 0)),
        ("day", time(7, 0), None, "UTC", utc(2025, 3, 3, 8, 0), utc(2025, 3, 4, 7, 0)),
        # Exactly at a slot: the next one, so a slot is never posted twice.
        ("day", time(8, 0), None, "UTC", utc(2025, 3, 3, 8, 0), utc(2025, 3, 4, 8, 0)),
        # Weekly on Thursday, and on Monday once Monday's slot has passed.
        ("week", time(9, 0), 3, "UTC", utc(2025, 3, 3, 8, 0), utc(2025, 3, 6, 9, 0)),
        ("week", time(7, 0), 0, "UTC", utc(2025, 3, 3, 8, 0), utc(2025, 3, 10, 7, 0)),
        # Wall-clock time in a zone: 09:00 in London is 09:00 UTC in winter, 08:00 in summer.
        ("day", time(9, 0), None, "Europe/London", utc(2025, 3, 3, 8, 0), utc(2025, 3, 3, 9, 0)),
        ("day", time(9, 0), None, "Europe/London", utc(2025, 7, 1, 6, 0), utc(2025, 7, 1, 8, 0)),
        (
            "day",
            time(9, 0),
            None,
            "America/New_York",
            utc(2025, 3, 3, 8, 0),
            utc(2025, 3, 3, 14, 0),
        ),
    ],
)
def test_the_next_slot_is_the_first_after_now(
    every: str, at: time, weekday: int | None, zone: str, after: datetime, expected: datetime
) -> None:
    assert next_run(every, at, weekday, zone, after=after) == expected


def schedule(next_run_at: datetime) -> Schedule:
    return Schedule(1, GUILD_ID, TEXT_CHANNEL_ID, "day", time(9), None, "UTC", None, next_run_at, 1)


@pytest.mark.parametrize(
    ("next_run_at", "due"),
    [
        (utc(2025, 3, 3, 9, 0), False),  # later today
        (utc(2025, 3, 3, 8, 0), True),  # right now
        (utc(2025, 2, 24, 9, 0), True),  # a week ago: missed while the bot was down, due once
    ],
)
def test_a_schedule_is_due_once_its_slot_has_come(next_run_at: datetime, due: bool) -> None:
    assert due_schedules([schedule(next_run_at)], utc(2025, 3, 3, 8, 0)) == (
        [schedule(next_run_at)] if due else []
    )


async def add_daily(store: ScheduleStore, now: datetime, at: time = time(9, 0)) -> Schedule:
    return await store.add(
        guild_id=GUILD_ID,
        channel_id=TEXT_CHANNEL_ID,
        every="day",
        at=at,
        weekday=None,
        timezone="UTC",
        topic=None,
        created_by=ADMIN.id,
        now=now,
    )


async def test_schedules_survive_a_restart(parley_app: Any, clock: FakeClock) -> None:
    added = await add_daily(parley_app.discussions.schedules, clock())

    restarted = Database(parley_app.settings.sqlalchemy_url)  # a new process on the same DB
    await restarted.connect()
    try:
        assert await ScheduleStore(restarted).list(GUILD_ID) == [added]
    finally:
        await restarted.close()


async def test_a_claimed_slot_cannot_be_claimed_again(parley_app: Any, clock: FakeClock) -> None:
    store = parley_app.discussions.schedules
    await add_daily(store, clock())
    clock.set(utc(2025, 3, 3, 9, 0))
    (due,) = await store.due(clock())

    assert await store.claim(due, clock())
    assert not await store.claim(due, clock())  # a second pass (or process) finds it taken
    assert await store.due(clock()) == []


async def test_a_server_may_keep_only_so_many_schedules(parley_app: Any, clock: FakeClock) -> None:
    store = parley_app.discussions.schedules
    for hour in range(10):
        await add_daily(store, clock(), at=time(hour))

    with pytest.raises(InvalidSchedule, match="cancel one first"):
        await add_daily(store, clock(), at=time(11))


def discussion_threads(fake: TeamDiscord) -> list[str]:
    return [(r.json or {})["name"] for r in fake.sent(START_THREAD)]


async def test_missed_slots_while_down_are_posted_once_not_many_times(
    team_discord: TeamDiscord, parley_app: Any, clock: FakeClock
) -> None:
    await add_daily(parley_app.discussions.schedules, clock())
    cog = team_discord.bot.get_cog("Discuss")
    clock.set(utc(2025, 3, 8, 12, 0))  # five 09:00 slots went by while the bot was down

    await cog.tick()
    await cog.tick()

    assert len(discussion_threads(team_discord)) == 1
    (left,) = await parley_app.discussions.schedules.list(GUILD_ID)
    assert left.next_run_at == utc(2025, 3, 9, 9, 0)


async def test_each_slot_posts_a_scenario_the_channel_has_not_discussed(
    team_discord: TeamDiscord, parley_app: Any, clock: FakeClock
) -> None:
    await add_daily(parley_app.discussions.schedules, clock())
    cog = team_discord.bot.get_cog("Discuss")

    for day in range(3, 7):
        clock.set(utc(2025, 3, day, 9, 0))
        await cog.tick()

    names = discussion_threads(team_discord)
    assert len(names) == 4 and len(set(names)) == 4


async def test_nothing_is_posted_before_the_slot(
    team_discord: TeamDiscord, parley_app: Any, clock: FakeClock
) -> None:
    await add_daily(parley_app.discussions.schedules, clock())
    clock.set(utc(2025, 3, 3, 8, 59))

    await team_discord.bot.get_cog("Discuss").tick()

    assert team_discord.calls() == []


async def test_a_manager_schedules_prompts_for_the_channel(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    await team_discord.run("parley", "config", manager_role=RoleOption(MANAGER_ROLE_ID))

    await team_discord.run(
        "discuss", "schedule", user=MANAGER, every="week", at="9:30", day="Thursday"
    )

    (stored,) = await parley_app.discussions.schedules.list(GUILD_ID)
    assert (stored.channel_id, stored.every, stored.weekday, stored.at) == (
        TEXT_CHANNEL_ID,
        "week",
        3,
        time(9, 30),
    )
    assert "every Thursday at 09:30 (UTC)" in team_discord.replies()[-1]


async def test_a_member_cannot_schedule_and_is_told_who_can(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    await team_discord.run("discuss", "schedule", user=MEMBER, every="day", at="09:00")

    assert await parley_app.discussions.schedules.list(GUILD_ID) == []
    assert team_discord.replies() == [
        "Only server admins can manage Parley's notes and schedules here."
    ]


@pytest.mark.parametrize(
    ("options", "reply"),
    [
        ({"every": "day", "at": "25:00"}, "not a time of day"),
        ({"every": "day", "at": "9", "timezone": "Mars/Olympus"}, "I don't know the time zone"),
        ({"every": "day", "at": "9", "day": "Monday"}, "A daily schedule takes no day"),
    ],
)
async def test_a_bad_schedule_gets_a_plain_reason(
    team_discord: TeamDiscord, parley_app: Any, options: dict[str, str], reply: str
) -> None:
    await team_discord.run("discuss", "schedule", **options)

    assert reply in team_discord.replies()[-1]
    assert await parley_app.discussions.schedules.list(GUILD_ID) == []


async def test_list_shows_ids_and_cancel_removes_a_schedule(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    await team_discord.run("discuss", "schedule", every="day", at="09:00")
    (stored,) = await parley_app.discussions.schedules.list(GUILD_ID)

    await team_discord.run("discuss", "list", user=MEMBER)
    await team_discord.run("discuss", "cancel", schedule=stored.id)
    await team_discord.run("discuss", "cancel", schedule=stored.id)

    listing, cancelled, again = team_discord.replies()[-3:]
    assert f"`{stored.id}` <#{TEXT_CHANNEL_ID}>: every day at 09:00 (UTC)" in listing
    assert cancelled.startswith("Cancelled the prompts")
    assert again == f"There is no schedule `{stored.id}` on this server; see /discuss list."
    assert await parley_app.discussions.schedules.list(GUILD_ID) == []
