"""Scenarios for team discussions, drawn from case notes and the essay in the knowledge base.

A scenario is read straight from the indexed passages a server may see (the shared knowledge
and its own notes), so a server's notes can only ever become that server's scenarios.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.coaching.models import InputRejected
from bot.discuss.data import DiscussData, Perspective
from bot.discuss.notes import slugify
from bot.discuss.titles import readable_source
from bot.knowledge.store import GLOBAL_SCOPE, StoredChunk, is_guide

# After a full stop, or after one followed by a closing quote or bracket (which stays with its
# sentence: cutting it off leaves a quotation open).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’)])\s+")
# A bullet in a chunk's text: chunking joins a list's lines with spaces.
_BULLET = re.compile(r"(?:^|\s)[-*•]\s+(?=\S)")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A short situation for a team to discuss, with where it comes from."""

    key: str  # stable across restarts: what a channel remembers having discussed
    title: str
    text: str  # shown to the team
    source: str  # the citation line
    scope: str
    perspective: Perspective = field(default_factory=Perspective)
    context: str = ""  # read by the trust lens, not shown: where the case leaned on trust
    chunk_id: str = ""  # the passage shown as the scenario, so questions cite something else
    composed: bool = False  # built from the deal catalogue, not a case note
    kind: str = ""  # the deal kind (a case note's ``kind:``), whose questions and seat apply
    event: str = ""  # what happened, when another scenario tells the same story
    questions: tuple[str, ...] = ()  # the case note's own questions
    risk: str = ""  # a composed scenario's risk in focus (a catalogue risk id)

    @property
    def event_key(self) -> str:
        """What a channel has seen once it discussed this scenario."""
        return self.event or self.key


class NoScenario(InputRejected):
    """Nothing to discuss was found; the error path shows ``str(exc)`` to the user."""


def catalogue(
    chunks: Iterable[StoredChunk], scopes: Collection[str], data: DiscussData
) -> list[Scenario]:
    """Every scenario in the given scopes: one per case note, one per chosen essay section."""
    scenarios: list[Scenario] = []
    for doc in _documents(chunks, scopes):
        scenarios.extend(_doc_scenarios(doc, data))
    return scenarios


def scenario_for_chunk(
    chunk: StoredChunk, chunks: Iterable[StoredChunk], data: DiscussData
) -> Scenario:
    """The scenario a retrieved passage belongs to, or one made from the passage itself."""
    doc = [c for c in chunks if c.meta.get("doc_id") == chunk.meta.get("doc_id")]
    for scenario in _doc_scenarios(_sorted(doc), data):
        if chunk.meta.get("digest_of") and not chunk.text.startswith(
            _heading_of(scenario, data) + ": "
        ):
            continue  # another section of the essay digest
        return scenario
    meta = chunk.meta
    return Scenario(
        key=f"{_key(meta)}#{meta.get('chunk', 0)}",
        title=meta.get("title", ""),
        text=clip_sentences(chunk.text, data.scenario_chars),
        source=readable_source(meta.get("source", ""), meta.get("title", "")),
        scope=meta.get("scope", GLOBAL_SCOPE),
        chunk_id=chunk.id,
        kind=meta.get("case_kind", ""),
    )


def pick_unseen(
    scenarios: Iterable[Scenario], seen: Mapping[str, datetime], salt: int
) -> Scenario | None:
    """The first scenario the channel has not discussed, in an order of its own.

    Each channel gets its own stable order (salted by its id) so neighbouring channels do not
    walk the same list; once every scenario is used, the longest-ago one comes round again.
    """
    return first_unseen(sorted(scenarios, key=lambda s: _rank(salt, s.key)), seen)


def first_unseen(ordered: list[Scenario], seen: Mapping[str, datetime]) -> Scenario | None:
    """The first of ``ordered`` whose event the channel has not had, in that order.

    A case note and the essay's section on the same event are one event: once either was
    discussed, the other waits until every other event has come. Then any scenario not yet
    shown, then the one discussed longest ago.
    """
    if not ordered:
        return None
    had = set(seen) | {s.event_key for s in ordered if s.key in seen}
    fresh = [s for s in ordered if s.key not in had and s.event_key not in had]
    if fresh:
        return fresh[0]
    unshown = [s for s in ordered if s.key not in seen]
    if unshown:
        return unshown[0]
    return min(ordered, key=lambda s: seen[s.key])


def clip_sentences(text: str, limit: int) -> str:
    """Whole sentences up to ``limit`` characters, with every quotation closed.

    A cut that would leave a quote open drops sentences back to where it is balanced; one long
    sentence is cut at a word, before any quotation it would leave open.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    while kept and not balanced(" ".join(kept)):
        kept.pop()
    if kept:
        return " ".join(kept)
    cut = text[:limit].rsplit(" ", 1)[0]
    while cut and not balanced(cut):
        cut = cut[: max(cut.rfind('"'), cut.rfind("“"))].rstrip()
    return cut.rstrip(",;:") + " …"


def balanced(text: str) -> bool:
    """True when every quotation and bracket opened in ``text`` is closed."""
    return (
        text.count('"') % 2 == 0
        and text.count("“") == text.count("”")
        and text.count("(") == text.count(")")
    )


def own_questions(text: str) -> tuple[str, ...]:
    """The questions in a case note's list of them (bullets joined into one line)."""
    items = [item.strip() for item in _BULLET.split(text)]
    return tuple(item for item in items if item.endswith("?"))


# -- building scenarios --------------------------------------------------------------------


def _documents(chunks: Iterable[StoredChunk], scopes: Collection[str]) -> list[list[StoredChunk]]:
    by_doc: dict[str, list[StoredChunk]] = defaultdict(list)
    for chunk in chunks:
        if chunk.meta.get("scope", GLOBAL_SCOPE) in scopes:
            by_doc[chunk.meta.get("doc_id", "")].append(chunk)
    return [_sorted(doc) for _, doc in sorted(by_doc.items())]


def _sorted(doc: list[StoredChunk]) -> list[StoredChunk]:
    return sorted(doc, key=lambda c: int(c.meta.get("chunk", 0)))


def _doc_scenarios(doc: list[StoredChunk], data: DiscussData) -> list[Scenario]:
    if not doc:
        return []
    meta = doc[0].meta
    if meta.get("digest_of"):
        return _essay_scenarios(doc, data)
    if meta.get("scope") == GLOBAL_SCOPE and meta.get("kind") == "original":
        return []  # reference texts such as the essay itself: reached through topics only
    if is_guide(meta):
        return []  # a deal guide explains a kind's risks in general: no story to argue over
    return [_case_scenario(doc, data)]


def _case_scenario(doc: list[StoredChunk], data: DiscussData) -> Scenario:
    """A case note's situation section (or its opening), with its trust section as context."""
    meta = doc[0].meta
    shown, situation = _section(doc, data.scenario_headings) or (doc[0], doc[0].text)
    _, context = _section(doc, data.context_headings) or (None, "")
    _, asked = _section(doc, data.question_headings, whole=True) or (None, "")
    stem = Path(meta.get("path", "")).stem
    return Scenario(
        key=_key(meta),
        title=meta.get("title", stem),
        text=clip_sentences(situation, data.scenario_chars),
        source=readable_source(meta.get("source", ""), meta.get("title", stem)),
        scope=meta.get("scope", GLOBAL_SCOPE),
        kind=meta.get("case_kind", ""),
        questions=own_questions(asked),
        perspective=data.perspectives.get(stem, Perspective())
        if meta.get("scope") == GLOBAL_SCOPE
        else Perspective(),  # a server's note never borrows a shipped note's perspective
        context=context,
        chunk_id=shown.id,
    )


def _essay_scenarios(doc: list[StoredChunk], data: DiscussData) -> list[Scenario]:
    meta = doc[0].meta
    scenarios: list[Scenario] = []
    for section in data.essay_sections:
        found = _section(doc, (section.heading,))
        if found is None:
            continue
        shown, body = found
        scenarios.append(
            Scenario(
                key=f"{_key(meta)}#{slugify(section.heading)}",
                title=section.title,
                text=clip_sentences(body, data.scenario_chars),
                source=readable_source(meta.get("source", ""), meta.get("title", "")),
                scope=meta.get("scope", GLOBAL_SCOPE),
                perspective=section.perspective,
                chunk_id=shown.id,
                kind=section.kind,
                event=f"{meta.get('scope', GLOBAL_SCOPE)}:{section.event}" if section.event else "",
            )
        )
    return scenarios


def _section(
    doc: list[StoredChunk], headings: Iterable[str], *, whole: bool = False
) -> tuple[StoredChunk, str] | None:
    """The first chunk opening with one of ``headings`` (chunking writes "H: text"), and its
    text: its first paragraph, or all of it when ``whole``."""
    for heading in headings:
        for chunk in doc:
            if chunk.text.startswith(heading + ": "):
                body = chunk.text[len(heading) + 2 :]
                return chunk, (body if whole else body.split("\n", 1)[0]).strip()
    return None


def _heading_of(scenario: Scenario, data: DiscussData) -> str:
    for section in data.essay_sections:
        if scenario.key.endswith("#" + slugify(section.heading)):
            return section.heading
    return ""


def _key(meta: Mapping[str, object]) -> str:
    return f"{meta.get('scope', GLOBAL_SCOPE)}:{Path(str(meta.get('path', ''))).stem}"


def _rank(salt: int, key: str) -> bytes:
    return hashlib.blake2b(f"{salt}\x00{key}".encode(), digest_size=8).digest()
