"""One member's private answer, read by meaning: the same reading as /ask, plus mechanisms.

Trust reliance, a dropped safeguard and off-topic come from the situation reader, exactly as
for /ask. Mechanisms come from the prep ledger's recogniser (``bot/prep.ledger``), so a
"deposit" or "the rest on delivery" means the same in a reveal as in a risk ledger; the data
file adds only the words the ledger does not know yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from bot.coaching.models import TrustReading
from bot.discuss.data import DiscussData
from bot.prep.ledger import ACCEPTED, OTHER, TRUST_ONLY, mechanism_kind
from bot.reading.models import Reading

# Longest phrase, in words, taken as the name of one mechanism ("the rest on delivery").
MAX_TERM_WORDS = 7
_NEUTRAL = TrustReading(relies_on_trust=False, examining_risk=False)
# A full stop ends a clause, a decimal point ("1.5%") does not.
_CLAUSES = re.compile(r"\.(?!\d)|(?<!\d)\.|[;!?\n]|,\s|\s(?:but|and then|so|whereas|while)\s", re.I)
_WORD = re.compile(r"[\w'%/-]+")
# A pattern that needs the next word ("pay only after an ...") should not show it.
_TRAILING = re.compile(r"(?:\s+(?:a|an|the|of|to|for|with|and))+$", re.I)
# Ledger results that mean "no mechanism named" rather than a kind of mechanism.
_NOT_A_MECHANISM = frozenset({ACCEPTED, TRUST_ONLY})


@dataclass(frozen=True, slots=True)
class Named:
    """A mechanism an answer names, in its words, with the ledger's category."""

    term: str
    kind: str
    dropped: bool = False  # named only to be waived: "no need for intrusive inspections"

    def to_json(self) -> dict[str, object]:
        return {"term": self.term, "kind": self.kind, "dropped": self.dropped}


def clauses(text: str) -> list[str]:
    """The answer cut where one claim ends and the next begins."""
    return [c.strip() for c in _CLAUSES.split(" ".join(text.split())) if c.strip()]


def named_mechanisms(text: str, data: DiscussData, dropping: re.Pattern[str]) -> tuple[Named, ...]:
    """Every mechanism the answer names, clause by clause, each marked dropped or kept."""
    found: list[Named] = []
    for clause in clauses(text):
        for start, term, kind in _terms(clause, data):
            if _names_the_deal(term, data) or _deferred(clause[start + len(term) :], data):
                continue
            if _CANNOT.search(clause[:start]):
                continue  # "we can't monitor inside their territory": no cover, nothing dropped
            kind = _reclassified(term, kind, clause, data)
            found.append(Named(term, kind, bool(dropping.search(clause[:start]))))
    return tuple(_unique(found))


def _names_the_deal(term: str, data: DiscussData) -> bool:
    """True for "the earn-out" or "the contract": what a safeguard protects, not a safeguard."""
    return any(_whole(p).fullmatch(term) for p in data.not_mechanisms)


def _deferred(after: str, data: DiscussData) -> bool:
    """True when the words after a safeguard put it off ("can come in later")."""
    return bool(data.deferred) and bool(_pattern(data.deferred).search(after))


@lru_cache(maxsize=8)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _terms(clause: str, data: DiscussData) -> Iterator[tuple[int, str, str]]:
    """The shortest phrases, left to right, that the ledger or the data file files as a kind.

    The ledger's patterns match inside longer phrases, so the shortest phrase ending at each
    word is its name ("inspections", "rest on delivery"); the data file's names are whole
    phrases, so one of them is stretched while it still matches ("shotgun" -> "shotgun clause").
    """
    words = list(_WORD.finditer(clause))
    free = 0  # the first word not yet inside a named phrase
    for end in range(len(words)):
        firsts = range(max(free, end - MAX_TERM_WORDS + 1), end + 1)
        found = _named_at(clause, words, firsts, end, data)
        if found:
            first, kind = found
            last = _stretch(clause, words, first, end, data)
            term = _TRAILING.sub("", clause[words[first].start() : words[last].end()])
            yield words[first].start(), term, kind
            free = last + 1


def _named_at(
    clause: str, words: list[re.Match[str]], firsts: range, end: int, data: DiscussData
) -> tuple[int, str] | None:
    """The phrase ending at ``end`` that names a mechanism: the data file's longest, else the
    ledger's shortest."""
    spans = {first: clause[words[first].start() : words[end].end()] for first in firsts}
    for first, span in spans.items():
        if kind := _vocabulary_kind(span, data):
            return first, kind
    for first, span in reversed(spans.items()):
        if kind := ledger_kind(span):
            return first, kind
    return None


def _stretch(
    clause: str, words: list[re.Match[str]], first: int, end: int, data: DiscussData
) -> int:
    """The last word of the longest data-file name that starts at ``first`` and covers ``end``."""
    last = end
    for stop in range(end + 1, min(len(words), first + MAX_TERM_WORDS)):
        if _vocabulary_kind(clause[words[first].start() : words[stop].end()], data):
            last = stop
    return last


def ledger_kind(phrase: str) -> str | None:
    """The ledger's category of a phrase, or None when it names no mechanism.

    The ledger files a phrase naming nothing under "other mechanism" too; adding a trust word
    tells the two apart, since the ledger then answers "trust only" for a phrase naming nothing.
    """
    kind = mechanism_kind(phrase, _NEUTRAL)
    if kind == OTHER and mechanism_kind(f"{phrase} trust", _NEUTRAL) != OTHER:
        return None
    return None if kind in _NOT_A_MECHANISM else kind


def _vocabulary_kind(phrase: str, data: DiscussData) -> str | None:
    for kind, patterns in data.vocabulary.items():
        if any(_whole(p).fullmatch(phrase) for p in patterns):
            return kind
    return None


@lru_cache(maxsize=256)
def _whole(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:the |an? )?(?:{pattern})", re.I)


def _reclassified(term: str, kind: str, clause: str, data: DiscussData) -> str:
    for rule in data.reclassify:
        if rule.term in term.lower() and not (rule.unless and re.search(rule.unless, clause, re.I)):
            return rule.kind
    return kind


def _unique(found: list[Named]) -> list[Named]:
    seen: dict[tuple[str, bool], Named] = {}
    for named in found:
        seen.setdefault((named.term.lower(), named.dropped), named)
    return list(seen.values())


_CONTENT_WORD = re.compile(r"[a-z]{5,}")
# "we can't monitor...": the words just before a safeguard say it cannot be had.
_CANNOT = re.compile(
    r"\b(?:can'?t|cannot|can not|couldn'?t|won'?t be able to|no way to|unable to)\s+(?:\w+\s+)?$",
    re.I,
)


def is_off_topic(
    reading: Reading,
    answer: str,
    case: str,
    stance: str = "",
    chat_words: frozenset[str] = frozenset(),
) -> bool:
    """Nothing in the answer touches the case: no trust word, no deal word, no word of the case.

    The reader's own intents are not enough either way: a short answer about the case ("I'd
    wait a week") reads as small talk out of context, and "are we still doing the offsite?"
    reads to the trust model like reassurance. So only the lexicon counts (trust cues, the
    data file's ``stance`` words: "I'd walk away"), then the words the answer shares with the
    case, less ``chat_words`` any message has. Callers check mechanisms and positions first;
    this is the last word.
    """
    if reading.trust.cues or reading.trust.mechanisms_named or reading.trust.dropped_safeguard:
        return False
    if stance and _pattern(stance).search(answer):
        return False
    if "examining" in reading.intents and reading.trust.examining_risk:
        return False
    shared = set(_CONTENT_WORD.findall(answer.lower())) & set(_CONTENT_WORD.findall(case.lower()))
    return not (shared - chat_words)
