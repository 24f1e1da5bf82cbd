"""The paragraph splitter shared by the Discord and terminal front ends."""

from __future__ import annotations

import pytest

from bot.textsplit import split_text

LIMIT = 2000


def paragraphs(*sizes: int) -> list[str]:
    """Paragraphs of roughly the given sizes, each a run of short sentences."""
    sentence = "We agree to ship by Friday. "
    return [(sentence * (size // len(sentence) + 1))[:size].strip() for size in sizes]


def words_of(chunks: list[str]) -> list[str]:
    return " ".join(chunks).split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   \n\n  ", []),
        ("One short question?", ["One short question?"]),
        ("  padded  ", ["padded"]),
    ],
)
def test_short_or_blank_text_is_one_chunk_or_none(text: str, expected: list[str]) -> None:
    assert split_text(text, LIMIT) == expected


@pytest.mark.parametrize(
    "sizes",
    [
        (1500, 1500),
        (900, 900, 900),
        (1999, 1, 1999),
        (2000, 2000),
        (100,) * 60,
    ],
)
def test_paragraphs_that_fit_are_never_cut(sizes: tuple[int, ...]) -> None:
    paras = paragraphs(*sizes)
    chunks = split_text("\n\n".join(paras), LIMIT)

    assert all(len(chunk) <= LIMIT for chunk in chunks)
    # Every chunk is a run of whole paragraphs, and together they are all of them, in order.
    assert [p for chunk in chunks for p in chunk.split("\n\n")] == paras


def test_paragraphs_are_packed_together_while_they_fit() -> None:
    paras = paragraphs(600, 600, 600, 600)

    chunks = split_text("\n\n".join(paras), LIMIT)

    assert chunks == ["\n\n".join(paras[:3]), paras[3]]


@pytest.mark.parametrize(
    ("text", "chunk_end"),
    [
        (" ".join(["The buyer pays on delivery."] * 200), "delivery."),  # sentences
        ("\n".join(["- escrow until inspection"] * 200), "inspection"),  # list lines
        (" ".join(["guarantee"] * 500), "guarantee"),  # words only
    ],
)
def test_an_over_long_paragraph_is_cut_at_natural_boundaries(text: str, chunk_end: str) -> None:
    chunks = split_text(text, LIMIT)

    assert len(chunks) > 1
    assert all(len(chunk) <= LIMIT for chunk in chunks)
    assert all(chunk.endswith(chunk_end) for chunk in chunks)
    assert words_of(chunks) == text.split()  # nothing lost, no word cut in two


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    url = "https://example.com/" + "x" * 4500

    chunks = split_text(f"See {url} for the contract.", LIMIT)

    assert all(len(chunk) <= LIMIT for chunk in chunks)
    assert "".join(chunks).replace(" ", "") == f"See{url}forthecontract."


def test_text_after_an_over_long_paragraph_starts_at_its_boundary() -> None:
    long_paragraph = " ".join(["Escrow protects both sides."] * 100)
    text = f"{long_paragraph}\n\nShort closing question?"

    chunks = split_text(text, LIMIT)

    assert chunks[-1].endswith("\n\nShort closing question?")
    assert words_of(chunks) == text.split()


@pytest.mark.parametrize("limit", [0, -5])
def test_a_limit_below_one_is_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        split_text("text", limit)
