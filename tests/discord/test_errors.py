"""What the one error path tells the user for each kind of error."""

from __future__ import annotations

from types import SimpleNamespace

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.coaching.models import InputRejected
from bot.exts.errors import (
    CHECK_FAILED,
    FORBIDDEN_ERROR,
    GENERIC_ERROR,
    ErrorReply,
    explain,
)
from tests.discord.discord_fakes import FakeDiscord


def forbidden() -> discord.Forbidden:
    response = SimpleNamespace(status=403, reason="Forbidden")
    return discord.Forbidden(response, {"code": 50013, "message": "Missing Permissions"})  # type: ignore[arg-type]


def invoke_error(original: Exception) -> app_commands.CommandInvokeError:
    command = app_commands.Command(name="ask", description="-", callback=_noop)
    return app_commands.CommandInvokeError(command, original)


async def _noop(interaction: discord.Interaction) -> None:
    """A command callback for building errors."""


COOLDOWN = app_commands.Cooldown(1, 60)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (InputRejected("Tell me about the deal."), ErrorReply("Tell me about the deal.")),
        (invoke_error(InputRejected("Too short.")), ErrorReply("Too short.")),
        (
            app_commands.CommandOnCooldown(COOLDOWN, 12.2),
            ErrorReply("You're going a bit fast. Please try again in 13 s."),
        ),
        (
            commands.CommandOnCooldown(COOLDOWN, 0.2, commands.BucketType.user),
            ErrorReply("You're going a bit fast. Please try again in 1 s."),
        ),
        (
            app_commands.MissingPermissions(["manage_threads"]),
            ErrorReply("You need the Manage Threads permission."),
        ),
        (
            commands.MissingPermissions(["manage_messages", "embed_links"]),
            ErrorReply("You need the Manage Messages and Embed Links permissions."),
        ),
        (
            app_commands.BotMissingPermissions(["create_public_threads"]),
            ErrorReply(
                "I need the Create Public Threads permission here; a server admin can grant it."
            ),
        ),
        (app_commands.NoPrivateMessage(), ErrorReply(CHECK_FAILED)),
        (app_commands.CheckFailure(), ErrorReply(CHECK_FAILED)),
        (commands.CheckFailure(), ErrorReply(CHECK_FAILED)),
        (forbidden(), ErrorReply(FORBIDDEN_ERROR, unexpected=True)),
        (RuntimeError("boom"), ErrorReply(GENERIC_ERROR, unexpected=True)),
        (invoke_error(KeyError("chunk")), ErrorReply(GENERIC_ERROR, unexpected=True)),
        (commands.CommandNotFound('Command "how" is not found'), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else "",
)
def test_each_error_gets_a_plain_reply(error: BaseException, expected: ErrorReply | None) -> None:
    assert explain(error) == expected


def test_unexpected_errors_never_show_their_details() -> None:
    reply = explain(RuntimeError("password=hunter2 at /srv/parley/db.sqlite"))

    assert reply is not None
    assert "hunter2" not in reply.text and "/srv" not in reply.text


async def test_the_tree_uses_the_shared_handler_only_while_the_extension_is_loaded(
    fake_discord: FakeDiscord,
) -> None:
    bot = fake_discord.bot
    assert bot.tree.on_error.__name__ == "report_interaction_error"

    await bot.unload_extension("bot.exts.errors")

    assert bot.tree.on_error.__name__ == "on_error"  # discord.py's own, which only logs
