"""The persistent knowledge base: a Chroma collection of passages, kept through langchain-chroma.

Each source file becomes one *document* made of chunks. A document's id depends on its scope
and resolved path, so adding the same file twice stores it once, and a changed file replaces
its old chunks. Every call here blocks: async callers run them in a worker thread.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings

from bot.knowledge.chunking import chunk_text
from bot.knowledge.loaders import UnreadableFile, expand_paths, parse_document, read_bytes

log = logging.getLogger(__name__)

COLLECTION = "parley-knowledge"
GLOBAL_SCOPE = "global"


def is_guide(meta: dict[str, Any]) -> bool:
    """True for a deal guide's passage: a kind's risks in general, cited but never a scenario."""
    return GUIDE_TAG in str(meta.get("tags", "")).split(",")


GUIDE_TAG = "guide"


def server_scope(server_id: int) -> str:
    """The knowledge scope of one Discord server's own notes."""
    return f"server:{server_id}"


def scopes_for(server_id: int | None) -> tuple[str, ...]:
    """What a server may read: the shared knowledge plus its own notes."""
    return (GLOBAL_SCOPE,) if server_id is None else (GLOBAL_SCOPE, server_scope(server_id))


class KnowledgeStoreError(RuntimeError):
    """The store cannot be opened or used; the message says how to recover."""


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """One passage as held in the store."""

    id: str
    text: str
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """One stored document, for listings."""

    doc_id: str
    title: str
    source: str
    path: str
    scope: str
    origin: str
    chunks: int


@dataclass(slots=True)
class AddReport:
    """What an ingest did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


def open_chroma_client(
    data_dir: Path, host: str | None = None, port: int = 8000
) -> chromadb.ClientAPI:
    """A persistent client under the data directory, or an HTTP client for a Chroma server."""
    settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port, settings=settings)
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
    except Exception as exc:  # chromadb raises many types for a damaged store
        raise KnowledgeStoreError(_corrupt_message(data_dir, exc)) from exc


def _corrupt_message(data_dir: Path, exc: Exception) -> str:
    return (
        f"The knowledge store in {data_dir / 'chroma'} cannot be opened ({type(exc).__name__}). "
        "Rebuild it with `parley knowledge rebuild` (it re-indexes the shipped knowledge; "
        "add your own files again afterwards)."
    )


class KnowledgeBase:
    """Add, list, remove and read passages in one Chroma collection."""

    def __init__(self, client: chromadb.ClientAPI, embedder: Embeddings, data_dir: Path) -> None:
        self._embedder = embedder
        self.data_dir = data_dir
        try:
            self._vectors = Chroma(
                collection_name=COLLECTION,
                embedding_function=embedder,
                client=client,
                collection_metadata={"hnsw:space": "cosine"},
            )
            self._collection = self._vectors._collection
            self._collection.count()
        except Exception as exc:
            raise KnowledgeStoreError(_corrupt_message(data_dir, exc)) from exc
        self.version = 0  # bumped on every change so retrievers know to reload

    def add_paths(
        self, paths: Iterable[Path], *, scope: str = GLOBAL_SCOPE, origin: str = "added"
    ) -> AddReport:
        """Ingest files and folders; failures are reported by name and the rest still ingest."""
        report = AddReport()
        for path in expand_paths(paths):
            try:
                self._add_file(path, scope, origin, report)
            except UnreadableFile as exc:
                report.failed.append((str(path), str(exc)))
        if report.changed:
            self.version += 1
        return report

    def _add_file(self, path: Path, scope: str, origin: str, report: AddReport) -> None:
        data = read_bytes(path)
        digest = hashlib.sha256(data).hexdigest()
        doc_id = document_id(scope, path)
        existing = self._collection.get(where={"doc_id": doc_id}, include=["metadatas"], limit=1)
        if existing["ids"] and existing["metadatas"][0].get("content_hash") == digest:
            report.unchanged.append(str(path))
            return
        document = parse_document(path, data)
        chunks = chunk_text(document.text)
        if not chunks:
            raise UnreadableFile("no text to index")
        if existing["ids"]:
            self._collection.delete(where={"doc_id": doc_id})
        meta = {
            "doc_id": doc_id,
            "title": document.title,
            "source": document.source,
            "source_url": document.source_url or "",
            "digest_of": document.digest_of or "",
            "case_kind": document.case_kind,
            "kind": "note" if path.suffix.lower() in (".md", ".markdown") else "original",
            "tags": ",".join(document.tags),
            "path": str(path.resolve()),
            "scope": scope,
            "origin": origin,
            "content_hash": digest,
        }
        docs = [
            LCDocument(page_content=c, metadata={**meta, "chunk": i}) for i, c in enumerate(chunks)
        ]
        self._vectors.add_documents(docs, ids=[f"{doc_id}:{i}" for i in range(len(chunks))])
        (report.replaced if existing["ids"] else report.added).append(str(path))
        report.chunks += len(chunks)

    def sync_folder(self, folder: Path, *, scope: str = GLOBAL_SCOPE) -> AddReport:
        """Index a shipped folder: new and changed files are (re)indexed, deleted ones removed."""
        report = self.add_paths([folder], scope=scope, origin="shipped")
        present = {str(p.resolve()) for p in expand_paths([folder])}
        root = str(folder.resolve())
        for info in self.sources(scope=scope):
            if info.origin == "shipped" and info.path.startswith(root) and info.path not in present:
                self._collection.delete(where={"doc_id": info.doc_id})
                report.replaced.append(info.path)
                self.version += 1
        return report

    def sources(self, *, scope: str | None = None) -> list[SourceInfo]:
        """Every stored document with its chunk count, optionally of one scope."""
        where = {"scope": scope} if scope else None
        metas = self._collection.get(where=where, include=["metadatas"])["metadatas"] or []
        counts: dict[str, int] = defaultdict(int)
        first: dict[str, dict[str, Any]] = {}
        for meta in metas:
            counts[meta["doc_id"]] += 1
            first.setdefault(meta["doc_id"], meta)
        return sorted(
            (
                SourceInfo(
                    d, m["title"], m["source"], m["path"], m["scope"], m["origin"], counts[d]
                )
                for d, m in first.items()
            ),
            key=lambda s: (s.scope, s.path),
        )

    def remove(self, needle: str, *, scope: str | None = None) -> list[SourceInfo]:
        """Remove documents whose id, path, file name or title matches ``needle``."""
        gone = [s for s in self.sources(scope=scope) if _matches(s, needle)]
        for info in gone:
            self._collection.delete(where={"doc_id": info.doc_id})
        if gone:
            self.version += 1
        return gone

    def chunks(self) -> list[StoredChunk]:
        """All passages with their metadata (the corpus is small enough to hold in memory)."""
        got = self._collection.get(include=["documents", "metadatas"])
        return [
            StoredChunk(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def chunks_with_vectors(self) -> tuple[list[StoredChunk], np.ndarray]:
        """All passages and their stored embeddings, in the same order."""
        got = self._collection.get(include=["documents", "metadatas", "embeddings"])
        chunks = [
            StoredChunk(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(chunks), -1)
        return chunks, vectors

    def nearest(
        self, query: str, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Ids and cosine distances of the n passages nearest to ``query``.

        Asks the collection for distances only: the texts are already in memory, and fetching
        documents and metadata through the langchain wrapper triples the query time.
        """
        embedding = self._embedder.embed_query(query)
        got = self._collection.query(
            query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
        )
        return list(zip(got["ids"][0], map(float, got["distances"][0]), strict=True))

    def embed(self, text: str) -> list[float]:
        """The message's embedding, from the same cache retrieval uses (so it is computed once)."""
        return self._embedder.embed_query(text)

    def embed_many(self, texts: list[str]) -> list[list[float]]:
        """Embeddings of many texts, batched."""
        return self._embedder.embed_documents(texts)

    def count(self) -> int:
        """Number of stored passages."""
        return self._collection.count()


def document_id(scope: str, path: Path) -> str:
    """Stable id of a source file within a scope."""
    key = f"{scope}\x00{path.resolve()}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _matches(info: SourceInfo, needle: str) -> bool:
    needle_path = str(Path(needle).expanduser().resolve()) if needle else ""
    return needle in (info.doc_id, info.title, Path(info.path).name, Path(info.path).stem) or (
        info.path == needle_path
    )


def wipe_store(data_dir: Path) -> None:
    """Delete the on-disk vector store (for `parley knowledge rebuild`); open no client first."""
    shutil.rmtree(data_dir / "chroma", ignore_errors=True)
