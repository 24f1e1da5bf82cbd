"""`parley prep` in the terminal: real processes for whole sessions, in-process for the details."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import build_parser
from bot.prep import cli
from bot.settings import Settings
from bot.terminal.prep import list_sessions, run_prep, terminal_owner
from tests.prep.conftest import Clock
from tests.prep.scenario import ALTERNATIVES, COUNTERPART, LINES, SITUATION, STAKES, TOPIC


def parley(
    args: list[str], settings: Settings, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` on the test's data dir, no .env, stdin not a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=settings.data_dir.parent, env=_env(settings, env), timeout=120,
    )  # fmt: skip


def _env(settings: Settings, extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "PARLEY_DATA_DIR": str(settings.data_dir), "DISCORD_TOKEN": "", **extra}


def start_args() -> list[str]:
    return ["prep", "--counterpart", COUNTERPART, "--topic", TOPIC]


def test_a_scripted_session_prints_its_id_first_and_the_two_files_last(settings: Settings) -> None:
    result = parley(start_args(), settings, stdin="\n".join(LINES) + "\n")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("session: ")
    session_id = lines[0].removeprefix("session: ")
    brief, risk_map = (
        Path(lines[-2].removeprefix("brief: ")),
        Path(lines[-1].removeprefix("risk map: ")),
    )
    assert (brief.parent, risk_map.parent) == (settings.data_dir / "briefs",) * 2
    assert brief.name == f"prep-{session_id}-brief.md"
    assert risk_map.read_bytes().startswith(b"\x89PNG")
    assert "| The landlord fears | He fears paying for a new boiler" in brief.read_text()


def test_a_killed_session_resumes_at_the_same_question_with_nothing_lost(
    settings: Settings,
) -> None:
    before = [*SITUATION, "/next", *STAKES[:2]]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *start_args()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, cwd=settings.data_dir.parent, env=_env(settings, {}),
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    session_id = process.stdout.readline().strip().removeprefix("session: ")
    process.stdin.write("\n".join(before) + "\n")
    process.stdin.flush()
    saved = 0
    while saved < 4:  # the acknowledgement comes after the answer is stored
        saved += process.stdout.readline().strip() == "(Saved.)"
    last_question = _read_until_blank(process.stdout)
    process.send_signal(signal.SIGKILL)  # no pause, no goodbye
    process.wait(timeout=10)

    resumed = parley(
        ["prep", "--resume", session_id],
        settings,
        stdin="\n".join([*STAKES[2:], "/finish", "/finish"]) + "\n",
    )

    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.splitlines()[0] == f"session: {session_id}"
    assert last_question in resumed.stdout  # the same question, asked again
    brief = Path(resumed.stdout.splitlines()[-2].removeprefix("brief: ")).read_text()
    assert all(answer in brief for answer in [*SITUATION, *STAKES])
    assert brief.count(STAKES[1]) == 1


def _read_until_blank(stream: Any) -> str:
    """The next question printed after an acknowledgement (up to the blank line)."""
    lines = []
    while (line := stream.readline().rstrip("\n")) != "":
        lines.append(line)
    return next(line for line in lines if line.startswith("1. "))


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set what the user types (stdin not a terminal)."""

    def set_lines(*lines: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))

    return set_lines


async def test_list_marks_sessions_close_to_expiry(
    parley_app: Any, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    old = (await parley_app.prep.start(terminal_owner(), "the seller", "a used car")).session_id
    clock.advance(seconds=parley_app.prep.policy.idle.total_seconds() - 60)
    new = (await parley_app.prep.start(terminal_owner(), COUNTERPART, TOPIC)).session_id

    await list_sessions(parley_app)

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"⏳ Your prep session {old}")  # told once, before the listing
    listing = {line[:8]: line for line in out[1:]}
    assert "⚠ EXPIRES" in listing[old] and "⚠" not in listing[new]
    assert "stage 1 (Situation)" in listing[new]


async def test_commands_move_the_session_and_pause_ends_the_run_with_a_resume_hint(
    parley_app: Any, typed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    typed(
        SITUATION[0],
        "/next",
        "/nonsense",
        "/risk Boiler not fixed | me | his word |",
        "/pause",
        "never read",
    )

    code = await run_prep(parley_app, counterpart=COUNTERPART, topic=TOPIC, resume=None)

    out = capsys.readouterr().out
    session_id = out.splitlines()[0].removeprefix("session: ")
    assert code == 0
    assert "== Stage 2 of 7 · Stakes ==" in out and "Unknown command /nonsense" in out
    assert "Risk 1 added." in out and f"resume session {session_id}" in out
    stored = await parley_app.prep.store.answers(session_id)
    assert [a.text for a in stored] == [SITUATION[0]]  # neither commands nor lines after /pause


async def test_risk_with_a_number_edits_that_row(
    parley_app: Any, typed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    typed(
        "/risk Boiler not fixed | me | his word |",
        "/risk #1 Boiler not fixed | me | arbitration | fees",
    )

    await run_prep(parley_app, counterpart=COUNTERPART, topic=TOPIC, resume=None)

    session_id = capsys.readouterr().out.splitlines()[0].removeprefix("session: ")
    (row,) = await parley_app.prep.store.ledger(session_id)
    assert (row.mechanism, row.residual) == ("arbitration", "fees")


async def test_a_20000_character_line_is_saved_cut_and_says_so(
    parley_app: Any, typed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    typed("x" * 5 + " We need the boiler fixed." * 800, ALTERNATIVES[0])

    await run_prep(parley_app, counterpart=COUNTERPART, topic=TOPIC, resume=None)

    out = capsys.readouterr().out
    assert "Your answer was 20,805 characters; I saved the first 4,000." in out.replace("\n", " ")
    session_id = out.splitlines()[0].removeprefix("session: ")
    assert len(await parley_app.prep.store.answers(session_id)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resume", "deadbeef"], "There is no prep session 'deadbeef'"),
        (["--export", "deadbeef"], "There is no prep session 'deadbeef'"),
        (["--delete", "deadbeef", "--yes"], "There is no prep session 'deadbeef'"),
    ],
)
async def test_an_unknown_session_id_gets_a_plain_message(
    parley_app: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    args: list[str], message: str,
) -> None:  # fmt: skip
    async def same_app(settings: Settings) -> Any:
        return parley_app

    monkeypatch.setattr(cli, "build_app", same_app)
    code = await cli.cmd_prep(build_parser().parse_args(["prep", *args]), parley_app.settings)

    assert code == 1
    assert message in capsys.readouterr().err
