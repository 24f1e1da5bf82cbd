"""``/discuss``: discussion prompts in threads, schedules, and private-answer rounds.

Thin by design: what to post comes from ``bot.discuss``; this cog turns it into messages,
threads and buttons, and runs the scheduler loop that posts due prompts and closes rounds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discuss.data import DiscussData
from bot.discuss.divergence import MAX_ANSWER_CHARS, ReadAnswer, Reveal, Round
from bot.discuss.prompts import DiscussionPrompt
from bot.discuss.report import answer_marks
from bot.discuss.schedules import (
    WEEKDAYS,
    InvalidSchedule,
    Schedule,
    parse_time,
    parse_timezone,
    parse_weekday,
)
from bot.exts.config import app_of, coach_channel_only, manager_only, may_manage
from bot.exts.errors import handle_error, send_ephemeral
from bot.exts.render import (
    EMBED_FIELD_COUNT_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    MESSAGE_LIMIT,
    THREAD_NAME_LIMIT,
    citations_embed,
    clip,
)

if TYPE_CHECKING:
    from bot.bot import ParleyBot
    from bot.discuss.service import Discussions

log = logging.getLogger(__name__)

ANSWER_ID = "parley:round:answer:{round_id}"
CLOSE_ID = "parley:round:close:{round_id}"
# Room under Discord's 6000-character cap on all embeds of one message.
EMBEDS_PER_MESSAGE_CHARS = 5500
MAX_ROUND_MINUTES = 7 * 24 * 60
_URL = re.compile(r"(https?://[^\s)>]+)")


# -- rendering -------------------------------------------------------------------------------


def scenario_message(prompt: DiscussionPrompt) -> str:
    """The thread's opening message: the scenario, quoted, with where it comes from."""
    scenario = prompt.scenario
    lines = [f"**Discussion: {scenario.title}**"]
    if scenario.perspective.side:
        lines.append(f"Stand in the shoes of {scenario.perspective.side}.")
    lines.append("\n".join(f"> {line}" for line in scenario.text.splitlines() if line.strip()))
    # Angle brackets stop Discord from unfurling a preview of every cited address.
    source = _URL.sub(r"<\1>", clip(scenario.source, 300))
    lines.append(f"-# Scenario from {source}")
    return clip("\n".join(lines), MESSAGE_LIMIT)


def questions_message(prompt: DiscussionPrompt) -> tuple[str, discord.Embed | None]:
    """The questions to talk through, numbered, with their citations."""
    numbered = [f"**{n}.** {q.text}" for n, q in enumerate(prompt.questions, start=1)]
    text = "Talk it through together:\n\n" + "\n\n".join(numbered)
    return clip(text, MESSAGE_LIMIT), citations_embed(prompt.questions)


def round_message(round_: Round, facilitator: str) -> str:
    """The message that carries the round's buttons."""
    deadline = (
        f" or at {discord.utils.format_dt(round_.closes_at, 'f')}" if round_.closes_at else ""
    )
    return (
        "**Answer privately first.** Press *Answer privately*: no one sees your answer until "
        f"{facilitator} closes the round{deadline}. Then I'll put everyone's answers side by side."
    )


def reveal_messages(reveal: Reveal, data: DiscussData) -> list[tuple[str, list[discord.Embed]]]:
    """The answers side by side (as many messages as Discord's limits need), then the rest."""
    title = clip(f"**The answers, side by side: {reveal.round.title}**", MESSAGE_LIMIT)
    messages = [
        (title if n == 0 else "", [embed])
        for n, embed in enumerate(_answer_embeds(reveal.answers, data))
    ]
    lines = ["**Where your assumptions differ**"]
    lines += [f"- {line}" for line in reveal.differences]
    embeds = []
    if reveal.follow_up is not None:
        lines.append(f"\n**One question for everyone:** {reveal.follow_up.text}")
        embed = citations_embed((reveal.follow_up,))
        embeds = [embed] if embed else []
    messages.append((clip("\n".join(lines), MESSAGE_LIMIT), embeds))
    return messages


def _answer_embeds(answers: Iterable[ReadAnswer], data: DiscussData) -> list[discord.Embed]:
    """Inline fields, so answers sit in columns; a new embed before any limit is reached."""
    embeds: list[discord.Embed] = []
    current = discord.Embed()
    for answer in answers:
        name = clip(f"{answer.author} · {answer_marks(answer, data)}", EMBED_FIELD_NAME_LIMIT)
        value = clip(answer.text, EMBED_FIELD_VALUE_LIMIT) or "(empty)"
        full = len(current.fields) == EMBED_FIELD_COUNT_LIMIT
        if full or len(current) + len(name) + len(value) > EMBEDS_PER_MESSAGE_CHARS:
            embeds.append(current)
            current = discord.Embed()
        current.add_field(name=name, value=value, inline=True)
    if current.fields:
        embeds.append(current)
    return embeds


def schedules_text(schedules: list[Schedule]) -> str:
    """The server's schedules, one a line, with the id /discuss cancel takes."""
    if not schedules:
        return "No discussion schedules on this server. Set one with /discuss schedule."
    lines = [
        f"- `{s.id}` <#{s.channel_id}>: {s.describe()}; next {discord.utils.format_dt(s.next_run_at, 'R')}"
        for s in schedules
    ]
    return clip("**Discussion schedules**\n" + "\n".join(lines), MESSAGE_LIMIT)


# -- posting ---------------------------------------------------------------------------------


async def post_prompt(
    channel: discord.abc.Messageable, prompt: DiscussionPrompt
) -> discord.abc.Messageable:
    """Post the scenario, open a thread on it, and ask the questions inside; returns the thread.

    Inside a thread (where no thread can be opened) everything is posted in place.
    """
    starter = await channel.send(scenario_message(prompt))
    thread: discord.abc.Messageable = channel
    if isinstance(channel, discord.TextChannel):
        name = clip(prompt.scenario.title, THREAD_NAME_LIMIT) or "Discussion"
        thread = await starter.create_thread(name=name)
    content, embed = questions_message(prompt)
    await thread.send(content, embed=embed)
    return thread


async def post_reveal(channel: discord.abc.Messageable, reveal: Reveal, data: DiscussData) -> None:
    """Post a closed round's reveal in its thread."""
    for content, embeds in reveal_messages(reveal, data):
        await channel.send(content, embeds=embeds)


def closed_view(round_id: int) -> discord.ui.View:
    """The round's buttons, greyed out once it has closed."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label="Answer privately", disabled=True, custom_id=ANSWER_ID.format(round_id=round_id)
        )
    )
    view.add_item(
        discord.ui.Button(
            label="Round closed", disabled=True, custom_id=CLOSE_ID.format(round_id=round_id)
        )
    )
    view.stop()  # a finished view is only drawn, never kept in memory to listen for clicks
    return view


def home_channel_id(channel: object) -> int:
    """The channel a prompt belongs to: a thread's parent, or the channel itself."""
    return getattr(channel, "parent_id", None) or getattr(channel, "id", 0)


# -- the round's buttons and form ----------------------------------------------------------------


async def _report(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Button and form errors take the shared error path, privately."""
    await handle_error(error, where=where, send=partial(send_ephemeral, interaction))


async def _checked(
    interaction: discord.Interaction,
    refusal: Callable[[discord.Interaction], Awaitable[str | None]],
    where: str,
) -> bool:
    """Run a button's permission check; the person refused is told why, privately.

    discord.py drops a button click silently when its check says no or fails, so the check
    answers the user itself, and a failing check takes the shared error path.
    """
    try:
        reason = await refusal(interaction)
    except Exception as exc:
        await _report(interaction, exc, where)
        return False
    if reason is not None:
        await send_ephemeral(interaction, reason)
    return reason is None


class AnswerModal(discord.ui.Modal, title="Your private answer"):
    """One member's answer; no one else sees it until the round closes."""

    answer: discord.ui.TextInput = discord.ui.TextInput(
        label="What would you do, and why?",
        style=discord.TextStyle.paragraph,
        max_length=MAX_ANSWER_CHARS,
    )

    def __init__(self, discussions: Discussions, round_id: int, previous: str | None) -> None:
        super().__init__(timeout=1800)  # an abandoned form must not stay in memory forever
        self.discussions = discussions
        self.round_id = round_id
        if previous:
            self.answer.default = previous

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the answer and confirm privately."""
        replaced = await self.discussions.answer(
            self.round_id,
            user_id=interaction.user.id,
            author=interaction.user.display_name,
            text=self.answer.value,
        )
        verb = "Updated" if replaced else "Got"
        await interaction.response.send_message(
            f"{verb} your answer. You'll see everyone's side by side when the round closes.",
            ephemeral=True,
        )

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await _report(interaction, error, "the answer form")


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"parley:round:answer:(?P<id>\d+)"
):
    """Opens the private answer form. Persistent: the round id is in the custom id."""

    def __init__(self, round_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Answer privately",
                style=discord.ButtonStyle.primary,
                custom_id=ANSWER_ID.format(round_id=round_id),
            )
        )
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> AnswerButton:
        return cls(int(match["id"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Members of the round's server, while it is open."""
        return await _checked(interaction, self._refusal, "the answer button")

    async def _refusal(self, interaction: discord.Interaction) -> str | None:
        round_ = await app_of(interaction).discussions.rounds.get(self.round_id)
        if round_ is None or round_.guild_id != interaction.guild_id or interaction.user.bot:
            return "This round isn't yours to answer."
        if not round_.is_open:
            return "This round has closed; the answers are in the thread."
        return None

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            discussions = app_of(interaction).discussions
            previous = await discussions.rounds.answer_of(self.round_id, interaction.user.id)
            await interaction.response.send_modal(AnswerModal(discussions, self.round_id, previous))
        except Exception as exc:
            await _report(interaction, exc, "the answer button")


class CloseButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"parley:round:close:(?P<id>\d+)"
):
    """Closes the round and reveals the answers; for the facilitator and managers."""

    def __init__(self, round_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Close and reveal",
                style=discord.ButtonStyle.secondary,
                custom_id=CLOSE_ID.format(round_id=round_id),
            )
        )
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> CloseButton:
        return cls(int(match["id"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """The facilitator, server admins and the manager role."""
        return await _checked(interaction, self._refusal, "the close button")

    async def _refusal(self, interaction: discord.Interaction) -> str | None:
        round_ = await app_of(interaction).discussions.rounds.get(self.round_id)
        if round_ is None or round_.guild_id != interaction.guild_id:
            return "This round isn't yours to close."
        if interaction.user.id == round_.facilitator_id or await may_manage(interaction):
            return None
        return f"Only the facilitator, <@{round_.facilitator_id}>, or a Parley manager can close this round."

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.edit_message(view=closed_view(self.round_id))
            reveal = await app_of(interaction).discussions.close_round(self.round_id)
            if reveal is None:
                await send_ephemeral(interaction, "This round was already closed.")
                return
            assert interaction.channel is not None
            data = app_of(interaction).discussions.data
            await post_reveal(interaction.channel, reveal, data)  # type: ignore[arg-type]
        except Exception as exc:
            await _report(interaction, exc, "the close button")


def round_view(round_id: int) -> discord.ui.View:
    """The open round's buttons."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(round_id))
    view.add_item(CloseButton(round_id))
    return view


# -- the cog -------------------------------------------------------------------------------


class Discuss(commands.GroupCog, group_name="discuss", group_description="Team discussions"):
    """Prompts, schedules and private-answer rounds; plus the loop that runs them on time."""

    def __init__(self, bot: ParleyBot) -> None:
        self.bot = bot
        self.discussions = bot.app.discussions
        super().__init__()

    async def cog_load(self) -> None:
        """Make old rounds' buttons work again and start the scheduler."""
        self.bot.add_dynamic_items(AnswerButton, CloseButton)
        self.scheduler.change_interval(seconds=self.bot.app.settings.discuss_tick_seconds)
        self.scheduler.start()

    async def cog_unload(self) -> None:
        self.scheduler.cancel()
        self.bot.remove_dynamic_items(AnswerButton, CloseButton)

    # -- commands ----------------------------------------------------------------------------

    @app_commands.command(name="prompt", description="Post a discussion prompt in a new thread.")
    @app_commands.describe(topic="What to discuss; empty: a case this channel hasn't discussed")
    @app_commands.guild_only()
    @coach_channel_only()
    async def prompt(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        """A scenario and questions on stakes and risk, in a thread of their own."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        thread, _ = await self._post(interaction, topic)
        await interaction.followup.send(
            f"Started a discussion in {_mention(thread)}.", ephemeral=True
        )

    @app_commands.command(
        name="start", description="Start a discussion where everyone answers privately first."
    )
    @app_commands.describe(
        mode="private: answers stay hidden until the round closes; open: a plain prompt",
        topic="What to discuss; empty: a case this channel hasn't discussed",
        minutes="Close the round by itself after this many minutes",
    )
    @app_commands.guild_only()
    @coach_channel_only()
    async def start(
        self,
        interaction: discord.Interaction,
        mode: Literal["private", "open"] = "private",
        topic: str | None = None,
        minutes: app_commands.Range[int, 1, MAX_ROUND_MINUTES] | None = None,
    ) -> None:
        """Post the prompt; in private mode add the round's buttons below it."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        thread, prompt = await self._post(interaction, topic)
        if mode == "open":
            await interaction.followup.send(
                f"Started a discussion in {_mention(thread)}.", ephemeral=True
            )
            return
        minutes = minutes or self.bot.app.settings.divergence_minutes
        closes_at = self.discussions.clock() + timedelta(minutes=minutes) if minutes else None
        round_ = await self.discussions.open_round(
            guild_id=interaction.guild_id,
            thread_id=getattr(thread, "id", 0),
            facilitator_id=interaction.user.id,
            prompt=prompt,
            closes_at=closes_at,
        )
        message = await thread.send(
            round_message(round_, interaction.user.mention), view=round_view(round_.id)
        )
        await self.discussions.rounds.set_message(round_.id, message.id)
        await interaction.followup.send(
            f"Started a private round in {_mention(thread)}. Close it there when everyone has answered.",
            ephemeral=True,
        )

    @app_commands.command(
        name="schedule", description="Post a discussion prompt here every day or week."
    )
    @app_commands.describe(
        every="How often",
        at="Time of day, like 09:00 or 5:30pm",
        day="For weekly prompts: the day (default: today)",
        timezone="A time zone like Europe/London (default: the server's)",
        topic="Always discuss this topic (default: a new case each time)",
    )
    @app_commands.choices(day=[app_commands.Choice(name=d, value=d) for d in WEEKDAYS])
    @app_commands.guild_only()
    @manager_only()
    async def schedule(
        self,
        interaction: discord.Interaction,
        every: Literal["day", "week"],
        at: str,
        day: str | None = None,
        timezone: str | None = None,
        topic: str | None = None,
    ) -> None:
        """Store a schedule for this channel; it survives restarts."""
        assert interaction.guild_id is not None and interaction.channel is not None
        zone = timezone or self.discussions.timezone
        parse_timezone(zone)
        if every == "day" and day:
            raise InvalidSchedule(
                "A daily schedule takes no day; leave `day` empty or pick every: week."
            )
        created = await self.discussions.schedules.add(
            guild_id=interaction.guild_id,
            channel_id=home_channel_id(interaction.channel),
            every=every,
            at=parse_time(at),
            weekday=parse_weekday(day) if day else None,
            timezone=zone,
            topic=topic,
            created_by=interaction.user.id,
            now=self.discussions.clock(),
        )
        await interaction.response.send_message(
            f"Scheduled (`{created.id}`): a discussion prompt in <#{created.channel_id}> "
            f"{created.describe()}. The first one comes {discord.utils.format_dt(created.next_run_at, 'R')}.",
            ephemeral=True,
        )

    @app_commands.command(name="list", description="List this server's discussion schedules.")
    @app_commands.guild_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        """Every schedule on the server, with its id."""
        assert interaction.guild_id is not None
        schedules = await self.discussions.schedules.list(interaction.guild_id)
        await interaction.response.send_message(schedules_text(schedules), ephemeral=True)

    @app_commands.command(name="cancel", description="Cancel a discussion schedule.")
    @app_commands.describe(schedule="The schedule's number, from /discuss list")
    @app_commands.guild_only()
    @manager_only()
    async def cancel(self, interaction: discord.Interaction, schedule: int) -> None:
        """Delete one of the server's schedules."""
        assert interaction.guild_id is not None
        gone = await self.discussions.schedules.cancel(interaction.guild_id, schedule)
        if gone is None:
            raise InvalidSchedule(
                f"There is no schedule `{schedule}` on this server; see /discuss list."
            )
        await interaction.response.send_message(
            f"Cancelled the prompts in <#{gone.channel_id}> {gone.describe()}.", ephemeral=True
        )

    async def _post(
        self, interaction: discord.Interaction, topic: str | None
    ) -> tuple[discord.abc.Messageable, DiscussionPrompt]:
        """Plan and post a prompt where the command was used, and remember it for the channel."""
        assert interaction.guild_id is not None and interaction.channel is not None
        home = home_channel_id(interaction.channel)
        prompt = await self.discussions.prompt(interaction.guild_id, home, topic)
        thread = await post_prompt(interaction.channel, prompt)  # type: ignore[arg-type]
        await self.discussions.remember(interaction.guild_id, home, prompt)
        return thread, prompt

    # -- the scheduler ---------------------------------------------------------------------

    @tasks.loop(seconds=30)
    async def scheduler(self) -> None:
        """Run one scheduler pass; a failing pass is logged and the loop keeps going."""
        try:
            await self.tick()
        except Exception:
            log.exception("Scheduler pass failed")

    @scheduler.before_loop
    async def _wait_until_ready(self) -> None:
        # Channels are only known once the gateway has sent the servers.
        await self.bot.wait_until_ready()

    async def tick(self) -> None:
        """Post the prompts whose slot has come and reveal rounds past their deadline."""
        now = self.discussions.clock()
        work = await self.discussions.due(now)
        for schedule in work.schedules:
            if await self.discussions.schedules.claim(schedule, now):
                await self._run_schedule(schedule)
        for round_ in work.rounds:
            await self._reveal_at_deadline(round_)

    async def _run_schedule(self, schedule: Schedule) -> None:
        """Post one scheduled prompt; a vanished channel is logged, not retried."""
        try:
            channel = await self._channel(schedule.channel_id)
            prompt = await self.discussions.prompt(
                schedule.guild_id, schedule.channel_id, schedule.topic
            )
            await post_prompt(channel, prompt)
            await self.discussions.remember(schedule.guild_id, schedule.channel_id, prompt)
        except Exception:
            log.exception(
                "Scheduled prompt %s in channel %s failed", schedule.id, schedule.channel_id
            )

    async def _reveal_at_deadline(self, round_: Round) -> None:
        """Close a round whose time is up and reveal it in its thread."""
        try:
            reveal = await self.discussions.close_round(round_.id)
            if reveal is None:
                return  # the facilitator closed it a moment ago
            thread = await self._channel(round_.thread_id)
            await post_reveal(thread, reveal, self.discussions.data)
            if round_.message_id is not None:
                await thread.get_partial_message(round_.message_id).edit(
                    view=closed_view(round_.id)
                )  # type: ignore[attr-defined]
        except Exception:
            log.exception("Revealing round %s at its deadline failed", round_.id)

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        return channel  # type: ignore[return-value]


def _mention(channel: object) -> str:
    return getattr(channel, "mention", "the thread")


async def setup(bot: ParleyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Discuss(bot))
