"""The Coach cog: ``/ask``, mentions that open a coaching thread, thread follow-ups and DMs.

Thin by design: it decides where to answer and passes text to ``CoachService``; everything
about what to ask lives in ``bot.coaching``.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.coaching.llm.streaming import ThrottledEditor, show_stream
from bot.exts.config import answers_privately, coach_channel_only, refusal_for_message
from bot.exts.errors import mark_answer_started, report_message_error
from bot.exts.render import render_turn, thread_name
from bot.knowledge.store import scopes_for
from bot.storage.database import DatabaseUnavailable

if TYPE_CHECKING:
    from bot.bot import ParleyBot
    from bot.coaching.llm.service import StreamingCoachService

log = logging.getLogger(__name__)

# Messages a person typed; joins, pins, thread notices and the like are not coaching input.
_USER_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def thread_conversation_id(thread_id: int) -> str:
    """The coaching conversation id of a Discord thread."""
    return f"discord-thread:{thread_id}"


def dm_conversation_id(channel_id: int) -> str:
    """The coaching conversation id of a direct-message channel."""
    return f"discord-dm:{channel_id}"


def owner_id(user: discord.abc.User) -> str:
    """How a Discord user is named as the owner of a conversation."""
    return f"discord-user:{user.id}"


def knowledge_scopes(guild: discord.Guild | None) -> tuple[str, ...]:
    """The knowledge an answer may draw on: the shared base, plus the server's own documents."""
    return scopes_for(guild.id if guild else None)


class _Previews:
    """Shows an LLM's questions as they are written, editing the reply at most once a second."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self._interaction = interaction
        self.shown = False
        self.editor = ThrottledEditor(self._edit)

    async def _edit(self, text: str) -> None:
        self.shown = True
        await self._interaction.edit_original_response(content=text)

    async def replace(self, content: str, embed: discord.Embed | None) -> None:
        """Put the finished first message where the preview was."""
        await self.editor.finish(content)
        if embed is not None:
            await self._interaction.edit_original_response(embed=embed)


class Coach(commands.Cog):
    """Routes Discord input to the coaching service and sends back its questions."""

    def __init__(self, bot: commands.Bot, coach: StreamingCoachService) -> None:
        self.bot = bot
        self.coach = coach

    @app_commands.command(name="ask", description="Describe a negotiation; get questions back.")
    @app_commands.describe(question="Your situation or question, in your own words")
    @coach_channel_only()
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """Answer one question with Socratic questions and their sources."""
        private = await answers_privately(interaction)  # the server's /parley config
        # Retrieval can take longer than Discord's 3-second window, so acknowledge first.
        await interaction.response.defer(thinking=True, ephemeral=private)
        previews = _Previews(interaction)
        updates = self.coach.stream_ask(question, scopes=knowledge_scopes(interaction.guild))
        turn = await show_stream(updates, previews.editor)
        messages = render_turn(turn).messages() if turn else []
        if previews.shown and messages:
            # The "thinking" message already holds the preview: the first part replaces it.
            (content, embed), *messages = messages
            await previews.replace(content, embed)
        for content, embed in messages:
            await interaction.followup.send(content, embed=embed, ephemeral=private)
            mark_answer_started(interaction)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer DMs, mentions (in a new thread) and messages in coaching threads."""
        if not self._is_from_a_person(message):
            return
        channel = message.channel
        if isinstance(channel, discord.DMChannel):
            text = self._without_mentions(message)
            await self._answer(message, text, dm_conversation_id(channel.id))
        elif (refusal := await refusal_for_message(self.bot.app, message)) is not None:  # type: ignore[attr-defined]
            if self._mentions_me(message):  # outside the server's coach channels: say where
                await report_message_error(
                    channel, refusal, where="a mention outside coach channels"
                )
        elif isinstance(channel, discord.Thread):
            await self._on_thread_message(message, channel)
        elif self._mentions_me(message):
            await self._open_thread(message)

    def _is_from_a_person(self, message: discord.Message) -> bool:
        """Skip bots (this one included), webhooks and system messages."""
        return (
            self.bot.user is not None
            and not message.author.bot
            and message.author.id != self.bot.user.id
            and message.type in _USER_MESSAGE_TYPES
        )

    async def _on_thread_message(self, message: discord.Message, thread: discord.Thread) -> None:
        """Answer in a coaching thread; a mention makes any other thread a coaching thread."""
        conversation_id = thread_conversation_id(thread.id)
        try:
            known = await self.coach.has_conversation(conversation_id)
        except DatabaseUnavailable as exc:
            # Most threads are not ours: log once here rather than answer in a stranger's thread.
            log.warning("Cannot tell whether thread %s is a coaching thread: %s", thread.id, exc)
            return
        if not known:
            if not self._mentions_me(message):
                return
            await self.coach.open_conversation(conversation_id, owner_id(message.author))
        await self._answer(message, self._without_mentions(message), conversation_id)

    async def _open_thread(self, message: discord.Message) -> None:
        """Open a thread on the mentioning message, register it, and answer inside it."""
        text = self._without_mentions(message)
        try:
            thread = await message.create_thread(name=thread_name(text))
            conversation_id = thread_conversation_id(thread.id)
            await self.coach.open_conversation(conversation_id, owner_id(message.author))
        except Exception as exc:
            await report_message_error(message.channel, exc, where="opening a coaching thread")
            return
        await self._answer(message, text, conversation_id, destination=thread)

    async def _answer(
        self,
        message: discord.Message,
        text: str,
        conversation_id: str,
        *,
        destination: discord.abc.Messageable | None = None,
    ) -> None:
        """Coach on ``text`` and send the turn to ``destination`` (default: where it was said).

        Failures are answered in the same place, through the shared error path.
        """
        destination = destination or message.channel
        scopes = knowledge_scopes(message.guild)
        try:
            async with destination.typing():
                turn = await self.coach.ask(text, conversation_id, scopes=scopes)
            for content, embed in render_turn(turn).messages():
                await destination.send(content, embed=embed)
        except Exception as exc:
            await report_message_error(destination, exc, where=f"conversation {conversation_id}")

    def _mentions_me(self, message: discord.Message) -> bool:
        """A direct mention of the bot or of its managed role; @everyone does not count."""
        me = self.bot.user
        if me is None:
            return False
        if any(user.id == me.id for user in message.mentions):
            return True
        return any(role.id in message.raw_role_mentions for role in self._my_roles(message))

    def _without_mentions(self, message: discord.Message) -> str:
        """The message text with the bot's own mention tokens removed."""
        me = self.bot.user
        if me is None:
            return message.content
        role_ids = "|".join(str(role.id) for role in self._my_roles(message))
        pattern = rf"<@!?{me.id}>" + (rf"|<@&(?:{role_ids})>" if role_ids else "")
        return re.sub(pattern, " ", message.content).strip()

    @staticmethod
    def _my_roles(message: discord.Message) -> list[discord.Role]:
        """The roles Discord created for this bot in the message's guild (usually one)."""
        me = message.guild.me if message.guild else None
        if me is None:
            return []
        return [role for role in me.roles if role.is_bot_managed()]


async def setup(bot: ParleyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Coach(bot, bot.app.coach))
