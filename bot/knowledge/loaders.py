"""Reading knowledge files (.md, .txt, .pdf) from disk into cleaned documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from bot.datafiles import load_yaml
from bot.knowledge.chunking import Document, parse_markdown, parse_plain_text

SUPPORTED = (".md", ".markdown", ".txt", ".pdf")
DATA_FILES = (".yaml", ".yml", ".jsonl", ".npz")
MAX_FILE_BYTES = 20 * 1024 * 1024


class UnreadableFile(ValueError):
    """A knowledge file that cannot be ingested; the message names the reason plainly."""


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield files from the given files and folders (recursively), in a stable order."""
    for path in paths:
        if path.is_dir():
            # A folder may hold data beside its notes (the deal catalogue, training data, the
            # reader's weights): those are not knowledge to index, and not worth a warning.
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and _visible(p, path) and p.suffix.lower() not in DATA_FILES
            )
        else:
            yield path


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def read_bytes(path: Path) -> bytes:
    """Read a file after checking that it exists, has a known type and a sane size."""
    if not path.exists():
        raise UnreadableFile("file not found")
    if path.suffix.lower() not in SUPPORTED:
        raise UnreadableFile(f"unsupported type {path.suffix or '(none)'}; use .md, .txt or .pdf")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("the file is empty")
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(f"the file is {size // 1_048_576} MB; the limit is 20 MB")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror or exc})") from exc


def parse_document(path: Path, data: bytes) -> Document:
    """Turn a file's bytes into a Document according to its type."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _titled(parse_plain_text(_pdf_text(data), path.stem), path)
    text = _decode(data)
    if suffix in (".md", ".markdown"):
        return parse_markdown(text, path.stem)
    return _titled(parse_plain_text(text, path.stem), path)


SOURCES_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "sources.yaml"


def _titled(document: Document, path: Path) -> Document:
    """A known third-party text gets its title and source from ``knowledge/sources.yaml``."""
    known = _known_sources().get(path.name)
    if not known:
        return document
    return replace(document, title=str(known["title"]), source=str(known["source"]))


@lru_cache(maxsize=1)
def _known_sources() -> dict:
    return load_yaml(SOURCES_FILE) if SOURCES_FILE.is_file() else {}


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableFile("it looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise UnreadableFile(f"not a readable PDF ({exc})") from exc
    if not text.strip():
        raise UnreadableFile("the PDF has no extractable text (is it a scan?)")
    return text
