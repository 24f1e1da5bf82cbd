"""Turning raw documents (Markdown notes, text extracted from PDFs) into clean passages.

Text pulled out of a PDF arrives hard-wrapped, often with a blank line after every line and
with page debris (page numbers, rules of asterisks, running URLs). Blank lines therefore
cannot mark paragraphs; we rebuild paragraphs from the shape of the lines instead.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass

import yaml

TARGET_CHARS = 700
MAX_CHARS = 1000
MIN_CHARS = 120

_URL = re.compile(r"https?://\S+")
_DEBRIS = re.compile(r"^\s*(?:[*_=\-–—·•]{3,}|\d{1,4}|page \d+( of \d+)?|\f)\s*$", re.I)
_SENTENCE_END = re.compile(r"""[.!?:;"”’)]\s*$""")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Document:
    """A whole source document, cleaned, ready to chunk."""

    title: str
    text: str
    source: str
    tags: tuple[str, ...] = ()
    source_url: str | None = None
    digest_of: str | None = None  # the address of the original this document summarises
    case_kind: str = ""  # the deal-catalogue kind a case note is about (front matter `kind:`)


def parse_markdown(raw: str, fallback_title: str) -> Document:
    """Split optional YAML front matter (title, tags, source) from a Markdown body."""
    meta: dict = {}
    body = raw
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n", raw, re.S)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            loaded = None
        if isinstance(loaded, dict):
            meta, body = loaded, raw[match.end() :]
    title = str(meta.get("title") or _first_heading(body) or fallback_title)
    source = str(meta.get("source") or fallback_title)
    tags = meta.get("tags") or []
    tags = tuple(str(t) for t in (tags if isinstance(tags, list) else [tags]))
    url = _URL.search(source)
    digest_of = str(meta["digest_of"]).strip() if meta.get("digest_of") else None
    url_text = url.group(0) if url else None
    kind = str(meta.get("kind") or "")
    return Document(title, body.strip(), source, tags, url_text, digest_of, kind)


def parse_plain_text(raw: str, fallback_title: str) -> Document:
    """Clean PDF-extracted or plain text; the first URL in it is taken as its address."""
    url = _URL.search(raw)
    text = rebuild_paragraphs(raw)
    source = url.group(0).rstrip(".,)") if url else fallback_title
    return Document(fallback_title, text, source, (), source if url else None)


def _first_heading(body: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", body, re.M)
    return match.group(1).strip() if match else None


def rebuild_paragraphs(raw: str) -> str:
    """Join hard-wrapped lines into paragraphs separated by one blank line; drop debris."""
    lines = [line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if not _DEBRIS.match(line) and not _is_url_only(line)]
    content = [line for line in lines if line]
    if not content:
        return ""
    # A line well short of the usual width that ends a sentence closes its paragraph.
    width = statistics.quantiles([len(x) for x in content], n=4)[2] if len(content) > 3 else 80
    # In double-spaced extractions one blank line is just a line end; two mark a break.
    gap = 2 if _double_spaced(lines) else 1
    paragraphs: list[str] = []
    current: list[str] = []
    blank_run = 0
    for line in lines:
        if not line:
            blank_run += 1
            continue
        if current and blank_run >= gap:
            paragraphs.append(_join(current))
            current = []
        blank_run = 0
        current.append(line)
        if len(line) < 0.8 * width and (_SENTENCE_END.search(line) or len(line) < 40):
            paragraphs.append(_join(current))
            current = []
    if current:
        paragraphs.append(_join(current))
    return "\n\n".join(p for p in paragraphs if p)


def _double_spaced(lines: list[str]) -> bool:
    """True when most lines are followed by a blank one, as PDF extractors often write."""
    pairs = sum(1 for a, b in itertools.pairwise(lines) if a and not b)
    return pairs >= 0.6 * max(1, sum(1 for line in lines if line))


def _is_url_only(line: str) -> bool:
    return bool(line) and _URL.fullmatch(line.strip()) is not None


def _join(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if text.endswith("-") and line[:1].islower():
            text = text[:-1] + line  # a word broken across lines
        else:
            text = f"{text} {line}" if text else line
    return re.sub(r"\s+", " ", text).strip()


def chunk_text(text: str) -> list[str]:
    """Pack paragraphs into passages of about TARGET_CHARS, splitting long ones by sentence."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = re.sub(r"\s+", " ", paragraph).strip()
        if not paragraph or paragraph.startswith("---"):
            continue
        pieces.extend(_split_long(paragraph))
    return _pack(pieces)


def _split_long(paragraph: str) -> list[str]:
    if len(paragraph) <= MAX_CHARS:
        return [paragraph]
    out: list[str] = []
    current = ""
    for sentence in _SENTENCE_SPLIT.split(paragraph):
        if current and len(current) + len(sentence) + 1 > TARGET_CHARS:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out


def _pack(pieces: list[str]) -> list[str]:
    """Merge short neighbours (headings, list items) so every passage can stand alone."""
    chunks: list[str] = []
    current = ""
    for piece in _attach_headings(pieces):
        is_heading = piece.startswith("#")
        if (
            current
            and (len(current) + len(piece) + 1 > TARGET_CHARS or is_heading)
            and len(current) >= MIN_CHARS
        ):
            chunks.append(current)
            current = ""
        current = f"{current}\n{piece}".strip() if current else piece
    if current:
        if chunks and len(current) < MIN_CHARS:
            chunks[-1] = f"{chunks[-1]}\n{current}"
        else:
            chunks.append(current)
    return [_clean_markdown(c) for c in chunks]


def _attach_headings(pieces: list[str]) -> list[str]:
    """Drop the document title and prefix each section heading to its first paragraph."""
    out: list[str] = []
    pending = ""
    for piece in pieces:
        if piece.startswith("# "):
            continue  # the title is stored as metadata already
        if piece.startswith("#"):
            pending = piece.lstrip("#").strip()
            continue
        out.append(f"# {pending}: {piece}" if pending else piece)
        pending = ""
    return out


def _clean_markdown(chunk: str) -> str:
    """Drop heading marks and emphasis so quotations read as plain prose."""
    chunk = re.sub(r"^#+\s*", "", chunk, flags=re.M)
    chunk = re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", chunk)
    return chunk.strip()
