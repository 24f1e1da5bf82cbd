"""Embeddings of every question wording, cached on disk beside the vector store.

Ranking compares each candidate with the message; embedding a wording on first use cost a
turn 30-80 ms the first time each kind of deal came up. They are embedded once, in batches,
the first time Parley starts with a given corpus, and loaded (a few ms) on later starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.questions.corpus import QuestionCorpus


def wordings(corpus: QuestionCorpus) -> list[str]:
    """Every template the planner may rank, without repeats."""
    texts = [q.text for k in corpus.kinds.values() for q in k.questions]
    texts += [q for m in corpus.mechanisms for q in m.questions]
    texts += [q for group in corpus.generic.values() for q in group]
    texts += [q for t in corpus.terms for q in t.questions]
    texts += [q for t in corpus.tactics for _, q in t.questions]
    # What a question is cited for: the risks it targets, a term's meaning.
    texts += [r.risk for k in corpus.kinds.values() for r in k.risks]
    texts += [
        "; ".join(r.risk for r in k.risks if r.id in q.targets)
        for k in corpus.kinds.values()
        for q in k.questions
        if q.targets
    ]
    texts += [f"{t.term}: {t.definition}" for t in corpus.terms]
    return list(dict.fromkeys(texts))


def load_or_build(
    corpus: QuestionCorpus,
    folder: Path,
    embed_many: Callable[[list[str]], list[list[float]]],
) -> dict[str, np.ndarray]:
    """The cached vectors for this corpus, computing and saving them when the corpus changed."""
    texts = wordings(corpus)
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = folder / f"question-vectors-{digest}.npy"
    if path.is_file():
        matrix = np.load(path)
        if matrix.shape[0] == len(texts):
            return dict(zip(texts, matrix, strict=True))
    matrix = np.asarray(embed_many(texts), dtype=np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("question-vectors-*.npy"):
        old.unlink(missing_ok=True)
    np.save(path, matrix)
    return dict(zip(texts, matrix, strict=True))
