"""Speed figures for `parley bench`, and the schema the migrations create."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.prep.bench import OWNER, measure_prep
from bot.prep.service import PrepService
from bot.prep.tables import TABLE_NAMES
from bot.storage.tables import schema_version


async def test_bench_reports_answer_and_brief_timings_and_leaves_nothing_behind(
    prep: PrepService,
) -> None:
    figures = await measure_prep(prep, answers=6, repeats=1)

    timings = [v for k, v in figures.items() if k.endswith("_ms") or "_ms_" in k]
    assert len(timings) == 8 and all(t > 0 for t in timings)
    assert figures["brief_bytes"] > 1000 and figures["risk_map_bytes"] > 10_000
    assert await prep.store.for_owner(OWNER) == []


async def test_a_migration_creates_the_prep_tables(parley_app: Any) -> None:
    async with parley_app.database.engine.connect() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        applied = (await conn.execute(sa.select(schema_version.c.name))).scalars().all()

    assert set(TABLE_NAMES) <= set(names)
    assert "create_prep_sessions_prep_answers_prep_ledger_prep_asked" in applied
