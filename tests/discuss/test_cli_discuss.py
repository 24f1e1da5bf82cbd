"""`parley discuss prompt|reveal` runs the Discord service in a terminal, JSON included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROUND = """\
Ana: They've shown good faith for months, so I'd lift the sanctions at once.
Bo: Lift in tranches, the rest only after inspections confirm each step, with snapback.
Cy: No need for intrusive inspections; a 40% deposit up front is enough.
Dee: Did anyone watch the match last night?
"""
SANCTIONS = "sanctions relief for a state that agreed to limit its nuclear programme"


def run_json(cli: Any, capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert cli([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.txt"
    path.write_text(ROUND, encoding="utf-8")
    return path


def test_a_prompt_prints_the_scenario_and_cited_questions(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = run_json(cli, capsys, "discuss", "prompt", "--topic", SANCTIONS)

    assert set(prompt["scenario"]) >= {"title", "text", "source", "composed"}
    assert 2 <= len(prompt["questions"]) <= 3
    assert all(q["text"].endswith("?") and q["citation"]["title"] for q in prompt["questions"])


def test_prompts_without_a_topic_bring_a_new_event_each_time(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = [run_json(cli, capsys, "discuss", "prompt")["scenario"]["title"] for _ in range(3)]

    assert len(set(titles)) == 3


def test_a_reveal_reads_each_member_and_asks_one_follow_up(
    cli: Any, capsys: pytest.CaptureFixture[str], answers_file: Path
) -> None:
    reveal = run_json(cli, capsys, "discuss", "reveal", str(answers_file), "--topic", SANCTIONS)

    by_name = {a["author"]: a for a in reveal["answers"]}
    assert [by_name[n]["leans_on_trust"] for n in ["Ana", "Bo"]] == [True, False]
    assert {m["kind"] for m in by_name["Bo"]["mechanisms"]} >= {"penalty", "staged performance"}
    assert by_name["Cy"]["safeguard_dropped"] == "inspections"
    assert by_name["Dee"]["off_topic"] is True
    assert reveal["differences"][0].startswith("On timing you differ in substance: Ana")
    assert reveal["follow_up"]["text"].endswith("?") and reveal["follow_up"]["citation"]["title"]


def test_a_reveal_accepts_the_scenario_and_questions_as_given(
    cli: Any, capsys: pytest.CaptureFixture[str], answers_file: Path
) -> None:
    reveal = run_json(
        cli,
        capsys,
        "discuss",
        "reveal",
        str(answers_file),
        "--scenario",
        "A state offers to cap enrichment in exchange for sanctions relief.",
        "--question",
        "How fast would you lift the sanctions?",
    )

    assert len(reveal["answers"]) == 4 and reveal["follow_up"] is not None


def test_a_reveal_that_does_not_say_what_was_asked_is_refused(
    cli: Any, capsys: pytest.CaptureFixture[str], answers_file: Path
) -> None:
    assert cli(["discuss", "reveal", str(answers_file), "--json"]) == 1
    assert "--topic" in json.loads(capsys.readouterr().out)["error"]
