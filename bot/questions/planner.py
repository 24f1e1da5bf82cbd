"""The situational question planner: questions about this deal, a move for each intent.

Candidates come from the deal catalogue (questions naming the concrete risk of this kind of
deal), from the mechanisms the user named, from the glossary, and, as the last resort, from the
generic moves and the old question bank. They are ranked by the reading (kind, intent, trust,
uncovered dimensions) and by embedding similarity to the message; each must pass the quality
gate; each is cited with the passage that best supports it in this situation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from bot.coaching.models import Passage, Question
from bot.coaching.planner import (
    DIMENSIONS,
    OfflineEngine,
    PlanOutcome,
    PlanRequest,
    capitalise,
    jitter,
)
from bot.knowledge.quotes import QUESTION_WORDS, stems, with_quote
from bot.knowledge.retrieval import HybridRetriever, tokenize
from bot.prep.mechanisms import refused_at
from bot.questions.corpus import QuestionCorpus
from bot.questions.gate import normalised, passes, premise_given
from bot.questions.pronouns import gender_of, gendered
from bot.reading.catalogue import DealKind, Risk
from bot.reading.models import Reading
from bot.reading.terms import find_money, find_timing, find_upfront

# How many questions each move asks.
COUNTS = {
    "trust": 3,
    "examining": 2,
    "concept": 2,
    "tactics": 2,
    "pushback": 2,
    "decide": 1,
    "new_facts": 2,
    "offtopic": 1,
    "closing": 1,
}
# Small talk answered by its own generic move, and the move for any other off-topic message.
SOCIAL_MOVES = ("capability", "greeting")
SIMILARITY_WEIGHT = 2.5
# Each content word a question shares with the message ("roadmap", "guarantor", "cliff") is a
# sign it is about what the user actually said; an embedding alone blurs those words.
OVERLAP_WEIGHT = 0.35
OVERLAP_CAP = 3
UNCOVERED_BONUS = 0.6
DEFAULT_OBJECT_PENALTY = 0.4
FOCUS_PENALTY = 2.0
GENERIC_DIMENSIONS = ("risk", "stakes", "mechanism", "incentives")
REUSE_PENALTY = 0.08
# A deal question about a risk the user has already covered with a named safeguard.
COVERED_PENALTY = 1.2
PREMISE_BONUS = 1.0
SPARE_WEIGHT = -1.0  # another move's generic questions, asked only when nothing else passes
# The stage the user says the deal is in (a tenant moving out): its risks first, others never.
PHASE_BONUS = 0.5
# A question about the very move the user is answering (an ultimatum, a silence) beats a deal
# question about risk, but a deal's own tactics question (3.6) can still win on its wording.
TACTIC_WEIGHT = 3.4
# Object words every kind of deal shares ("the contract", "the business"): no sign that a
# quoted sentence is about another deal.
DEAL_WORDS = frozenset(
    ["contract", "agreement", "business", "package", "order", "goods", "project", "hours",
     "deal", "loan", "equity", "shares", "stock", "bonus", "lease", "company", "firm", "agency",
     "venture", "system", "software", "design", "campaign", "brand", "product", "platform",
     "site", "unit", "place", "home", "room", "property", "placement", "inspections", "work",
     "job", "role", "offer", "money", "payment", "service", "services", "terms", "plan",
     "warranty", "up"]
)  # fmt: skip


def _goods(kind: DealKind) -> set[str]:
    """The things a kind of sale trades that its keywords name too ("car", "puppy"): concrete
    goods, not the terms it is traded under."""
    keywords = set(tokenize(" ".join(kind.keywords)))
    single = [w.lower() for w in kind.object_words if " " not in w]
    return {w for w in single if set(tokenize(w)) & keywords}


# Cited from the tactics guide (knowledge/tactics.md), which is filed under this kind.
TACTICS_KIND = "tactics"
# How much a follow-up's ranking leans on the conversation's earlier messages.
CONTEXT_WEIGHT = 0.3
CONTEXT_TURNS = 3
COVERED_EXAMINE_BONUS = 0.6
# A follow-up's new amount or deadline, asked about ahead of the deal's next risk (3.0).
FACT_WEIGHT = 3.3
# Moves where money paid up front and a spoken promise are asked about, whatever the kind: the
# first question on each outranks the kind's own redirects, the others are there to pick from.
ANY_DEAL_MOVES = ("trust", "examining", "decide", "new_facts", "pushback")
UPFRONT_RISK = "money paid before delivery, lost if the work stops; managed by stages or warranties"
CUED_RISK = "a promise made out loud and never written into the terms, so nothing holds it"
# A promise the user says is not written down is the crux of the message, whatever the kind.
CUED_WEIGHTS = (("mechanism", 3.8), ("security", 2.8), ("control", 2.6), ("incentives", 2.6))
UPFRONT_WEIGHTS = (("risk", 3.7), ("incentives", 3.1), ("security", 3.0), ("time", 2.6))
# Below this support score a passage is no evidence for the question; cite the essay instead.
CITATION_FLOOR = 0.25
_ASKS_MEANING = re.compile(
    r"\b(?:what(?:'s| is| are| does| do)|what even is|wtf is|whats|mean|meaning|explain|"
    r"difference between|define|"
    r"eli5|like i'?m 5|how does .{0,40} work)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A filled question before ranking."""

    text: str
    template: str
    dimension: str
    move_id: str
    weight: float
    risk: str = ""  # the catalogue risks a deal question is about, in words, for its citation
    # Cited from the tactics guide (a tactic's question, or a term like BATNA): from this
    # section of it, or from its best section when "".
    tactics: str | None = None


@dataclass(slots=True)
class SituationalEngine:
    """The default offline engine once a reader is present; falls back to the bank without one."""

    corpus: QuestionCorpus
    fallback: OfflineEngine
    retriever: HybridRetriever
    embed: Callable[[str], list[float]]
    name: str = "offline"
    _vectors: dict[str, np.ndarray] = field(default_factory=dict)
    _foreign: dict[str, frozenset[str]] = field(default_factory=dict)

    def plan(self, request: PlanRequest) -> list[Question]:
        return self.plan_outcome(request).questions

    def plan_outcome(self, request: PlanRequest) -> PlanOutcome:
        """Questions (and any preface lines) for one turn."""
        situation = request.situation
        if situation is None:
            return self.fallback.plan_outcome(request)
        move = self._move(situation, request.conversation.turns > 0)
        candidates = self._candidates(request, situation, move)
        count = COUNTS[move]
        if move == "decide" and not request.conversation.turns:
            count = 2  # nothing to recap yet: the question that decides it, and one more
        chosen = self._choose(request, situation, candidates, count)
        kind = self.corpus.kinds.get(situation.deal.kind or "")
        chosen = vary_object(chosen, _slots(situation, kind))
        gender = gender_of(
            situation.deal.counterpart, situation.deal.counterpart_named, request.message
        )
        chosen = [replace(c, text=gendered(c.text, gender)) for c in chosen]
        questions = self._ground(request, situation, chosen)
        preface = self._preface(request, situation, move, chosen)
        return PlanOutcome(questions, self.name, fallback=False, preface=preface)

    def _move(self, situation: Reading, ongoing: bool) -> str:
        """The move this turn makes: the intents' own, settled by what the message names."""
        move = primary_move(situation, ongoing)
        if asks_about_term(situation.text, self.corpus):
            return "concept"  # a glossary term asked about is a concept question, whatever else
        tactic = self.corpus.tactic_in(situation.text)
        if tactic and _answers_a_move(situation, move, ongoing, tactic.strong):
            return "tactics"  # "take it or leave it", "gone quiet": a move to answer, not a risk
        if move == "tactics" and not tactic and "examining" in situation.intents:
            # "holding back 15%: is that reasonable?" names no tactic but a safeguard to examine.
            kind = self.corpus.kinds.get(situation.deal.kind or "")
            if self._mechanisms_named(situation.text, kind):
                return "examining"
        return move

    def _things_elsewhere(self, kind_id: str | None) -> frozenset[str]:
        """The concrete things other kinds of deal trade ("car", "puppy"), which mark a quoted
        sentence as being about some other deal than this one."""
        key = kind_id or ""
        if key not in self._foreign:
            own = self.corpus.kinds.get(key)
            mine = {w.lower() for w in own.object_words} if own else set()
            self._foreign[key] = frozenset(
                w
                for k in self.corpus.kinds.values()
                if k.family == "commerce"
                for w in _goods(k)
                if w not in mine | DEAL_WORDS
            )
        return self._foreign[key]

    # -- candidates ---------------------------------------------------------------------------

    def _candidates(self, request: PlanRequest, situation: Reading, move: str) -> list[Candidate]:
        kind = self.corpus.kinds.get(situation.deal.kind or "")
        slots = _slots(situation, kind)
        found: list[Candidate] = []
        add = lambda texts, dim, prefix, weight: found.extend(  # noqa: E731
            _fill(t, slots, dim, f"{prefix}:{i}", weight) for i, t in enumerate(texts)
        )
        if move in ("offtopic", "closing"):
            generic = _small_talk(situation, move)
            for i, text in enumerate(self.corpus.generic.get(generic, ())):
                add([text], GENERIC_DIMENSIONS[i % 4], f"generic:{generic}:{i}", 3.0)
            return [c for c in found if c]
        if kind:
            self._kind_candidates(kind, move, slots, found, request)
        if request.conversation.turns and move != "concept":
            found.extend(self._fact_candidates(request, slots))
        if move in ANY_DEAL_MOVES:
            found.extend(self._upfront_candidates(request, situation, slots))
            found.extend(self._cued_candidates(request, slots))
        if move == "examining" or situation.trust.mechanisms_named:
            for mech in self._mechanisms_named(_without_term(situation, move, self.corpus), kind):
                named = dict(slots, mechanism=f"the {mech.id.replace('-', ' ')}")
                found.extend(
                    _fill(
                        q,
                        named,
                        "mechanism",
                        f"mechanism:{mech.id}:{i}",
                        3.3 if move == "examining" else 1.8,
                    )
                    for i, q in enumerate(mech.questions)
                )
        if move == "concept" and (term := self.corpus.term_in(situation.text)):
            # Cited for what the term means, not for whatever else the message says.
            meaning = f"{term.term}: {term.definition}"
            for i, text in enumerate(term.questions):
                c = _fill(text, slots, term.dimension, f"term:{term.term}:{i}", 4.0, meaning)
                found.extend([replace(c, tactics="" if term.tactics else None)] if c else [])
        if move == "tactics" and (tactic := self.corpus.tactic_in(situation.text)):
            for i, (dimension, text) in enumerate(tactic.questions):
                c = _fill(text, slots, dimension, f"tactic:{tactic.id}:{i}", TACTIC_WEIGHT)
                found.extend([replace(c, tactics=tactic.section)] if c else [])
        generic = {
            "trust": "trust-redirect",
            "examining": "examine",
            "tactics": "tactics-open",
            "pushback": "pushback",
            "decide": "decide",
            "new_facts": "new-facts",
            "concept": "examine",
        }[move]
        if generic == "new-facts" and not request.conversation.turns:
            generic = "examine"  # "that new information" needs something said before
        if generic == "decide" and _COMPARING.search(request.message):
            generic = "decide-compare"  # "lease at £420 a month or buy at £17k": two options
        # Generic moves carry no dimension of their own; spreading them lets up to three be asked.
        for i, text in enumerate(self.corpus.generic.get(generic, ())):
            dimension = GENERIC_DIMENSIONS[i % len(GENERIC_DIMENSIONS)]
            add([text], dimension, f"generic:{generic}:{i}", 1.0 if kind else 2.0)
        # The last resort's last resort: a turn whose own move is used up still asks something.
        spare = "new-facts" if request.conversation.turns else "examine"
        if spare != generic:
            for i, text in enumerate(self.corpus.generic.get(spare, ())):
                add([text], GENERIC_DIMENSIONS[i % 4], f"generic:{spare}:{i}", SPARE_WEIGHT)
        if move == "tactics":
            add(
                self.corpus.generic.get("tactics-counter", ()),
                "resources",
                "generic:tactics-counter",
                0.9 if kind else 1.9,
            )
        found.extend(self._bank(request, slots))
        return [c for c in found if c]

    def _kind_candidates(
        self, kind: DealKind, move: str, slots, found: list[Candidate], request: PlanRequest
    ) -> None:
        weights = {
            "trust": {"redirect": 3.0, "examine": 0.5, "pushback": 0.8, "tactics": 0.2},
            "examining": {"examine": 3.0, "redirect": 1.6, "pushback": 0.3, "tactics": 0.2},
            "tactics": {"tactics": 3.6, "redirect": 1.2, "examine": 0.8, "pushback": 0.2},
            "pushback": {"pushback": 3.6, "redirect": 1.8, "examine": 1.0, "tactics": 0.2},
            "decide": {"redirect": 2.6, "examine": 2.4, "pushback": 0.5, "tactics": 0.8},
            "new_facts": {"redirect": 2.6, "examine": 2.2, "pushback": 0.8, "tactics": 0.8},
            "concept": {"redirect": 1.4, "examine": 1.6, "tactics": 1.0, "pushback": 0.2},
        }[move]
        covered = self._covered_risks(kind, request)
        said = _user_words(request)
        phase = kind.phase_in(said)  # "moving out next week": no renewal left to fear
        for i, q in enumerate(kind.questions):
            if not premise_given(q.presumes, said):
                continue  # "If the tenant offers rent upfront..." to a landlord who never said so
            # A question whose particular premise the user stated is about their situation.
            weight = weights.get(q.move, 0.5) + (PREMISE_BONUS if q.presumes else 0.0)
            if q.targets and set(q.targets) <= covered:
                # The user already has a safeguard for this risk: build on it, never propose it.
                weight += COVERED_EXAMINE_BONUS if q.move == "examine" else -COVERED_PENALTY
            if phase and q.targets and not phase.risks & set(q.targets):
                continue  # a tenant moving out next week has no renewal left to fear
            weight += PHASE_BONUS if phase and q.targets else 0.0
            risks = "; ".join(r.risk for r in kind.risks if r.id in q.targets)
            c = _fill(q.text, slots, q.dimension, f"kind:{kind.id}:{i}", weight, risks)
            found.extend([c] if c else [])

    def _fact_candidates(self, request: PlanRequest, slots: dict[str, str]) -> list[Candidate]:
        """Questions on an amount or a deadline this follow-up brings in ("£40k for the roof",
        "within 10 days"): the new fact is what the user wants weighed, not the deal's next risk."""
        message, earlier = request.message, _earlier(request)
        amount = (_amount_move(message), "money", new_amount(message, earlier), "resources")
        deadline = ("new-deadline", "timing", new_deadline(message, earlier), "time")
        found = []
        for generic, slot, value, dimension in (amount, deadline):
            if not value:
                continue
            filled = dict(slots, **{slot: value})
            for i, text in enumerate(self.corpus.generic.get(generic, ())):
                found.append(_fill(text, filled, dimension, f"generic:{generic}:{i}", FACT_WEIGHT))
        return [c for c in found if c]

    def _upfront_candidates(
        self, request: PlanRequest, situation: Reading, slots: dict[str, str]
    ) -> list[Candidate]:
        """Questions on money paid before anything is delivered ("wants 60% advance"), on any
        kind of deal, the turn it is first mentioned."""
        upfront = situation.deal.upfront
        if not upfront or find_upfront(_earlier(request)) == upfront:
            return []
        filled = dict(slots, upfront=upfront)
        return self._weighted("upfront", filled, UPFRONT_WEIGHTS, UPFRONT_RISK)

    def _cued_candidates(self, request: PlanRequest, slots: dict[str, str]) -> list[Candidate]:
        """A generic move the message's own words call for ("off the record", "the paperwork
        will follow"), the turn they are first said."""
        said_before = set(self.corpus.cued_moves(_earlier(request)))
        return [
            c
            for move in self.corpus.cued_moves(request.message)
            if move not in said_before
            for c in self._weighted(move, slots, CUED_WEIGHTS, CUED_RISK)
        ]

    def _weighted(
        self, move: str, slots: dict[str, str], weights: tuple[tuple[str, float], ...], risk: str
    ) -> list[Candidate]:
        """A generic move's questions, each with its own dimension and weight, in order."""
        texts = self.corpus.generic.get(move, ())
        found = [
            _fill(text, slots, dimension, f"generic:{move}:{i}", weight, risk)
            for i, (text, (dimension, weight)) in enumerate(zip(texts, weights, strict=False))
        ]
        return [c for c in found if c]

    def _covered_risks(self, kind: DealKind, request: PlanRequest) -> set[str]:
        """The kind's risks whose usual safeguards the user has named in this conversation."""
        said = _user_words(request)
        named = {m.id for m in self._mechanisms_named(said, kind)}  # refused covers nothing
        if not named:
            return set()
        covered = set()
        for r in kind.risks:
            guards = {m.id for m in self.corpus.named_mechanisms(" ; ".join(r.mechanisms))}
            # A deposit the risk is about losing ("the deposit cut at move-out") is what is at
            # stake there, so naming it covers nothing.
            at_stake = {m.id for m in self.corpus.named_mechanisms(r.risk)}
            if named & (guards - at_stake):
                covered.add(r.id)
        return covered

    def _bank(self, request: PlanRequest, slots: dict[str, str]) -> list[Candidate]:
        """The old bank's slot moves (a promise quoted back, a dropped safeguard), gated."""
        situation = request.situation
        bank_slots = {"counterpart": slots["counterpart"]}
        if situation and "promise" in situation.slots:
            bank_slots["promise"] = situation.slots["promise"]
        if situation and "safeguard" in situation.slots:
            bank_slots["safeguard"] = situation.slots["safeguard"]
        found = []
        for move in self.fallback.moves:
            if (
                not move.needs
                or "cue" in move.needs
                or not all(n in bank_slots for n in move.needs)
            ):
                continue
            for i, template in enumerate(move.templates):
                text = capitalise(
                    template.format(**bank_slots, Counterpart=capitalise(bank_slots["counterpart"]))
                )
                found.append(Candidate(text, template, move.dimension, f"bank:{move.id}:{i}", 2.0))
        return found

    # -- ranking and choice -------------------------------------------------------------------

    def _choose(
        self, request: PlanRequest, situation: Reading, candidates: list[Candidate], count: int
    ) -> list[Candidate]:
        message = self._in_context(request)
        asked = {normalised(q) for q in request.conversation.asked_questions}
        asked_moves = set(request.conversation.asked_moves)
        uncovered = set(request.uncovered)
        known = situation.deal.counterpart_named  # the kind's role may itself be "the other party"

        named_object = situation.deal.object is not None
        focused = len(uncovered) <= 3 and request.conversation.turns == 0
        message_words = set(tokenize(situation.text))
        message_stems = stems(situation.text)
        # "he never did an inventory" two turns ago still holds.
        denied = denied_stems(_user_words(request))

        def score(c: Candidate) -> float:
            value = c.weight + SIMILARITY_WEIGHT * float(self._vector(c.template) @ message)
            shared = len(_template_stems(c.template) & message_stems)
            value += OVERLAP_WEIGHT * min(shared, OVERLAP_CAP)
            value += UNCOVERED_BONUS if c.dimension in uncovered else 0.0
            # A caller that leaves only a few dimensions open (a team prompt's focus) means it.
            value -= FOCUS_PENALTY if focused and c.dimension not in uncovered else 0.0
            value -= 3.0 if c.move_id in asked_moves else 0.0
            # "the animal", "the franchise": a default object reads worse than no object.
            value -= (
                DEFAULT_OBJECT_PENALTY if "{object}" in c.template and not named_object else 0.0
            )
            return value + 0.05 * jitter(request.message, c.move_id)

        ranked = sorted(
            (
                c
                for c in candidates
                if passes(c.text, asked=asked, counterpart_known=known)
                and not _presumes_unsaid(c.template, message_words)
                and not _contradicts(c.text, situation.text)
                and not _denied_premise(c.template, denied)
            ),
            key=score,
            reverse=True,
        )
        chosen: list[Candidate] = []
        for c in ranked:
            if len(chosen) == count:
                break
            if any(x.dimension == c.dimension or x.template == c.template for x in chosen):
                continue
            if any(self._near_duplicate(x.template, c.template) for x in chosen):
                continue  # two questions about the landlord's reference are one question
            if c.move_id.startswith("bank:") and any(x.move_id.startswith("bank:") for x in chosen):
                continue  # one quoted promise or safeguard per turn is plenty
            chosen.append(c)
        return chosen

    def _in_context(self, request: PlanRequest) -> np.ndarray:
        """The message's vector; in a follow-up, leaning a little on what was said before, since
        "now he says the carpet needs replacing" is still about moving out."""
        vector = np.asarray(self.embed(request.message), dtype=np.float32)
        earlier = request.conversation.situation.get("said", [])[-CONTEXT_TURNS:]
        if not earlier or not request.conversation.turns:
            return vector
        context = np.asarray(self.embed(" ".join(earlier)), dtype=np.float32)
        blended = (1 - CONTEXT_WEIGHT) * vector + CONTEXT_WEIGHT * context
        return blended / max(float(np.linalg.norm(blended)), 1e-9)

    def _near_duplicate(self, a: str, b: str) -> bool:
        return float(self._vector(a) @ self._vector(b)) >= NEAR_DUPLICATE

    def _mechanisms_named(self, text: str, kind: DealKind | None) -> list:
        """The mechanisms the text names and keeps: not the user's own role ("be his
        guarantor"), nor one said to be missing or refused ("dont see why we need a lawyer")."""
        own = {kind.user_role.lower(), kind.seat.lower()} if kind else set()
        denied = denied_stems(text)
        return [
            m
            for m in self.corpus.named_mechanisms(text)
            if (hit := m.pattern.search(text))
            and hit.group(0).lower() not in own
            and not stems(hit.group(0)) <= denied
            and not refused_at(text, hit.start(), hit.end())
        ]

    def _safeguards_said(self, request: PlanRequest) -> list[str]:
        """The safeguards the user named and kept in this conversation, as they wrote them."""
        said = _user_words(request)
        kind = (
            self.corpus.kinds.get(request.situation.deal.kind or "") if request.situation else None
        )
        found = [(m.id, m.pattern.search(said)) for m in self._mechanisms_named(said, kind)]
        return list(
            dict.fromkeys(
                hit.group(0).lower()
                for mid, hit in found
                if hit and not _evidence(mid, hit.group(0))
            )
        )

    def _closest_risk(self, message: str, kind: DealKind, asked: str = ""):
        """The risk the deciding question is about, else the kind's risk nearest the message in
        meaning among those the user carries."""
        named = [r for r in kind.risks if asked and r.risk in asked]
        if named:
            return named[0]
        own = [r for r in kind.risks if r.bears in ("user", "both")] or list(kind.risks)
        vector = np.asarray(self.embed(message), dtype=np.float32)
        return max(own, key=lambda r: float(self._vector(r.risk) @ vector))

    def _vector(self, text: str) -> np.ndarray:
        vector = self._vectors.get(text)
        if vector is None:
            vector = self._vectors[text] = np.asarray(self.embed(text), dtype=np.float32)
        return vector

    def preload(self, vectors: dict[str, np.ndarray]) -> None:
        """Question embeddings computed ahead (see ``bot.questions.vectors``)."""
        self._vectors.update(vectors)

    # -- citations ----------------------------------------------------------------------------

    def _ground(
        self, request: PlanRequest, situation: Reading, chosen: list[Candidate]
    ) -> list[Question]:
        message = np.asarray(self.embed(request.message), dtype=np.float32)
        used: set[str] = set()
        questions = []
        for c in chosen:
            passage = self._cite(request, situation, c, message, used)
            if passage is None:
                continue
            used.update((passage.chunk_id, passage.quote))  # each sentence supports one question
            questions.append(Question(c.text, c.dimension, c.move_id, "situational", passage))
        return questions

    def _cite(
        self,
        request: PlanRequest,
        situation: Reading,
        c: Candidate,
        message: np.ndarray,
        used: set[str],
    ) -> Passage | None:
        anchor = self._anchor(c)
        if c.tactics is not None and (found := self._from_tactics(c, message, request, used)):
            return found
        if anchor:
            # Small talk names no deal: cite the essay's general argument, not a random case.
            query, kind, about = self._vector(anchor), None, anchor
        elif c.risk:
            # A deal question is cited for the risk it asks about: its guide's section on it;
            # a term's question for what the term means, from the essay rather than one deal.
            query = 0.45 * self._vector(c.template) + 0.35 * self._vector(c.risk) + 0.2 * message
            term = c.move_id.startswith("term:")
            kind, about = (None if term else situation.deal.kind), f"{c.text} {c.risk}"
            if term and (found := self._naming_term(c, query, situation, request, used)):
                return with_quote(found, about, foreign=self._things_elsewhere(situation.deal.kind))
        else:
            query = 0.6 * self._vector(c.template) + 0.4 * message
            kind, about = situation.deal.kind, f"{c.text} {request.message}"
        query = query / max(float(np.linalg.norm(query)), 1e-9)
        ranked = self.retriever.cite(query, kind=kind, scopes=request.scopes, k=12)
        ranked = [p for p in ranked if p.chunk_id not in request.avoid]
        # A fitting passage cited twice (with its own sentence) beats a fresh one from an
        # unrelated case, and beats the essay's general line when it fits far better.
        fits = [p for p in ranked if (p.original if anchor else p.case_kind in ("", kind))]
        fits.sort(
            key=lambda p: p.score - (REUSE_PENALTY if p.chunk_id in used else 0.0), reverse=True
        )
        fresh = fits or [p for p in ranked if p.chunk_id not in used] or ranked
        if not fresh:
            return request.passages[0] if request.passages else None
        best = fresh[0]
        if best.score < CITATION_FLOOR:
            essay = [p for p in fresh if p.original or not p.case_kind]
            best = essay[0] if essay else best
        return with_quote(best, about, foreign=self._things_elsewhere(situation.deal.kind))

    def _from_tactics(
        self, c: Candidate, message: np.ndarray, request: PlanRequest, used: set[str]
    ) -> Passage | None:
        """A tactic's question (or a term's like BATNA), cited from the tactics guide: how to
        answer the move, not this deal's risks."""
        query = 0.7 * self._vector(c.template) + 0.3 * message
        query = query / max(float(np.linalg.norm(query)), 1e-9)
        ranked = self.retriever.cite(
            query, kind=TACTICS_KIND, scopes=request.scopes, k=12, per_document=12
        )
        heading = f"{c.tactics}:"
        own = [p for p in ranked if p.case_kind == TACTICS_KIND and heading in p.text]
        own.sort(key=lambda p: p.chunk_id in used)  # a fresh chunk of the section first
        return with_quote(own[0], c.text, avoid=used) if own else None

    def _naming_term(
        self,
        c: Candidate,
        query: np.ndarray,
        situation: Reading,
        request: PlanRequest,
        used: set[str],
    ) -> Passage | None:
        """A passage on this kind of deal that uses the term itself ("Let go before the cliff"),
        which supports a question applying it better than the essay's general line."""
        term = next((t for t in self.corpus.terms if c.move_id.startswith(f"term:{t.term}:")), None)
        if term is None or not situation.deal.kind:
            return None
        query = query / max(float(np.linalg.norm(query)), 1e-9)
        ranked = self.retriever.cite(query, kind=situation.deal.kind, scopes=request.scopes, k=12)
        return next(
            (
                p
                for p in ranked
                if p.case_kind == situation.deal.kind
                and p.chunk_id not in used | set(request.avoid)
                and term.pattern.search(p.text)
            ),
            None,
        )

    def _anchor(self, c: Candidate) -> str | None:
        """A small-talk move's citation anchor (None for every other candidate).

        Tried for every last-resort move too: a blind held-out A/B judged the citations worse
        (grounding 1.05 against 1.15), so those keep the question's own best passage."""
        parts = c.move_id.split(":")
        return self.corpus.anchors.get(parts[1]) if parts[0] == "generic" else None

    # -- preface ------------------------------------------------------------------------------

    def _preface(
        self, request: PlanRequest, situation: Reading, move: str, chosen: list[Candidate]
    ) -> tuple[str, ...]:
        lines = []
        noted = request.conversation.situation.get("languages", ())
        if situation.language != "en" and situation.language not in noted:
            own = self.corpus.languages.get(situation.language)
            lines += [own, self.corpus.languages["en"]] if own else [self.corpus.languages["en"]]
        if move == "concept" and asks_about_term(situation.text, self.corpus):
            # Defined only when asked: "we don't need the deposit protected" wants no definition.
            term = self.corpus.term_in(situation.text)
            lines.append(f"{term.term}: {term.definition}")
        if "verdict" in situation.intents:
            lines += self.corpus.lines.get("verdict", ())[:1]
        if move == "decide":
            kind = self.corpus.kinds.get(situation.deal.kind or "")
            deciding = None
            comparing = _COMPARING.search(request.message)
            if kind and kind.risks and not request.conversation.turns and not comparing:
                # Two offers weighed against each other turn on no single risk of one of them.
                asked = next((c.risk for c in chosen if c.risk), "")
                deciding = self._closest_risk(request.message, kind, asked)
            lines += recap(request, situation, kind, deciding, self._safeguards_said(request))
        if move in ("offtopic", "closing"):
            key = _small_talk(situation, move)
            options = self.corpus.lines.get(key, ())
            if options:
                lines.append(options[int(jitter(request.message, key) * len(options))])
        return tuple(lines)


def _without_term(situation: Reading, move: str, corpus: QuestionCorpus) -> str:
    """The message without the term it asks about: "retention of title" names no retention."""
    term = corpus.term_in(situation.text) if move == "concept" else None
    return term.pattern.sub(" ", situation.text) if term else situation.text


def asks_about_term(text: str, corpus: QuestionCorpus) -> bool:
    """True when the message asks what a glossary term means (the term near the question)."""
    term = corpus.term_in(text)
    if term is None:
        return False
    where = term.pattern.search(text)
    if re.match(r"\s*\?", text[where.end() :]):
        return True  # "ZOPA??"
    return any(abs(m.start() - where.start()) <= 60 for m in _ASKS_MEANING.finditer(text))


def primary_move(situation: Reading, ongoing: bool) -> str:
    """The one move this turn makes, from the intents (several may hold)."""
    intents = set(situation.intents)
    if "closing" in intents:
        return "closing"
    if intents & set(SOCIAL_MOVES):
        return "offtopic"
    if intents and situation.intents[0] == "decide":
        return "decide"  # asked in so many words ("so what should i do"), whatever else it is
    for intent in ("concept", "tactics", "decide", "pushback"):
        if intent in intents:
            return intent
    if "trust" in intents:
        return "trust"
    if "examining" in intents:
        return "examining"
    if (
        "offtopic" in intents
        and not ongoing
        and (situation.deal.kind is None or situation.deal.confidence < 0.3)
    ):
        return "offtopic"
    if "non_english" in intents:
        return "trust"
    return "new_facts" if ongoing or situation.deal.confidence >= 0.3 else "offtopic"


def vary_object(chosen: list[Candidate], slots: dict[str, str]) -> list[Candidate]:
    """The object in full once, then by its head noun: "your Sony A7III" three times in one
    reply reads like a form letter; "the A7III" after the first reads like a person."""
    short = _head_noun(slots["object"])
    if not short:
        return chosen
    varied, named = [], False
    for c in chosen:
        if named and "{object}" in c.template:
            again = _fill(c.template, dict(slots, object=short), c.dimension, c.move_id, c.weight)
            c = replace(c, text=again.text) if again else c
        named = named or slots["object"].lower() in c.text.lower()
        varied.append(c)
    return varied


# Last words too vague to stand for the whole ("the brand identity" is not "the identity").
_VAGUE_HEADS = frozenset(
    {"identity", "kit", "set", "deal", "work", "thing", "stuff", "one", "plan"}
)


def _head_noun(phrase: str) -> str | None:
    """ "the " and the last word of a named object of two words or more after its determiner."""
    words = phrase.split()
    if words and words[0].lower() in ("your", "the", "my", "his", "her", "their", "a", "an"):
        words = words[1:]
    if len(words) < 2 or words[-1].lower() in _VAGUE_HEADS or not words[-1][:1].isalnum():
        return None
    return f"the {words[-1]}"


def _answers_a_move(situation: Reading, move: str, ongoing: bool, strong: bool) -> bool:
    """Whether a message naming a tactic ("he said final offer") is about answering it. Trust
    and concepts keep their own move; "so what should I do?" in a conversation wants its recap;
    a user examining risks who mentions an offer is still examining it, unless the offer is
    an ultimatum, a silence or a deadline (a ``strong`` tactic)."""
    if move in ("concept", "closing") or (move == "decide" and ongoing):
        return False
    if move == "trust":
        # Leaning on trust in so many words comes first; the model's hunch alone does not.
        return strong and not situation.trust.cues
    return strong or "tactics" in situation.intents or move not in ("examining", "pushback")


def _small_talk(situation: Reading, move: str) -> str:
    """The generic move answering small talk: closing, injection, a social kind, or offtopic."""
    if move == "closing":
        return "closing-ahead" if _AHEAD.search(situation.text) else "closing"
    if situation.injection:
        return "injection"
    return next((i for i in situation.intents if i in SOCIAL_MOVES), "offtopic")


# "65k startup vs 72k corp", "which should i take": a choice between options.
_COMPARING = re.compile(
    r"\b(?:vs\.?|versus|two offers|which one|which should|which (?:offer|option) )"
    r"|\bor (?:buy|lease|rent|hire|sell|keep|stay|accept|take|wait|switch|renew)\b",
    re.I,
)

# Trust said in so many words earlier in the conversation ("he seems honest").
_TRUST_CUE = re.compile(
    r"\b(?:trust\w*|honest|legit|genuine|reliable|good for it|his word|her word|their word|promis\w*|"
    r"vouch\w*|nice (?:guy|bloke|lady|family|people)|seems? (?:lovely|great|nice|sound))\b",
    re.I,
)


# Thanks with the talk still to come: "going to talk to him tmrw", "meeting her on friday".
_AHEAD = re.compile(
    r"\b(?:tomorrow|tmrw|tmr|tonight|later|next week|on (?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"going to|gonna|about to|will (?:talk|speak|call|meet|ask)|before i|when i (?:talk|speak|meet))\b",
    re.I,
)


def recap(
    request: PlanRequest,
    situation: Reading,
    kind: DealKind | None,
    deciding: Risk | None,
    mechanisms: list[str],
) -> list[str]:
    """Two lines: what the conversation has established (risks, who bears them, and the
    safeguards in the user's own words). On a first message nothing is established yet: the
    ``deciding`` risk instead."""
    memory = request.conversation.situation
    counterpart = situation.deal.counterpart or "the other side"
    ongoing = request.conversation.turns > 0
    raised = _risks_raised(request, kind) if kind and ongoing else []
    if raised:
        risks = "; ".join(f"{r.risk}, {_bearer(r.bears, counterpart)}" for r in raised)
        first = f"So far you have raised: {risks}."
    elif deciding:
        # "whether": the catalogue's risk is what could happen, not what has ("crash damage
        # has been hidden" read as a charge against this seller).
        first = (
            f"What it comes down to: whether {deciding.risk}, "
            f"{_bearer(deciding.bears, counterpart)}."
        )
    elif ongoing:
        first = f"So far: you are weighing what {counterpart} has said against what you can check."
    else:
        first = ""  # a first message weighing two offers has established nothing yet
    if mechanisms:
        return _lines(first, f"Safeguards you have mentioned: {', '.join(mechanisms)}.")
    if raised:
        return _lines(
            first, f"Nothing in place yet covers these: so far they rest on {counterpart}'s word."
        )
    # Trust in so many words: the model's hunch alone reads "lease or buy?" as reliance on trust.
    leaned = situation.trust.cues or memory.get("trust_turns")
    examining = situation.trust.examining_risk or "examining" in situation.intents
    if examining or not (leaned or any(_TRUST_CUE.search(t) for t in memory.get("said", []))):
        # No safeguard named in our words is no proof that none exists: a user checking the
        # risks ("the vet check is booked") has some we may not recognise.
        return _lines(first)
    return _lines(
        first,
        f"Nothing you have described is checked or written down yet: it rests on {counterpart}'s word.",
    )


def _evidence(mechanism: str, said: str) -> bool:
    """A word that is evidence about the other side, not a safeguard against it: "300 reviews",
    "vouched for", or a platform named ("on etsy") without its protection."""
    return mechanism == "references" or (
        mechanism == "platform-protection" and said.lower() in ("paypal", "etsy", "vinted")
    )


def _lines(*lines: str) -> list[str]:
    return [line for line in lines if line]


def _risks_raised(request: PlanRequest, kind: DealKind) -> list:
    """The kind's risks the user's own words touched (two words or more; at most two risks)."""
    said = [*request.conversation.situation.get("said", []), request.message]
    words = set().union(*(stems(text) for text in said))
    touched = [(len(stems(r.risk) & words), i, r) for i, r in enumerate(kind.risks)]
    return [r for hits, _, r in sorted(touched, key=lambda t: (-t[0], t[1])) if hits >= 2][:2]


_PRESUMES = re.compile(
    r"^(?:the|your) \w+|^when you say\b|\byou (?:booked|agreed|signed|were offered|accepted|chose|named)\b|"
    r"\b(?:promised|says|said|told you|agreed|on the call|in a chat|on the phone)\b",
    re.I,
)


def _presumes_unsaid(template: str, message_words: set[str]) -> bool:
    """A wording that takes a fact for granted ("The inspection you booked...") needs that fact
    in the message: at least one of its opening content words must be there."""
    trigger = _PRESUMES.search(template)
    if not trigger:
        return False
    head = re.sub(r"\{\w+\}", "", template.split(";")[0].split(",")[0])
    words = {w for w in tokenize(head) if w not in QUESTION_WORDS and len(w) > 3}
    # "a feature they have only promised" is fine when the user spoke of a promise.
    said = {w[:5] for w in message_words}
    return not (words & message_words) and trigger.group(0).lower()[:5] not in said


# Facts a message can state that rule out a question's premise: a handover in person leaves
# nothing to ship or to "never arrive".
_CONTRADICTIONS = (
    (
        re.compile(r"\b(?:meet(?:ing)? (?:up|at|in)|in person|collect(?:ing)?|pick(?:ing)? (?:it )?up|"
                   r"cash on collection|face to face)\b", re.I),
        re.compile(r"\bnever (?:arriv\w*|turns? up|turned up|shows? up)\b|\b(?:ships?|shipping|posts? (?:it|the)|"
                   r"courier|in the post)\b", re.I),
    ),
    # Shipped or posted is no meeting: "test it in person" does not arise.
    (
        re.compile(r"\b(?:ship(?:ping|ped)? (?:it )?first|post(?:ing)? (?:it )?first|courier|"
                   r"send (?:it|the \w+) (?:by post|first))\b", re.I),
        re.compile(r"\bin person\b|\bwhile you watch\b", re.I),
    ),
    # A preference the user called non-participating is no "If ... is participating".
    (re.compile(r"\bnon[- ]?participating\b", re.I), re.compile(r"\bis participating\b", re.I)),
)  # fmt: skip


def _contradicts(question: str, message: str) -> bool:
    """True when the message states a fact that rules out the question's premise."""
    return any(
        fact.search(message) and premise.search(question) for fact, premise in _CONTRADICTIONS
    )


# "If your deposit sits in a protection scheme..." to a user who said "we don't need the
# deposit protected"; "If the inventory..." after "he never did an inventory".
_IF_HEAD = re.compile(r"^if (?:(?:your|the|a|an|any)\s+)?((?:[\w-]+\s+){1,2})", re.I)
_DENIAL = re.compile(
    r"\b(?:no|never|without|not|don'?t need|dont need|do not need|(?:don'?t|dont) see why (?:we|i) need|"
    r"skip(?:ped|ping)?|refus\w*|"
    r"ha(?:ve|s)n'?t|didn'?t|won'?t)\b((?:\s+[\w'-]+){0,6})",
    re.I,
)


def denied_stems(said: str) -> set[str]:
    """The words the user said are absent or refused ("never did an inventory")."""
    return set().union(*(stems(m.group(1)) for m in _DENIAL.finditer(said)))


def _denied_premise(template: str, denied: set[str]) -> bool:
    """True when a question opens on a thing ("If your deposit sits in a protection scheme")
    the user said is absent or refused. Read on the template, so the counterpart's name in
    "If {counterpart} refuses" is never taken for the premise."""
    if not denied:
        return False
    head = _IF_HEAD.match(_SLOT.sub("", template).replace("  ", " "))
    return bool(head and stems(head.group(1)) & denied)


@lru_cache(maxsize=4096)
def _template_stems(template: str) -> frozenset[str]:
    """A template's own content words, its slots left out."""
    return frozenset(stems(_SLOT.sub(" ", template)))


_SLOT = re.compile(r"\{\w+\}")
# Two wordings closer than this in meaning ask the same thing: "What would a previous
# landlord's reference tell you" and "What could you check with a previous landlord" (0.70);
# unrelated questions of one deal sit near 0.35.
NEAR_DUPLICATE = 0.68


_AMOUNT = re.compile(r"(?<![\w.])[£$€]?\d[\d,.]*(?:k|m|%)?(?![\w%])", re.I)


def new_amount(message: str, earlier: str) -> str:
    """The bare amount a follow-up adds ("£40k", "3k", "$3,600"), if it was not said before
    and reads as what the deal turns on: a k, a percentage, three digits, or a currency sign
    on two ("£9" a box is too small to be it)."""
    money = find_money(message)
    match = _AMOUNT.search(money) if money else None
    if not match:
        return ""
    amount = match.group(0).rstrip(".,")
    digits = re.sub(r"\D", "", amount)
    looks_like_money = (
        amount[-1] in "kKmM%" or len(digits) >= 3 or (amount[0] in "£$€" and len(digits) >= 2)
    )
    return amount if looks_like_money and amount not in earlier else ""


_DISCOUNT = re.compile(r"\b(?:off|discount\w*|knock\w*|reduc\w*|gesture|rebate|cheaper)\b", re.I)
_PAID = re.compile(
    r"\b(?:already (?:paid|sent|transferred|handed)|paid (?:him|her|them|it))\b", re.I
)
# A date is a deadline when the message ties it to a decision: "answer by thursday", "decide
# today"; "they arrived today" or "he'll finish by end of month" sets the user none.
_DECISION = re.compile(
    r"\b(?:decid\w*|answer|sign|signing|exchange|commit\w*|accept\w*|reply|respond|deadline|"
    r"go with someone|or we'?ll|or else|expir\w*|offer ends)\b",
    re.I,
)


def _amount_move(message: str) -> str:
    """Money off, money already paid, or any other amount: each has its own questions."""
    if _PAID.search(message):
        return "new-paid"
    return "new-discount" if _DISCOUNT.search(message) else "new-amount"


def new_deadline(message: str, earlier: str) -> str:
    """A deadline a follow-up adds ("within 10 days", "by thursday"), not one said before; a
    span ("for 5 days", "since monday") is no deadline, nor a date tied to no decision."""
    timing = find_timing(message)
    if not timing or timing.lower().startswith(("for ", "since ")) or timing in earlier:
        return ""
    return timing if _DECISION.search(message) else ""


def _earlier(request: PlanRequest) -> str:
    """What the user said in the conversation's earlier turns."""
    return " ".join(request.conversation.situation.get("said", []))


def _user_words(request: PlanRequest) -> str:
    """What the user has said in this conversation, this message (and its English gloss) included."""
    gloss = request.situation.text if request.situation else ""
    return " ".join([*request.conversation.situation.get("said", []), request.message, gloss])


def _bearer(bears: str, counterpart: str) -> str:
    return {
        "user": "a risk you carry",
        "counterpart": f"a risk {counterpart} carries",
        "both": "a risk you share",
    }.get(bears, "a risk you carry")


def _slots(situation: Reading, kind: DealKind | None) -> dict[str, str]:
    deal = situation.deal
    counterpart = deal.counterpart or (kind.counterpart_role if kind else "the other side")
    obj = deal.object or (kind.default_object if kind else "the deal")
    slots = {"counterpart": counterpart, "object": obj, "mechanism": "that safeguard"}
    # A sum the user names ("£14k up front" -> "£14k"); a share ("60%") is no sum to lose.
    if deal.money and (sum_ := _SUM.search(deal.money)):
        slots["money"] = sum_.group(0).strip()
    return slots


_SUM = re.compile(
    r"[£$€₹]\s?\d[\d,.]*\s?(?:k|m|bn)?\b|\b\d[\d,.]*\s?(?:k|m|bn|lakh|crore|grand)\b"
    r"|\b\d{1,3}(?:,\d{3})+\b",
    re.I,
)


def _fill(
    template: str,
    slots: dict[str, str],
    dimension: str,
    move_id: str,
    weight: float,
    risk: str = "",
) -> Candidate | None:
    try:
        text = capitalise(template.format(**slots))
    except (KeyError, IndexError, ValueError):
        return None
    return Candidate(
        " ".join(text.split()),
        template,
        dimension if dimension in DIMENSIONS else "risk",
        move_id,
        weight,
        risk,
    )
