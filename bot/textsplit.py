"""Split long text into chunks that fit a message-size limit, at the most natural boundary.

Front ends with a size cap (Discord's 2,000 characters, a narrow terminal pager) share this,
so it knows nothing about any of them.
"""

from __future__ import annotations

import re

# Boundaries from coarsest to finest, each with the text that re-joins pieces split at it.
# A piece is only cut at a finer boundary when it does not fit whole at a coarser one,
# so paragraphs stay intact whenever they can.
_BOUNDARIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n[ \t]*\n\s*"), "\n\n"),  # paragraphs
    (re.compile(r"\n"), "\n"),  # lines
    (re.compile(r"(?<=[.!?…])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)


def split_text(text: str, limit: int = 2000) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters.

    Chunks break at paragraph boundaries where possible; a paragraph too long for one chunk
    is broken at line, then sentence, then word boundaries, and a single word longer than
    ``limit`` is cut hard. Whitespace around break points is dropped; no other text changes.
    Blank input gives an empty list.
    """
    if limit < 1:
        raise ValueError(f"limit must be positive, got {limit}")
    text = text.strip()
    if not text:
        return []
    return _split(text, limit, level=0)


def _split(text: str, limit: int, level: int) -> list[str]:
    """Split ``text`` at boundary ``level`` or finer, packing pieces greedily up to ``limit``."""
    if len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return _hard_cut(text, limit)

    pattern, joiner = _BOUNDARIES[level]
    pieces = [piece.strip() for piece in pattern.split(text)]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) <= 1:
        return _split(text, limit, level + 1)

    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if len(piece) > limit:
            # An over-long piece starts on a fresh chunk so no chunk glues a fragment of it
            # to its neighbour with the wrong joiner; its tail may still take later pieces.
            if current:
                chunks.append(current)
            *full, current = _split(piece, limit, level + 1)
            chunks.extend(full)
            continue
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut text with no usable boundary (a URL, a run of symbols) into ``limit``-sized slices."""
    return [text[start : start + limit] for start in range(0, len(text), limit)]
