"""Speed figures for prep sessions, for `parley bench`: storing an answer, writing the brief.

Runs a throwaway session (owner ``bench:prep``) in the app's own database and deletes it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.prep.brief import build_brief
from bot.prep.models import NewAnswer, RiskInput
from bot.prep.riskmap import render_risk_map
from bot.prep.service import PrepService

OWNER = "bench:prep"
# A realistic mix: plain answers, and one in four leaning on trust (which costs a coach turn).
ANSWERS = (
    "I want a three-year supply contract at last year's price, with delivery inside ten days.",
    "By the end of the quarter, before our own customers renew.",
    "They have always delivered before, so I trust them to keep the dates.",
    "We lose two customers if deliveries slip; they lose their biggest account if we walk.",
)
RISKS = (
    RiskInput("Late delivery in peak season", "me", "a penalty per day late", "a week of delay"),
    RiskInput("Quality drops after the first batch", "both", "inspection of each batch", ""),
    RiskInput("They raise prices mid-term", "me", "trust - their word", "a 5% rise"),
)


async def measure_prep(
    service: PrepService, *, answers: int = 40, repeats: int = 3
) -> dict[str, Any]:
    """Median and 95th-percentile times (ms) to store an answer and to write the brief."""
    reply = await service.start(OWNER, "the supplier", "a supply contract renewal")
    session_id = reply.session_id
    try:
        turn = await _times(answers, lambda i: service.answer(session_id, OWNER, ANSWERS[i % 4]))
        store = await _store_times(service, session_id, answers)
        for risk in RISKS:
            await service.save_risk(session_id, OWNER, risk)
        figures = await _brief_times(service, session_id, repeats)
    finally:
        await service.store.delete(session_id)
    return {
        "answers": answers,
        "store_answer_ms_median": _median(store),
        "store_answer_ms_p95": _p95(store),
        "answer_turn_ms_median": _median(turn),
        "answer_turn_ms_p95": _p95(turn),
        **figures,
    }


async def _store_times(service: PrepService, session_id: str, count: int) -> list[float]:
    """The database write alone: one answer row and the session update, in one transaction."""
    session = await service.store.get(session_id)
    assert session is not None
    answer = NewAnswer("situation", "note", 0, ANSWERS[0], False, {})
    return await _times(count, lambda i: service.store.record_answer(session, answer))


async def _brief_times(service: PrepService, session_id: str, repeats: int) -> dict[str, Any]:
    record = await service.store.record(session_id)
    assert record is not None
    started = time.perf_counter()
    brief = await service.export(session_id, OWNER)
    first = (time.perf_counter() - started) * 1000
    export = await _times(repeats, lambda _: service.export(session_id, OWNER))
    markdown = _sync_times(repeats, lambda: build_brief(record, service.book))
    png = _sync_times(repeats, lambda: render_risk_map(record))
    return {
        "brief_first_ms": round(first, 1),
        "brief_ms_median": _median(export),
        "brief_markdown_ms_median": _median(markdown),
        "risk_map_ms_median": _median(png),
        "brief_bytes": len(brief.markdown.encode()),
        "risk_map_bytes": len(brief.png),
    }


async def _times(count: int, work: Callable[[int], Awaitable[object]]) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        await work(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _sync_times(count: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)
