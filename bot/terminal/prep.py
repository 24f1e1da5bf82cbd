"""`parley prep`: a guided prep session in the terminal, interactive or scripted from stdin.

Scripted use (stdin not a terminal): one answer per line; `/next`, `/back`, `/skip`, `/pause`,
`/finish` act as the buttons; `/risk risk | who bears it | mechanism | residual` adds a ledger
row (`/risk #2 …` edits row 2). The first line printed is `session: ID`; after `/finish` the
last two lines are `brief: PATH` and `risk map: PATH`.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.app import Parley
from bot.coaching.models import InputRejected
from bot.prep.expiry import warning_text
from bot.prep.models import NAVIGATION, Brief, PrepError, Reply, RiskInput
from bot.prep.render import reply_plain, summary_line
from bot.prep.service import PrepService
from bot.storage.database import DatabaseUnavailable

OWNER_PREFIX = "terminal:"
HELP = (
    "Answer each question in one line. Commands: /next /back /skip /pause /finish, "
    "/risk risk | who bears it | mechanism | residual (/risk #N … edits row N), /help, /quit."
)


def terminal_owner() -> str:
    """The owner of sessions started in this terminal: the local user."""
    try:
        return f"{OWNER_PREFIX}{getpass.getuser()}"
    except OSError:  # no user name (some containers)
        return f"{OWNER_PREFIX}local"


@dataclass(slots=True)
class Run:
    """One terminal run over one session."""

    service: PrepService
    owner: str
    briefs_dir: Path
    session_id: str = ""
    failures: int = 0


async def list_sessions(app: Parley) -> int:
    """Print the user's sessions; warn about those near expiry, delete those past it."""
    await _sweep(app.prep, out=sys.stdout)
    summaries = await app.prep.summaries(terminal_owner())
    for summary in summaries:
        print(summary_line(summary))
    if not summaries:
        print("No prep sessions yet. Start one: parley prep --counterpart WHO --topic WHAT")
    return 0


async def export_session(app: Parley, session_id: str) -> int:
    """Write a session's brief and risk map (a draft if unfinished) and print where."""
    brief = await app.prep.export(session_id, terminal_owner())
    _print_paths(write_brief(brief, _briefs_dir(app)))
    return 0


async def delete_session(app: Parley, session_id: str, *, confirmed: bool) -> int:
    """Delete a session after confirmation (``--yes`` when not interactive)."""
    session = await app.prep.session(session_id, terminal_owner())
    if not confirmed:
        if not sys.stdin.isatty():
            print("Add --yes to delete without a prompt.", file=sys.stderr)
            return 2
        answer = await _ask(
            f"Delete {session.id} ({session.counterpart} · {session.topic})? [y/N] "
        )
        if answer.lower() not in ("y", "yes"):
            print("Kept.")
            return 1
    await app.prep.delete(session.id, terminal_owner())
    print(f"deleted: {session.id}")
    return 0


async def run_prep(
    app: Parley, *, counterpart: str | None, topic: str | None, resume: str | None
) -> int:
    """Start or resume a session, then read answers until /finish, /pause or end of input."""
    run = Run(app.prep, terminal_owner(), _briefs_dir(app))
    interactive = sys.stdin.isatty()
    await _sweep(app.prep, out=sys.stderr)
    if resume:
        reply = await run.service.show(resume, run.owner)
    else:
        if not (counterpart and topic) and not interactive:
            print("Give --counterpart WHO and --topic WHAT (or --resume ID).", file=sys.stderr)
            return 2
        counterpart = counterpart or await _ask("Who are you negotiating with? ")
        topic = topic or await _ask("What is the negotiation about? ")
        reply = await run.service.start(run.owner, counterpart or "", topic or "")
    run.session_id = reply.session_id
    print(f"session: {run.session_id}", flush=True)
    if interactive:
        print(HELP)
    _show(reply)
    return await _loop(run, interactive)


async def _loop(run: Run, interactive: bool) -> int:
    while True:
        line = await asyncio.to_thread(_read_line, "you> " if interactive else "")
        if line is None or line.strip() in ("/quit", "/exit"):
            print(
                f"Session {run.session_id} is saved. Continue with: parley prep --resume {run.session_id}",
                flush=True,
            )
            return 1 if run.failures else 0
        reply = await _handle(run, line)
        if reply is None:
            continue
        _show(reply)
        if reply.brief is not None:
            _print_paths(write_brief(reply.brief, run.briefs_dir))
            return 0
        if reply.session.status == "paused" and not reply.refused:
            return 0


async def _handle(run: Run, line: str) -> Reply | None:
    """One line: a command or an answer. Problems are printed; the loop goes on."""
    command = line.strip()
    try:
        if command == "/help":
            print(HELP)
            return None
        if command.startswith("/risk"):
            position, risk = parse_risk(command.removeprefix("/risk"))
            row = await _row_id(run, position)
            return await run.service.save_risk(run.session_id, run.owner, risk, row)
        if command.startswith("/") and command[1:] in NAVIGATION:
            return await run.service.act(run.session_id, run.owner, command[1:])
        if command.startswith("/") and " " not in command:
            print(f"Unknown command {command}. {HELP}", flush=True)
            return None
        return await run.service.answer(run.session_id, run.owner, line)
    except DatabaseUnavailable as exc:
        run.failures += 1
        print(f"not saved: {exc}", file=sys.stderr, flush=True)
    except InputRejected as exc:
        print(str(exc), flush=True)
    return None


async def _row_id(run: Run, position: int | None) -> int | None:
    """The id of ledger row number ``position`` (as the brief numbers them)."""
    if position is None:
        return None
    for row in await run.service.ledger(run.session_id, run.owner):
        if row.position == position:
            return row.id
    raise PrepError(f"There is no risk {position} in the ledger; /risk without #N adds one.")


def parse_risk(text: str) -> tuple[int | None, RiskInput]:
    """`[#N] risk | who bears it | mechanism | residual` → (row to edit, fields)."""
    text = text.strip()
    row: int | None = None
    if text.startswith("#"):
        number, _, text = text[1:].partition(" ")
        row = int(number) if number.isdigit() else None
    parts = [p.strip() for p in text.split("|")] + ["", "", "", ""]
    return row, RiskInput(*parts[:4])


def write_brief(brief: Brief, folder: Path) -> tuple[Path, Path]:
    """Write the brief and the risk map into ``folder``; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    markdown = folder / brief.markdown_name
    png = folder / brief.png_name
    markdown.write_text(brief.markdown, encoding="utf-8")
    png.write_bytes(brief.png)
    return markdown, png


async def _sweep(service: PrepService, *, out: TextIO) -> None:
    """Terminal sessions near expiry are announced here; announced ones past it are deleted."""
    due = await service.due_for_expiry(OWNER_PREFIX)
    for session in due.warn:
        expires = service.policy.expires_at(session)
        if expires is not None:
            print(warning_text(session, expires), file=out)
            await service.mark_warned(session)
    for session in due.delete:
        if await service.expire(session):
            print(f"deleted after expiry: {session.id}", file=out)


def _briefs_dir(app: Parley) -> Path:
    return app.settings.data_dir / "briefs"


def _show(reply: Reply) -> None:
    print(reply_plain(reply) + "\n", flush=True)


def _print_paths(paths: tuple[Path, Path]) -> None:
    print(f"brief: {paths[0]}\nrisk map: {paths[1]}", flush=True)


async def _ask(prompt: str) -> str:
    return (await asyncio.to_thread(_read_line, prompt) or "").strip()


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None
