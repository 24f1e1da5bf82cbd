"""Shared fixtures: real settings, a real Chroma store on disk, the real offline embedder."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel

import bot.coaching.llm as llm
from bot.app import Parley, build_app, build_coach, build_knowledge, sync_shipped_knowledge
from bot.knowledge.embeddings import MiniLMEmbedder
from bot.knowledge.retrieval import HybridRetriever
from bot.settings import REPO_ROOT, Settings

ESSAY = REPO_ROOT.parent / "shared" / "corpus" / "ap-insight-56-trust.txt"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: the repo's knowledge and prompts, no .env, the given data dir."""
    values = {"PARLEY_DATA_DIR": data_dir, "DISCORD_TOKEN": None, **overrides}
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    """The real int8 MiniLM model, loaded once for the whole run."""
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def indexed_template(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A data dir with the shipped knowledge indexed once; tests get their own copy."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    settings = make_settings(data_dir)
    knowledge = build_knowledge(settings, embedder)
    sync_shipped_knowledge(knowledge, settings)
    # Building the coach once embeds every question wording into the data dir's cache.
    build_coach(settings, HybridRetriever(knowledge), knowledge)
    return data_dir


@pytest.fixture
def settings(tmp_path: Path, indexed_template: Path) -> Settings:
    """Settings over a private copy of the indexed data dir."""
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_template, data_dir)
    return make_settings(data_dir)


@pytest.fixture
async def parley_app(settings: Settings, embedder: MiniLMEmbedder) -> AsyncIterator[Parley]:
    """The real app: Chroma on disk, SQLite sessions, offline engine."""
    app = await build_app(settings, embedder=embedder)
    yield app
    await app.aclose()


@pytest.fixture(scope="session")
def essay_path() -> Path:
    """The real essay from ../shared; tests that need it skip with a reason when absent."""
    if not ESSAY.is_file():
        pytest.skip(f"the essay is not at {ESSAY} (it is third-party text kept outside the repo)")
    return ESSAY


@pytest.fixture
async def llm_app(
    settings: Settings, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[[BaseChatModel], Awaitable[Parley]]]:
    """Build the real app with PARLEY_LLM set; only the paid model is replaced by a given fake."""
    apps: list[Parley] = []

    async def make(model: BaseChatModel) -> Parley:
        monkeypatch.setattr(llm, "build_chat_model", lambda *a, **k: model)
        configured = make_settings(settings.data_dir, PARLEY_LLM="fake:model", PARLEY_LLM_TIMEOUT=5)
        app = await build_app(configured, embedder=embedder)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.coach.coach.engine.close()
        await app.aclose()
