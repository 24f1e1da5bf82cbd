"""Discussion schedules: a prompt every day or week at a set time, per channel.

Times are wall-clock times in a named time zone, so "09:00 Europe/London" stays 09:00 across
daylight-saving changes. Each schedule stores its next slot; a slot missed while the bot was
down is simply due, and posting it moves the schedule to the first slot after *now*, so a
week of downtime yields one prompt, not seven.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from bot.coaching.models import InputRejected
from bot.discuss.clock import as_utc
from bot.discuss.tables import discussion_schedules
from bot.storage.database import Database

EVERY = ("day", "week")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_SCHEDULES_PER_SERVER = 10
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*$", re.I)


class InvalidSchedule(InputRejected):
    """A schedule that cannot be set; the error path shows ``str(exc)`` to the user."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """One channel's recurring discussion prompt."""

    id: int
    guild_id: int
    channel_id: int
    every: str
    at: time
    weekday: int | None
    timezone: str
    topic: str | None
    next_run_at: datetime
    created_by: int

    def describe(self) -> str:
        """``"every Monday at 09:00 (Europe/London)"``."""
        when = "day" if self.every == "day" else WEEKDAYS[self.weekday or 0]
        about = f", on {self.topic!r}" if self.topic else ""
        return f"every {when} at {self.at:%H:%M} ({self.timezone}){about}"


def parse_time(text: str) -> time:
    """``"9"``, ``"09:30"``, ``"9.30pm"`` or ``"21:30"`` as a time of day."""
    match = _TIME.match(text or "")
    if not match:
        raise InvalidSchedule(f"I can't read {text!r} as a time; write it like 09:00 or 5:30pm.")
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise InvalidSchedule(f"{text!r} is not a time: with am/pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidSchedule(f"{text!r} is not a time of day; use 00:00 to 23:59.")
    return time(hour, minute)


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA time zone such as ``Europe/London``, or ``UTC``."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSchedule(
            f"I don't know the time zone {name!r}; use a name like UTC, Europe/London or America/New_York."
        ) from exc


def parse_weekday(name: str) -> int:
    """``"monday"`` or ``"Mon"`` as 0."""
    for number, day in enumerate(WEEKDAYS):
        if len(name) >= 3 and day.lower().startswith(name.strip().lower()):
            return number
    raise InvalidSchedule(f"{name!r} is not a day of the week.")


def next_run(
    every: str, at: time, weekday: int | None, timezone: str, *, after: datetime
) -> datetime:
    """The first slot strictly after ``after``, in UTC."""
    zone = parse_timezone(timezone)
    local_day = as_utc(after).astimezone(zone).date()
    for offset in range(15):  # two weeks always hold a slot
        day = local_day + timedelta(days=offset)
        if every == "week" and day.weekday() != weekday:
            continue
        slot = _at(day, at, zone)
        if slot > as_utc(after):
            return slot
    raise AssertionError("unreachable: every fortnight holds a weekly slot")


def due_schedules(schedules: Iterable[Schedule], now: datetime) -> list[Schedule]:
    """The schedules whose next slot has come, however long ago: each is due once."""
    return [s for s in schedules if s.next_run_at <= as_utc(now)]


def _at(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


class ScheduleStore:
    """Schedules in the database, so they survive restarts."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self,
        *,
        guild_id: int,
        channel_id: int,
        every: str,
        at: time,
        weekday: int | None,
        timezone: str,
        topic: str | None,
        created_by: int,
        now: datetime,
    ) -> Schedule:
        """Store a new schedule; its first slot is the next one after ``now``."""
        if every not in EVERY:
            raise InvalidSchedule("Schedules run every day or every week.")
        if every == "week" and weekday is None:
            weekday = as_utc(now).astimezone(parse_timezone(timezone)).weekday()
        if every == "day":
            weekday = None
        if len(await self.list(guild_id)) >= MAX_SCHEDULES_PER_SERVER:
            raise InvalidSchedule(
                f"This server already has {MAX_SCHEDULES_PER_SERVER} schedules; cancel one first."
            )
        first = next_run(every, at, weekday, timezone, after=now)
        values = {
            "guild_id": guild_id,
            "channel_id": channel_id,
            "every": every,
            "at_time": f"{at:%H:%M}",
            "weekday": weekday,
            "timezone": timezone,
            "topic": topic,
            "next_run_at": first,
            "created_by": created_by,
            "created_at": as_utc(now),
        }
        async with self._db.engine.begin() as conn:
            result = await conn.execute(discussion_schedules.insert().values(**values))
            new_id = result.inserted_primary_key[0]
        return _schedule({"id": new_id, **values})

    async def list(self, guild_id: int) -> list[Schedule]:
        """A server's schedules, oldest first."""
        return await self._select(discussion_schedules.c.guild_id == guild_id)

    async def due(self, now: datetime) -> list[Schedule]:
        """Every schedule, in any server, whose slot has come."""
        rows = await self._select(discussion_schedules.c.next_run_at <= as_utc(now))
        return due_schedules(rows, now)

    async def claim(self, schedule: Schedule, now: datetime) -> bool:
        """Move a due schedule to its first slot after ``now``; False if another run did.

        Claiming before posting means a crash can lose one prompt but never repeat one.
        """
        following = next_run(
            schedule.every, schedule.at, schedule.weekday, schedule.timezone, after=now
        )
        table = discussion_schedules
        async with self._db.engine.begin() as conn:
            result = await conn.execute(
                table.update()
                .where(table.c.id == schedule.id, table.c.next_run_at == schedule.next_run_at)
                .values(next_run_at=following)
            )
        return result.rowcount == 1

    async def cancel(self, guild_id: int, schedule_id: int) -> Schedule | None:
        """Delete one of a server's schedules; None if it has no such schedule."""
        table = discussion_schedules
        found = await self._select(table.c.id == schedule_id, table.c.guild_id == guild_id)
        if not found:
            return None
        async with self._db.engine.begin() as conn:
            await conn.execute(table.delete().where(table.c.id == schedule_id))
        return found[0]

    async def _select(self, *where: sa.ColumnElement[bool]) -> list[Schedule]:
        query = sa.select(discussion_schedules).where(*where).order_by(discussion_schedules.c.id)
        async with self._db.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_schedule(row) for row in rows]


def _schedule(row: sa.RowMapping | dict) -> Schedule:
    hour, minute = (int(part) for part in str(row["at_time"]).split(":"))
    return Schedule(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        every=str(row["every"]),
        at=time(hour, minute),
        weekday=row["weekday"],
        timezone=str(row["timezone"]),
        topic=row["topic"],
        next_run_at=as_utc(row["next_run_at"]),
        created_by=int(row["created_by"]),
    )
