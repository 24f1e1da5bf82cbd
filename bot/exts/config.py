"""``/parley config`` and the checks every team command shares: managers, coach channels.

Refusals are ``Refused`` errors raised from ``app_commands.check``; the one error path in
``bot/exts/errors.py`` shows their sentence privately to the person refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.coaching.models import InputRejected
from bot.discuss.config import ConfigChange, ServerConfig

if TYPE_CHECKING:
    from bot.app import Parley
    from bot.bot import ParleyBot


class Refused(app_commands.CheckFailure, InputRejected):
    """A check failure with its own plain sentence.

    The shared error path shows ``InputRejected`` text verbatim but answers every other
    ``CheckFailure`` with one generic line; being both lets a refusal say who may do what.
    """


def app_of(interaction: discord.Interaction) -> Parley:
    """The Parley container behind the bot that received the interaction."""
    return cast("ParleyBot", interaction.client).app


def is_admin(interaction: discord.Interaction) -> bool:
    """Server administrators: the Administrator or Manage Server permission."""
    permissions = interaction.permissions
    return permissions.administrator or permissions.manage_guild


def role_ids(user: discord.abc.User) -> list[int]:
    """The ids of a member's roles (none for a user outside a server)."""
    return [role.id for role in getattr(user, "roles", [])]


async def server_config(interaction: discord.Interaction) -> ServerConfig:
    """The settings of the interaction's server."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return await app_of(interaction).servers.get(interaction.guild_id)


async def may_manage(interaction: discord.Interaction) -> bool:
    """True for admins and holders of the server's manager role."""
    config = await server_config(interaction)
    return config.may_manage(is_admin=is_admin(interaction), role_ids=role_ids(interaction.user))


def managers_text(config: ServerConfig) -> str:
    """Who manages Parley on a server, for refusals and the settings summary."""
    if config.manager_role_id is None:
        return "server admins"
    return f"server admins and members with the <@&{config.manager_role_id}> role"


def manager_only() -> app_commands.Check:
    """Only admins and the server's manager role may run the command."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if await may_manage(interaction):
            return True
        config = await server_config(interaction)
        raise Refused(f"Only {managers_text(config)} can manage Parley's notes and schedules here.")

    return app_commands.check(predicate)


def admin_only() -> app_commands.Check:
    """Only server administrators may run the command."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if is_admin(interaction):
            return True
        raise Refused("Only server admins can change Parley's settings.")

    return app_commands.check(predicate)


def coach_channel_only() -> app_commands.Check:
    """Outside a server's coach channels the command is refused with where to go instead."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            return True
        refusal = coach_channel_refusal(await server_config(interaction), interaction.channel)
        if refusal is not None:
            raise refusal
        return True

    return app_commands.check(predicate)


def coach_channel_refusal(config: ServerConfig, channel: object) -> Refused | None:
    """A refusal when ``channel`` (or a thread's parent) is not one of the coach channels."""
    channel_id = getattr(channel, "id", None)
    parent_id = getattr(channel, "parent_id", None)
    if config.coaches_in(channel_id) or (parent_id is not None and config.coaches_in(parent_id)):
        return None
    where = ", ".join(f"<#{c}>" for c in sorted(config.coach_channel_ids))
    return Refused(f"On this server I coach in {where}. Ask me there.")


async def refusal_for_message(app: Parley, message: discord.Message) -> Refused | None:
    """For the message listener: a refusal if the server keeps Parley out of this channel."""
    if message.guild is None:
        return None
    return coach_channel_refusal(await app.servers.get(message.guild.id), message.channel)


async def answers_privately(interaction: discord.Interaction) -> bool:
    """True when the server wants /ask answers shown only to the person asking."""
    if interaction.guild_id is None:
        return False
    return (await server_config(interaction)).ephemeral_answers


def describe(config: ServerConfig) -> str:
    """The settings summary shown after /parley config."""
    channels = (
        ", ".join(f"<#{c}>" for c in sorted(config.coach_channel_ids))
        if config.coach_channel_ids
        else "every channel"
    )
    visibility = "only to the person asking" if config.ephemeral_answers else "to everyone"
    return (
        "**Parley's settings on this server**\n"
        f"- Notes and schedules are managed by {managers_text(config)}.\n"
        f"- I coach in {channels}.\n"
        f"- Answers to /ask are shown {visibility}."
    )


class Config(commands.GroupCog, group_name="parley", group_description="Parley on this server"):
    """``/parley config``: per-server settings, for server admins."""

    def __init__(self, bot: ParleyBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="config", description="Show or change Parley's settings here.")
    @app_commands.describe(
        manager_role="Members with this role may manage notes and schedules",
        clear_manager_role="Let only server admins manage notes and schedules",
        add_coach_channel="Coach in this channel (once any is set, only in those)",
        remove_coach_channel="Stop coaching in this channel",
        all_channels="Coach in every channel again",
        ephemeral_answers="Show /ask answers only to the person asking",
    )
    @app_commands.guild_only()
    @admin_only()
    async def config(
        self,
        interaction: discord.Interaction,
        manager_role: discord.Role | None = None,
        clear_manager_role: bool = False,
        add_coach_channel: discord.TextChannel | None = None,
        remove_coach_channel: discord.TextChannel | None = None,
        all_channels: bool = False,
        ephemeral_answers: bool | None = None,
    ) -> None:
        """Apply the given changes (none: just show the settings)."""
        assert interaction.guild_id is not None  # guild_only
        change = ConfigChange(
            manager_role_id=manager_role.id if manager_role else None,
            clear_manager_role=clear_manager_role,
            add_channel_id=add_coach_channel.id if add_coach_channel else None,
            remove_channel_id=remove_coach_channel.id if remove_coach_channel else None,
            all_channels=all_channels,
            ephemeral_answers=ephemeral_answers,
        )
        servers = self.bot.app.servers
        config = (
            await servers.get(interaction.guild_id)
            if change.empty
            else await servers.update(interaction.guild_id, change)
        )
        await interaction.response.send_message(describe(config), ephemeral=True)


async def setup(bot: ParleyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Config(bot))
