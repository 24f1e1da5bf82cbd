"""`parley prep`: the subcommand's arguments and handler (``bot/cli.py`` adds it when present)."""

from __future__ import annotations

import argparse
import sys

from bot.app import build_app
from bot.coaching.models import InputRejected
from bot.settings import Settings


def add_prep_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `parley prep` and its options."""
    prep = subparsers.add_parser(
        "prep",
        help="a guided prep session: stages, risk ledger, brief and risk map",
        description="Walk from 'I trust them' to a risk ledger and a prep brief. "
        "With stdin not a terminal, reads one answer per line; /next /back /skip /pause "
        "/finish act as buttons, /risk risk | who bears | mechanism | residual adds a risk.",
    )
    prep.add_argument("--counterpart", help="who you negotiate with")
    prep.add_argument("--topic", help="what the negotiation is about")
    which = prep.add_mutually_exclusive_group()
    which.add_argument("--resume", metavar="ID", help="continue a paused or interrupted session")
    which.add_argument("--list", action="store_true", help="list your sessions")
    which.add_argument("--export", metavar="ID", help="write a session's brief and risk map")
    which.add_argument("--delete", metavar="ID", help="delete a session and its answers")
    prep.add_argument("--yes", action="store_true", help="delete without asking")
    prep.set_defaults(handler=cmd_prep)


async def cmd_prep(args: argparse.Namespace, settings: Settings) -> int:
    """Run the requested prep action; plain refusals print their reason and exit 1."""
    from bot.terminal import prep as terminal

    app = await build_app(settings)
    try:
        if args.list:
            return await terminal.list_sessions(app)
        if args.export:
            return await terminal.export_session(app, args.export)
        if args.delete:
            return await terminal.delete_session(app, args.delete, confirmed=args.yes)
        return await terminal.run_prep(
            app, counterpart=args.counterpart, topic=args.topic, resume=args.resume
        )
    except InputRejected as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        await app.aclose()
