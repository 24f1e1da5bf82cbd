"""The one error path of the Discord layer.

Slash commands (``tree.on_error``), text commands (``on_command_error``) and the message
listeners all end here: the user gets a short plain sentence, the log gets the traceback.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.coaching.models import InputRejected
from bot.storage.database import DatabaseUnavailable

if TYPE_CHECKING:
    from bot.bot import ParleyBot

log = logging.getLogger(__name__)

# Set in ``Interaction.extras`` once a follow-up has replaced the "thinking…" placeholder.
_ANSWER_STARTED = "parley.answer_started"

GENERIC_ERROR = "Something went wrong on my side; the team has the details. Please try again."
FORBIDDEN_ERROR = "I don't have permission to do that here. A server admin can check my role."
CHECK_FAILED = "You can't use that command here."
DISABLED = "That command is switched off right now."


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """What to tell the user about an error, and whether it is a bug worth a traceback."""

    text: str
    unexpected: bool = False


def unwrap(error: BaseException) -> BaseException:
    """The exception the command actually raised, without discord.py's invoke wrappers."""
    wrappers = (
        app_commands.CommandInvokeError,
        commands.CommandInvokeError,
        commands.HybridCommandError,
    )
    while isinstance(error, wrappers):
        error = error.original
    return error


def explain(error: BaseException) -> ErrorReply | None:
    """Map an error to a plain reply; ``None`` means say nothing.

    The order matters: app-command cooldowns and permission errors are ``CheckFailure``
    subclasses, so they are matched before the general check failure.
    """
    error = unwrap(error)
    if isinstance(error, commands.CommandNotFound):
        # Mentions use the same prefix as text commands, so every coaching mention "fails" as
        # an unknown command; the message listener answers those instead.
        return None
    if isinstance(error, InputRejected | DatabaseUnavailable):
        return ErrorReply(str(error) or GENERIC_ERROR)
    if isinstance(error, app_commands.CommandOnCooldown | commands.CommandOnCooldown):
        seconds = max(1, math.ceil(error.retry_after))
        return ErrorReply(f"You're going a bit fast. Please try again in {seconds} s.")
    if isinstance(error, app_commands.MissingPermissions | commands.MissingPermissions):
        return ErrorReply(f"You need {_permissions(error.missing_permissions)}.")
    if isinstance(error, app_commands.BotMissingPermissions | commands.BotMissingPermissions):
        needed = _permissions(error.missing_permissions)
        return ErrorReply(f"I need {needed} here; a server admin can grant it.")
    if isinstance(error, app_commands.CheckFailure | commands.CheckFailure):
        return ErrorReply(CHECK_FAILED)
    if isinstance(error, commands.DisabledCommand):
        return ErrorReply(DISABLED)
    if isinstance(error, commands.UserInputError):
        return ErrorReply(f"I couldn't read that command: {error}")
    if isinstance(error, discord.Forbidden):
        # Usually a server set-up problem (no thread or embed permission); the log says which.
        return ErrorReply(FORBIDDEN_ERROR, unexpected=True)
    return ErrorReply(GENERIC_ERROR, unexpected=True)


def log_error(error: BaseException, reply: ErrorReply | None, where: str) -> None:
    """Log the traceback of unexpected errors; expected ones get one line."""
    original = unwrap(error)
    if reply is None:  # e.g. every coaching mention is an "unknown command": not news
        log.debug("Ignored in %s: %r", where, original)
    elif reply.unexpected:
        log.error("Error in %s", where, exc_info=original)
    else:
        log.info("Refused in %s: %s: %s", where, type(original).__name__, original)


async def handle_error(
    error: BaseException, *, where: str, send: Callable[[str], Awaitable[object]]
) -> None:
    """The shared path: explain ``error``, log it, and ``send`` the user the explanation."""
    reply = explain(error)
    log_error(error, reply, where)
    if reply is None:
        return
    try:
        await send(reply.text)
    except discord.HTTPException:
        # The channel may be gone or the interaction expired; nothing more can reach the user.
        log.warning("Could not send the error reply in %s", where, exc_info=True)


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user privately what went wrong with their slash command, and log it."""
    command = interaction.command.qualified_name if interaction.command else "unknown command"
    await handle_error(error, where=f"/{command}", send=partial(send_ephemeral, interaction))


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Send ``text`` only to the user, whatever state the interaction response is in."""
    response = interaction.response
    if not response.is_done():
        await response.send_message(text, ephemeral=True)
        return
    placeholder = response.type is discord.InteractionResponseType.deferred_channel_message
    if placeholder and not interaction.extras.get(_ANSWER_STARTED):
        # The first follow-up after a defer replaces the "thinking…" message and keeps the
        # defer's visibility, so after a public defer the error would be public. Deleting the
        # placeholder first lets the follow-up be a fresh ephemeral message.
        with contextlib.suppress(discord.HTTPException):
            await interaction.delete_original_response()
    await interaction.followup.send(text, ephemeral=True)


def mark_answer_started(interaction: discord.Interaction) -> None:
    """Note that the deferred placeholder now holds (part of) the answer: keep it on error."""
    interaction.extras[_ANSWER_STARTED] = True


async def report_message_error(
    destination: discord.abc.Messageable, error: BaseException, *, where: str
) -> None:
    """Answer a failed message briefly in ``destination`` (a channel or thread), and log it."""
    await handle_error(error, where=where, send=destination.send)


class ErrorHandlers(commands.Cog):
    """Installs the global handlers while loaded and restores discord.py's when unloaded."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous_tree_handler = bot.tree.on_error

    async def cog_load(self) -> None:
        """Route every slash-command error to the shared handler."""
        self.bot.tree.error(report_interaction_error)

    async def cog_unload(self) -> None:
        """Put back the tree's previous handler so a reload starts clean."""
        self.bot.tree.on_error = self._previous_tree_handler  # type: ignore[method-assign]

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        """Handle text-command errors that the command itself does not handle."""
        if ctx.command is not None and ctx.command.has_error_handler():
            return
        if ctx.cog is not None and ctx.cog.has_error_handler():
            return
        where = f"command {ctx.invoked_with!r}"
        await handle_error(error, where=where, send=partial(ctx.send, ephemeral=True))


async def setup(bot: ParleyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(ErrorHandlers(bot))


def _permissions(names: list[str]) -> str:
    """``["manage_threads", "embed_links"]`` → ``"the Manage Threads and Embed Links permissions"``."""
    titles = [name.replace("_", " ").title() for name in names]
    if len(titles) == 1:
        return f"the {titles[0]} permission"
    return f"the {', '.join(titles[:-1])} and {titles[-1]} permissions"
