"""The questions a prep session asks, all from the coach (never a second planner or lens).

Stage questions are worded by ``prompts/prep/stages.yaml`` and grounded in the passage the
coach's retriever finds for their anchor; trust follow-ups are a coaching turn of the coach's
own engine. Each is generated once and stored, so a resume shows the same question with the
same citation.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from bot.coaching.coach import GROUNDING_POOL, Coach
from bot.coaching.models import Conversation, InputRejected, Passage, Question, Turn
from bot.knowledge.quotes import with_quote
from bot.knowledge.retrieval import tokenize
from bot.prep.categories import ACCEPTED, OTHER, TRUST_ONLY
from bot.prep.ledger import promised_thing
from bot.prep.mechanisms import CONTRACT, COVENANT, mentions
from bot.prep.models import Answer, LedgerRow, PrepSession, promised
from bot.prep.stages import Slot, Stage, clip_item, fill
from bot.prep.store import PrepStore
from bot.prep.walk import latest_answers
from bot.questions.planner import TACTICS_KIND
from bot.reading.catalogue import DealKind, Risk

# A citation is looked for with a blend of the question as worded for this session, its anchor
# (what the stage is about) and the user's own recent answers, so two negotiations at the same
# stage rest on different passages when what they said differs.
QUESTION_WEIGHT = 0.45
ANCHOR_WEIGHT = 0.3
SAID_WEIGHT = 0.25
CITE_POOL = 40  # wide, as other kinds' cases are then set aside
# Word overlap with the anchor, on top of the embedding score; the handicap of a passage
# already cited in the session (fresh sources read better); and of a case note about another
# kind of deal (beyond the retriever's own, as prep questions are less specific than /ask's).
OVERLAP_WEIGHT = 0.2
REPEAT_PENALTY = 0.3  # per earlier citation of the same passage
MAX_CITED = 2
OTHER_KIND = 0.1
# Follow-up questions on one trust-leaning answer.
MAX_FOLLOW_UPS = 2
# Answers the citation query reads: the latest few, so it follows the conversation.
SAID_ANSWERS = 3


class Questions:
    """Finds, stores and re-shows the questions of a session."""

    def __init__(self, store: PrepStore, coach: Coach, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.coach = coach
        self.clock = clock

    async def for_slot(
        self, session: PrepSession, slot: Slot, ledger: Sequence[LedgerRow]
    ) -> Question:
        """The slot's question with its citation, as first shown (stored), or grounded now."""
        stored = await self.store.asked(session.id, slot.key)
        if stored:
            # The store keeps the passage, not its quote: the same focus finds the same one.
            return _quoted(stored[0].question, slot.question.anchor)
        item, number = await self._item(session, slot, ledger)
        answers = await self.store.answers(session.id)
        kind = self.kind(session)
        asked = await self.store.asked(session.id)
        shown = [a.question.text for a in asked]
        values = context(session, slot, answers, ledger, kind, shown)
        values |= {"item": item, "n": str(number)}
        text = fill(slot.question.wording(slot.round, values), **values)
        cited = Counter(a.question.passage.chunk_id for a in asked)
        said = _said(answers, slot)
        passage = await asyncio.to_thread(self._ground, slot, session, text, said, cited)
        question = Question(
            text, slot.question.dimension, f"prep:{slot.key}", slot.question.type, passage
        )
        await self.store.add_asked(session.id, slot.key, [question], self.clock())
        return _quoted(question, slot.question.anchor)

    async def follow_ups(
        self, session: PrepSession, stage: Stage, pending: dict[str, Any]
    ) -> tuple[Question, ...]:
        """The coach's questions on a trust-leaning answer; empty when it has none to ask.

        Updates ``session.state["conversation"]`` so the coach never repeats itself; the caller
        stores the session.
        """
        slot = follow_up_slot(stage.id, pending)
        stored = await self.store.asked(session.id, slot)
        if stored:
            return tuple(_quoted(a.question) for a in stored)
        conversation = Conversation.from_json(session.state.get("conversation") or {})
        turn = await self._coach_turn(session, pending["text"], conversation)
        if turn is None or not turn.questions:
            return ()
        conversation.record(turn)
        session.state["conversation"] = conversation.to_json()
        held = held_kinds(await self.store.ledger(session.id))
        kept = tuple(q for q in turn.questions if not presumes_unheld(q.text, held))
        # Two at most: a third question on one answer, in a session of thirty, buries the stage.
        kept = kept[:MAX_FOLLOW_UPS]
        if not kept:
            return ()
        await self.store.add_asked(session.id, slot, kept, self.clock())
        return kept

    async def _coach_turn(
        self, session: PrepSession, answer: str, conversation: Conversation
    ) -> Turn | None:
        # Naming the counterpart lets the coach word its questions about them; the session's
        # deal kind seeds the conversation, so the coach reads the answer as part of this deal
        # (its questions then come from the kind's catalogue, as in /ask).
        text = f"About {session.name}: {answer}"
        _seed(conversation, session)
        try:
            return await asyncio.to_thread(
                self.coach.turn,
                text,
                conversation,
                scopes=session.scopes,
                # Without a kind the reader guesses one from a single answer ("she seems
                # reliable" read as hiring a freelancer): the bank's questions read better.
                situational=bool(session.state.get("deal_kind")),
            )
        except InputRejected:
            return None

    async def _item(
        self, session: PrepSession, slot: Slot, ledger: Sequence[LedgerRow]
    ) -> tuple[str, int]:
        """What a repeating stage's question is about: the assumption, or the ledger risk."""
        if slot.stage.repeat == "ledger":
            row = next(r for r in ledger if r.id == slot.round)
            return row.risk, row.position
        first = slot.stage.questions[0]
        if slot.stage.repeat == "open" and slot.question is not first:
            for answer in await self.store.answers(session.id):
                if (answer.stage, answer.question, answer.round) == (
                    slot.stage.id,
                    first.key,
                    slot.round,
                ):
                    return answer.text, slot.round + 1
        return "", slot.round + 1

    def kind(self, session: PrepSession) -> DealKind | None:
        """The session's kind of deal from the catalogue, when the reader recognised one."""
        reader = self.coach.reader
        kind_id = session.state.get("deal_kind")
        return reader.kinds.get(kind_id) if reader and kind_id else None

    def _ground(
        self, slot: Slot, session: PrepSession, text: str, said: str, cited: Counter[str]
    ) -> Passage:
        """The passage for this question in this negotiation: close to the question, the
        anchor and what the user has said, a case note of the same kind of deal preferred,
        one already cited in the session handicapped."""
        reader = self.coach.reader
        kind = session.state.get("deal_kind")
        if reader is None:
            return self._ground_by_search(slot, session, cited)
        parts = (
            (text, QUESTION_WEIGHT),
            (slot.question.anchor, ANCHOR_WEIGHT),
            (said, SAID_WEIGHT),
        )
        query = sum(w * np.asarray(reader.embed(t), dtype=np.float32) for t, w in parts if t)
        query = query / max(float(np.linalg.norm(query)), 1e-9)
        ranked = self.coach.retriever.cite(query, kind=kind, scopes=session.scopes, k=CITE_POOL)
        if not ranked:
            return _guide_passage(slot)
        anchor = set(tokenize(slot.question.anchor))
        # A case of another kind of deal (a puppy litter under a hay sale) never grounds a
        # question while the essay, our guides or this kind's own notes are to hand.
        ranked = [p for p in ranked if p.case_kind in ("", kind, TACTICS_KIND)] or ranked
        # A passage already cited twice is used again only when nothing else was found: one
        # sentence under every question of a session reads as the only thing Parley knows.
        ranked = [p for p in ranked if cited[p.chunk_id] < MAX_CITED] or ranked

        def fit(passage: Passage) -> float:
            overlap = len(anchor & set(tokenize(passage.text))) / max(1, len(anchor))
            repeat = REPEAT_PENALTY * cited[passage.chunk_id]
            other_kind = OTHER_KIND if passage.case_kind and passage.case_kind != kind else 0.0
            return passage.score + OVERLAP_WEIGHT * overlap - repeat - other_kind

        return max(ranked, key=fit)

    def _ground_by_search(self, slot: Slot, session: PrepSession, cited: Counter[str]) -> Passage:
        """Without a reader (no embedder to hand): the anchor's best search hit."""
        query = f"{slot.question.anchor} {session.topic}"
        pool = self.coach.retriever.search(query, GROUNDING_POOL, scopes=session.scopes)
        if not pool:
            return _guide_passage(slot)
        fresh = [p for p in pool if p.chunk_id not in cited] or pool
        return fresh[0]


def _quoted(question: Question, anchor: str = "") -> Question:
    """A stored question with its citation's quote found again (the store keeps no quote)."""
    return replace(question, passage=with_quote(question.passage, f"{question.text} {anchor}"))


def _seed(conversation: Conversation, session: PrepSession) -> None:
    """What the session already knows, for a conversation that has not read it yet."""
    situation = conversation.situation
    kind = session.state.get("deal_kind")
    if kind and not situation.get("kind"):
        situation.update(kind=kind, confidence=1.0)
    if not situation.get("counterpart"):
        situation.update(counterpart=session.name, counterpart_named=True)


# A question that takes a safeguard as agreed: "If vesting is your safeguard, …", "With the
# inspection in place, …". Asked right after "we're not doing vesting" it contradicts the user.
_PRESUMES = re.compile(
    r"\b(?:if|since|now that|once|assuming)\s+[^?]{0,60}?\b(?:is|are)\s+(?:your|the)\s+"
    r"(?:safeguard|cover|protection|mechanism)s?\b|\bwith\s+[^?]{0,50}?\s+in place\b|"
    r"\bunder (?:the|your)\s+[^?]{0,40}?\b(?:clause|terms?|schedule|agreement)\b",
    re.I,
)


def held_kinds(ledger: Sequence[LedgerRow]) -> frozenset[str]:
    """The mechanism kinds the ledger holds as cover (not trust, not accepted)."""
    return frozenset(r.mechanism_kind for r in ledger if _covers(r))


def presumes_unheld(text: str, held: frozenset[str]) -> bool:
    """Whether a follow-up takes as agreed a safeguard the user does not hold: it names a
    mechanism inside an "if X is your safeguard" frame, and no ledger row keeps that kind."""
    frame = _PRESUMES.search(text)
    if frame is None:
        return False
    named = {m.kind for m in mentions(text[frame.start() : frame.end()])}
    named = {OTHER if k in (CONTRACT, COVENANT) else k for k in named}
    return not named or not named <= held


def follow_up_slot(stage_id: str, pending: dict[str, Any]) -> str:
    """The slot key a stage's pending follow-up questions are stored under."""
    return f"follow-up:{stage_id}:{pending['id']}"


def _guide_passage(slot: Slot) -> Passage:
    """With an empty knowledge base, the question rests on Parley's own stage guide."""
    return Passage(
        source="prompts/prep/stages.yaml",
        text=f"{slot.stage.title}: {slot.stage.goal}",
        score=0.0,
        title="Parley prep guide",
        chunk_id=f"guide:{slot.stage.id}",
    )


# -- what earlier answers and the deal kind give a question to build on -----------------------

# Words a short phrase taken from an answer may run to: enough to recognise, never a paste.
PHRASE_WORDS = 9
_CLAUSE_END = re.compile(r"\s*(?:[,;:(—–]| - | because | so | but | and I | as long as )\s*", re.I)
_PROMISE = re.compile(
    r"^(?P<who>they|he|she|it|we|the \w+|[A-Z][\w.]*(?: [A-Z]\w*)?)\s+(?:will|'ll|are going to|is going to)\s+(?P<act>.+)$",
    re.I,
)
# "... before winter like he promised": who said it is not part of what was promised.
_SAID_SO = re.compile(
    r"\s+(?:like|as|which) (?:he|she|they|\w+) (?:promised|said|says|swore)$", re.I
)
_FEAR = re.compile(
    r"^(?:they|he|she|[A-Z][\w.]*(?: [A-Z]\w*)?)\s+(?:fears?|is afraid of|are afraid of|"
    r"worr(?:y|ies) about|is worried about|are worried about|dreads?)\s+(?P<fear>.+)$",
    re.I,
)
# First words that start a sentence but not a name: lower-cased when the phrase goes mid-sentence.
_SENTENCE_STARTERS = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "my",
        "our",
        "we",
        "i'd",
        "get",
        "keep",
        "switch",
        "go",
        "find",
        "stay",
        "use",
        "buy",
        "sell",
        "rent",
        "hire",
        "move",
        "wait",
        "pay",
        "ask",
        "do",
        "take",
        "sign",
    ]
)


def phrase(text: str, words: int = PHRASE_WORDS) -> str:
    """The first clause of an answer, at most ``words`` words, fit to sit inside a sentence:
    cut where a clause joins ("and", "while") when it is too long, never with an ellipsis
    (it ends mid-question, where "…." reads as a typo)."""
    first = _CLAUSE_END.split(" ".join(text.split()).rstrip(".!?"), maxsplit=1)[0]
    cut = first.split()
    if len(cut) > words:
        joins = [i for i, w in enumerate(cut[: words + 1]) if w.lower() in _JOINS and i >= 4]
        cut = cut[: joins[-1]] if joins else cut[:words]
    short = " ".join(cut)
    head = cut[0] if cut else ""
    if head.lower() in _SENTENCE_STARTERS and head[1:] == head[1:].lower():
        short = short[:1].lower() + short[1:]
    return short


_JOINS = frozenset({"and", "while", "then", "or", "when", "which", "who", "with"})


def wanted(text: str) -> str:
    """What the user wants, as a noun phrase ("a two-year renewal at today's rent"), or ""
    when the answer does not start with one (then the question keeps its plain wording)."""
    short = phrase(_WANT.sub("", " ".join(text.split()), count=1))
    head = short.split(" ", 1)[0].lower()
    return short if head in _DETERMINERS or head[:1].isdigit() else ""


_WANT = re.compile(
    r"^(?:i|we)(?: would|'d)?\s+(?:really\s+)?(?:want|like|need|hope for|am after|'m after)\s+",
    re.I,
)


def promised_by(text: str) -> tuple[str, str]:
    """Who or what a "they will…" is about, and the act: ("", "keep the price fixed") for a
    person, ("the boiler", "be replaced before winter") for a thing."""
    first = _CLAUSE_END.split(" ".join(text.split()).rstrip(".!?"), maxsplit=1)[0]
    match = _PROMISE.match(_SAID_SO.sub("", first))
    if not match:
        return "", ""
    who = match["who"]
    if who.lower() in ("it", "we"):
        return "", ""  # "it will be fine" names nobody's promise
    return promised_thing(first), match["act"]


def broken(counterpart: str, act: str, *, past: bool = False) -> str:
    """ "Ms. Okafor does not keep the price fixed" (or "did not"; "is not on time")."""
    verb, _, rest = act.partition(" ")
    if verb.lower() == "be":
        return f"{counterpart} {'was' if past else 'is'} not {rest}".rstrip()
    return f"{counterpart} {'did' if past else 'does'} not {act}"


def fear(text: str) -> str:
    """What the counterpart fears, from "She fears locking in a price…" ("" when unclear)."""
    first = " ".join(text.split()).rstrip(".!?")
    match = _FEAR.match(first)
    return phrase(match["fear"], 12) if match else ""


def topic_phrase(topic: str) -> str:
    """The topic as it reads after "on": "the annual supply renewal", "renewing my lease"."""
    text = " ".join(topic.split()).rstrip(".")
    head = text.split(" ", 1)[0].lower()
    if head in _DETERMINERS:
        return text[:1].lower() + text[1:]
    if head.endswith("ing"):
        return text
    return f"the {text}"


_DETERMINERS = frozenset(
    ["a", "an", "the", "my", "our", "his", "her", "their", "this", "that", "these", "those", "your"]
)


def listed(items: Sequence[str], joiner: str = "or") -> str:
    """ "a, b or c" """
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def context(
    session: PrepSession,
    slot: Slot,
    answers: Sequence[Answer],
    ledger: Sequence[LedgerRow],
    kind: DealKind | None,
    shown: Sequence[str] = (),
) -> dict[str, str]:
    """Slot values a question can build on: the names, what earlier stages said, the deal
    (``shown``: the questions already asked, so a kind's question is never asked twice)."""
    latest = latest_answers(answers)
    counterpart = session.name
    values = {
        "counterpart": counterpart,
        "Counterpart": counterpart[:1].upper() + counterpart[1:],
        "topic": topic_phrase(session.topic),
        "want": wanted(latest.get("situation/want/0", "")),
        "fear": fear(latest.get("stakes/their_fears/0", "")),
        "alternative": phrase(latest.get("alternatives/your_alternative/0", "")),
        # "the outage fix", not "Not kept: They've fixed the outage…", inside a sentence.
        "risks": listed([clip_item(promised(r.risk), 40) for r in ledger[:3]], "and"),
        "covers": listed(sorted({r.mechanism_kind for r in ledger if _covers(r)}), "and"),
    }
    values |= _promise_values(counterpart, slot, latest)
    if kind is not None:
        values |= _kind_values(kind, slot, ledger, counterpart, shown)
    return values


def _promise_values(counterpart: str, slot: Slot, latest: dict[str, str]) -> dict[str, str]:
    """For a trust-audit round: the "they will…" as the sentence of its being broken."""
    if slot.stage.repeat != "open":
        return {}
    first = f"{slot.stage.id}/{slot.stage.questions[0].key}/{slot.round}"
    thing, act = promised_by(latest.get(first, ""))
    if not act:
        return {}
    # "the boiler will be replaced" breaks as "the boiler is not replaced", not as the landlord.
    who = thing or counterpart
    return {"broken": broken(who, act), "broken_past": broken(who, act, past=True)}


def _kind_values(
    kind: DealKind,
    slot: Slot,
    ledger: Sequence[LedgerRow],
    counterpart: str,
    shown: Sequence[str] = (),
) -> dict[str, str]:
    """What the catalogue says about this kind of deal, for the question's slots."""
    role = kind.counterpart_role.removeprefix("the ").removeprefix("a ")
    values = {
        "role": role,
        "their_gives": _given(kind.exchange.get("counterpart_gives", "")),
        "you_give": _given(kind.exchange.get("user_gives", "")),
        "third_parties": listed(list(kind.third_parties[:3]), "or"),
        "mechanisms": listed(list(kind.mechanisms[:3])),
    }
    if slot.stage.repeat == "ledger":
        row = next((r for r in ledger if r.id == slot.round), None)
        typical = _typical_risk(kind, row.risk if row else "")
        if typical is not None and typical.mechanisms:
            values["mechanisms"] = listed(list(typical.mechanisms[:3]))
        else:
            # The kind's general menu (security evidence for a software deal) would not fit a
            # risk the catalogue does not know, such as an outage: the plain question is asked.
            del values["mechanisms"]
    values["kind_question"] = _kind_question(kind, ledger, counterpart, shown)
    return values


def _given(text: str) -> str:
    """What one side hands over, whole when short, else its first clause."""
    text = " ".join(text.split()).rstrip(".")
    return text if len(text.split()) <= GIVEN_WORDS else phrase(text, GIVEN_WORDS)


GIVEN_WORDS = 14


def _typical_risk(kind: DealKind, risk: str) -> Risk | None:
    """The catalogue risk of this kind that a ledger risk is about (most words shared)."""
    words = set(tokenize(risk))
    scored = [(len(words & set(tokenize(r.risk))), r) for r in kind.risks]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    # One shared word ("price" in "price hike" and "the price of extras") is enough only for a
    # risk of one or two words; a longer one must share two.
    needed = 1 if len(words) <= 2 else 2
    return best[1] if best[0] >= needed else None


def _kind_question(
    kind: DealKind, ledger: Sequence[LedgerRow], counterpart: str, shown: Sequence[str] = ()
) -> str:
    """A trainer's question about this kind of deal, on a typical risk the ledger lacks, and
    not one the session has shown already (a canned line repeated each round reads as noise)."""
    covered = {r.id for row in ledger if (r := _typical_risk(kind, row.risk))}
    for question in kind.questions:
        if question.move == "redirect" and not set(question.targets) & covered:
            text = question.text.replace("{counterpart}", counterpart)
            text = text.replace("{object}", kind.default_object)
            if not any(text in earlier for earlier in shown):
                return text
    return ""


def _covers(row: LedgerRow) -> bool:
    """A row a mechanism carries (not trust alone, not accepted, not unread)."""
    return bool(row.mechanism) and row.mechanism_kind not in (TRUST_ONLY, ACCEPTED, OTHER)


def _said(answers: Sequence[Answer], slot: Slot) -> str:
    """The user's latest answers (the stage's own first), for the citation query."""
    own = [a.text for a in answers if a.stage == slot.stage.id]
    rest = [a.text for a in answers if a.stage != slot.stage.id]
    return " ".join([*own[-SAID_ANSWERS:], *rest[-SAID_ANSWERS:]][:SAID_ANSWERS])
