"""The `parley` command reaches the same per-server notes as Discord does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import scope_of
from tests.discord.discord_fakes import GUILD_ID
from tests.discuss.team_fakes import OTHER_GUILD_ID

NOTE = (
    "Case file QX-9. The Tallinn printer promised to hold our paper price for a year, so we "
    "signed no supply agreement and paid the deposit for the catalogue print run."
)
ASK = "The Tallinn printer promised to hold the paper price, so we skip the supply agreement."


def passages_of(capsys: pytest.CaptureFixture[str]) -> str:
    return " ".join(p["text"] for p in json.loads(capsys.readouterr().out)["passages"])


def test_a_note_added_with_server_is_used_by_ask_for_that_server_only(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "tallinn-printer.md"
    note.write_text(NOTE)
    assert cli(["knowledge", "add", "--server", str(GUILD_ID), str(note)]) == 0
    capsys.readouterr()

    cli(["ask", "--json", "--k", "8", "--server", str(GUILD_ID), ASK])
    home = passages_of(capsys)
    cli(["ask", "--json", "--k", "8", "--server", str(OTHER_GUILD_ID), ASK])
    away = passages_of(capsys)

    assert "QX-9" in home
    assert "QX-9" not in away


async def test_a_note_added_with_the_cli_is_one_of_the_servers_notes(
    parley_app: Any, tmp_path: Path
) -> None:
    note = tmp_path / "tallinn-printer.md"
    note.write_text(NOTE)
    parley_app.knowledge.add_paths([note], scope=scope_of(GUILD_ID))  # what the CLI stores

    assert [n.name for n in await parley_app.notes.list(GUILD_ID)] == ["tallinn-printer"]
    assert await parley_app.notes.list(OTHER_GUILD_ID) == []
