"""The `parley` command as scripts use it: real processes, real store, real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings


def parley(args: list[str], settings: Settings, cwd: Path, stdin: str = "", **env: str):
    """Run `python -m bot` with the test's data dir and no .env."""
    environment = {
        **os.environ,
        "PARLEY_DATA_DIR": str(settings.data_dir),
        "DISCORD_TOKEN": "",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )


def test_ask_json_stdin_prints_one_object_per_line_in_order(
    settings: Settings, tmp_path: Path
) -> None:
    lines = ["He seems honest, so we skip the inspection.", "", "Should the money sit in escrow?"]
    result = parley(["ask", "--json", "-"], settings, tmp_path, stdin="\n".join(lines) + "\n")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 3
    assert objects[0]["trust"]["relies_on_trust"] and objects[0]["questions"]
    assert objects[1]["questions"] == [] and "empty" in objects[1]["error"]
    assert not objects[2]["trust"]["relies_on_trust"], objects[2]
    assert objects[2]["passages"]


def test_ask_k_sets_the_number_of_passages(settings: Settings, tmp_path: Path) -> None:
    result = parley(["ask", "--json", "--k", "5", "My supplier gave his word."], settings, tmp_path)
    assert len(json.loads(result.stdout)["passages"]) == 5


def test_run_without_token_says_exactly_what_to_set(settings: Settings, tmp_path: Path) -> None:
    result = parley(["run"], settings, tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and ".env" in result.stderr


def test_knowledge_add_reports_bad_files_by_name(settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "ok.md"
    good.write_text("The landlord promised a new boiler.")
    (tmp_path / "nope.docx").write_bytes(b"PK\x03\x04")
    result = parley(
        ["knowledge", "add", str(good), str(tmp_path / "nope.docx")], settings, tmp_path
    )
    assert f"added: {good}" in result.stdout
    assert "nope.docx" in result.stderr and "unsupported" in result.stderr


def test_corrupt_data_dir_gets_a_message_on_how_to_rebuild(
    settings: Settings, tmp_path: Path
) -> None:
    for path in (settings.data_dir / "chroma").glob("*.sqlite3"):
        path.write_bytes(b"garbage" * 1000)
    result = parley(["ask", "hello"], settings, tmp_path)
    assert result.returncode == 2
    assert "parley knowledge rebuild" in result.stderr
    assert "Traceback" not in result.stderr


def test_rebuild_indexes_discord_server_notes_again(settings: Settings, tmp_path: Path) -> None:
    note = settings.data_dir / "notes" / "42" / "zanzibar.md"
    note.parent.mkdir(parents=True)
    note.write_text("---\ntitle: Zanzibar floor\n---\n\nOur Zanzibar pricing floor.\n")
    assert parley(["knowledge", "rebuild"], settings, tmp_path).returncode == 0
    listing = parley(["knowledge", "list", "--server", "42"], settings, tmp_path).stdout
    assert "Zanzibar floor" in listing and "server:42" in listing


@pytest.mark.parametrize("args", [["knowledge", "rebuild"]])
def test_rebuild_recovers_a_corrupt_store(
    settings: Settings, tmp_path: Path, args: list[str]
) -> None:
    for path in (settings.data_dir / "chroma").glob("*.sqlite3"):
        path.write_bytes(b"garbage" * 1000)
    assert parley(args, settings, tmp_path).returncode == 0
    assert parley(["ask", "He seems honest."], settings, tmp_path).returncode == 0


def test_damaged_session_database_gets_a_plain_message(settings: Settings, tmp_path: Path) -> None:
    (settings.data_dir / "parley.db").write_bytes(b"not sqlite at all" * 500)
    result = parley(["ask", "He seems honest."], settings, tmp_path)
    assert result.returncode == 2
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
