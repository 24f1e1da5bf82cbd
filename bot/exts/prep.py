"""The Prep cog: ``/prep start|resume|list|export|delete``, answers in the private thread, the
stage buttons, the risk-ledger modal, and the expiry sweep.

Thin by design: it turns Discord events into ``PrepService`` calls and replies into messages.
Buttons and the ledger picker are ``DynamicItem``s whose custom ids carry the session id, and
ledger modals are handled by custom id too, so everything keeps working after a restart.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.coaching.models import InputRejected
from bot.exts.coach import knowledge_scopes, owner_id
from bot.exts.errors import handle_error, report_message_error, send_ephemeral
from bot.exts.render import MESSAGE_LIMIT, citations_embed, clip
from bot.prep.expiry import deleted_text, warning_text
from bot.prep.models import (
    LedgerRow,
    PrepError,
    PrepSession,
    Reply,
    RiskInput,
    SessionNotFound,
)
from bot.prep.render import reply_markdown, stage_line, summary_line
from bot.storage.database import DatabaseUnavailable
from bot.textsplit import split_text

if TYPE_CHECKING:
    from bot.bot import ParleyBot
    from bot.prep.service import PrepService

log = logging.getLogger(__name__)

OWNER_PREFIX = "discord-user:"
THREAD_PREFIX = "discord-thread:"
_SID = r"(?P<sid>[0-9a-f]{4,32})"
BUTTON_TEMPLATE = (
    rf"parley-prep:(?P<action>back|next|skip|pause|finish|confirm|risk):{_SID}:(?P<stage>\d+)"
)
PICKER_TEMPLATE = rf"parley-prep:edit:{_SID}"
DELETE_TEMPLATE = rf"parley-prep:delete:{_SID}:(?P<answer>yes|no)"
MODAL_ID = re.compile(rf"parley-prep:ledger:{_SID}:(?P<row>\d+|new)")
_LABELS = {"back": "◀ Back", "next": "Next ▶", "skip": "Skip", "pause": "Pause",
           "finish": "Finish", "confirm": "Confirm: write the brief", "risk": "Add risk"}  # fmt: skip
_STYLES = {"next": discord.ButtonStyle.primary, "finish": discord.ButtonStyle.success,
           "confirm": discord.ButtonStyle.success}  # fmt: skip
# Messages a person typed; joins, pins and thread notices are not answers.
_USER_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
_LISTED = 12  # sessions shown by /prep list, newest first (one message)
# Errors that carry a plain sentence for the user rather than a bug.
_PLAIN_ERRORS = (InputRejected, DatabaseUnavailable)


def thread_channel(thread_id: int) -> str:
    """How a Discord thread is named as a session's channel."""
    return f"{THREAD_PREFIX}{thread_id}"


class PrepButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_TEMPLATE):
    """Next, Back, Skip, Pause, Finish, Confirm or Add risk for one session, at one stage."""

    def __init__(self, action: str, session_id: str, stage: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=_LABELS[action],
                style=_STYLES.get(action, discord.ButtonStyle.secondary),
                custom_id=f"parley-prep:{action}:{session_id}:{stage}",
                row=0 if action in ("back", "next", "skip") else 1,
            )
        )
        self.action, self.session_id, self.stage = action, session_id, stage

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str], /
    ) -> PrepButton:
        return cls(match["action"], match["sid"], int(match["stage"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_button(interaction, self.action, self.session_id, self.stage)


class LedgerPicker(discord.ui.DynamicItem[discord.ui.Select], template=PICKER_TEMPLATE):
    """A menu of the session's ledger rows; picking one opens the modal to edit it."""

    def __init__(self, session_id: str, rows: Iterable[LedgerRow] = ()) -> None:
        options = [
            discord.SelectOption(label=clip(f"{r.position}. {r.risk}", 100), value=str(r.id))
            for r in list(rows)[:25]
        ]
        select: discord.ui.Select = discord.ui.Select(
            custom_id=f"parley-prep:edit:{session_id}",
            placeholder="Edit a risk in the ledger…",
            options=options,
            row=2,
        )
        super().__init__(select)
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str], /
    ) -> LedgerPicker:
        return cls(match["sid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        row_id = int(self.item.values[0]) if self.item.values else 0
        await _cog(interaction).on_pick(interaction, self.session_id, row_id)


class DeleteButton(discord.ui.DynamicItem[discord.ui.Button], template=DELETE_TEMPLATE):
    """Confirm or cancel ``/prep delete``."""

    def __init__(self, session_id: str, answer: str) -> None:
        yes = answer == "yes"
        super().__init__(
            discord.ui.Button(
                label="Delete it" if yes else "Keep it",
                style=discord.ButtonStyle.danger if yes else discord.ButtonStyle.secondary,
                custom_id=f"parley-prep:delete:{session_id}:{answer}",
            )
        )
        self.session_id, self.answer = session_id, answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str], /
    ) -> DeleteButton:
        return cls(match["sid"], match["answer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_delete_answer(interaction, self.session_id, self.answer)


class LedgerModal(discord.ui.Modal):
    """Add or edit a ledger row. No ``on_submit``: the cog handles submits by custom id."""

    def __init__(self, session_id: str, row: LedgerRow | None = None) -> None:
        super().__init__(
            title="Edit a risk" if row else "Add a risk",
            custom_id=f"parley-prep:ledger:{session_id}:{row.id if row else 'new'}",
            timeout=900,
        )
        fields = (
            ("risk", "The risk", "e.g. the boiler is still broken in November", 300, True),
            ("bearer", "Who bears it today", "you, them, both, someone else", 300, False),
            ("mechanism", "What could carry it instead of trust", "warranty, escrow…", 500, False),
            ("residual", "Residual risk", "what is left over, and can you live with it?", 500, False),
        )  # fmt: skip
        for key, label, hint, limit, required in fields:
            self.add_item(
                discord.ui.TextInput(
                    label=label,
                    custom_id=key,
                    placeholder=hint,
                    default=getattr(row, key, None) or None,
                    max_length=limit,
                    required=required,
                    style=discord.TextStyle.paragraph
                    if key != "bearer"
                    else discord.TextStyle.short,
                )
            )


def _cog(interaction: discord.Interaction) -> Prep:
    cog = interaction.client.get_cog("Prep")  # type: ignore[union-attr]
    assert isinstance(cog, Prep), "the Prep cog is not loaded"
    return cog


class Prep(commands.GroupCog, group_name="prep", group_description="Guided negotiation prep"):
    """Routes Discord input to the prep service and sends back its replies."""

    def __init__(self, bot: ParleyBot, service: PrepService) -> None:
        self.bot = bot
        self.service = service
        self.threads: dict[int, str] = {}  # thread id → session id, for answers typed there
        minutes = bot.app.settings.prep_sweep_minutes
        self.sweeper = tasks.loop(minutes=minutes)(self.expire_sessions)
        self.sweeper.before_loop(self.bot.wait_until_ready)
        super().__init__()

    async def cog_load(self) -> None:
        """Make old buttons work again, learn which threads are prep threads, start the sweep."""
        self.bot.add_dynamic_items(PrepButton, LedgerPicker, DeleteButton)
        try:
            channels = await self.service.channels(OWNER_PREFIX)
        except DatabaseUnavailable:
            log.warning("Prep threads not loaded: the database is unavailable.", exc_info=True)
            channels = {}
        self.threads = {
            int(channel.removeprefix(THREAD_PREFIX)): sid
            for channel, sid in channels.items()
            if channel.startswith(THREAD_PREFIX)
        }
        self.sweeper.start()

    async def cog_unload(self) -> None:
        self.sweeper.cancel()
        self.bot.remove_dynamic_items(PrepButton, LedgerPicker, DeleteButton)

    # -- slash commands ------------------------------------------------------------------

    @app_commands.command(name="start", description="Prepare a negotiation in a private thread.")
    @app_commands.describe(counterpart="Who you negotiate with", topic="What it is about")
    async def start(
        self,
        interaction: discord.Interaction,
        counterpart: app_commands.Range[str, 1, 200],
        topic: app_commands.Range[str, 1, 300],
    ) -> None:
        """Open a private thread and ask stage 1's first question there."""
        async with self._guarded(interaction, "/prep start"):
            parent = _thread_parent(interaction.channel)
            if parent is None:
                raise PrepError(
                    "Start a prep session in a server text channel: it runs in a private "
                    "thread there."
                )
            await interaction.response.defer(ephemeral=True, thinking=True)
            thread = await self._new_thread(parent, interaction.user, f"{counterpart} · {topic}")
            try:
                reply = await self.service.start(
                    owner_id(interaction.user),
                    counterpart,
                    topic,
                    channel=thread_channel(thread.id),
                    scopes=knowledge_scopes(interaction.guild),
                )
            except Exception:
                with contextlib.suppress(discord.HTTPException):
                    await thread.delete()  # no empty thread left behind
                raise
            self.threads[thread.id] = reply.session_id
            await self._post(thread, reply)
            await interaction.followup.send(
                f"Your prep session `{reply.session_id}` is open in {thread.mention}. "
                "Answer there, one message per question.",
                ephemeral=True,
            )

    @app_commands.command(name="resume", description="Continue a prep session where you left it.")
    @app_commands.describe(session="The session id (default: your latest unfinished one)")
    async def resume(self, interaction: discord.Interaction, session: str | None = None) -> None:
        """Show the session's current stage again, in its thread or a new one."""
        async with self._guarded(interaction, "/prep resume"):
            await interaction.response.defer(ephemeral=True, thinking=True)
            owner = owner_id(interaction.user)
            session_id = session or await self._latest_id(owner)
            reply = await self.service.show(session_id, owner)
            thread = await self._thread_for(reply.session)
            if thread is None:
                thread = await self._rehome(interaction, reply.session)
            await self._post(thread, reply)
            await interaction.followup.send(
                f"Session `{session_id}` continues in {thread.mention}, at {stage_line(reply)}.",
                ephemeral=True,
            )

    @app_commands.command(name="list", description="List your prep sessions.")
    async def list_sessions(self, interaction: discord.Interaction) -> None:
        """Your sessions, newest first, with a warning on those about to expire."""
        async with self._guarded(interaction, "/prep list"):
            summaries = await self.service.summaries(owner_id(interaction.user))
            lines = [f"`{summary_line(s)}`" for s in summaries[:_LISTED]]
            if len(summaries) > _LISTED:
                lines.append(f"…and {len(summaries) - _LISTED} older ones.")
            text = "\n".join(lines) or "You have no prep sessions. Start one with /prep start."
            await interaction.response.send_message(
                split_text(text, MESSAGE_LIMIT)[0], ephemeral=True
            )

    @app_commands.command(name="export", description="Get the brief and risk map of a session.")
    @app_commands.describe(session="The session id (default: your latest one)")
    async def export(self, interaction: discord.Interaction, session: str | None = None) -> None:
        """Attach the brief (a draft until finished) in the session's thread, or privately."""
        async with self._guarded(interaction, "/prep export"):
            await interaction.response.defer(ephemeral=True, thinking=True)
            owner = owner_id(interaction.user)
            found = await self.service.session(
                session or await self._latest_id(owner, any_status=True), owner
            )
            brief = await self.service.export(found.id, owner)
            files = _brief_files(brief.markdown_name, brief.markdown, brief.png_name, brief.png)
            thread = await self._thread_for(found)
            if thread is None:
                await interaction.followup.send(
                    "Your brief and risk map:", files=files, ephemeral=True
                )
                return
            await thread.send(f"Brief and risk map of session `{found.id}`:", files=files)
            await interaction.followup.send(f"Posted in {thread.mention}.", ephemeral=True)

    @app_commands.command(name="delete", description="Delete a prep session and all its answers.")
    @app_commands.describe(session="The session id (see /prep list)")
    async def delete(self, interaction: discord.Interaction, session: str) -> None:
        """Ask for confirmation; the buttons do the deleting."""
        async with self._guarded(interaction, "/prep delete"):
            found = await self.service.session(session, owner_id(interaction.user))
            view = discord.ui.View(timeout=None)
            view.add_item(DeleteButton(found.id, "yes"))
            view.add_item(DeleteButton(found.id, "no"))
            await interaction.response.send_message(
                f"Delete prep session `{found.id}` ({found.counterpart} · {found.topic}) and "
                "every answer in it? This cannot be undone.",
                view=view,
                ephemeral=True,
            )

    @resume.autocomplete("session")
    @export.autocomplete("session")
    @delete.autocomplete("session")
    async def _session_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            summaries = await self.service.summaries(owner_id(interaction.user))
        except DatabaseUnavailable:
            return []
        return [
            app_commands.Choice(name=clip(f"{s.id} · {s.counterpart} · {s.topic}", 100), value=s.id)
            for s in summaries
            if current.lower() in f"{s.id} {s.counterpart} {s.topic}".lower()
        ][:25]

    # -- components ----------------------------------------------------------------------

    async def on_button(
        self, interaction: discord.Interaction, action: str, session_id: str, stage: int
    ) -> None:
        """A stage button: the owner's press moves the session; others are told it isn't theirs."""
        async with self._guarded(interaction, f"the {action} button"):
            owner = owner_id(interaction.user)
            if action == "risk":
                await self.service.session(session_id, owner)  # owner check before the modal
                await interaction.response.send_modal(LedgerModal(session_id))
                return
            await interaction.response.defer()
            reply = await self.service.act(session_id, owner, action, shown_stage=stage)
            await self._answer_interaction(interaction, reply)

    async def on_pick(self, interaction: discord.Interaction, session_id: str, row_id: int) -> None:
        """A ledger row picked: open the modal filled with it."""
        async with self._guarded(interaction, "the ledger picker"):
            rows = await self.service.ledger(session_id, owner_id(interaction.user))
            row = next((r for r in rows if r.id == row_id), None)
            if row is None:
                raise PrepError("That ledger row no longer exists; add the risk again.")
            await interaction.response.send_modal(LedgerModal(session_id, row))

    async def on_delete_answer(
        self, interaction: discord.Interaction, session_id: str, answer: str
    ) -> None:
        """The confirmation buttons of /prep delete."""
        async with self._guarded(interaction, "the delete confirmation"):
            if answer != "yes":
                await interaction.response.edit_message(
                    content="Kept; nothing was deleted.", view=None
                )
                return
            session = await self.service.delete(session_id, owner_id(interaction.user))
            await interaction.response.edit_message(
                content=f"Deleted prep session `{session_id}` and all its answers.", view=None
            )
            await self._forget(session, "This prep session was deleted by its owner.")

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Ledger modal submits, by custom id, so a modal opened before a restart still saves."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        match = MODAL_ID.fullmatch(str((interaction.data or {}).get("custom_id", "")))
        if match is None:
            return
        async with self._guarded(interaction, "the ledger modal"):
            values = _modal_values((interaction.data or {}).get("components", []))
            risk = RiskInput(
                **{k: values.get(k, "") for k in ("risk", "bearer", "mechanism", "residual")}
            )
            row = None if match["row"] == "new" else int(match["row"])
            await interaction.response.defer()
            reply = await self.service.save_risk(
                match["sid"], owner_id(interaction.user), risk, row
            )
            await self._answer_interaction(interaction, reply)

    # -- thread messages -----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """An answer typed in a prep thread: stored at once, then the next question."""
        session_id = self.threads.get(message.channel.id)
        if session_id is None or message.author.bot or message.type not in _USER_MESSAGE_TYPES:
            return
        channel = message.channel
        try:
            async with channel.typing():
                reply = await self.service.answer(
                    session_id, owner_id(message.author), message.content
                )
            await self._post(channel, reply)
        except SessionNotFound as exc:
            self.threads.pop(channel.id, None)
            await _say(channel, str(exc))
        except _PLAIN_ERRORS as exc:
            await _say(channel, str(exc))
        except Exception as exc:
            await report_message_error(channel, exc, where=f"prep session {session_id}")

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A moderator deleted a prep thread: keep every answer, pause, and tell the owner."""
        if self.threads.pop(payload.thread_id, None) is None:
            return
        try:
            session = await self.service.detach(thread_channel(payload.thread_id))
        except DatabaseUnavailable:
            log.warning("Could not pause the session of deleted thread %s", payload.thread_id)
            return
        if session is not None:
            await self._direct_message(
                session,
                f"Your prep thread for {session.counterpart} · {session.topic} was deleted. "
                f"Nothing is lost: your answers are saved. Run `/prep resume session:{session.id}` "
                "to continue in a new private thread.",
            )

    # -- expiry ----------------------------------------------------------------------------

    async def expire_sessions(self, now: datetime | None = None) -> None:
        """Warn owners of idle sessions, and delete those warned long enough ago."""
        try:
            due = await self.service.due_for_expiry(OWNER_PREFIX, now)
        except DatabaseUnavailable:
            log.warning("Prep expiry skipped: the database is unavailable.")
            return
        for session in due.warn:
            expires = self.service.policy.expires_at(session)
            text = warning_text(session, expires) if expires else ""
            # Only a warning that reached the owner counts: deletion waits for one that did.
            if text and await self._notify(session, text):
                await self.service.mark_warned(session, now)
        for session in due.delete:
            if await self.service.expire(session, now):
                await self._forget(session, deleted_text(session), dm=True)

    # -- helpers ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _guarded(self, interaction: discord.Interaction, where: str) -> AsyncIterator[None]:
        """Plain errors go privately to the user; bugs to the shared error path."""
        try:
            yield
        except _PLAIN_ERRORS as exc:
            log.info("Refused in %s: %s", where, exc)
            with contextlib.suppress(discord.HTTPException):
                await send_ephemeral(interaction, str(exc))
        except Exception as exc:
            await handle_error(exc, where=where, send=partial(send_ephemeral, interaction))

    async def _answer_interaction(self, interaction: discord.Interaction, reply: Reply) -> None:
        """A refusal privately, unless it opened a stage (Finish sends the user back to what is
        missing): that, like anything else, is a new message with buttons in the channel."""
        if reply.refused and not reply.header:
            await interaction.followup.send(reply_markdown(reply)[:MESSAGE_LIMIT], ephemeral=True)
            return
        channel = interaction.channel
        assert isinstance(channel, discord.abc.Messageable)
        await self._post(channel, reply)

    async def _post(self, channel: discord.abc.Messageable, reply: Reply) -> None:
        """Send a reply: text (split to fit), citations, buttons and brief on the last message."""
        contents = split_text(reply_markdown(reply), MESSAGE_LIMIT)
        last = len(contents) - 1
        for i, content in enumerate(contents):
            extra: dict[str, Any] = {}
            if i == last:
                extra = _last_message_parts(reply)
            await channel.send(content, **extra)

    async def _new_thread(
        self, parent: discord.TextChannel, user: discord.abc.User, name: str
    ) -> discord.Thread:
        thread = await parent.create_thread(
            name=clip(f"Prep · {name}", 100),
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=10080,
        )
        await thread.add_user(user)
        return thread

    async def _rehome(
        self, interaction: discord.Interaction, session: PrepSession
    ) -> discord.Thread:
        """A new thread for a session whose thread is gone."""
        parent = _thread_parent(interaction.channel)
        if parent is None:
            raise PrepError(
                "Resume it from a server text channel: it continues in a new private thread there."
            )
        thread = await self._new_thread(
            parent, interaction.user, f"{session.counterpart} · {session.topic}"
        )
        await self.service.bind(session.id, session.owner, thread_channel(thread.id))
        self.threads[thread.id] = session.id
        return thread

    async def _thread_for(self, session: PrepSession) -> discord.Thread | None:
        """The session's thread if it still exists."""
        if not session.channel.startswith(THREAD_PREFIX):
            return None
        thread_id = int(session.channel.removeprefix(THREAD_PREFIX))
        try:
            channel = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden):
            return None
        if isinstance(channel, discord.Thread):
            self.threads[thread_id] = session.id
            return channel
        return None

    async def _latest_id(self, owner: str, *, any_status: bool = False) -> str:
        latest = await self.service.latest(owner, unfinished=not any_status)
        if latest is None:
            raise PrepError("You have no prep session to use here. Start one with /prep start.")
        return latest.id

    async def _notify(self, session: PrepSession, text: str) -> bool:
        """Tell the owner in the session's thread, else by DM; False when neither worked."""
        thread = await self._thread_for(session)
        if thread is not None:
            with contextlib.suppress(discord.HTTPException):
                await thread.send(text)
                return True
        return await self._direct_message(session, text)

    async def _direct_message(self, session: PrepSession, text: str) -> bool:
        try:
            user_id = int(session.owner.removeprefix(OWNER_PREFIX))
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text)
        except (ValueError, discord.HTTPException):
            log.warning("Could not tell the owner of prep session %s", session.id, exc_info=True)
            return False
        return True

    async def _forget(self, session: PrepSession, text: str, *, dm: bool = False) -> None:
        """After a deletion: drop the thread, say so there (or by DM)."""
        thread = await self._thread_for(session)
        if session.channel.startswith(THREAD_PREFIX):
            self.threads.pop(int(session.channel.removeprefix(THREAD_PREFIX)), None)
        if thread is not None:
            with contextlib.suppress(discord.HTTPException):
                await thread.send(text)
                return
        if dm:
            await self._direct_message(session, text)


def _thread_parent(channel: object) -> discord.TextChannel | None:
    """Where a private thread can be opened: the channel, or the parent of a thread."""
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    return channel if isinstance(channel, discord.TextChannel) else None


def _last_message_parts(reply: Reply) -> dict[str, Any]:
    """Citations embed, buttons and brief files for a reply's last message."""
    parts: dict[str, Any] = {}
    embed = citations_embed(reply.questions)
    if embed is not None:
        parts["embed"] = embed
    if reply.actions:
        view = discord.ui.View(timeout=None)
        for action in reply.actions:
            view.add_item(PrepButton(action, reply.session_id, reply.stage_number - 1))
        if reply.ledger:
            view.add_item(LedgerPicker(reply.session_id, reply.ledger))
        parts["view"] = view
    if reply.brief is not None:
        brief = reply.brief
        parts["files"] = _brief_files(
            brief.markdown_name, brief.markdown, brief.png_name, brief.png
        )
    return parts


def _brief_files(md_name: str, markdown: str, png_name: str, png: bytes) -> list[discord.File]:
    return [
        discord.File(io.BytesIO(markdown.encode("utf-8")), filename=md_name),
        discord.File(io.BytesIO(png), filename=png_name),
    ]


def _modal_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """custom_id → value of every text input in a modal submit (rows or labels, nested)."""
    values: dict[str, str] = {}
    stack = list(components)
    while stack:
        component = stack.pop()
        if "value" in component and "custom_id" in component:
            values[component["custom_id"]] = str(component["value"] or "")
        stack += component.get("components", [])
        if isinstance(component.get("component"), dict):
            stack.append(component["component"])
    return values


async def _say(channel: discord.abc.Messageable, text: str) -> None:
    with contextlib.suppress(discord.HTTPException):
        await channel.send(text[:MESSAGE_LIMIT])


async def setup(bot: ParleyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Prep(bot, bot.app.prep))
