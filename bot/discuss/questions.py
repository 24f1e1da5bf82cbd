"""Questions that start an argument: from the case note itself and the catalogue's kind.

Three per prompt, in the order a discussion should move (what is at stake, who carries the
risk, which mechanism would carry it instead of trust). The first two come from the case
note's own list and the catalogue questions of its kind of deal, so a ceasefire never gets a
question written for a supplier; the third forces a choice between two mechanisms the kind
lists for its main risk, on which a team will disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from bot.discuss.data import DiscussData
from bot.discuss.scenarios import Scenario
from bot.discuss.setting import Setting
from bot.questions.gate import normalised, passes, premise_given
from bot.reading.catalogue import DealKind, DealQuestion, Risk

# The dimensions a prompt covers, in the order it asks them; the choice is the mechanism one.
# A catalogue question on a neighbouring dimension may fill a slot when it is about the risk
# in focus (what keeps the other side working is a question of stakes).
OPENING_DIMENSIONS = {
    "stakes": ("stakes", "incentives", "resources"),
    "risk": ("risk", "security", "time", "control", "reputation"),
}
# Catalogue moves written for any reader of the deal; "examine" ones presume a mechanism the
# user named, and "tactics" answers a question the team did not ask.
NEUTRAL_MOVES = ("redirect", "pushback")


# Where a mechanism's head noun ends: "a deposit | held in a scheme", "a board | with ...".
_HEAD_END = re.compile(
    r"\s+(?:with|for|of|by|in|on|at|to|against|that|which|through|if|held|agreed|paid)\s+"
)
# Words that open a noun phrase on their own: "a", "the", "their survey" take no article.
DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "one",
        "each",
        "every",
        "any",
        "no",
        "some",
        "all",
        "this",
        "that",
        "their",
        "our",
        "your",
        "his",
        "her",
        "its",
    ]
)


@dataclass(frozen=True, slots=True)
class Draft:
    """A question before it is cited."""

    text: str
    dimension: str
    move_id: str


def drafts(
    setting: Setting, scenario: Scenario, data: DiscussData, *, asked: Iterable[str] = ()
) -> list[Draft]:
    """Up to three questions for the team, stakes and risk first, the forced choice last."""
    seen = {normalised(q) for q in asked}
    own = [d for d in case_drafts(scenario, data) if _shows(d, seen)]
    kind = [d for d in kind_drafts(setting, scenario) if _shows(d, seen)]
    opening = _opening(own, kind, on_risk(setting, scenario))
    choice = forced_choice(setting, scenario, data)
    picked = [*opening, *([choice] if choice and _shows(choice, seen) else [])]
    return _distinct(picked)


def case_drafts(scenario: Scenario, data: DiscussData) -> list[Draft]:
    """The case note's own questions, each with the dimension its words probe."""
    return [
        Draft(text, dimension_of(text, data), f"case:{scenario.key}#{n}")
        for n, text in enumerate(scenario.questions)
    ]


def kind_drafts(setting: Setting, scenario: Scenario) -> list[Draft]:
    """The catalogue's questions for the kind that any reader can answer, filled in."""
    kind = setting.kind
    if kind is None:
        return []
    # A question taking a fact for granted ("If the tenant offers rent upfront") needs that fact
    # in the scenario, as it needs it in a user's message.
    story = f"{scenario.text} {scenario.context}"
    usable = [
        q for q in kind.questions if q.move in NEUTRAL_MOVES and premise_given(q.presumes, story)
    ]
    slots = {
        "counterpart": setting.counterpart or kind.counterpart_role,
        "object": setting.object or kind.default_object,
    }
    return [
        Draft(_filled(q, slots), q.dimension, f"kind:{kind.id}#{n}") for n, q in enumerate(usable)
    ]


def on_risk(setting: Setting, scenario: Scenario) -> set[str]:
    """The move ids of the catalogue questions about the risk in focus."""
    kind, main = setting.kind, main_risk(setting, scenario)
    if kind is None or main is None:
        return set()
    story = f"{scenario.text} {scenario.context}"
    usable = [
        q for q in kind.questions if q.move in NEUTRAL_MOVES and premise_given(q.presumes, story)
    ]
    return {f"kind:{kind.id}#{n}" for n, q in enumerate(usable) if main.id in q.targets}


def forced_choice(setting: Setting, scenario: Scenario, data: DiscussData) -> Draft | None:
    """ "Would you rather X or Y, and what would make you switch?" on the main risk's
    mechanisms; with only one mechanism, holding out for it against signing without it."""
    kind = setting.kind
    risk = main_risk(setting, scenario)
    if kind is None or risk is None:
        return None
    mechanisms = _mechanisms(risk, kind)
    if not mechanisms:
        return None
    counterpart = setting.counterpart or kind.counterpart_role
    if len(mechanisms) == 1:
        wordings = data.choices["single"]
    else:
        wordings = data.choices.get(setting.family) or data.choices["default"]
    fields = {
        "risk": risk.risk,
        "a": with_article(mechanisms[0], data),
        "b": with_article(mechanisms[-1], data) if len(mechanisms) > 1 else "",
        "counterpart": counterpart,
    }
    for wording in wordings:
        text = _capital(wording.format(**fields))
        if passes(text, asked=set(), counterpart_known=True):
            return Draft(text, "mechanism", f"choice:{kind.id}#{risk.id}")
    return None


def main_risk(setting: Setting, scenario: Scenario) -> Risk | None:
    """The risk a prompt is about: a composed scenario's own, else the setting's first."""
    if setting.kind is not None and scenario.risk:
        for risk in setting.kind.risks:
            if risk.id == scenario.risk:
                return risk
    return setting.risks[0] if setting.risks else None


def dimension_of(question: str, data: DiscussData) -> str:
    """What a case note's question probes: a mechanism, the stakes, or (by default) the risk."""
    for dimension in ("mechanism", "stakes"):
        words = data.question_cues.get(dimension, ())
        if words and re.search(_any_word(words), question, re.I):
            return dimension
    return "risk"


def _opening(own: list[Draft], kind: list[Draft], on_risk: set[str]) -> list[Draft]:
    """One question on the stakes and one on the risk; the case's own where it has one, and
    at least one of its own whenever it has any (they are the sharpest). ``on_risk`` are the
    catalogue questions about the risk in focus, which go first."""
    picked: list[Draft] = []
    for dimension, neighbours in OPENING_DIMENSIONS.items():
        fresh_own = [d for d in own if not repeats(d, picked)]
        fresh_kind = [d for d in kind if not repeats(d, picked)]
        found = next((d for d in fresh_own if d.dimension == dimension), None) or _kind_pick(
            fresh_kind, dimension, neighbours, on_risk
        )
        if found is not None:
            picked.append(found)
    if own and picked and not any(d.move_id.startswith("case:") for d in picked):
        picked[-1:] = [own[0]]
    return picked


# Words too common to make two questions alike ("what do you", "they have to").
_COMMON = frozenset(
    [
        "a",
        "an",
        "the",
        "you",
        "your",
        "they",
        "them",
        "their",
        "do",
        "does",
        "did",
        "what",
        "which",
        "who",
        "how",
        "once",
        "if",
        "is",
        "are",
        "to",
        "of",
        "on",
        "in",
        "for",
        "it",
        "have",
        "has",
        "had",
        "would",
        "will",
        "can",
        "could",
        "be",
        "this",
        "that",
        "and",
        "or",
        "with",
        "from",
    ]
)
# Two questions sharing this many word pairs ("what do you still hold over") ask one thing.
SHARED_PAIRS = 3


def repeats(draft: Draft, picked: Sequence[Draft]) -> bool:
    """True when a question asks what one already picked asks, in other words."""
    pairs = _pairs(draft.text)
    return any(len(pairs & _pairs(p.text)) >= SHARED_PAIRS for p in picked)


def _pairs(text: str) -> set[tuple[str, str]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {(a, b) for a, b in pairwise(words) if not {a, b} <= _COMMON}


def _kind_pick(
    kind: list[Draft], dimension: str, neighbours: tuple[str, ...], on_risk: set[str]
) -> Draft | None:
    """The catalogue question for a slot: on the risk in focus and the slot's own dimension,
    then on that risk and a neighbouring one, then any on the slot's own dimension."""
    tiers = (
        [d for d in kind if d.move_id in on_risk and d.dimension == dimension],
        [d for d in kind if d.move_id in on_risk and d.dimension in neighbours],
        [d for d in kind if d.dimension == dimension],
    )
    return next((tier[0] for tier in tiers if tier), None)


def with_article(mechanism: str, data: DiscussData) -> str:
    """ "a cancellation scale", "founder vesting", "milestone payments": the catalogue lists
    mechanisms bare, and a singular countable one needs an article in a sentence."""
    words = mechanism.split()
    head = _HEAD_END.split(mechanism, maxsplit=1)[0].split() or words
    first, last = words[0].lower(), head[-1].lower()
    if first in DETERMINERS or last.endswith(("s", "ing")) or first.endswith("ing"):
        return mechanism
    if last in data.mass_nouns:
        return mechanism
    return f"{'an' if first[0] in 'aeiou' else 'a'} {mechanism}"


def _mechanisms(risk: Risk, kind: DealKind) -> tuple[str, ...]:
    """Up to two mechanisms for the risk: its own, else the kind's first two."""
    return risk.mechanisms[:2] or kind.mechanisms[:2]


def _shows(draft: Draft, asked: set[str]) -> bool:
    return passes(draft.text, asked=asked, counterpart_known=True)


def _distinct(drafts_: Sequence[Draft]) -> list[Draft]:
    seen: set[str] = set()
    unique = []
    for d in drafts_:
        if normalised(d.text) not in seen:
            seen.add(normalised(d.text))
            unique.append(d)
    return unique


def _filled(question: DealQuestion, slots: dict[str, str]) -> str:
    return _capital(" ".join(question.text.format(**slots).split()))


def _any_word(words: Iterable[str]) -> str:
    return r"\b(?:" + "|".join(re.escape(w) for w in words) + r")"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
