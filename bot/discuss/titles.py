"""Sources read as titles: no file names ("ap-insight-56-trust"), no bare addresses.

A team reads "Scenario from Public record: the Minsk agreements", not a URL; an essay added as
a text file is named by the digest that summarises it, since the file itself has no title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from bot.coaching.models import Passage
from bot.knowledge.store import StoredChunk

# "(Wikipedia: https://…)" or ", https://…": where a source lives, not what it is.
_BRACKETED_URL = re.compile(r"\s*\((?:[^()]*?:\s*)?https?://[^\s]*?\)(?=[\s,.;]|$)")
_BARE_URL = re.compile(r",?\s*https?://\S+")
_FILE_STEM = re.compile(r"^[\w.]+(?:[-_][\w.]+)+$|\.(?:txt|md|pdf)$", re.I)
# A digest's title names what it digests after its label: "Essay digest: Crawford, …".
_DIGEST_LABEL = re.compile(r"^[^:]*\bdigest\b[^:]*:\s*", re.I)


def readable_source(source: str, title: str = "") -> str:
    """``source`` without its addresses; the title when nothing readable is left."""
    text = _BARE_URL.sub("", _BRACKETED_URL.sub("", source)).strip(" ,;-")
    return text or title


def original_titles(chunks: Iterable[StoredChunk]) -> dict[str, str]:
    """Address of an original text -> a title for it, taken from the digest that names it."""
    titles: dict[str, str] = {}
    for chunk in chunks:
        url, title = chunk.meta.get("digest_of", ""), chunk.meta.get("title", "")
        if url and title:
            titles.setdefault(url, _DIGEST_LABEL.sub("", title))
    return titles


def readable_title(title: str, source: str, originals: Mapping[str, str]) -> str:
    """A passage's title as a reader would name it; a file name is replaced."""
    if title and not _FILE_STEM.search(title):
        return title
    named = originals.get(source)
    if named:
        return named
    readable = readable_source(source)
    if readable and not readable.startswith("http"):
        return readable
    stem = re.sub(r"\.(?:txt|md|pdf)$", "", title, flags=re.I)
    return " ".join(re.split(r"[-_]+", stem)).strip().capitalize() or source


def titled(passage: Passage, originals: Mapping[str, str]) -> Passage:
    """The passage with a readable title (what citations show)."""
    title = readable_title(passage.title, passage.source, originals)
    return passage if title == passage.title else replace(passage, title=title)
