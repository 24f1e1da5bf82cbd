"""PDF-extracted text (hard wraps, blank line after every line, page debris) becomes clean passages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.chunking import (
    MAX_CHARS,
    chunk_text,
    parse_markdown,
    parse_plain_text,
    rebuild_paragraphs,
)

# Each line as a PDF extractor writes it: trailing space, then a blank line.
PDF_LINES = [
    " *************** ",
    "The first paragraph talks about a seller and a buyer who meet to agree a price for a used ",
    "car, and it wraps over several lines because the PDF had a fixed width for each of its ",
    "lines of text. ",
    "12",
    "Second paragraph: the buyer asks for an inspection before paying, which the seller ",
    "accepts with some reluctance after a long negoti-",
    "ation over who pays for it. ",
    "https://example.org/some-page.html",
]
PDF_LIKE = "\n\n".join(PDF_LINES) + "\n"


def test_hard_wrapped_lines_are_joined_into_paragraphs() -> None:
    paragraphs = rebuild_paragraphs(PDF_LIKE).split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("The first paragraph") and paragraphs[0].endswith(
        "lines of text."
    )


@pytest.mark.parametrize("debris", ["***************", "12", "https://example.org/some-page.html"])
def test_page_debris_is_dropped(debris: str) -> None:
    assert debris not in rebuild_paragraphs(PDF_LIKE)


def test_word_broken_across_lines_is_mended() -> None:
    assert "negotiation over" in rebuild_paragraphs(PDF_LIKE)


def test_first_url_becomes_the_source_address() -> None:
    assert parse_plain_text(PDF_LIKE, "doc").source == "https://example.org/some-page.html"


def test_long_paragraph_is_split_at_sentences_under_the_limit() -> None:
    text = " ".join(f"Sentence number {i} is about escrow and inspection." for i in range(80))
    chunks = chunk_text(text)
    assert len(chunks) > 1
    assert all(len(c) <= MAX_CHARS and c.endswith(".") for c in chunks)


def test_markdown_front_matter_is_read_and_headings_lead_their_section() -> None:
    doc = parse_markdown(
        "---\ntitle: A case\ntags: [escrow, trust]\nsource: https://example.org/x\n---\n\n"
        "# A case\n\n## What happened\n\nThe buyer paid into escrow.\n",
        "fallback",
    )
    assert (doc.title, doc.tags, doc.source_url) == (
        "A case",
        ("escrow", "trust"),
        "https://example.org/x",
    )
    assert chunk_text(doc.text) == ["What happened: The buyer paid into escrow."]


def test_real_essay_chunks_into_whole_paragraph_passages(essay_path: Path) -> None:
    doc = parse_plain_text(essay_path.read_text(encoding="utf-8"), essay_path.stem)
    chunks = chunk_text(doc.text)
    assert 6 <= len(chunks) <= 20
    assert all(c[0].isupper() or c[0] in "“\"'" for c in chunks)  # no passage starts mid-sentence
    assert not any("ambassadorllp.com" in c or "****" in c for c in chunks)
    assert doc.source.startswith("https://ambassadorllp.com/")
