"""Where a session stands is derived from its stored answers: the next question, or the end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.coaching.trust_lens import TrustLens
from bot.prep.models import Answer, LedgerRow, PrepError
from bot.prep.stages import StageBook
from bot.prep.walk import clean_answer, current_slot, filled, leans_on_trust

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def answers(*slots: str) -> list[Answer]:
    """Stored first answers for the given "stage/question/round" keys."""
    result = []
    for n, key in enumerate(slots):
        stage, question, round_ = key.split("/")
        result.append(Answer(n, stage, question, int(round_), "an answer", False, False, NOW))
    return result


def row(row_id: int, **columns: str) -> LedgerRow:
    values = {"bearer": "", "mechanism": "", "residual": "", **columns}
    return LedgerRow(row_id, row_id, f"risk {row_id}", bearer_kind="unassigned",
                     mechanism_kind="trust only", **values)  # fmt: skip


def next_key(book: StageBook, stage: str, done: list[str], skipped: tuple[str, ...] = (),
             ledger: tuple[LedgerRow, ...] = ()) -> str | None:  # fmt: skip
    the_stage = book[book.index(stage)]
    slot = current_slot(the_stage, filled(answers(*done), the_stage, ledger), skipped,
                        [r.id for r in ledger])  # fmt: skip
    return slot.key if slot else None


@pytest.mark.parametrize(
    ("done", "skipped", "expected"),
    [
        ([], (), "stakes/yours/0"),
        (["stakes/yours/0"], (), "stakes/their_gains/0"),
        (["stakes/yours/0"], ("stakes/their_gains/0",), "stakes/their_fears/0"),
        (
            [
                "stakes/yours/0",
                "stakes/their_gains/0",
                "stakes/their_fears/0",
                "stakes/not_at_table/0",
                "stakes/priority/0",
            ],
            (),
            None,
        ),
    ],
)
def test_a_plain_stage_asks_its_first_question_without_answer_or_skip(
    book: StageBook, done: list[str], skipped: tuple[str, ...], expected: str | None
) -> None:
    assert next_key(book, "stakes", done, skipped) == expected


@pytest.mark.parametrize(
    ("done", "skipped", "expected"),
    [
        ([], (), "trust/assumption/0"),
        (["trust/assumption/0"], (), "trust/if_false/0"),
        (["trust/assumption/0", "trust/if_false/0", "trust/detection/0"], (), "trust/assumption/1"),
        (["trust/assumption/0"], ("trust/if_false/0",), "trust/detection/0"),
        (
            ["trust/assumption/0", "trust/if_false/0", "trust/detection/0"],
            ("trust/assumption/1",),
            None,
        ),
    ],
)
def test_the_trust_audit_goes_round_by_round_until_a_round_is_skipped(
    book: StageBook, done: list[str], skipped: tuple[str, ...], expected: str | None
) -> None:
    assert next_key(book, "trust", done, skipped) == expected


@pytest.mark.parametrize(
    ("ledger", "done", "expected"),
    [
        ((), [], None),
        ((row(7),), [], "risks/bearer/7"),
        ((row(7),), ["risks/bearer/7"], "risks/mechanism/7"),
        ((row(7, bearer="me", mechanism="escrow"),), [], "risks/residual/7"),
        ((row(7, bearer="me", mechanism="escrow", residual="none"), row(9)), [], "risks/bearer/9"),
    ],
)
def test_risk_allocation_asks_about_each_row_what_it_still_lacks(
    book: StageBook, ledger: tuple[LedgerRow, ...], done: list[str], expected: str | None
) -> None:
    assert next_key(book, "risks", done, ledger=ledger) == expected


@pytest.mark.parametrize(
    ("answer", "leans"),
    [
        ("He seems honest, so he will fix it.", True),
        ("We shook hands on it.", True),
        ("I'll skip the inspection, we go way back.", True),
        ("He seems honest, but what if he doesn't deliver?", False),
        ("He seems honest; we'll still hold back 10% in escrow.", False),
        ("Delivery by Friday, 400 chairs.", False),
    ],
)
def test_an_answer_leans_on_trust_when_it_relies_on_it_without_weighing_the_risk(
    lens: TrustLens, answer: str, leans: bool
) -> None:
    assert leans_on_trust(lens.read(answer)) is leans


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_an_empty_answer_is_refused_and_says_nothing_was_saved(lens: TrustLens, blank: str) -> None:
    with pytest.raises(PrepError, match="nothing was saved"):
        clean_answer(blank, max_chars=4000, lens=lens)


def test_a_20000_character_answer_is_cut_to_the_limit_with_a_clear_notice(lens: TrustLens) -> None:
    huge = ("The supplier will deliver on time. " * 600)[:20_000]

    cleaned = clean_answer(huge, max_chars=4000, lens=lens)

    assert len(cleaned.text) <= 4000
    assert huge.startswith(cleaned.text)
    assert cleaned.notices == (
        "Your answer was 20,000 characters; I saved the first 4,000. "
        "Send the rest as another answer if it matters.",
    )
