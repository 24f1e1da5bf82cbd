"""The quality gate: every candidate question is checked before a user can see it.

A failing candidate is dropped, never repaired: the planner has others.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.reading.clauses import SLANG

_ADVICE = re.compile(
    r"^(?:you should|you need to|you must|make sure|always|never|i recommend|i suggest|consider|"
    r"try to|just|don't|do not)\b",
    re.I,
)
_SLANG = re.compile(r"\b(?:" + "|".join(sorted(SLANG)) + r"|haha\w*)\b", re.I)
_ARTEFACT = re.compile(
    r"\{|\}|\b(\w+) \1\b|\b(\w{4,}) of (?:the|your) \2s?\b|\bthe (\w+) (?:in|of|for) the \3\b|\byour your\b|\bthe the\b|\bthe your\b|\bthe my\b|\bmy\b|\s[,.?]",
    re.I,
)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
_GENERIC_PARTY = re.compile(r"\bthe other (?:side|party)\b", re.I)


def normalised(text: str) -> str:
    """A question's identity for "asked before" checks: lower case, letters only."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def problems(text: str, *, asked: set[str], counterpart_known: bool) -> list[str]:
    """Why a question may not be shown; empty when it passes."""
    found = []
    if text.count("?") != 1 or not text.endswith("?"):
        found.append("not exactly one question")
    if text.count('"') not in (0, 2) or "“" in text or "'\"" in text or "\"'" in text:
        found.append("broken or nested quote")
    if _SLANG.search(text) or _EMOJI.search(text):
        found.append("slang or emoji echoed")
    if _ARTEFACT.search(text):
        found.append("slot artefact")
    if _ADVICE.match(text):
        found.append("advice, not a question")
    if counterpart_known and _GENERIC_PARTY.search(text):
        found.append("generic counterpart where a specific one is known")
    if not 5 <= len(text.split()) <= 40:
        found.append("too short or too long")
    if normalised(text) in asked:
        found.append("asked before in this conversation")
    return found


def passes(text: str, *, asked: set[str], counterpart_known: bool) -> bool:
    """True when the question may be shown."""
    return not problems(text, asked=asked, counterpart_known=counterpart_known)


def premise_given(presumes: tuple[str, ...], said: str) -> bool:
    """True when a question takes nothing for granted, or the user said one of its premises.

    A premise matches at the start of a word, so "prepa" stands for "prepaid" and "prepayment"."""
    if not presumes:
        return True
    text = " ".join(said.lower().replace("’", "'").split())
    return any(_premise_pattern(p).search(text) for p in presumes)


@lru_cache(maxsize=4096)
def _premise_pattern(phrase: str) -> re.Pattern[str]:
    # "participating" is not said in "non-participating".
    return re.compile(r"(?<![a-z0-9-])(?<!non )" + re.escape(phrase))
