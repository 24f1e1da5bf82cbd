"""The stage file: seven stages in the issue's order, validated when loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.prep.stages import StageBook, StageBookError, fill, load_stages


def test_the_shipped_file_has_the_seven_stages_in_order(book: StageBook) -> None:
    assert [s.title for s in book.stages] == [
        "Situation", "Stakes", "Alternatives", "Trust audit", "Risk allocation",
        "Reputation and surprises", "Commitments",
    ]  # fmt: skip


def test_only_the_other_sides_stakes_and_fears_are_required(book: StageBook) -> None:
    assert [slot.key for slot in book.perspective_slots()] == [
        "stakes/their_gains/0",
        "stakes/their_fears/0",
    ]


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        ("stages: []", "defines no stages"),
        (
            "stages: [{id: a, title: A, repeat: sometimes, questions: [{key: q, text: x}]}]",
            "repeat",
        ),
        (
            "stages: [{id: a, title: A, questions: [{key: q, text: x, dimension: luck}]}]",
            "dimension",
        ),
        (
            "stages: [{id: a, title: A, questions: [{key: q, text: x}, {key: q, text: y}]}]",
            "repeats",
        ),
    ],
)
def test_a_malformed_file_fails_loudly_naming_the_problem(
    tmp_path: Path, broken: str, complaint: str
) -> None:
    path = tmp_path / "stages.yaml"
    path.write_text(broken)
    with pytest.raises(StageBookError, match=complaint):
        load_stages(path)


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        (
            "What does {counterpart} gain?",
            {"counterpart": "the seller"},
            "What does the seller gain?",
        ),
        ("{Counterpart} fears", {"counterpart": "the seller"}, "The seller fears"),
        ('If "{item}" fails?', {"item": "They will pay."}, 'If "They will pay" fails?'),
        ("Unknown {slot} stays?", {}, "Unknown {slot} stays?"),
    ],
)
def test_templates_are_filled_and_tolerate_unknown_slots(
    template: str, values: dict[str, str], expected: str
) -> None:
    assert fill(template, **values) == expected
