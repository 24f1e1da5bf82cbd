"""The brief (Markdown) and the risk map (PNG) written from a session's record."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime

import numpy as np
import pytest
from matplotlib import image

from bot.coaching.models import Passage, Question
from bot.prep import ledger
from bot.prep.brief import build_brief
from bot.prep.models import ACTIVE, FINISHED, Answer, Asked, LedgerRow, PrepSession, SessionRecord
from bot.prep.riskmap import render_risk_map
from bot.prep.stages import StageBook
from tests.prep.scenario import COUNTERPART, TOPIC

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = Passage(
    "cases/lease.md", "Put the promise in writing, with a date.", 0.8, "A Lease", "lease#1"
)
ESSAY = Passage("essay.md", "Trust is a bundle of guesses.", 0.7, "Essay digest", "essay#3")


def answer(n: int, slot: str, text: str, *, follow_up: bool = False) -> Answer:
    stage, question, round_ = slot.split("/")
    return Answer(n, stage, question, int(round_), text, follow_up, follow_up, NOW)


def risk(
    position: int, text: str, bearer: str, mechanism: str, kind: str, **extra: object
) -> LedgerRow:
    bearer_kind = ledger.bearer_kind(bearer, COUNTERPART)
    return LedgerRow(
        position * 10, position, text, bearer, mechanism, "", bearer_kind, kind, **extra
    )


def record_of(
    answers: list[Answer],
    rows: list[LedgerRow],
    *,
    status: str = FINISHED,
    skipped: tuple[str, ...] = (),
) -> SessionRecord:
    session = PrepSession("abcd1234", "terminal:alice", COUNTERPART, TOPIC, 6, status,
                          {"skipped": list(skipped), "follow_ups": {}}, "", NOW, NOW)  # fmt: skip
    asked = (
        Asked("situation/want/0", Question("What do you want?", "stakes", "m", "clarify", LEASE)),
        Asked(
            "stakes/their_fears/0",
            Question("What do they fear?", "stakes", "m", "viewpoints", LEASE),
        ),
        Asked("follow-up:stakes:f1", Question("Who pays?", "risk", "m", "implications", ESSAY)),
    )
    return SessionRecord(session, tuple(answers), tuple(rows), asked)


@pytest.fixture(scope="module")
def brief(book: StageBook) -> str:
    answers = [
        answer(1, "situation/want/0", "Two years at today's rent."),
        answer(2, "stakes/their_gains/0", "A reliable tenant."),
        answer(3, "stakes/their_fears/0", "He seems honest, he won't mind."),
        answer(4, "stakes/their_fears/0", "He fears paying for the boiler.", follow_up=True),
        answer(5, "alternatives/your_alternative/0", "The flat on Hill Street."),
        answer(6, "trust/assumption/0", "They will replace the boiler by November."),
        answer(7, "trust/if_false/0", "I freeze and buy heaters."),
        answer(8, "trust/assumption/1", "They will keep the rent flat."),
    ]
    rows = [
        risk(
            1, "Not kept: boiler", "me", "rent cut of 20% per month", ledger.PENALTY, assumption=0
        ),
        risk(2, "Not kept: rent flat", "both", "his word", ledger.TRUST_ONLY, assumption=1),
    ]
    return build_brief(record_of(answers, rows, skipped=("alternatives/target/0",)), book,
                       risk_map_name="prep-abcd1234-risk-map.png")  # fmt: skip


def test_the_brief_has_every_section_in_order(brief: str) -> None:
    headings = [line for line in brief.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Open items", "## In short", "## 1. Situation", "## 2. Stakes", "## 3. Alternatives",
        "## 4. Trust audit", "## 5. Risk allocation", "## 6. Reputation and surprises",
        "## 7. Commitments",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "row",
    [
        "| The landlord gains | A reliable tenant. |",
        "| The landlord fears | He seems honest, he won't mind. <br>*after the trust check:* He fears paying for the boiler. |",
        "| You | *not answered* |",
        "| Your best alternative | The flat on Hill Street. |",
    ],
    ids=["their gains", "their fears, with the follow-up", "unanswered", "alternatives"],
)
def test_stakes_and_alternatives_are_tables_in_the_users_words(brief: str, row: str) -> None:
    assert row in brief.splitlines()


def test_each_trust_assumption_says_how_it_is_now_covered(brief: str) -> None:
    assert (
        "| 1 | They will replace the boiler by November. | I freeze and buy heaters. | *not answered* "
        "| penalty — rent cut of 20% per month (risk 1) |"
    ) in brief
    assert (
        "| 2 | They will keep the rent flat. | *not answered* | *not answered* | ⚠ **trust only** — his word (risk 2) |"
        in brief
    )


def test_the_ledger_lists_each_risk_and_singles_out_those_only_trust_covers(brief: str) -> None:
    assert (
        "| 2 | Not kept: rent flat | shared — both | ⚠ **trust only** — his word | *not answered* |"
        in brief
    )
    assert "**Covered only by trust:** 1 of 2 risks (#2)." in brief
    assert "![Risk map](prep-abcd1234-risk-map.png)" in brief


@pytest.mark.parametrize(
    "item",
    [
        "- Not answered: Situation · By when.",
        "- Not answered: Alternatives · Walk-away point.",
        "- Not answered: Trust audit · If false (They will keep the rent flat).",
        "- Covered only by trust: risk 2, Not kept: rent flat. Cover it with a mechanism, or "
        "accept it on purpose.",
    ],
    ids=["situation", "skipped", "a trust round", "trust only"],
)
def test_the_open_items_come_first_and_name_what_matters(brief: str, item: str) -> None:
    top = brief.split("## In short", 1)[0]
    assert item in top.splitlines()


def test_the_summary_is_the_situation_answers_in_the_users_words(brief: str) -> None:
    summary = brief.split("## In short", 1)[1].split("## 1.", 1)[0]
    assert summary.strip() == "Two years at today's rent."


def test_each_section_ends_with_at_most_one_citation_quoting_its_sentence(brief: str) -> None:
    sections = brief.split("\n## ")[3:]  # the seven stages
    cited = [s.strip().splitlines()[-1] for s in sections if "*Grounded in" in s]
    assert [s.count("*Grounded in") for s in sections] == [1, 1, 0, 0, 0, 0, 0]
    assert cited[0] == "*Grounded in A Lease:* “Put the promise in writing, with a date.”"


def test_an_unfinished_brief_is_a_draft_naming_the_missing_perspective(book: StageBook) -> None:
    draft = build_brief(record_of([], [], status=ACTIVE), book)

    assert "**Status:** active (draft)" in draft
    assert "- Not answered: Stakes · The landlord gains." in draft
    assert "- Not answered: Stakes · The landlord fears." in draft


def test_user_text_cannot_break_tables_or_inject_html(book: StageBook) -> None:
    nasty = answer(1, "stakes/their_gains/0", "a | b\n<script>alert(1)</script>\n## heading")

    text = build_brief(record_of([nasty], []), book)

    assert (
        "| The landlord gains | a \\| b <br>&lt;script&gt;alert(1)&lt;/script&gt; <br>## heading |"
        in text
    )


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def red_pixels(png: bytes) -> int:
    pixels = image.imread(io.BytesIO(png))[:, :, :3]
    target = np.array([0xC6, 0x28, 0x28]) / 255
    return int((np.abs(pixels - target).sum(axis=2) < 0.08).sum())


def test_the_risk_map_is_a_readable_png(book: StageBook) -> None:
    rows = [risk(n, f"risk {n}", "me", "escrow", ledger.ESCROW) for n in range(1, 9)]

    png = render_risk_map(record_of([], rows))

    assert png_size(png) == (1430, 825)


def test_a_risk_only_trust_covers_stands_out_in_red() -> None:
    covered = render_risk_map(record_of([], [risk(1, "late", "me", "escrow", ledger.ESCROW)]))
    bare = render_risk_map(record_of([], [risk(1, "late", "me", "his word", ledger.TRUST_ONLY)]))

    assert red_pixels(bare) > 3 * red_pixels(covered)


def test_an_empty_ledger_still_gives_a_map() -> None:
    assert png_size(render_risk_map(record_of([], []))) == (1430, 825)
