"""`parley bench`: ingest speed, warm ask latency, cold start and peak memory, as printed figures.

Targets (from the product brief): warm p50 <= 15 ms, p95 <= 40 ms, cold start <= 2.5 s,
peak RSS <= 400 MB, and no torch in the virtual environment.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.app import build_app, build_coach, build_knowledge
from bot.knowledge.embeddings import MiniLMEmbedder
from bot.knowledge.retrieval import HybridRetriever
from bot.prep.bench import measure_prep
from bot.settings import REPO_ROOT, Settings

COUNTERPARTS = [
    "the seller",
    "my supplier",
    "our landlord",
    "the vendor",
    "their minister",
    "my co-founder",
    "the recruiter",
    "the contractor",
    "our distributor",
    "the buyer",
]
SITUATIONS = [
    "{c} seems honest, so we can skip the inspection",
    "{c} gave his word that delivery will be on time",
    "we have great chemistry with {c}, no need for a penalty clause",
    "I've known {c} for years, we don't need a lawyer",
    "{c} promised to fix the roof before we sign",
    "should the money for {c} sit in escrow until the audit is done",
    "I don't trust {c}; how can we still deal",
    "{c} looked me in the eye and said the numbers are right",
    "what if {c} walks away after we pay the deposit",
    "{c} assured us their software is secure, so we dropped the audit rights",
    "we shook hands with {c} on the profit split",
    "{c} is offering equity instead of salary and says it will be worth a lot",
]
SUFFIXES = ["", " Is that reasonable?", " What am I missing?", " We meet on Friday."]


def bench_messages(count: int) -> list[str]:
    """Varied, realistic messages (no two alike) for latency measurement."""
    combos = itertools.product(SITUATIONS, COUNTERPARTS, SUFFIXES)
    messages = [(s.format(c=c) + "." + x).capitalize() for s, c, x in combos]
    return messages[:count]


# A stdlib-only parent for the measured process: forking from this small process keeps the
# child's peak RSS honest (a fork of the big bench process would count its pages too).
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"seconds": time.perf_counter() - start, "code": done.returncode,
                  "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "stdout": done.stdout, "stderr": done.stderr[-2000:]}))
"""


def measure_process(args: list[str], data_dir: Path) -> dict:
    """Wall time, peak RSS and output of a fresh Python process running ``args``."""
    env = {**os.environ, "PARLEY_DATA_DIR": str(data_dir), "DISCORD_TOKEN": ""}
    command = [sys.executable, "-c", _WRAPPER, sys.executable, *args]
    result = json.loads(
        subprocess.run(
            command, env=env, capture_output=True, text=True, check=True, cwd=data_dir.parent
        ).stdout
    )
    if result["code"] != 0:
        raise RuntimeError(f"benchmark process failed: {result['stderr']}")
    return result


def measure_ingest(settings: Settings, data_dir: Path) -> float:
    """Chunks per second indexing the shipped knowledge (and the essay when present)."""
    embedder = MiniLMEmbedder(threads=settings.embedding_threads)
    knowledge = build_knowledge(settings.model_copy(update={"data_dir": data_dir}), embedder)
    essay = REPO_ROOT.parent / "shared" / "corpus" / "ap-insight-56-trust.txt"
    paths = [*settings.knowledge_dirs, *([essay] if essay.is_file() else [])]
    start = time.perf_counter()
    report = knowledge.add_paths(paths, origin="shipped")
    rate = report.chunks / (time.perf_counter() - start)
    # The first start also embeds every question wording into the data dir; do it here, so
    # cold starts are measured on a store already built, as users meet them.
    local = settings.model_copy(update={"data_dir": data_dir})
    build_coach(local, HybridRetriever(knowledge), knowledge)
    return rate


def latency_worker(count: int) -> None:
    """In a fresh process: build the coach, warm up, then time ``count`` turns (prints JSON)."""
    settings = Settings()
    knowledge = build_knowledge(settings)
    coach = build_coach(settings, HybridRetriever(knowledge), knowledge)
    messages = bench_messages(count)
    for message in messages[:5]:
        coach.turn(message + " (warm-up)")
    timings = []
    for message in messages:
        start = time.perf_counter()
        coach.turn(message)
        timings.append((time.perf_counter() - start) * 1000)
    print(json.dumps(timings))


def run_all(settings: Settings, message_count: int, data_dir: Path) -> dict[str, Any]:
    """Every coaching figure: ingest here; cold start and warm latency in fresh processes."""
    ingest_rate = measure_ingest(settings, data_dir)
    ask = ["-m", "bot", "ask", "--json", "He seems honest, so we skip the inspection."]
    colds = [measure_process(ask, data_dir) for _ in range(3)]
    warm = measure_process(["-m", "bot.bench", str(message_count)], data_dir)
    timings = json.loads(warm["stdout"])
    cuts = statistics.quantiles(timings, n=100)
    return {
        "ingest_chunks_per_s": round(ingest_rate, 1),
        "ask_p50_ms": round(statistics.median(timings), 2),
        "ask_p95_ms": round(cuts[94], 2),
        "ask_messages": len(timings),
        "cold_start_s": round(min(c["seconds"] for c in colds), 3),
        "peak_rss_mb": round(max(warm["rss_mb"], *(c["rss_mb"] for c in colds)), 1),
        "torch_installed": importlib.util.find_spec("torch") is not None,
    }


async def prep_figures(settings: Settings, data_dir: Path) -> dict[str, Any]:
    """Prep-session storage and brief timings, on the same (already indexed) data dir."""
    app = await build_app(settings.model_copy(update={"data_dir": data_dir}))
    try:
        figures = await measure_prep(app.prep)
    finally:
        await app.aclose()
    return {f"prep_{key}": value for key, value in figures.items()}


async def run_bench(settings: Settings, *, as_json: bool, messages: int) -> int:
    """Print the figures as text or as one JSON object."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        figures = await asyncio.to_thread(run_all, settings, max(messages, 200), data_dir)
        figures |= await prep_figures(settings, data_dir)
    if as_json:
        print(json.dumps(figures))
        return 0
    print(f"ingest:       {figures['ingest_chunks_per_s']} chunks/s")
    print(
        f"warm ask:     p50 {figures['ask_p50_ms']} ms, p95 {figures['ask_p95_ms']} ms "
        f"over {figures['ask_messages']} messages"
    )
    print(f"cold start:   {figures['cold_start_s']} s to first answer (new process)")
    print(f"peak RSS:     {figures['peak_rss_mb']} MB (one process: cold start + all turns)")
    print(f"torch in venv: {'yes' if figures['torch_installed'] else 'no'}")
    print(
        f"prep answer:  store p50 {figures['prep_store_answer_ms_median']} ms, "
        f"p95 {figures['prep_store_answer_ms_p95']} ms; "
        f"brief + risk map {figures['prep_brief_ms_median']} ms"
    )
    return 0


if __name__ == "__main__":
    latency_worker(int(sys.argv[1]))
