"""scripts/run_prep_eval.py: sessions from a YAML file played through the prep service, recorded."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from bot.prep.service import PrepService
from bot.settings import REPO_ROOT

SAMPLE = Path(__file__).parent / "data" / "prep_sessions_sample.yaml"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "run_prep_eval", REPO_ROOT / "scripts" / "run_prep_eval.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


RUNNER = _runner()


def _sample(session_id: str) -> dict[str, Any]:
    sessions = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["sessions"]
    return next(s for s in sessions if s["id"] == session_id)


@pytest.mark.parametrize(
    ("values", "key", "expected", "left"),
    [
        ([("a", "1"), ("b", "2")], "b", "2", 1),  # the value under the question's own key
        ([("a", "1"), ("b", "2")], "c", "1", 1),  # else the next unused one
        ([("", "1")], "", "1", 0),  # a plain list is taken in order
        ([], "a", None, 0),  # nothing left: the runner answers "not sure" or presses Next
    ],
)
def test_a_queue_hands_out_the_answer_for_the_question_else_the_next(
    values: list[tuple[str, str]], key: str, expected: str | None, left: int
) -> None:
    queue = RUNNER.Queue(list(values))

    assert (queue.take(key), len(queue.values)) == (expected, left)


async def test_a_session_is_played_to_the_end_with_each_answer_on_its_question(
    prep: PrepService,
) -> None:
    result = await RUNNER.run_session(prep, _sample("s01"))

    given = {a["slot"]: a["answer"] for a in result["answers"]}
    expected = {
        "situation/want/0": "A 12-month renewal at this year's unit price, with delivery inside 10 working days.",
        "situation/deadline/0": "By the end of March, before our spring range goes into production.",
        "stakes/their_fears/0": "She fears locking in a price while her board costs go up.",
        "alternatives/your_alternative/0": "Switch to Pak-Direct, 6% dearer and untested at our volume.",
        "trust/if_false/0": "A 10% rise mid-year costs us about 40,000 pounds.",
        "trust/detection/0": "not sure",
    }  # fmt: skip
    assert {slot: given.get(slot) for slot in expected} == expected
    assert result["status"] == "finished"


async def test_a_set_says_which_question_each_answer_is_for(prep: PrepService) -> None:
    keys = {"stakes": ["yours", "their_gains", "not_at_table"]}
    result = await RUNNER.run_session(prep, {**_sample("s01"), "answer_keys": keys})

    given = {a["slot"]: a["answer"] for a in result["answers"]}
    third = "She fears locking in a price while her board costs go up."
    assert (given.get("stakes/not_at_table/0"), given.get("stakes/their_fears/0")) == (
        third,
        "not sure",
    )


async def test_each_risk_becomes_a_ledger_row_answered_column_by_column(
    prep: PrepService,
) -> None:
    result = await RUNNER.run_session(prep, _sample("s01"))

    rows = {row["residual"]: row for row in result["ledger"]}
    assert rows["A rise after the year ends; acceptable."]["bearer"] == "Us: we absorb any rise."
    assert any(row["risk"] == "late deliveries during the launch" for row in result["ledger"])
    assert len(result["ledger"]) == 2  # the price risk is the trust audit's row, not a second one


async def test_every_question_shown_is_recorded_with_its_citation_and_the_brief(
    prep: PrepService,
) -> None:
    result = await RUNNER.run_session(prep, _sample("s02"))

    assert result["questions"] and all(q["cites"] and q["excerpt"] for q in result["questions"])
    assert result["brief"].startswith("# Prep brief")
