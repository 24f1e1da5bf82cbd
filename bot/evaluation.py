"""`parley eval`: scores the trust lens, retrieval and question form on our labelled cases.

The cases live in ``tests/data/eval/``. Retrieval is scored against the real essay, read from
``../shared`` (or ``--essay``) at run time; without it that part is skipped with a reason.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.app import build_coach, build_knowledge, sync_shipped_knowledge
from bot.coaching.coach import Coach
from bot.coaching.models import Conversation
from bot.coaching.trust_lens import Lexicon, TrustLens
from bot.knowledge.embeddings import MiniLMEmbedder
from bot.knowledge.retrieval import HybridRetriever
from bot.prep.evaluation import catalogue_parties, load_answers, score_ledger
from bot.reading.build import CATALOGUE_DIR, build_reader
from bot.reading.catalogue import load_catalogue
from bot.reading.evaluation import load_set, score_reading
from bot.settings import REPO_ROOT, Settings

EVAL_DIR = REPO_ROOT / "tests" / "data" / "eval"
DEFAULT_ESSAY = REPO_ROOT.parent / "shared" / "corpus" / "ap-insight-56-trust.txt"
ADVICE = re.compile(
    r"^(you should|you must|make sure|always|never|i recommend|i suggest|consider|do not|don't)\b",
    re.I,
)
LEGS = {"vector": 1.0, "keyword": 0.0, "hybrid": None}


@dataclass(frozen=True, slots=True)
class RetrievalScore:
    """Hit rates and mean reciprocal rank of one retriever setting."""

    hit1: float
    hit3: float
    mrr: float

    def as_dict(self) -> dict[str, float]:
        return {
            "hit@1": round(self.hit1, 3),
            "hit@3": round(self.hit3, 3),
            "mrr": round(self.mrr, 3),
        }


def load_cases(name: str) -> list[dict]:
    """The labelled cases of one evaluation file."""
    return yaml.safe_load((EVAL_DIR / name).read_text(encoding="utf-8"))["cases"]


def score_lens(lens: TrustLens, cases: list[dict]) -> dict[str, float]:
    """Accuracy of the two flags, and of the extracted slots where a case names them."""
    flags = slots = slot_total = 0
    for case in cases:
        reading = lens.read(case["text"])
        flags += (reading.relies_on_trust == case["relies"]) + (
            reading.examining_risk == case["examining"]
        )
        for key, got in (
            ("counterpart", reading.counterpart),
            ("promise", reading.promise),
            ("safeguard", reading.dropped_safeguard),
        ):
            if key in case:
                slot_total += 1
                slots += bool(got) and case[key].lower() in got.lower()
    return {
        "flag_accuracy": round(flags / (2 * len(cases)), 3),
        "slot_accuracy": round(slots / max(1, slot_total), 3),
        "cases": len(cases),
    }


def score_retrieval(
    retriever: HybridRetriever, cases: list[dict], *, essay_only: bool
) -> RetrievalScore:
    """Rank of the passage holding each case's marker, among essay passages or all passages."""
    hit1 = hit3 = rr = 0.0
    for case in cases:
        passages = retriever.search(case["query"], k=10)
        if essay_only:
            passages = [
                p for p in passages if p.source.startswith("http") and "ap-insight" in p.source
            ]
        rank = next(
            (i for i, p in enumerate(passages, 1) if case["expect"].lower() in p.text.lower()), None
        )
        if rank:
            hit1 += rank == 1
            hit3 += rank <= 3
            rr += 1 / rank
    n = len(cases)
    return RetrievalScore(hit1 / n, hit3 / n, rr / n)


def score_questions(coach: Coach, messages: Iterable[str]) -> dict[str, float]:
    """Form of the offline engine's turns: count, question marks, no advice, own words, variety."""
    turns = [coach.turn(m) for m in messages]
    questions = [q.text for t in turns for q in t.questions]
    in_range = sum(1 <= len(t.questions) <= 3 for t in turns)
    uses_words = [_uses_user_words(t) for t in turns if _slot_words(t)]
    distinct = len({tuple(q.text for q in t.questions) for t in turns})
    return {
        "turns_with_1_to_3_questions": round(in_range / len(turns), 3),
        "questions_ending_with_question_mark": round(
            sum(q.endswith("?") for q in questions) / len(questions), 3
        ),
        "questions_without_advice_openers": round(
            sum(not ADVICE.match(q) for q in questions) / len(questions), 3
        ),
        "turns_using_users_words": round(sum(uses_words) / max(1, len(uses_words)), 3),
        "distinct_question_sets": round(distinct / len(turns), 3),
        "every_question_cited": float(all(q.passage.text for t in turns for q in t.questions)),
    }


def score_conversation(coach: Coach, messages: list[str]) -> dict[str, float]:
    """Over one conversation: no question repeated, and new dimensions keep coming."""
    conversation = Conversation()
    asked: list[str] = []
    new_dims = 0
    for message in messages:
        turn = coach.turn(message, conversation)
        new_dims += any(q.dimension not in conversation.covered for q in turn.questions)
        conversation.record(turn)
        asked += [q.text for q in turn.questions]
    return {
        "repeated_questions": len(asked) - len(set(asked)),
        "turns_opening_a_new_dimension": round(new_dims / len(messages), 3),
        "dimensions_covered": len(conversation.covered),
    }


def _slot_words(turn) -> list[str]:
    reading = turn.trust
    return [w for w in (reading.promise, reading.dropped_safeguard, reading.counterpart) if w]


def _uses_user_words(turn) -> bool:
    text = " ".join(q.text.lower() for q in turn.questions)
    return any(w.lower() in text for w in _slot_words(turn))


def evaluate(settings: Settings, essay: Path | None) -> dict:
    """Run every evaluation and return the scores as one dictionary."""
    embedder = MiniLMEmbedder(threads=settings.embedding_threads)
    lens = TrustLens(Lexicon.load(settings.prompts_dir / "trust_lens.yaml"))
    lens_cases = load_cases("trust_lens.yaml")
    results: dict = {"trust_lens": score_lens(lens, lens_cases)}
    results.update(reading_scores(settings, embedder))
    results.update(ledger_scores(settings, embedder, lens))
    with tempfile.TemporaryDirectory() as tmp:
        full = settings.model_copy(update={"data_dir": Path(tmp) / "full"})
        knowledge = build_knowledge(full, embedder)
        sync_shipped_knowledge(knowledge, full)
        coach = build_coach(full, HybridRetriever(knowledge), knowledge)
        messages = [c["text"] for c in lens_cases]
        results["questions"] = score_questions(coach, messages)
        results["conversation"] = score_conversation(coach, messages[:8])
        essay = essay or DEFAULT_ESSAY
        if essay.is_file():
            results["retrieval"] = _retrieval_scores(
                settings, embedder, knowledge, essay, Path(tmp)
            )
        else:
            results["retrieval"] = {"skipped": f"essay not found at {essay}"}
    return results


def reading_scores(settings: Settings, embedder: MiniLMEmbedder) -> dict:
    """The situation reader on the blind-written dev set, per split (report the held-out one)."""
    reader = build_reader(settings.prompts_dir, embedder.embed_query)
    path = EVAL_DIR / "reading_dev.jsonl"
    return {
        f"reading_{split}": score_reading(reader.read, load_set(path, split))
        for split in ("dev", "heldout")
    }


LEDGER_FILES = {
    "ledger": EVAL_DIR / "ledger_answers.yaml",  # the team's labelled answers
    "ledger_second_set": EVAL_DIR / "ledger_answers_2.yaml",  # written blind, all dev
    "ledger_own_table": REPO_ROOT / "tests" / "prep" / "data" / "ledger_table.yaml",
}


def ledger_scores(settings: Settings, embedder: MiniLMEmbedder, lens: TrustLens) -> dict:
    """The prep ledger's reading of answers, per column and split, for each labelled file."""
    readers: list = []

    def kind_of(deal: str) -> str | None:
        # The reader (and its model) is loaded only when a labelled answer names its deal.
        if not readers:
            readers.append(build_reader(settings.prompts_dir, embedder.embed_query))
        return readers[0].read(deal).deal.kind

    parties = catalogue_parties(load_catalogue(CATALOGUE_DIR), kind_of)
    results: dict = {}
    for section, path in LEDGER_FILES.items():
        if not path.is_file():
            results[section] = {"skipped": f"no labelled answers at {path}"}
            continue
        for split, scores in score_ledger(load_answers(path), lens.read, parties).items():
            results[f"{section}_{split}"] = scores
    return results


def _retrieval_scores(settings: Settings, embedder, knowledge, essay: Path, tmp: Path) -> dict:
    cases = load_cases("retrieval.yaml")
    alone = build_knowledge(settings.model_copy(update={"data_dir": tmp / "essay"}), embedder)
    alone.add_paths([essay])
    knowledge.add_paths([essay])
    out: dict = {"cases": len(cases)}
    for leg, weight in LEGS.items():
        retriever = HybridRetriever(alone)
        retriever.vector_weight = retriever.vector_weight if weight is None else weight
        out[f"essay_only_{leg}"] = score_retrieval(retriever, cases, essay_only=False).as_dict()
    full = HybridRetriever(knowledge)
    out["full_store_hybrid"] = score_retrieval(full, cases, essay_only=False).as_dict()
    return out


async def run_eval(settings: Settings, *, as_json: bool, essay: Path | None) -> int:
    """Print the evaluation, as text or JSON."""
    import asyncio

    results = await asyncio.to_thread(evaluate, settings, essay)
    if as_json:
        print(json.dumps(results, indent=2))
        return 0
    for section, scores in results.items():
        print(f"{section}:")
        for key, value in scores.items():
            print(f"  {key}: {value}")
    return 0
