"""Compare the offline engine with a local LLM served from PyPI: latency, fallbacks, questions.

    .venv/bin/python scripts/llm_eval.py [smollm2|qwen2.5-coder-1.5b] [--messages 8] [--timeout 60]

Starts the model with llama.cpp on 127.0.0.1, runs the same messages through both engines
(fresh conversation each), prints a Markdown summary and writes every turn to data/llm/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app, build_coach
from bot.coaching.llm import StreamingCoachService
from bot.coaching.llm.local import DEFAULT_DIR, LocalServer, fetch
from bot.coaching.models import Turn
from bot.settings import REPO_ROOT, Settings
from bot.storage.conversations import ConversationStore

CASES = REPO_ROOT / "tests" / "data" / "eval" / "trust_lens.yaml"


def messages(count: int) -> list[str]:
    """Every third labelled case, so trusting, examining and off-topic messages all appear."""
    cases = yaml.safe_load(CASES.read_text())["cases"]
    return [c["text"] for c in cases[::3]][:count]


async def timed(service: StreamingCoachService, text: str) -> tuple[float, float, Turn]:
    """Seconds to the first visible text and to the finished turn."""
    started = time.monotonic()
    first = None
    async for update in service.stream_ask(text):
        if first is None:
            first = time.monotonic() - started
        if update.turn is not None:
            return first, time.monotonic() - started, update.turn
    raise RuntimeError("stream ended without a turn")


async def run(model: str, count: int, seconds: float, threads: int, passages: int) -> int:
    settings = Settings(_env_file=None)
    app = await build_app(settings)
    store = ConversationStore(app.database)
    rows = []
    with LocalServer(fetch(model), threads=threads) as server:
        llm_settings = settings.model_copy(
            update={
                "llm": f"openai:{model}",
                "llm_base_url": server.base_url,
                "llm_timeout": seconds,
                "llm_passages": passages,
            }
        )
        llm = StreamingCoachService(build_coach(llm_settings, app.retriever), store)
        await timed(llm, "warm-up: the seller seems honest.")  # load weights into the page cache
        for text in messages(count):
            off_first, off_total, off_turn = await timed(app.coach, text)
            llm_first, llm_total, llm_turn = await timed(llm, text)
            rows.append(
                {
                    "message": text,
                    "offline": {
                        "first_s": off_first,
                        "total_s": off_total,
                        "questions": _q(off_turn),
                    },
                    "llm": {
                        "first_s": llm_first,
                        "total_s": llm_total,
                        "engine": llm_turn.engine,
                        "fallback": llm_turn.fallback,
                        "questions": _q(llm_turn),
                    },
                }
            )
            print(json.dumps(rows[-1], indent=1), flush=True)
        llm.coach.engine.close()
    await app.aclose()
    out = DEFAULT_DIR / f"eval-{model}-p{passages}.json"
    out.write_text(json.dumps(rows, indent=2))
    print(summary(model, rows))
    print(f"\nAll turns: {out}")
    return 0


def _q(turn: Turn) -> list[dict[str, str]]:
    return [{"dimension": q.dimension, "text": q.text} for q in turn.questions]


def summary(model: str, rows: list[dict]) -> str:
    """A Markdown table of medians and the fallback rate."""

    def med(engine: str, key: str) -> str:
        return f"{statistics.median(r[engine][key] for r in rows):.2f}"

    fallbacks = sum(r["llm"]["fallback"] for r in rows)
    return "\n".join(
        [
            "\n| engine | first text (median s) | full turn (median s) | fallbacks |",
            "|---|---|---|---|",
            f"| offline | {med('offline', 'first_s')} | {med('offline', 'total_s')} | – |",
            f"| {model} | {med('llm', 'first_s')} | {med('llm', 'total_s')} | {fallbacks}/{len(rows)} |",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", nargs="?", default="qwen2.5-coder-1.5b")
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=90.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--passages", type=int, default=8, help="PARLEY_LLM_PASSAGES")
    args = parser.parse_args()
    return asyncio.run(run(args.model, args.messages, args.timeout, args.threads, args.passages))


if __name__ == "__main__":
    sys.exit(main())
