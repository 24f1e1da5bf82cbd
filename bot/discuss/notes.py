"""A server's own case notes: written under the data dir and indexed in the server's scope.

Notes are material for retrieval, never instructions: their text only ever reaches users as
quoted passages. Notes that read like instructions are still stored, and the person adding
them is told that such text changes nothing.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from bot.coaching.models import InputRejected
from bot.knowledge.loaders import UnreadableFile, parse_document
from bot.knowledge.store import KnowledgeBase, SourceInfo, server_scope

UPLOAD_TYPES = (".md", ".txt", ".pdf")
MAX_TITLE_CHARS = 100
MAX_TAGS = 10


class NoteRejected(InputRejected):
    """A note that cannot be added or found; the error path shows ``str(exc)`` to the user."""


@dataclass(frozen=True, slots=True)
class NoteLimits:
    """How much one server may store (from settings)."""

    max_chars: int
    max_bytes: int
    per_server: int


@dataclass(frozen=True, slots=True)
class NoteInfo:
    """One of a server's notes, for listings."""

    name: str  # the file stem: what /notes show and /notes remove accept
    title: str
    origin: str  # "discord" for notes added in Discord, "added" for the CLI
    passages: int


@dataclass(frozen=True, slots=True)
class AddedNote:
    """The outcome of adding a note."""

    note: NoteInfo
    replaced: bool
    reads_like_instructions: bool


@dataclass(frozen=True, slots=True)
class NoteText:
    """A note's indexed text, for /notes show."""

    note: NoteInfo
    text: str


class NoteService:
    """Add, list, show and remove one server's notes. Store calls run in worker threads."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        notes_dir: Path,
        limits: NoteLimits,
        *,
        looks_like_instructions: Callable[[str], bool],
    ) -> None:
        self._kb = knowledge
        self._dir = notes_dir
        self.limits = limits
        self._looks_like_instructions = looks_like_instructions
        # Adds are serialised so two at once cannot both slip under a server's note limit.
        self._lock = asyncio.Lock()

    async def add_text(
        self,
        guild_id: int,
        *,
        title: str,
        text: str,
        tags: Sequence[str] = (),
        author: str = "",
        now: datetime | None = None,
    ) -> AddedNote:
        """Write a Markdown note from the modal's fields and index it for the server."""
        title = " ".join(title.split())
        text = text.strip()
        if not title:
            raise NoteRejected("Give the note a title.")
        if len(title) > MAX_TITLE_CHARS:
            raise NoteRejected(
                f"The title is {len(title)} characters; the most is {MAX_TITLE_CHARS}."
            )
        self._check_length(text)
        slug = slugify(title)
        markdown = _markdown(title, text, _clean_tags(tags), author, now)
        return await self._store(guild_id, f"{slug}.md", markdown.encode("utf-8"), text)

    def check_upload(self, filename: str, size: int) -> None:
        """Refuse a file by name and size before anyone downloads it."""
        suffix = Path(filename).suffix.lower()
        if suffix not in UPLOAD_TYPES:
            raise NoteRejected(
                f"{filename} is not a note I can read: attach a .md, .txt or .pdf file."
            )
        if size > self.limits.max_bytes:
            raise NoteRejected(
                f"{filename} is {_size(size)}; notes can be at most {_size(self.limits.max_bytes)}."
            )
        if size == 0:
            raise NoteRejected(f"{filename} is empty.")

    async def add_file(self, guild_id: int, filename: str, data: bytes) -> AddedNote:
        """Store an uploaded .md, .txt or .pdf file and index it for the server."""
        self.check_upload(filename, len(data))
        path = Path(filename)
        target = f"{slugify(path.stem)}{path.suffix.lower()}"
        try:  # PDF text extraction is CPU work: keep the event loop free
            document = await asyncio.to_thread(parse_document, Path(target), data)
        except UnreadableFile as exc:
            raise NoteRejected(f"I couldn't read {filename}: {exc}.") from exc
        self._check_length(document.text)
        return await self._store(guild_id, target, data, document.text)

    async def list(self, guild_id: int) -> list[NoteInfo]:
        """The server's notes, by title: those added in Discord and with the CLI's ``--server``."""
        sources = await asyncio.to_thread(self._kb.sources, scope=server_scope(guild_id))
        return sorted((_info(s) for s in sources), key=lambda n: n.title.lower())

    async def show(self, guild_id: int, name: str) -> NoteText:
        """A note's text as indexed, found by name or title."""
        info = await self._find(guild_id, name)
        chunks = await asyncio.to_thread(self._kb.chunks)
        mine = sorted(
            (c for c in chunks if c.meta.get("doc_id") == info.doc_id),
            key=lambda c: int(c.meta.get("chunk", 0)),
        )
        return NoteText(_info(info), "\n\n".join(c.text for c in mine))

    async def remove(self, guild_id: int, name: str) -> NoteInfo:
        """Remove a note from the index, and its file if Parley wrote it."""
        info = await self._find(guild_id, name)
        await asyncio.to_thread(self._kb.remove, info.doc_id, scope=server_scope(guild_id))
        path = Path(info.path)
        if path.is_relative_to(self._server_dir(guild_id).resolve()):  # never a CLI user's file
            await asyncio.to_thread(path.unlink, missing_ok=True)
        return _info(info)

    # -- helpers -------------------------------------------------------------------------

    def _check_length(self, text: str) -> None:
        if not text.strip():
            raise NoteRejected("The note has no text.")
        if len(text) > self.limits.max_chars:
            raise NoteRejected(
                f"The note is {len(text):,} characters; the limit is {self.limits.max_chars:,}. "
                "Split it into several notes."
            )

    async def _store(self, guild_id: int, filename: str, data: bytes, text: str) -> AddedNote:
        """Write the file and index it, within the server's note limit."""
        async with self._lock:
            info, replaced = await asyncio.to_thread(
                self._write_and_index, guild_id, filename, data
            )
        return AddedNote(
            _info(info),
            replaced=replaced,
            reads_like_instructions=self._looks_like_instructions(text),
        )

    def _write_and_index(
        self, guild_id: int, filename: str, data: bytes
    ) -> tuple[SourceInfo, bool]:
        """Blocking: check the limit, write the file, index it; undo the write on failure."""
        scope = server_scope(guild_id)
        path = (self._server_dir(guild_id) / filename).resolve()
        existing = self._kb.sources(scope=scope)
        replacing = any(Path(s.path) == path for s in existing)
        if not replacing and len(existing) >= self.limits.per_server:
            raise NoteRejected(
                f"This server already has {len(existing)} notes, the most it can keep. "
                "Remove one with /notes remove first."
            )
        previous = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        report = self._kb.add_paths([path], scope=scope, origin="discord")
        if report.failed:
            _restore(path, previous)
            raise NoteRejected(f"I couldn't index that note: {report.failed[0][1]}.")
        info = next(s for s in self._kb.sources(scope=scope) if Path(s.path) == path)
        return info, replacing

    async def _find(self, guild_id: int, name: str) -> SourceInfo:
        needle = name.strip()
        sources = await asyncio.to_thread(self._kb.sources, scope=server_scope(guild_id))
        for info in sources:
            if needle in (info.doc_id, Path(info.path).stem, Path(info.path).name) or (
                needle.lower() == info.title.lower()
            ):
                return info
        raise NoteRejected(f"This server has no note called {needle!r}; see /notes list.")

    def _server_dir(self, guild_id: int) -> Path:
        return self._dir / str(guild_id)

    def reindex_all(self) -> int:
        """Index every note file kept under the notes folder again (after a store rebuild).

        Blocking. Returns the number of passages indexed.
        """
        folders = [d for d in sorted(self._dir.glob("*")) if d.is_dir() and d.name.isdigit()]
        return sum(
            self._kb.add_paths([d], scope=server_scope(int(d.name)), origin="discord").chunks
            for d in folders
        )


def slugify(text: str) -> str:
    """A safe file stem: ASCII letters, digits and hyphens, never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "note"


def _markdown(title: str, text: str, tags: list[str], author: str, now: datetime | None) -> str:
    """The note file: front matter the knowledge loader understands, then the text."""
    added = f" on {now:%Y-%m-%d}" if now else ""
    meta = {
        "title": title,
        "tags": tags,
        "source": f"Case note added in Discord{f' by {author}' if author else ''}{added}",
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    return f"---\n{front}\n---\n\n# {title}\n\n{text}\n"


def _clean_tags(tags: Sequence[str]) -> list[str]:
    cleaned = [slugify(t) for t in tags if t.strip()]
    return list(dict.fromkeys(cleaned))[:MAX_TAGS]


def parse_tags(raw: str) -> list[str]:
    """Tags as typed in the modal: separated by commas or spaces."""
    return _clean_tags(re.split(r"[,\s]+", raw))


def _info(source: SourceInfo) -> NoteInfo:
    return NoteInfo(Path(source.path).stem, source.title, source.origin, source.chunks)


def _restore(path: Path, previous: bytes | None) -> None:
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(previous)


def _size(size: int) -> str:
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB"
    return f"{max(1, size // 1024)} KB"
