"""Hybrid retrieval: Chroma's embedding similarity fused with BM25 keyword scoring.

On short essays the two legs fail differently: embeddings miss rare names ("Kozyrev",
"snapback"), keywords miss paraphrase ("he seems decent" vs "trustworthy"). A weighted sum
of the cosine similarity and the max-normalised BM25 score beats either alone on our labelled
retrieval set (see `parley eval`).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from bot.coaching.models import Passage
from bot.knowledge.store import GLOBAL_SCOPE, KnowledgeBase, StoredChunk, is_guide

VECTOR_WEIGHT = 0.85
CANDIDATES = 48
# Once the original text is loaded, our digest of it yields: users should see the source quoted.
DIGEST_PENALTY = 0.55
# Citations from several sources read better than three slices of one note.
PER_DOCUMENT = 2
# Citation scoring (``HybridRetriever.cite``): the essay first, then notes on the same kind of
# deal; a note about another kind of deal must fit far better to be cited.
ESSAY_BONUS = 0.1
SAME_KIND_BONUS = 0.15
# A deal guide explains each risk of its kind in general terms: a better citation for a question
# about that risk than a sentence from one particular case of the kind.
GUIDE_BONUS = 0.08
OTHER_KIND_PENALTY = 0.3
DIGEST_CITATION_PENALTY = 0.1
SERVER_NOTE_BONUS = 0.12
# A passage that is itself a list of questions is no evidence for a question.
QUESTION_LIST_PENALTY = 0.3

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "him",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "too",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "just",
        "very",
        "really",
        "there",
        "here",
        "then",
        "some",
        "any",
        "all",
        "also",
        "more",
        "most",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def token_set(text: str) -> frozenset[str]:
    """The distinct tokens of a text, cached: passages are scored against many questions."""
    return frozenset(tokenize(text))


def tokenize(text: str) -> list[str]:
    """Lower-case word stems without stop words (a light suffix strip, enough for BM25)."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [_stem(w) for w in words if w not in _STOP and len(w) > 1]


def _stem(word: str) -> str:
    for suffix in (
        "ications",
        "ication",
        "ings",
        "ing",
        "ies",
        "ied",
        "ness",
        "ers",
        "es",
        "ed",
        "ly",
        "s",
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


class BM25:
    """Okapi BM25 over an in-memory list of token lists."""

    def __init__(self, docs: list[list[str]], k1: float = 1.4, b: float = 0.6) -> None:
        self.k1, self.b = k1, b
        self.lengths = np.array([len(d) for d in docs], dtype=np.float32)
        self.avg = float(self.lengths.mean()) if docs else 0.0
        self.freqs = [Counter(d) for d in docs]
        df = Counter(term for d in docs for term in set(d))
        n = len(docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def scores(self, query: list[str]) -> np.ndarray:
        """BM25 score of every document for the query terms."""
        out = np.zeros(len(self.freqs), dtype=np.float32)
        norm = self.k1 * (1 - self.b + self.b * self.lengths / max(self.avg, 1e-9))
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = np.array([f.get(term, 0) for f in self.freqs], dtype=np.float32)
            out += idf * tf * (self.k1 + 1) / (tf + norm)
        return out


@dataclass(frozen=True, slots=True)
class _Index:
    version: int
    chunks: list[StoredChunk]
    position: dict[str, int]
    bm25: BM25
    demoted: np.ndarray  # True for digest chunks whose original is loaded
    scopes: frozenset[str]
    vectors: np.ndarray  # (chunks, 384) unit embeddings, for scoring citations per question
    question_lists: np.ndarray  # True for passages made mostly of questions
    # Per kind of deal and per set of scopes, computed once per index, not on every question.
    bonuses: dict[str | None, np.ndarray] = field(default_factory=dict)
    visible: dict[frozenset[str], np.ndarray] = field(default_factory=dict)

    def bonus(self, kind: str | None) -> np.ndarray:
        """Each chunk's citation bonus for a question about this kind of deal."""
        if kind not in self.bonuses:
            self.bonuses[kind] = np.array(
                [_citation_bonus(c, kind) for c in self.chunks], dtype=np.float32
            )
        return self.bonuses[kind]

    def allowed(self, scopes: Collection[str]) -> np.ndarray:
        """Which chunks a caller with these scopes may see."""
        key = frozenset(scopes)
        if key not in self.visible:
            self.visible[key] = np.array(
                [c.meta.get("scope", GLOBAL_SCOPE) in key for c in self.chunks]
            )
        return self.visible[key]


class HybridRetriever:
    """Finds the passages that best fit a message, within the scopes a caller may see."""

    def __init__(self, knowledge: KnowledgeBase, *, vector_weight: float = VECTOR_WEIGHT) -> None:
        self._kb = knowledge
        self.vector_weight = vector_weight
        self._index: _Index | None = None
        self._lock = threading.Lock()

    def search(
        self, query: str, k: int = 3, *, scopes: Collection[str] = (GLOBAL_SCOPE,)
    ) -> list[Passage]:
        """The k best passages for ``query``, best first, with their fused scores."""
        index = self._current_index()
        if not index.chunks or not query.strip():
            return []
        fused = self._fuse(index, self._vector_scores(index, query, scopes), query)
        allowed = np.array([c.meta.get("scope", GLOBAL_SCOPE) in scopes for c in index.chunks])
        fused = np.where(allowed, fused, -np.inf)
        order = _diverse(
            [i for i in np.argsort(-fused) if np.isfinite(fused[i])], index, k, PER_DOCUMENT
        )
        return [_to_passage(index.chunks[i], float(fused[i])) for i in order]

    def _fuse(self, index: _Index, cosine: np.ndarray, query: str) -> np.ndarray:
        keyword = index.bm25.scores(tokenize(query))
        top = float(keyword.max()) if keyword.size else 0.0
        keyword = keyword / top if top > 0 else keyword
        fused = self.vector_weight * cosine + (1 - self.vector_weight) * keyword
        return np.where(index.demoted, fused * DIGEST_PENALTY, fused)

    def _vector_scores(self, index: _Index, query: str, scopes: Collection[str]) -> np.ndarray:
        """Cosine similarity from Chroma for the nearest candidates; 0 for the rest."""
        cosine = np.zeros(len(index.chunks), dtype=np.float32)
        # A metadata filter costs Chroma a SQL pass; skip it when every stored scope is allowed
        # (out-of-scope hits are masked after fusion anyway, so this is only about recall).
        where = None if index.scopes <= set(scopes) else {"scope": {"$in": list(scopes)}}
        for chunk_id, distance in self._kb.nearest(
            query, min(CANDIDATES, len(index.chunks)), where
        ):
            pos = index.position.get(chunk_id)
            if pos is not None:
                cosine[pos] = 1.0 - distance  # the collection uses cosine distance
        return cosine

    def _current_index(self) -> _Index:
        index = self._index
        if index is not None and index.version == self._kb.version:
            return index
        with self._lock:
            if self._index is None or self._index.version != self._kb.version:
                self._index = _build_index(self._kb)
            return self._index

    def cite(
        self,
        query: np.ndarray,
        *,
        kind: str | None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
        k: int = 3,
        per_document: int = PER_DOCUMENT,
    ) -> list[Passage]:
        """The k passages that best support a question, scored against its situation vector.

        ``query`` blends the question's and the message's embeddings; a case note of the same
        kind of deal and the essay's own text get a bonus, a case note of another kind a penalty.
        At most ``per_document`` passages come from one document while others remain.
        """
        index = self._current_index()
        if not index.chunks:
            return []
        score = index.vectors @ query
        allowed = index.allowed(scopes)
        score = score + index.bonus(kind)
        score = np.where(index.demoted, score - DIGEST_CITATION_PENALTY, score)
        score = np.where(index.question_lists, score - QUESTION_LIST_PENALTY, score)
        score = np.where(allowed, score, -np.inf)
        order = _diverse(
            [i for i in np.argsort(-score) if np.isfinite(score[i])], index, k, per_document
        )
        return [_to_passage(index.chunks[i], float(score[i])) for i in order]

    def refresh(self) -> None:
        """Reload the passages from the store (after another process changed it)."""
        with self._lock:
            self._index = _build_index(self._kb)


def _citation_bonus(chunk: StoredChunk, kind: str | None) -> float:
    case_kind = chunk.meta.get("case_kind", "")
    if chunk.meta.get("scope", GLOBAL_SCOPE) != GLOBAL_SCOPE:
        return SERVER_NOTE_BONUS  # the team's own notes on its own deals
    if chunk.meta.get("kind") == "original":
        return ESSAY_BONUS
    if case_kind:
        if case_kind != kind:
            return -OTHER_KIND_PENALTY
        return SAME_KIND_BONUS + (GUIDE_BONUS if is_guide(chunk.meta) else 0.0)
    return 0.0


def _diverse(order: list[int], index: _Index, k: int, per_document: int) -> list[int]:
    """The best k, with at most ``per_document`` from any one document while others remain."""
    picked: list[int] = []
    per_doc: Counter[str] = Counter()
    for i in order:
        doc = index.chunks[i].meta.get("doc_id", "")
        if per_doc[doc] < per_document:
            picked.append(i)
            per_doc[doc] += 1
        if len(picked) == k:
            return picked
    rest = [i for i in order if i not in picked]
    return picked + rest[: k - len(picked)]


def _build_index(kb: KnowledgeBase) -> _Index:
    chunks, vectors = kb.chunks_with_vectors()
    originals = {c.meta.get("source_url") for c in chunks if c.meta.get("kind") == "original"} - {
        ""
    }
    demoted = np.array(
        [c.meta.get("digest_of", "") in originals for c in chunks],
        dtype=bool,
    )
    bm25 = BM25([tokenize(f"{c.meta.get('title', '')} {c.text}") for c in chunks])
    position = {c.id: i for i, c in enumerate(chunks)}
    scopes = frozenset(c.meta.get("scope", GLOBAL_SCOPE) for c in chunks)
    question_lists = np.array([c.text.count("?") >= 2 for c in chunks], dtype=bool)
    return _Index(kb.version, chunks, position, bm25, demoted, scopes, vectors, question_lists)


def _to_passage(chunk: StoredChunk, score: float) -> Passage:
    return Passage(
        source=chunk.meta.get("source") or chunk.meta.get("title", ""),
        text=chunk.text,
        score=score,
        title=chunk.meta.get("title", ""),
        chunk_id=chunk.id,
        case_kind=chunk.meta.get("case_kind", ""),
        original=chunk.meta.get("kind") == "original",
    )
