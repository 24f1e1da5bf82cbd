"""`parley chat`: the same coaching conversation as a Discord thread, in a terminal."""

from __future__ import annotations

import asyncio
import sys
import uuid

from bot.app import Parley
from bot.coaching.models import InputRejected
from bot.terminal.render import render_turn

WELCOME = (
    "Parley — a negotiation coach that asks, not tells.\n"
    'Describe the deal and the other side ("he seems honest, so..."). Type /quit to leave.\n'
)


async def run_chat(app: Parley) -> None:
    """Read messages until EOF or /quit, answering each within one conversation."""
    conversation_id = f"terminal:{uuid.uuid4().hex[:12]}"
    interactive = sys.stdin.isatty()
    if interactive:
        print(WELCOME)
    while True:
        line = await asyncio.to_thread(_read_line, "you> " if interactive else "")
        if line is None or line.strip() in ("/quit", "/exit"):
            return
        try:
            turn = await app.coach.ask(line, conversation_id)
        except InputRejected as exc:
            print(f"parley> {exc}\n", flush=True)
            continue
        print(f"parley>\n{render_turn(turn)}\n", flush=True)
        app.warm_up()  # once the first answer is out, load the rest in the background


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None
