"""The composition root: builds every long-lived resource once and hands it to the front ends."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from bot.coaching.coach import Coach
from bot.coaching.llm import StreamingCoachService, build_engine
from bot.coaching.planner import OfflineEngine, load_moves
from bot.coaching.service import CoachService
from bot.coaching.trust_lens import Lexicon, TrustLens
from bot.discuss.config import ServerConfigStore
from bot.discuss.data import DiscussData
from bot.discuss.notes import NoteLimits, NoteService
from bot.discuss.service import Discussions
from bot.knowledge.embeddings import MiniLMEmbedder
from bot.knowledge.retrieval import HybridRetriever
from bot.knowledge.store import AddReport, KnowledgeBase, open_chroma_client
from bot.prep.service import PrepService, build_prep_service
from bot.questions.build import build_planner
from bot.reading.build import build_reader
from bot.settings import Settings
from bot.storage.conversations import ConversationStore
from bot.storage.database import Database

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Parley:
    """Everything a front end needs, built once."""

    settings: Settings
    database: Database
    knowledge: KnowledgeBase
    retriever: HybridRetriever
    coach: CoachService
    servers: ServerConfigStore  # per-server settings (/parley config)
    notes: NoteService  # each server's own case notes
    discussions: Discussions  # discussion prompts, schedules, private-answer rounds
    prep: PrepService  # guided prep sessions (/prep, `parley prep`)

    def warm_up(self) -> None:
        """Load what the first answer did not need (spaCy's parser) in the background."""
        reader = self.coach.coach.reader
        if reader is not None:
            reader.clauses.warm_up()

    async def aclose(self) -> None:
        """Release the database connections."""
        await self.database.close()


def build_knowledge(settings: Settings, embedder: Embeddings | None = None) -> KnowledgeBase:
    """Open the vector store with the offline embedder (blocking)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or MiniLMEmbedder(threads=settings.embedding_threads)
    client = open_chroma_client(settings.data_dir, settings.chroma_host, settings.chroma_port)
    return KnowledgeBase(client, embedder, settings.data_dir)


def sync_shipped_knowledge(knowledge: KnowledgeBase, settings: Settings) -> AddReport:
    """Index the configured knowledge folders: first start, and again whenever a file changed."""
    total = AddReport()
    for folder in settings.knowledge_dirs:
        if not folder.exists():
            log.warning("Knowledge folder %s does not exist; skipped.", folder)
            continue
        report = knowledge.sync_folder(folder)
        total.added += report.added
        total.replaced += report.replaced
        total.failed += report.failed
        total.chunks += report.chunks
    for path, reason in total.failed:
        log.warning("Knowledge file %s skipped: %s", path, reason)
    return total


def build_coach(
    settings: Settings, retriever: HybridRetriever, knowledge: KnowledgeBase | None = None
) -> Coach:
    """The coaching turn: lexicon and question bank from prompts/, plus the LLM if PARLEY_LLM is set."""
    lens = TrustLens(Lexicon.load(settings.prompts_dir / "trust_lens.yaml"))
    offline = OfflineEngine(load_moves(settings.prompts_dir / "question_bank.yaml"))
    reader = None
    if knowledge is not None:
        reader = build_reader(settings.prompts_dir, knowledge.embed, lens=lens)
        offline = build_planner(settings.prompts_dir, reader.kinds, offline, retriever, knowledge)
    engine = build_engine(settings, offline)
    return Coach(lens, retriever, engine, settings.max_message_chars, settings.top_k, reader)


def build_team(
    settings: Settings, coach: Coach, knowledge: KnowledgeBase, database: Database
) -> tuple[ServerConfigStore, NoteService, Discussions]:
    """The team features: server settings, server notes and discussions, on the shared coach."""
    limits = NoteLimits(settings.note_max_chars, settings.note_max_bytes, settings.notes_per_server)
    notes = NoteService(
        knowledge,
        settings.data_dir / "notes",
        limits,
        looks_like_instructions=coach.lens.looks_like_injection,
    )
    data = DiscussData.load(settings.prompts_dir / "discuss" / "discussion.yaml")
    discussions = Discussions(coach, knowledge, database, data, timezone=settings.discuss_timezone)
    return ServerConfigStore(database), notes, discussions


async def build_app(
    settings: Settings, *, sync_knowledge: bool = True, embedder: Embeddings | None = None
) -> Parley:
    """Build Parley's resources; blocking parts run in a worker thread."""
    knowledge = await asyncio.to_thread(build_knowledge, settings, embedder)
    if sync_knowledge:
        await asyncio.to_thread(sync_shipped_knowledge, knowledge, settings)
    retriever = HybridRetriever(knowledge)
    coach = build_coach(settings, retriever, knowledge)
    database = Database(settings.sqlalchemy_url)
    await database.connect()
    servers, notes, discussions = build_team(settings, coach, knowledge, database)
    return Parley(
        settings,
        database,
        knowledge,
        retriever,
        StreamingCoachService(coach, ConversationStore(database)),
        servers=servers,
        notes=notes,
        discussions=discussions,
        prep=build_prep_service(settings, database, coach),
    )
