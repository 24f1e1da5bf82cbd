"""The team's situation: what kind of deal a topic is about, and which side the team is on.

A typed topic is read with the same situation reader as /ask, so "we received an acquisition
offer" seats the team as the seller and "pay round with the union" as the union. The topic
then picks its scenario: a case note of that kind, a passage that fits it well enough, or a
scenario composed from the deal catalogue, never the best-scoring unrelated case.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.discuss.data import DiscussData, Perspective
from bot.discuss.scenarios import Scenario, clip_sentences
from bot.knowledge.store import GLOBAL_SCOPE
from bot.reading.catalogue import DealKind, Risk
from bot.reading.models import Reading

# A passage matching a topic this well (fused retrieval score) fits it even without a deal
# kind in common. Measured on tests/discuss/data/topics.yaml (36 topics, 92 case notes, with
# and without the essay): the best case of an unrelated kind scores up to 0.564 ("licensing
# our software" -> selling a company; 0.48 for topics no case fits), the best fitting case
# 0.35 to 0.80, so retrieval alone cannot separate them; the reader's kind does (right on all
# 28 topics a case fits). The floor sits above every unrelated match, and admits only close
# matches (9 of the 28 fitting topics), such as a server's own note on the topic.
RELEVANCE_FLOOR = 0.6
# The first alternative of a role ("client or subcontractor" -> "client").
_ROLE_SPLIT = re.compile(r",|\s+or\s+|\s+\(|/")
_ARTICLE = re.compile(r"^(?:the|a|an|one|your|our)\b", re.I)
_PARTY_FILLER = frozenset({"the", "a", "an", "our", "your", "my", "their"})
_THEIR = {r"\btheir own\b": "your own", r"\btheir\b": "your", r"\bthemselves\b": "yourselves"}


@dataclass(frozen=True, slots=True)
class Setting:
    """The deal a prompt is about, seen from the team's seat."""

    kind: DealKind | None = None
    side: str | None = None
    counterpart: str | None = None
    object: str | None = None
    # The kind's risks, the one the topic is most about first.
    risks: tuple[Risk, ...] = ()
    topic: str = ""
    kind2: str | None = None
    # True when the team sits in the kind's other seat ("pay round with the union"): a case
    # note's perspective is then read the other way round.
    flipped: bool = False

    @property
    def family(self) -> str:
        """The kind's family (diplomacy, commerce, work...): how questions are worded."""
        return self.kind.family if self.kind else ""

    @property
    def perspective(self) -> Perspective:
        return Perspective(self.side, self.counterpart)


def side_of(kind: DealKind, data: DiscussData) -> str:
    """The team's seat in a kind of deal, as a side the team can stand on."""
    if kind.id in data.sides:
        return data.sides[kind.id]
    role = _ROLE_SPLIT.split(kind.user_role or kind.seat or "", maxsplit=1)[0].strip()
    if not role:
        return "your side"
    return role if _ARTICLE.match(role) else f"the {role}"


def read_topic(
    reading: Reading,
    kinds: Mapping[str, DealKind],
    data: DiscussData,
    embed: Callable[[str], Sequence[float]],
) -> Setting:
    """The setting a topic describes, from the reader's reading of it."""
    deal = reading.deal
    # A team's whole prompt builds on the kind: only an evident one ("origami cranes" is no sale).
    kind = kinds.get(deal.evident_first or "")
    if kind is None:
        # No kind of deal: still the counterpart the team named ("the cheapest bidder").
        named = deal.counterpart if deal.counterpart_named else None
        return Setting(topic=reading.text, counterpart=named)
    side = side_of(kind, data)
    counterpart = deal.counterpart if deal.counterpart_named else kind.counterpart_role
    flipped = bool(counterpart) and _names_side(counterpart or "", side)
    if flipped:
        # "pay round with the union": the union is across the table, so the team is the
        # employer, whichever seat the kind of deal is written from.
        side, counterpart = kind.counterpart_role, counterpart
    return Setting(
        kind=kind,
        side=side,
        flipped=flipped,
        counterpart=counterpart or kind.counterpart_role,
        object=deal.object or kind.default_object,
        risks=ranked_risks(kind, reading.text, embed),
        topic=reading.text,
        kind2=deal.kind2,
    )


def for_scenario(
    scenario: Scenario, kinds: Mapping[str, DealKind], data: DiscussData, topic: Setting | None
) -> Setting:
    """The setting a scenario's questions are asked in.

    The topic's own setting when the scenario is about that kind of deal (the team's seat and
    the risk it worried about), with the case's own names for the parties when the data file
    gives them; otherwise the scenario's kind, seated as its perspective says.
    """
    kind = kinds.get(scenario.kind)
    named = scenario.perspective
    if topic is not None and topic.kind is not None and (kind is None or kind.id == topic.kind.id):
        if scenario.composed or not named.side:
            return topic
        if topic.flipped:
            named = Perspective(named.counterpart, named.side)
        return _with_names(topic, named)
    if kind is None:
        return Setting(side=named.side, counterpart=named.counterpart)
    base = Setting(
        kind=kind,
        side=side_of(kind, data),
        counterpart=kind.counterpart_role,
        object=kind.default_object,
        risks=kind.risks,
    )
    return _with_names(base, named) if named.side else base


# "You are management at a bottling plant": the scenario says whose seat the team is in, at
# the start of a sentence ("...for every week you are late" says nothing of the kind).
_YOU_ARE = re.compile(
    r"(?:^|(?<=[.!?]\s))you(?: are|'re| represent| work for)\s+((?:the |a |an )?[\w' -]{2,40}?)"
    r"(?=[,.;:]|\s+(?:at|of|in|for|and|who|with)\b)",
    re.I,
)


def seated_by_text(setting: Setting, text: str) -> Setting:
    """The setting with the seat a scenario gives the team.

    "You are management": that seat, and when it is one of the counterpart's words (not the
    user's role) the two sides swap. A scenario that opens with the party read as the
    counterpart ("Northwind, a startup, has an offer...") is about the team: the counterpart
    is the kind's other role.
    """
    kind = setting.kind
    if kind is None:
        return setting
    counterpart = setting.counterpart or ""
    if counterpart and text.lower().startswith(counterpart.lower()):
        setting = replace(setting, counterpart=kind.counterpart_role)
    match = _YOU_ARE.search(text)
    if match is None:
        return setting
    seat = match.group(1).strip()
    theirs = _shares_word(seat, " ".join((*kind.counterpart_words, kind.counterpart_role)))
    if theirs and not setting.flipped and not _shares_word(seat, kind.user_role):
        return replace(setting, side=seat, counterpart=setting.side)
    return replace(setting, side=seat)


def _shares_word(seat: str, words: str) -> bool:
    """True when a seat shares a content word with ``words`` ("the management" / "management")."""
    seat_words = set(re.findall(r"[a-z]{4,}", seat.lower()))
    return bool(seat_words & set(re.findall(r"[a-z]{4,}", words.lower())))


def ranked_risks(
    kind: DealKind, topic: str, embed: Callable[[str], Sequence[float]]
) -> tuple[Risk, ...]:
    """The kind's risks, the one closest in meaning to the topic first."""
    if not kind.risks:
        return ()
    vectors = np.asarray([embed(r.risk) for r in kind.risks], dtype=np.float32)
    query = np.asarray(embed(topic), dtype=np.float32)
    order = np.argsort(-(vectors @ query), kind="stable")
    return tuple(kind.risks[i] for i in order)


def candidates(
    setting: Setting,
    scenarios: Sequence[Scenario],
    relevance: Mapping[str, float],
    composed: Sequence[Scenario],
    kinds: Mapping[str, DealKind],
) -> list[Scenario]:
    """The scenarios that fit a topic, best first; empty when nothing fits.

    In order: a scenario the topic names by its title, the server's own notes that match
    closely (its own deals), case notes of the topic's kind (closest first), the composed scenario on the topic's main risk, case notes
    of the reader's second kind, other close matches in the same family of deals, and the
    composed scenarios on the kind's other risks.
    """

    def score(s: Scenario) -> float:
        return relevance.get(s.key, 0.0)

    def by_score(found: list[Scenario]) -> list[Scenario]:
        return sorted(found, key=score, reverse=True)

    named = [s for s in scenarios if _same_words(s.title, setting.topic)]
    close = [s for s in scenarios if score(s) >= RELEVANCE_FLOOR]
    own = by_score([s for s in close if s.scope != GLOBAL_SCOPE])
    kind_id = setting.kind.id if setting.kind else None
    same = by_score([s for s in scenarios if kind_id and s.kind == kind_id])
    second = by_score([s for s in scenarios if setting.kind2 and s.kind == setting.kind2])
    near = by_score([s for s in close if _same_family(s, setting, kinds)])
    ordered = named + own + same + list(composed[:1]) + second + near + list(composed[1:])
    unique: dict[str, Scenario] = {}
    for s in ordered:
        unique.setdefault(s.key, s)
    return list(unique.values())


def composed_scenarios(setting: Setting, data: DiscussData) -> list[Scenario]:
    """One scenario per risk of the topic's kind, built from the catalogue (main risk first)."""
    kind = setting.kind
    if kind is None:
        return []
    return [_compose(setting, kind, risk, data) for risk in setting.risks]


def topic_scenario(setting: Setting, data: DiscussData) -> Scenario | None:
    """The team's own topic as the scenario, when no case and no kind of deal fits a topic
    that says enough to argue over ("we're outsourcing hospital cleaning, the cheapest bidder
    swears standards won't drop"): better than no prompt, and never a case about something else.
    A topic of a word or two ("club sponsor") says too little."""
    topic = _plain_topic(setting.topic)
    if setting.kind is not None or len(topic.split()) < TOPIC_WORDS:
        return None
    counterpart = setting.counterpart or "the other side"
    fields = {
        "topic": topic.rstrip(".!?"),
        "counterpart": counterpart,
        "Counterpart": _capital(counterpart),
        "side": setting.side or "your team",
    }
    texts = data.topic_scenario
    return Scenario(
        key=f"topic:{_digest(topic)}",
        title=texts.title.format(**fields),
        text=texts.text.format(**fields),
        source=texts.source.format(**fields),
        scope=GLOBAL_SCOPE,
        perspective=Perspective(fields["side"], counterpart),
        composed=True,
    )


# A topic scenario needs at least this many words of the team's own.
TOPIC_WORDS = 4


def _plain_topic(topic: str) -> str:
    """The team's words fit to quote inside a scenario: no quote marks of their own."""
    return " ".join(topic.replace('"', "").replace("“", "").replace("”", "").split())


def _digest(text: str) -> str:
    return hashlib.sha1(text.lower().encode()).hexdigest()[:10]


def _compose(setting: Setting, kind: DealKind, risk: Risk, data: DiscussData) -> Scenario:
    texts = data.composed
    counterpart = setting.counterpart or kind.counterpart_role
    fields = {
        "name": kind.name[0].lower() + kind.name[1:],
        "Name": kind.name,
        "side": setting.side or side_of(kind, data),
        "counterpart": counterpart,
        "Counterpart": _capital(counterpart),
        "object": setting.object or kind.default_object,
        "you_give": _yours(kind.exchange.get("user_gives", "their part of the deal")),
        "they_give": kind.exchange.get("counterpart_gives", "their part of the deal"),
        "timing": kind.exchange.get("timing", ""),
        "Timing": _capital(kind.exchange.get("timing", "")),
        "risk": risk.risk,
        "topic": _plain_topic(setting.topic) or kind.name,
    }
    bearer = texts.bearers.get(risk.bears, texts.bearers.get("user", "your side"))
    fields["bearer"] = bearer.format(**fields)
    text = texts.text.format(**fields)
    if not fields["timing"]:
        text = text.replace(" .", "")
    return Scenario(
        key=f"composed:{kind.id}#{risk.id}",
        title=texts.title.format(**fields),
        text=clip_sentences(text, data.scenario_chars),
        source=texts.source.format(**fields),
        scope=GLOBAL_SCOPE,
        perspective=Perspective(fields["side"], counterpart),
        composed=True,
        kind=kind.id,
        risk=risk.id,
    )


def _with_names(setting: Setting, named: Perspective) -> Setting:
    return replace(
        setting,
        side=named.side or setting.side,
        counterpart=named.counterpart or setting.counterpart,
    )


def _same_family(scenario: Scenario, setting: Setting, kinds: Mapping[str, DealKind]) -> bool:
    """A close match of another kind still fits when the deals are of one family (a summit
    and a ceasefire); a note without a kind (a server's own) fits on its match alone."""
    other = kinds.get(scenario.kind)
    if other is None or setting.kind is None:
        return True
    return other.family == setting.kind.family


def _same_words(title: str, topic: str) -> bool:
    """True when a topic is a scenario's title (a facilitator naming the case they want)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return bool(words) and words == re.findall(r"[a-z0-9]+", topic.lower())


def _names_side(party: str, side: str) -> bool:
    """True when a party read from the topic is the team's own side ("the union")."""
    words = {w for w in re.findall(r"[a-z]+", party.lower()) if w not in _PARTY_FILLER}
    return bool(words) and words <= set(re.findall(r"[a-z]+", side.lower()))


def _yours(text: str) -> str:
    """The catalogue's "their" (the user's own, in the third person) as the team's "your"."""
    for pattern, replacement in _THEIR.items():
        text = re.sub(pattern, replacement, text)
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
