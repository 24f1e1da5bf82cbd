"""One real situation reader for the reading tests: shipped weights, catalogue and spaCy."""

from __future__ import annotations

import pytest

from bot.knowledge.embeddings import MiniLMEmbedder
from bot.reading.build import build_reader
from bot.reading.reader import SituationReader
from bot.settings import REPO_ROOT


@pytest.fixture(scope="session")
def reader(embedder: MiniLMEmbedder) -> SituationReader:
    return build_reader(REPO_ROOT / "prompts", embedder.embed_query)
