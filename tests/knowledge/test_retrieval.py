"""Hybrid retrieval: grounded in the essay when loaded, scoped per server, never Chroma's own model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_knowledge
from bot.evaluation import load_cases, score_retrieval
from bot.knowledge.retrieval import HybridRetriever, tokenize
from bot.knowledge.store import KnowledgeBase
from bot.settings import Settings


@pytest.fixture
def shipped(settings: Settings, embedder) -> KnowledgeBase:
    """The store with the shipped knowledge already indexed (a private copy)."""
    return build_knowledge(settings, embedder)


@pytest.fixture
def essay_store(tmp_path: Path, embedder, essay_path: Path) -> KnowledgeBase:
    kb = build_knowledge(Settings(_env_file=None, PARLEY_DATA_DIR=tmp_path / "essay"), embedder)
    kb.add_paths([essay_path])
    return kb


def test_results_are_best_first_and_limited_to_k(shipped: KnowledgeBase) -> None:
    passages = HybridRetriever(shipped).search("escrow until the inspection is done", k=4)
    assert len(passages) == 4
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_without_the_essay_its_digest_is_quoted(shipped: KnowledgeBase) -> None:
    top = HybridRetriever(shipped).search(
        "No surprises: Kozyrev and Hurd, finding out from the newspapers", k=3
    )
    assert any("digest" in p.title.lower() or "kozyrev" in p.text.lower() for p in top)


def test_with_the_essay_loaded_its_passages_come_before_the_digest(
    shipped: KnowledgeBase, essay_path: Path
) -> None:
    shipped.add_paths([essay_path])
    ranked = HybridRetriever(shipped).search(
        "leaders with personal chemistry; trust between presidents", k=10
    )
    kinds = [
        "essay"
        if "ambassadorllp" in p.source and "digest" not in p.title.lower()
        else "digest"
        if "digest" in p.title.lower()
        else "note"
        for p in ranked
    ]
    assert "essay" in kinds
    if "digest" in kinds:
        assert kinds.index("essay") < kinds.index("digest")


def test_hybrid_beats_either_leg_alone_on_the_essay(essay_store: KnowledgeBase) -> None:
    cases = load_cases("retrieval.yaml")
    mrr = {
        name: score_retrieval(
            HybridRetriever(essay_store, vector_weight=w), cases, essay_only=False
        ).mrr
        for name, w in (("vector", 1.0), ("keyword", 0.0), ("hybrid", 0.85))
    }
    assert mrr["hybrid"] > mrr["vector"] and mrr["hybrid"] > mrr["keyword"]


def test_a_servers_notes_are_invisible_to_other_servers(
    shipped: KnowledgeBase, tmp_path: Path
) -> None:
    note = tmp_path / "secret.md"
    note.write_text(
        "---\ntitle: Zanzibar pricing\n---\n\nOur Zanzibar distributor pricing floor.\n"
    )
    shipped.add_paths([note], scope="server:1")
    retriever = HybridRetriever(shipped)
    query = "Zanzibar distributor pricing floor"
    assert any(
        "Zanzibar" in p.text for p in retriever.search(query, k=3, scopes=("global", "server:1"))
    )
    assert not any(
        "Zanzibar" in p.text for p in retriever.search(query, k=10, scopes=("global", "server:2"))
    )


def test_chromas_own_downloading_embedder_is_never_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedder
) -> None:
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2 as chroma_default

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("chromadb's default embedder was called")

    monkeypatch.setattr(chroma_default.ONNXMiniLM_L6_V2, "__call__", refuse)
    monkeypatch.setattr(chroma_default.ONNXMiniLM_L6_V2, "_download_model_if_not_exists", refuse)
    kb = build_knowledge(Settings(_env_file=None, PARLEY_DATA_DIR=tmp_path / "d"), embedder)
    note = tmp_path / "n.md"
    note.write_text("The buyer wants escrow.")
    kb.add_paths([note])
    assert HybridRetriever(kb).search("escrow", k=1)[0].text == "The buyer wants escrow."


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("The Inspections were checked", ["inspection", "check"]), ("It is what it is", [])],
)
def test_keyword_tokens_are_stemmed_without_stop_words(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens
