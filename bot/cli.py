"""The `parley` command (also `python -m bot`): ask, chat, knowledge, run, start, bench, eval."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.app import Parley, build_app, build_knowledge
from bot.coaching.models import InputRejected
from bot.coaching.planner import QuestionBankError
from bot.knowledge.embeddings import EmbeddingModelMissing
from bot.knowledge.store import (
    GLOBAL_SCOPE,
    KnowledgeStoreError,
    scopes_for,
    server_scope,
    wipe_store,
)
from bot.settings import Settings
from bot.storage.database import DatabaseUnavailable
from bot.terminal.render import render_turn

log = logging.getLogger("parley")
Handler = Callable[[argparse.Namespace, Settings], Awaitable[int]]
NO_TOKEN = (
    "DISCORD_TOKEN is not set. Put DISCORD_TOKEN=<your bot token> in .env at the repository root "
    "(copy .env.example) or export it, then run `make run` again. Without a token, "
    "`parley chat` coaches in this terminal. The README's 'Discord setup' says how to get a token."
)


def scope_of(server: int | None) -> str:
    """The knowledge scope of a Discord server, or the global one."""
    return server_scope(server) if server else GLOBAL_SCOPE


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one message, or one per stdin line with `-`."""
    app = await build_app(settings)
    scopes = scopes_for(args.server)
    try:
        if args.text == "-":
            for line in sys.stdin:
                await _answer(app, line.rstrip("\n"), args, scopes)
        else:
            return await _answer(app, args.text, args, scopes)
    finally:
        await app.aclose()
    return 0


async def _answer(app: Parley, text: str, args: argparse.Namespace, scopes: tuple[str, ...]) -> int:
    try:
        turn = await app.coach.ask(text, k=args.k, scopes=scopes)
    except InputRejected as exc:
        if args.json:
            print(json.dumps(_rejected_json(str(exc))), flush=True)
        else:
            print(exc, file=sys.stderr)
        return 1
    print(json.dumps(turn.to_json()) if args.json else render_turn(turn), flush=True)
    return 0


def _rejected_json(message: str) -> dict:
    trust = {"relies_on_trust": False, "cues": []}
    return {"questions": [], "passages": [], "trust": trust, "focus": [], "error": message}


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Interactive coaching in the terminal."""
    from bot.terminal.chat import run_chat

    app = await build_app(settings)
    try:
        await run_chat(app)
    finally:
        await app.aclose()
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Discord bot; explain exactly what to set when the token is missing."""
    if settings.discord_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.bot import run_discord

    app = await build_app(settings)
    try:
        await run_discord(app)
    finally:
        await app.aclose()
    return 0


async def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    """What `make run` calls: Discord when a token is configured, the terminal chat otherwise."""
    if settings.discord_token is None:
        print(
            "No DISCORD_TOKEN configured: starting the terminal chat (see README to use Discord).\n"
        )
        return await cmd_chat(args, settings)
    return await cmd_run(args, settings)


async def cmd_knowledge_add(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest files and folders; report each failure by name."""
    knowledge = await asyncio.to_thread(build_knowledge, settings)
    report = await asyncio.to_thread(knowledge.add_paths, args.paths, scope=scope_of(args.server))
    for label, paths in (
        ("added", report.added),
        ("replaced", report.replaced),
        ("unchanged", report.unchanged),
    ):
        for path in paths:
            print(f"{label}: {path}")
    for path, reason in report.failed:
        print(f"skipped: {path}: {reason}", file=sys.stderr)
    print(f"{report.chunks} passages indexed; {knowledge.count()} in the store.")
    return 1 if report.failed and not (report.added or report.replaced or report.unchanged) else 0


async def cmd_knowledge_list(args: argparse.Namespace, settings: Settings) -> int:
    """List stored documents."""
    knowledge = await asyncio.to_thread(build_knowledge, settings)
    scope = scope_of(args.server) if args.server else None
    for info in await asyncio.to_thread(knowledge.sources, scope=scope):
        print(
            f"{info.doc_id}  {info.scope:<10} {info.origin:<8} {info.chunks:>3}  {info.title}  ({info.path})"
        )
    return 0


async def cmd_knowledge_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove documents by id, file name, path or title."""
    knowledge = await asyncio.to_thread(build_knowledge, settings)
    gone = await asyncio.to_thread(
        knowledge.remove, args.name, scope=scope_of(args.server) if args.server else None
    )
    for info in gone:
        print(f"removed: {info.title} ({info.path})")
    if not gone:
        print(f"Nothing matches {args.name!r}; see `parley knowledge list`.", file=sys.stderr)
    return 0 if gone else 1


async def cmd_knowledge_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    """Delete the vector store and index the shipped knowledge again."""
    wipe_store(settings.data_dir)
    app = await build_app(settings)
    notes = await asyncio.to_thread(app.notes.reindex_all)
    print(
        f"Rebuilt: {app.knowledge.count()} passages ({notes} from Discord server notes). "
        "Files you added with `parley knowledge add` must be added again."
    )
    await app.aclose()
    return 0


async def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    """Print speed and memory figures."""
    from bot.bench import run_bench

    return await run_bench(settings, as_json=args.json, messages=args.messages)


async def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Print evaluation scores."""
    from bot.evaluation import run_eval

    return await run_eval(settings, as_json=args.json, essay=args.essay)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand carries its handler."""
    parser = argparse.ArgumentParser(prog="parley", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="coach on one message ('-' reads one per stdin line)")
    ask.add_argument("text")
    ask.add_argument("--json", action="store_true", help="print one JSON object per message")
    ask.add_argument("--k", type=int, default=None, help="passages to return (default 3)")
    ask.add_argument(
        "--server", type=int, default=None, help="also use this Discord server's notes"
    )
    ask.set_defaults(handler=cmd_ask)
    sub.add_parser("chat", help="coach in this terminal").set_defaults(handler=cmd_chat)
    sub.add_parser("run", help="run the Discord bot").set_defaults(handler=cmd_run)
    sub.add_parser("start", help="Discord if a token is set, else chat").set_defaults(
        handler=cmd_start
    )
    _add_knowledge(sub)
    bench = sub.add_parser("bench", help="measure speed and memory")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--messages", type=int, default=240)
    bench.set_defaults(handler=cmd_bench)
    ev = sub.add_parser("eval", help="score the trust lens, retrieval and question form")
    ev.add_argument("--json", action="store_true")
    ev.add_argument(
        "--essay", type=Path, default=None, help="path of the essay (default ../shared)"
    )
    ev.set_defaults(handler=cmd_eval)
    _add_prep(sub)
    _add_discuss(sub)
    return parser


def _add_knowledge(sub: argparse._SubParsersAction) -> None:
    knowledge = sub.add_parser("knowledge", help="manage the knowledge base")
    ksub = knowledge.add_subparsers(dest="action", required=True)
    add = ksub.add_parser("add", help="ingest .md, .txt and .pdf files or folders")
    add.add_argument("paths", nargs="+", type=Path)
    add.set_defaults(handler=cmd_knowledge_add)
    listing = ksub.add_parser("list", help="list stored documents")
    listing.set_defaults(handler=cmd_knowledge_list)
    remove = ksub.add_parser("remove", help="remove a document by id, file name, path or title")
    remove.add_argument("name")
    remove.set_defaults(handler=cmd_knowledge_remove)
    ksub.add_parser("rebuild", help="wipe and re-index the store").set_defaults(
        handler=cmd_knowledge_rebuild
    )
    for p in (add, listing, remove):
        p.add_argument("--server", type=int, default=None, help="a Discord server's own notes")


def _add_prep(sub: argparse._SubParsersAction) -> None:
    try:
        from bot.prep.cli import add_prep_parser
    except ImportError:  # prep sessions not installed in this build
        return
    add_prep_parser(sub)


def _add_discuss(sub: argparse._SubParsersAction) -> None:
    from bot.discuss.cli import add_discuss_parser

    add_discuss_parser(sub)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `parley` script."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValueError as exc:
        print(f"A setting is invalid: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    _quiet_libraries()
    try:
        return asyncio.run(args.handler(args, settings))
    except (
        KnowledgeStoreError,
        DatabaseUnavailable,
        EmbeddingModelMissing,
        QuestionBankError,
    ) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _quiet_libraries() -> None:
    for name in ("chromadb", "httpx", "discord.gateway", "aiosqlite"):
        logging.getLogger(name).setLevel(logging.WARNING)
