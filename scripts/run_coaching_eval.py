"""Run the coaching dev set through Parley's service layer and write every reply for a blind judge.

    python scripts/run_coaching_eval.py --split heldout --out tests/data/eval/runs/after-heldout.json

Builds a fresh data directory with the essay loaded (when ../shared has it), answers each single
case in a new conversation and each conversation's turns in one, and writes what a user would see:
the questions and, for each, the cited source and excerpt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT.parent / "shared" / "corpus" / "ap-insight-56-trust.txt"


def _reply(turn) -> dict:
    data = turn.to_json()
    shown = [
        {"question": q, "cites": c.get("title") or c.get("source"), "excerpt": c.get("text")}
        for q, c in zip(data["questions"], data["citations"], strict=False)
    ]
    return {
        "notices": data.get("notices", []),
        "preface": data.get("preface", []),
        "questions": shown,
    }


async def _answer(app, text: str, conversation_id: str | None) -> dict:
    from bot.coaching.models import InputRejected

    try:
        return _reply(await app.coach.ask(text, conversation_id))
    except InputRejected as exc:
        return {"rejected": str(exc), "questions": []}


async def main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(args.code))
    os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-eval-")
    from bot.app import build_app
    from bot.settings import Settings

    app = await build_app(Settings(_env_file=None))
    if ESSAY.is_file():
        await asyncio.to_thread(app.knowledge.add_paths, [ESSAY])
    data = yaml.safe_load(args.cases.read_text(encoding="utf-8"))
    out = {"cases": [], "conversations": []}
    for case in data["cases"]:
        if args.split in ("all", case["split"]):
            reply = await _answer(app, case["message"], None)
            out["cases"].append({"id": case["id"], "message": case["message"], "reply": reply})
    for conv in data["conversations"]:
        if args.split in ("all", conv["split"]):
            await app.coach.open_conversation(f"eval:{conv['id']}", "eval")
            turns = [
                {"user": t, "reply": await _answer(app, t, f"eval:{conv['id']}")}
                for t in conv["turns"]
            ]
            out["conversations"].append({"id": conv["id"], "turns": turns})
    await app.aclose()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(out['cases'])} cases, {len(out['conversations'])} conversations -> {args.out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=ROOT / "tests/data/eval/coaching_dev.yaml")
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose bot/ to run")
    asyncio.run(main(parser.parse_args()))
