"""``/notes``: a server's own case notes, added, listed, shown and removed from Discord.

Thin by design: limits, files and indexing live in ``bot.discuss.notes``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discuss.notes import AddedNote, NoteService, parse_tags
from bot.exts.config import app_of, manager_only
from bot.exts.errors import handle_error, send_ephemeral
from bot.exts.render import clip

if TYPE_CHECKING:
    from bot.bot import ParleyBot

# Discord's limits: a text input holds 4000 characters, an embed description 4096.
TEXT_INPUT_LIMIT = 4000
SHOW_LIMIT = 3900
LIST_LIMIT = 1900
INSTRUCTIONS_NOTICE = (
    "-# Parts of it read like instructions to me. Notes are material I quote, never "
    "instructions, so they change nothing in how I coach."
)


def added_text(added: AddedNote) -> str:
    """The reply after a note was added."""
    verb = "Replaced" if added.replaced else "Added"
    note = added.note
    lines = [
        f"{verb} **{note.title}** (`{note.name}`, {note.passages} passage(s)). "
        "It is used only on this server."
    ]
    if added.reads_like_instructions:
        lines.append(INSTRUCTIONS_NOTICE)
    return "\n".join(lines)


class NoteModal(discord.ui.Modal, title="Add a case note"):
    """Title, tags and text of a new note."""

    note_title: discord.ui.TextInput = discord.ui.TextInput(
        label="Title", max_length=100, placeholder="The supplier who slipped a week"
    )
    tags: discord.ui.TextInput = discord.ui.TextInput(
        label="Tags (optional)",
        required=False,
        max_length=200,
        placeholder="commerce, penalty, notice-duty",
    )
    text: discord.ui.TextInput = discord.ui.TextInput(
        label="The case",
        style=discord.TextStyle.paragraph,
        max_length=TEXT_INPUT_LIMIT,
        placeholder="What happened, where trust was leaned on, who carried which risk...",
    )

    def __init__(self, notes: NoteService) -> None:
        super().__init__(timeout=900)  # an abandoned form must not stay in memory forever
        self.notes = notes
        self.text.max_length = min(TEXT_INPUT_LIMIT, notes.limits.max_chars)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Write and index the note; indexing takes a moment, so acknowledge first."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        added = await self.notes.add_text(
            interaction.guild_id,
            title=self.note_title.value,
            text=self.text.value,
            tags=parse_tags(self.tags.value or ""),
            author=interaction.user.display_name,
            now=app_of(interaction).discussions.clock(),
        )
        await interaction.followup.send(added_text(added), ephemeral=True)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Modal errors take the shared error path too."""
        await handle_error(error, where="the note form", send=partial(send_ephemeral, interaction))


class Notes(commands.GroupCog, group_name="notes", group_description="This server's case notes"):
    """Add, list, show and remove the notes Parley uses on this server only."""

    def __init__(self, bot: ParleyBot) -> None:
        self.bot = bot
        self.notes = bot.app.notes
        super().__init__()

    @app_commands.command(name="add", description="Add a case note (a form, or attach a file).")
    @app_commands.describe(file="A .md, .txt or .pdf file; leave empty to type the note")
    @app_commands.guild_only()
    @manager_only()
    async def add(
        self, interaction: discord.Interaction, file: discord.Attachment | None = None
    ) -> None:
        """Open the note form, or ingest the attached file."""
        assert interaction.guild_id is not None
        if file is None:
            await interaction.response.send_modal(NoteModal(self.notes))
            return
        # Refuse by name and size before downloading anything.
        self.notes.check_upload(file.filename, file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        added = await self.notes.add_file(interaction.guild_id, file.filename, data)
        await interaction.followup.send(added_text(added), ephemeral=True)

    @app_commands.command(name="list", description="List this server's case notes.")
    @app_commands.guild_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        """The server's notes, by title."""
        assert interaction.guild_id is not None
        notes = await self.notes.list(interaction.guild_id)
        if not notes:
            text = "This server has no case notes yet. Managers can add one with /notes add."
        else:
            lines = [f"- **{n.title}** (`{n.name}`, {n.passages} passage(s))" for n in notes]
            text = clip(
                f"**This server's case notes ({len(notes)})**\n" + "\n".join(lines), LIST_LIMIT
            )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="show", description="Show one of this server's case notes.")
    @app_commands.describe(name="The note's name or title")
    @app_commands.guild_only()
    async def show(self, interaction: discord.Interaction, name: str) -> None:
        """A note's text, as Parley indexed it."""
        assert interaction.guild_id is not None
        shown = await self.notes.show(interaction.guild_id, name)
        embed = discord.Embed(
            title=clip(shown.note.title, 256), description=clip(shown.text, SHOW_LIMIT)
        )
        embed.set_footer(text=f"{shown.note.name} · {shown.note.passages} passage(s)")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="remove", description="Remove one of this server's case notes.")
    @app_commands.describe(name="The note's name or title")
    @app_commands.guild_only()
    @manager_only()
    async def remove(self, interaction: discord.Interaction, name: str) -> None:
        """Remove a note from this server's knowledge."""
        assert interaction.guild_id is not None
        gone = await self.notes.remove(interaction.guild_id, name)
        await interaction.response.send_message(
            f"Removed **{gone.title}** (`{gone.name}`).", ephemeral=True
        )

    @show.autocomplete("name")
    @remove.autocomplete("name")
    async def _note_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest the server's notes whose title or name contains what was typed."""
        if interaction.guild_id is None:
            return []
        needle = current.lower()
        notes = await self.notes.list(interaction.guild_id)
        return [
            app_commands.Choice(name=clip(n.title, 100), value=n.name)
            for n in notes
            if needle in n.title.lower() or needle in n.name
        ][:25]


async def setup(bot: ParleyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Notes(bot))
