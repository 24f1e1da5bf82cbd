"""The Discord front end: a ``commands.Bot`` around the Parley app container."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.exts import EXTENSIONS

if TYPE_CHECKING:
    from bot.app import Parley

log = logging.getLogger(__name__)


class MissingTokenError(RuntimeError):
    """The settings hold no Discord bot token, so the bot cannot log in."""


class ParleyBot(commands.Bot):
    """Parley on Discord; the coaching itself stays in ``app.coach``.

    ``sync_commands=False`` skips publishing the slash commands to Discord at start-up,
    for tests and for restarts where the command set has not changed.
    """

    def __init__(
        self,
        app: Parley,
        *,
        sync_commands: bool = True,
        extensions: Sequence[str] = EXTENSIONS,
    ) -> None:
        intents = discord.Intents.default()
        # Thread follow-ups carry no mention, so the bot must read message text (privileged).
        intents.message_content = True
        super().__init__(
            # A prefix is required; there are no text commands, and mentions are coaching input.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            # Answers can quote user text; never let them ping @everyone, roles or users.
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.app = app
        self.sync_commands = sync_commands
        self._extension_names = tuple(extensions)

    async def setup_hook(self) -> None:
        """Load the extensions, then publish the slash commands once."""
        for name in self._extension_names:
            await self.load_extension(name)
        if self.sync_commands:
            await self.sync_app_commands()
        self.app.warm_up()

    async def sync_app_commands(self) -> list[discord.app_commands.AppCommand]:
        """Publish the command tree: to the configured guild (instant) or globally (slow).

        Guild sync shows changes at once, which suits development; global commands can
        take up to an hour to reach every client.
        """
        guild_id = self.app.settings.discord_guild_id
        if guild_id is None:
            synced = await self.tree.sync()
            log.info("Synced %d global application command(s)", len(synced))
            return synced
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("Synced %d application command(s) to guild %s", len(synced), guild_id)
        return synced


async def run_discord(app: Parley) -> None:
    """Run Parley on Discord until the connection closes; the caller closes ``app``.

    Raises ``MissingTokenError`` when no token is configured.
    """
    token = app.settings.discord_token
    secret = token.get_secret_value().strip() if token is not None else ""
    if not secret:
        raise MissingTokenError(
            "No Discord bot token is configured: set DISCORD_TOKEN in the environment or .env "
            "to the token from the Discord developer portal."
        )
    async with ParleyBot(app) as bot:
        await bot.start(secret)
