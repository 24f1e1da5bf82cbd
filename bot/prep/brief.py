"""The prep brief: a Markdown file written from everything stored about a session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.knowledge.quotes import with_quote
from bot.knowledge.retrieval import tokenize
from bot.prep.ledger import is_trust_only
from bot.prep.models import FINISHED, Answer, Asked, LedgerRow, SessionRecord
from bot.prep.questions import phrase
from bot.prep.stages import Stage, StageBook, fill
from bot.prep.walk import NOTE, latest_answers, open_items

# Stages whose first questions read best side by side: (question keys, column headings).
_TABLES = {
    "stakes": (
        ("yours", "their_gains", "their_fears", "not_at_table"),
        ("Who", "What is at stake"),
    ),
    "alternatives": (("your_alternative", "their_alternative"), ("Side", "In your words")),
}
NOT_ANSWERED = "*not answered*"
TRUST_ONLY_MARK = "⚠ **trust only**"
CELL_WORDS = 8  # words of an answer a ledger cell keeps
QUOTE_CHARS = 280  # a section's citation: the sentence or two that matter, not a page


def build_brief(record: SessionRecord, book: StageBook, *, risk_map_name: str = "") -> str:
    """The whole brief, section by section."""
    parts = [_title(record), _open_items(record, book), _summary(record, book)]
    for number, stage in enumerate(book.stages, start=1):
        parts.append(_stage_section(number, stage, record, risk_map_name))
    return "\n\n".join(p for p in parts if p).rstrip() + "\n"


def _title(record: SessionRecord) -> str:
    session = record.session
    status = "finished" if session.status == FINISHED else f"{session.status} (draft)"
    return (
        f"# Prep brief: {_inline(session.topic)}\n\n"
        f"**Counterpart:** {_inline(session.counterpart)} · **Session:** `{session.id}` · "
        f"**Status:** {status} · **Updated:** {session.updated_at:%Y-%m-%d}\n\n"
        "> Parley asks; it does not advise. Everything below is in your own words; each "
        "section ends with the passage its questions rested on."
    )


def _stage_section(number: int, stage: Stage, record: SessionRecord, map_name: str) -> str:
    heading = f"## {number}. {stage.title}"
    if stage.repeat == "open":
        body = _trust_table(stage, record)
    elif stage.repeat == "ledger":
        body = _ledger_section(stage, record, map_name)
    else:
        body = _plain_stage(stage, record)
    notes = _notes(stage, record.answers)
    cited = _section_citation(stage, record)
    return "\n\n".join(p for p in (heading, body, notes, cited) if p)


def _plain_stage(stage: Stage, record: SessionRecord) -> str:
    """A table for the side-by-side questions, bullets for the rest."""
    table_keys, headings = _TABLES.get(stage.id, ((), ()))
    rows = [q for q in stage.questions if q.key in table_keys]
    bullets = [q for q in stage.questions if q.key not in table_keys]
    parts = []
    if rows:
        cells = [
            (_label(q.label, record), _slot_text(record.answers, stage.id, q.key, 0)) for q in rows
        ]
        parts.append(_table(headings, cells))
    if bullets:
        parts.append(
            "\n".join(
                f"- **{_label(q.label, record)}:** {_slot_text(record.answers, stage.id, q.key, 0, cell=False)}"
                for q in bullets
            )
        )
    return "\n\n".join(parts)


def _trust_table(stage: Stage, record: SessionRecord) -> str:
    """One row per "they will…", with how the ledger now covers it."""
    first = stage.questions[0].key
    rounds = sorted(
        {a.round for a in record.answers if a.stage == stage.id and a.question == first}
    )
    if not rounds:
        return "*No trust assumptions were written down.*"
    headings = (
        "#",
        *(_label(q.label, record) for q in stage.questions),
        "Now covered by",
    )
    rows = [
        (
            str(n),
            *(_slot_text(record.answers, stage.id, q.key, r) for q in stage.questions),
            _coverage(record.ledger, r),
        )
        for n, r in enumerate(rounds, start=1)
    ]
    return _table(headings, rows)


def _coverage(ledger: Sequence[LedgerRow], round_: int) -> str:
    row = next((row for row in ledger if row.assumption == round_), None)
    if row is None:
        return "*not in the risk ledger*"
    return f"{_mechanism_cell(row)} (risk {row.position})"


def _ledger_section(stage: Stage, record: SessionRecord, map_name: str) -> str:
    """The risk ledger table, the trust-only summary and the map."""
    if not record.ledger:
        return "*The risk ledger is empty.*"
    rows = [
        (
            str(row.position),
            _cell(row.risk),
            _short(row.bearer_kind, row.bearer),
            _mechanism_cell(row),
            _cell(row.residual) if row.residual else NOT_ANSWERED,
        )
        for row in record.ledger
    ]
    table = _table(("#", "Risk", "Who bears it", "Mechanism", "Residual risk"), rows)
    parts = [table, _trust_only_summary(record), _trust_checks(stage.id, record.answers)]
    if map_name:
        parts.append(f"![Risk map]({map_name})")
    return "\n\n".join(p for p in parts if p)


def _mechanism_cell(row: LedgerRow) -> str:
    kind = TRUST_ONLY_MARK if is_trust_only(row.mechanism_kind) else row.mechanism_kind
    return _short(kind, row.mechanism)


def _short(kind: str, answer: str) -> str:
    """A ledger cell: the category, then the answer's first clause (the whole answer is in
    the Trust checks and the session; a row of full sentences is unreadable)."""
    return f"{kind} — {_cell(phrase(answer, CELL_WORDS))}" if answer.strip() else kind


def _trust_only_summary(record: SessionRecord) -> str:
    bare = [row for row in record.ledger if is_trust_only(row.mechanism_kind)]
    if not bare:
        return "**Covered only by trust:** none. Every risk has a mechanism or was accepted on purpose."
    numbers = ", ".join(f"#{row.position}" for row in bare)
    return (
        f"**Covered only by trust:** {len(bare)} of {len(record.ledger)} risks ({numbers}). "
        f"Each is a bet on {_inline(record.session.name)}'s good faith: cover it with a "
        "mechanism, or accept it on purpose."
    )


def _trust_checks(stage_id: str, answers: Sequence[Answer]) -> str:
    """Answers that leaned on trust in a ledger stage, and what the follow-up drew out."""
    lines = []
    for answer in answers:
        if answer.stage != stage_id or not answer.leaned_on_trust or answer.follow_up:
            continue
        after = [
            a.text for a in answers if a.follow_up and a.slot == answer.slot and a.id > answer.id
        ]
        outcome = f" → after the trust check: {_block(after[0])}" if after else " → *no answer yet*"
        lines.append(f"- *{_block(answer.text)}*{outcome}")
    return "**Trust checks:**\n" + "\n".join(lines) if lines else ""


def _notes(stage: Stage, answers: Iterable[Answer]) -> str:
    notes = [a for a in answers if a.stage == stage.id and a.question == NOTE and not a.follow_up]
    return "\n".join(f"- **Also noted:** {_block(a.text)}" for a in notes)


def _open_items(record: SessionRecord, book: StageBook) -> str:
    """The brief opens with what is still open, so nothing unanswered hides in a table."""
    items = open_items(record, book)
    body = "\n".join(f"- {_block(item)}" for item in items) or book.say("open_none")
    return f"## {book.say('open_heading')}\n\n{body}"


def _summary(record: SessionRecord, book: StageBook) -> str:
    """One paragraph in the user's own words: their Situation answers, in order."""
    stage = book.stages[0]
    latest = latest_answers(record.answers)
    texts = [latest.get(f"{stage.id}/{q.key}/0", "") for q in stage.questions]
    said = [_sentence(t) for t in texts if t.strip() and not book.is_unsure(t)]
    body = " ".join(said) if said else book.say("summary_no_answers")
    return f"## {book.say('summary_heading')}\n\n{body}"


def _sentence(text: str) -> str:
    """An answer as a sentence of a paragraph: one line, capitalised, ending in a stop."""
    text = " ".join(_inline(text).split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _section_citation(stage: Stage, record: SessionRecord) -> str:
    """One passage for the section, the one closest to what the user said in it, quoted by
    the sentence that matters to those answers (never the passage's first lines by default)."""
    said = " ".join(a.text for a in record.answers if a.stage == stage.id)
    asked = [a for a in record.asked if _slot_stage(a.slot) == stage.id]
    if not asked:
        return ""
    words = set(tokenize(said))

    def fit(item: Asked) -> float:
        passage = item.question.passage
        return len(words & set(tokenize(passage.text))) + passage.score

    passage = max(asked, key=fit).question.passage
    quoted = with_quote(passage, f"{said} {' '.join(a.question.text for a in asked)}")
    excerpt = " ".join(_inline(quoted.excerpt(QUOTE_CHARS)).split())
    return f"*Grounded in {_inline(passage.title or passage.source)}:* “{excerpt}”"


def _slot_stage(slot: str) -> str:
    """The stage a stored question belongs to: "stakes/yours/0" and "follow-up:stakes:ab"."""
    if slot.startswith("follow-up:"):
        return slot.split(":")[1]
    return slot.split("/", 1)[0]


def _slot_text(
    answers: Sequence[Answer], stage: str, key: str, round_: int, *, cell: bool = True
) -> str:
    """The latest answer to a slot, followed by its trust follow-up answers."""
    mine = [a for a in answers if (a.stage, a.question, a.round) == (stage, key, round_)]
    starts = [i for i, a in enumerate(mine) if not a.follow_up]
    shown = mine[starts[-1] :] if starts else mine
    if not shown:
        return NOT_ANSWERED
    escape = _cell if cell else _block
    texts = [escape(a.text) for a in shown[:1]]
    texts += [f"*after the trust check:* {escape(a.text)}" for a in shown[1:]]
    return (" <br>" if cell else "\n  ").join(texts)


def _label(label: str, record: SessionRecord) -> str:
    return fill(label, counterpart=record.session.name)


def _table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, line breaks kept as <br>."""
    return _inline(text).replace("|", "\\|").replace("\n", " <br>")


def _block(text: str) -> str:
    """Text safe in a bullet: continuation lines indented under it."""
    return _inline(text).replace("\n", "\n  ")


def _inline(text: str) -> str:
    # User text must not open headings, tables or HTML in the brief.
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines).replace("<", "&lt;").replace(">", "&gt;")
