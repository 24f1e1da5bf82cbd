"""Building the situational planner once, from the shipped corpus files."""

from __future__ import annotations

from pathlib import Path

from bot.coaching.planner import OfflineEngine
from bot.knowledge.retrieval import HybridRetriever
from bot.knowledge.store import KnowledgeBase
from bot.questions.corpus import load_corpus
from bot.questions.planner import SituationalEngine
from bot.questions.vectors import load_or_build
from bot.reading.build import KNOWLEDGE
from bot.reading.catalogue import DealKind


def build_planner(
    prompts_dir: Path,
    kinds: dict[str, DealKind],
    bank: OfflineEngine,
    retriever: HybridRetriever,
    knowledge: KnowledgeBase,
) -> SituationalEngine:
    """The planner over the deal catalogue, moves, tactics, glossary and language lines."""
    corpus = load_corpus(
        prompts_dir / "questions" / "moves.yaml",
        KNOWLEDGE / "glossary.yaml",
        prompts_dir / "reading" / "languages.yaml",
        kinds,
        prompts_dir / "questions" / "tactics.yaml",
    )
    engine = SituationalEngine(corpus, bank, retriever, knowledge.embed)
    engine.preload(load_or_build(corpus, knowledge.data_dir, knowledge.embed_many))
    return engine
