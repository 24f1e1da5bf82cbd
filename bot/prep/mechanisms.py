"""Which mechanisms an answer names and keeps, typed into the ledger's categories.

A mechanism named is not a mechanism held: "I won't offend them by asking for an inspection"
names an inspection and refuses it. Each mention is read in its own stretch of the sentence,
so a warranty kept in one clause does not hide an inspection waived in the next; a safeguard
refused on trust makes the risk "trust only" whatever else the answer names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.coaching.models import TrustReading
from bot.datafiles import load_yaml
from bot.prep.categories import (
    ACCEPTED,
    ESCROW,
    OTHER,
    STAGED,
    TRUST_ONLY,
)
from bot.settings import REPO_ROOT

LEDGER_VOCABULARY = REPO_ROOT / "prompts" / "prep" / "ledger.yaml"
CONTRACT = "contract"
COVENANT = "covenant"


def load_vocabulary(path: Path = LEDGER_VOCABULARY) -> dict[str, Any]:
    """The ledger's wording (mechanisms, acceptance, trust, third parties), editable in prompts/."""
    return load_yaml(path) or {}


def _alternatives(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


VOCABULARY = load_vocabulary()
# Mechanisms in users' words, one category each. A written contract is only the vehicle: a
# deposit and a late fee "in the contract" are a holdback and a penalty, and the contract
# counts only when nothing else is named.
_MENTIONS = tuple(
    # (?<!\w) rather than \b, so that a mention may start with a sign: "£25k now".
    (kind, re.compile(rf"(?<!\w)(?:{_alternatives(patterns)})\b", re.I))
    for kind, patterns in VOCABULARY["mechanisms"].items()
)
# A deposit or a sum held that is one part of a payment schedule ("30% deposit, 30% at
# sign-off, 40% on delivery") is a staged payment, not a holdback of its own.
_SCHEDULE_PART = re.compile(r"(?:\d ?%|\d[\d,.]*k?|half|a third)\s+$", re.I)

# Words right before a mention that deny it ("no warranty", "without an inspection").
_DENIED = re.compile(
    r"\b(?:no|not|without|never|nor|zero|instead of|rather than)\s+(?:\S+\s+){0,2}$", re.I
)
# Refusals that take the mechanism as their object, anywhere in its clause before it.
_REFUSED_BEFORE = re.compile(
    r"\b(?:won'?t|will not|wouldn'?t|would not|not going to|no need|(?:don'?t|dont|do not|doesn'?t|"
    r"didn'?t) (?:need|want|bother|ask|insist|push|get|have|do|use|sign)|(?:don'?t|dont) see why|not (?:bother|ask|insist|push)\w*|"
    r"never (?:ask|bother|insist)\w*|skip\w*|waiv\w*|drop(?:s|ped|ping)?(?! ?-?off)|refus\w*|decided against|forgo\w*|"
    r"forget (?:about )?|no point (?:in|getting|having|asking)|offend\w*|insult\w*|too (?:pushy|rude|awkward|expensive|formal)|"
    r"can'?t (?:ask|face)|haven'?t (?:asked|bothered)|not (?:paying|spending|shelling out|forking out)|"
    r"(?:isn'?t|not) worth|(?:didn'?t|don'?t|do not) see the point)\b",
    re.I,
)
# "I won't sign without an inspection" and "I insist on a survey" keep the mechanism.
_INSIST_WITHOUT = re.compile(
    r"\b(?:won'?t|will not|wouldn'?t|not|never|no)\b[^,.;]{0,40}\b(?:without|until|unless|"
    r"before)\s+(?:\S+\s+){0,2}$",
    re.I,
)
_INSIST = re.compile(r"\b(?:insist\w*|must|require\w*|demand\w*|only)\b", re.I)
_NEGATION = re.compile(r"\b(?:not|no|never)\b|n'?t\b", re.I)
# Said after a mention, before the next one: "an inspection would insult him", "overkill".
_REFUSED_AFTER = re.compile(
    # In its own sentence or the next one: "could ask them to insure him. feels cheeky? no."
    # A long sentence can weigh it first: "would be ideal, but Dana says it'd spook the crew, so drop it".
    r"^(?:[^.;?!]{0,60}[.?!]\s+)?[^.;]{0,90}?\b(?:overkill|leave it|forget it|drop it|skip it|scrap it|not doing (?:that|it)|insulting|not bothering|cheeky|unnecessary|not (?:needed|necessary|worth it)|(?:isn'?t|is not|"
    r"wasn'?t|aren'?t) (?:needed|necessary|worth)|pointless|a waste|excessive|over the top|"
    r"out of the question|would (?:offend|insult|upset|annoy|hurt)|(?:would|'d) think (?:i'?m|im|we'?re|i was|i am)|behind (?:his|her|their) back|(?:feels?|felt|seems?|seemed|is|"
    r"was|'s|would be) (?:a bit |too |very |rather )?(?:rude|pushy|insulting|awkward|much|formal)|(?:don'?t|won'?t|didn'?t) (?:want|need|bother|"
    r"ask|push|insist)|decided against|let it go|not going to|not (?:asking|pushing|insisting)|said no|turned (?:it |them )?down|declined|passed on it)\b|"
    r"^\W*\?\s*(?:no|nah)\b",
    re.I,
)
# A safeguard refused without being named: "I'm not asking him for that, he'd be so hurt",
# "it feels like I'd be insulting Priya... so no".
_BARE_REFUSAL = re.compile(
    r"\b(?:not|never|won'?t|wont|wouldn'?t|can'?t|cant|don'?t|dont)\s+(?:going to |gonna )?"
    r"(?:ask|asking|push|pushing|insist|insisting|bring (?:it|that) up|raise (?:it|that))\b|"
    r"\bso no\b|\bsaid no\b|\binsult\w*|\boffend\w*|"
    r"\b(?:he|she|they)(?:'?d| would) be (?:so |really |very |a bit )?(?:hurt|offended|insulted|upset)\b",
    re.I,
)
# "He must have insurance, all builders do, I haven't asked to see it": assumed, never seen;
# no cover, even after words that would otherwise insist on it ("must").
_UNSEEN_AFTER = re.compile(
    r"^[^.;]{0,60}?\b(?:haven'?t|have not|hasn'?t|has not|never|not yet|didn'?t|did not) "
    r"(?:yet )?(?:asked|checked|seen|looked|ask|check|see|look)\w*\b",
    re.I,
)
_CLAUSE_START = re.compile(r".*(?:[,.;!?]\s|\bbut\s|\bbecause\s|\bthough\s)", re.I | re.S)
_CLAUSE_END = re.compile(r"[,.;!?]\s|\bbut\s|\bbecause\s", re.I)
# What is lost is the stake, not a safeguard: "I'd lose the deposit".
_STAKE = re.compile(
    r"\b(?:lose|loses|lost|losing|forfeit\w*|sacrific\w*)\s+(?:[\w'-]+\s+){0,2}$"
    # "I'll just pay the deposit": the money handed over is the exposure, not a holdback.
    r"|\bjust (?:pay|paying|hand(?:ing)? over|send|sending|transfer\w*)\s+(?:[\w'-]+\s+){0,2}$",
    re.I,
)
# A mechanism only weighed ("I could ask for a penalty?", "maybe an inspection"), when the
# answer then settles on trust ("I'll just trust him on it", "nah he'll do it"), is not held.
_WEIGHED = re.compile(
    r"\b(?:could|might|maybe|perhaps|i guess|i suppose|something like|thought about|"
    r"wondered about|was going to)\b",
    re.I,
)
_SETTLES_ON_TRUST = re.compile(
    r"\b(?:(?:i'?ll|we'?ll|i will|we will|i'?d rather|we'?d rather) (?:just )?trust|just trust|"
    r"nah|(?:he|she|they)'?ll (?:do|sort|honou?r|keep) (?:it|that|to it|their word|his word|her word)|"
    r"take (?:his|her|their) word)\b",
    re.I,
)

_ARRANGED = re.compile(rf"\b(?:{_alternatives(VOCABULARY['arranged'])})\b", re.I)
_ACCEPT = re.compile(rf"\b(?:{_alternatives(VOCABULARY['accept'])})\b", re.I)
# Said outright, trust carries part of the risk even beside a mechanism kept.
_TRUSTING = re.compile(rf"\b(?:{_alternatives(VOCABULARY['trusting'])})\b", re.I)
# Answers that name trust itself (or nothing) as what covers a risk.
_TRUST_WORDS = re.compile(
    r"\b(?:trust\w*|(?:his|her|their|my) word|promis\w*|good faith|handshake|honest\w*|"
    r"good (?:people|guy|bloke|sort|rep|reputation)|reputation|verbal\w*|(?:his|her|their) word for it|"
    r"decent|reliable|rely on|count(?:ing)? on|hope|hoping|"
    r"fingers crossed|none|nothing|no mechanism|n/?a|not yet|haven'?t (?:thought|discussed))\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One mechanism named in an answer, where it is, and whether the answer keeps it."""

    kind: str
    start: int
    end: int
    kept: bool = True
    denied: bool = False  # "no inspection": said absent rather than refused in words


@dataclass(frozen=True, slots=True)
class MechanismReading:
    """What carries a risk: the main category, the others kept, and what was refused."""

    kind: str
    also: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    leans_on_trust: bool = False


def read_mechanisms(text: str, reading: TrustReading) -> MechanismReading:
    """The mechanism category an answer keeps; trust only when it keeps none or refuses one on trust."""
    mentions = _scheduled(_judged(text), text)
    kept = _ranked(m.kind for m in mentions if m.kept and m.kind != CONTRACT)
    # "ICC arbitration, not their local courts": a forum chosen over another is still kept.
    refused = _unique(
        OTHER if m.kind in (CONTRACT, COVENANT) else m.kind
        for m in mentions
        if not m.kept and m.kind not in kept
    )
    written = any(m.kept and m.kind == CONTRACT for m in mentions)
    # Words inside a mention are the mechanism's, not the user's: "a declaration of trust".
    own_words = _masked(text, mentions)
    trusting = reading.relies_on_trust or bool(_TRUST_WORDS.search(own_words))
    says_trusting = bool(_TRUSTING.search(own_words))
    if refused and not kept and _ACCEPT.search(own_words) and not _TRUST_WORDS.search(own_words):
        # "Not paying £150 for an inspection on a £1,800 car, I'll live with it": refused on
        # cost and accepted on purpose, which is no cover either but is not trust.
        return MechanismReading(ACCEPTED, (), refused, False)
    if refused and (trusting or not kept):
        return MechanismReading(TRUST_ONLY, kept, refused, True)
    if kept:
        return MechanismReading(kept[0], kept[1:], refused, says_trusting)
    kind = _without_mechanism(own_words, reading, written)
    return MechanismReading(kind, (), refused, says_trusting or kind == TRUST_ONLY)


def refuses_outright(text: str) -> bool:
    """True when the answer turns a safeguard down without naming it ("so no")."""
    return bool(_BARE_REFUSAL.search(text))


def _without_mechanism(text: str, reading: TrustReading, written: bool) -> str:
    """An answer naming no mechanism: a written term, a risk accepted on purpose, or trust.

    "I'm not worried, he's my cousin; I'd absorb it" accepts on trust: trust only.
    """
    if written and not reading.relies_on_trust:
        return OTHER
    if _ACCEPT.search(text) and not reading.relies_on_trust:
        return ACCEPTED
    if refuses_outright(text):
        return TRUST_ONLY
    if _ARRANGED.search(text) and not (reading.relies_on_trust or _TRUST_WORDS.search(text)):
        # Users name arrangements no list foresees ("any change goes through a joint
        # committee"); an answer that sets terms without leaning on trust is not trust only.
        return OTHER
    return TRUST_ONLY


def _scheduled(found: list[Mention], text: str) -> list[Mention]:
    """A deposit or a sum held that is one instalment of a payment schedule reads as staged."""
    if not any(m.kind == STAGED for m in found):
        return found
    return [
        Mention(STAGED, m.start, m.end, m.kept)
        if m.kind == ESCROW and _SCHEDULE_PART.search(text[max(0, m.start - 12) : m.start])
        else m
        for m in found
    ]


def _masked(text: str, found: list[Mention]) -> str:
    """The answer with its mechanism mentions blanked out, for reading the user's own words."""
    chars = list(text)
    for m in found:
        chars[m.start : m.end] = " " * (m.end - m.start)
    return "".join(chars)


def mentions(text: str) -> list[Mention]:
    """Every mechanism named, in text order, overlaps resolved to the longer mention."""
    found = sorted(
        (Mention(kind, m.start(), m.end()) for kind, p in _MENTIONS for m in p.finditer(text)),
        key=lambda m: (m.start, -(m.end - m.start)),
    )
    chosen: list[Mention] = []
    for mention in found:
        if not chosen or mention.start >= chosen[-1].end:
            chosen.append(mention)
    return chosen


def _judged(text: str) -> list[Mention]:
    """Each mention marked kept or refused, by its own stretch of text; stakes are dropped."""
    found = mentions(text)
    judged = []
    settles_on_trust = bool(_SETTLES_ON_TRUST.search(text))
    for i, mention in enumerate(found):
        start = found[i - 1].end if i else 0
        before = text[start : mention.start]
        if _STAKE.search(before):
            continue
        if settles_on_trust and _WEIGHED.search(_CLAUSE_START.sub("", before)):
            judged.append(Mention(mention.kind, mention.start, mention.end, False))
            continue
        after = _own_stretch(
            text[mention.end :], found[i + 1].start - mention.end if i + 1 < len(found) else None
        )
        kept = not _refused(before, after)
        denied = not kept and _merely_denied(before, after)
        judged.append(Mention(mention.kind, mention.start, mention.end, kept, denied))
    return _weighed_then_refused(_alternatives_refused(judged, text), text)


# Only a choice between two safeguards between them: "all 3 years up front or into a separate
# account but thats insulting" refuses both.
_OR_BETWEEN = re.compile(r"^[^.;,]{0,20}\bor\b[^.;,]{0,20}$", re.I)


def _alternatives_refused(judged: list[Mention], text: str) -> list[Mention]:
    """A mention offered as the alternative to a refused one ("X or Y, but that's insulting")
    is refused with it."""
    result = list(judged)
    for i in range(len(result) - 1, 0, -1):
        later, earlier = result[i], result[i - 1]
        refused = not later.kept and not later.denied
        if refused and earlier.kept and _OR_BETWEEN.match(text[earlier.end : later.start]):
            result[i - 1] = Mention(earlier.kind, earlier.start, earlier.end, False)
    return result


def refused_at(text: str, start: int, end: int) -> bool:
    """Whether the words around ``text[start:end]`` deny or refuse the safeguard named there
    ("no need for a survey", "an inspection would insult him")."""
    return _refused(text[max(0, start - 80) : start], _own_stretch(text[end:], None))


def _merely_denied(before: str, after: str) -> bool:
    """Said to be absent ("no penalty", "without a fee") rather than refused on trust."""
    clause = _CLAUSE_START.sub("", before)
    return bool(_DENIED.search(clause)) and not (
        _REFUSED_BEFORE.search(clause) or _REFUSED_AFTER.search(after)
    )


def _weighed_then_refused(judged: list[Mention], text: str) -> list[Mention]:
    """ "Was gonna check the frame number... so im not checking": a mechanism first weighed and
    then refused is refused, even where the weighing mention looked kept."""
    refused = {m.kind for m in judged if not m.kept and not m.denied}
    return [
        Mention(m.kind, m.start, m.end, False)
        if m.kept and m.kind in refused and _PLANNED.search(text[max(0, m.start - 40) : m.start])
        else m
        for m in judged
    ]


# Words that only weigh a mechanism: "was going to", "originally", "discussed asking for".
_PLANNED = re.compile(
    r"\b(?:was|were) (?:gonna|going to)|\boriginally\b|\bdiscussed\b|\bthought about\b|"
    r"\bconsidered\b|\bwondered about\b",
    re.I,
)


def _own_stretch(after: str, next_mention: int | None) -> str:
    """The words after a mention that can still be about it: up to the next mention's clause."""
    if next_mention is None:
        return after
    ends = [m.start() for m in _CLAUSE_END.finditer(after[:next_mention])]
    return after[: ends[-1]] if ends else after[:next_mention]


def _refused(before: str, after: str) -> bool:
    """Whether the words around a mention deny or refuse it."""
    clause = _CLAUSE_START.sub("", before)
    if _UNSEEN_AFTER.search(after):
        return True
    if _INSIST_WITHOUT.search(clause) or (_INSIST.search(clause) and not _NEGATION.search(clause)):
        return False
    return bool(
        _DENIED.search(clause) or _REFUSED_BEFORE.search(clause) or _REFUSED_AFTER.search(after)
    )


def _ranked(kinds: Iterable[str]) -> tuple[str, ...]:
    """Kept kinds in text order, a covenant ("no-strike clause") after every other kind.

    A covenant is a promise written in; what carries the risk is how it is enforced, so an
    arbitration clause beside it is the main mechanism and the covenant an "also".
    """
    ordered = _unique(kinds)
    main = [k for k in ordered if k != COVENANT]
    return _unique([*main, *(OTHER for k in ordered if k == COVENANT)])


def _unique(kinds: object) -> tuple[str, ...]:
    """Kinds in first-seen order, each once."""
    return tuple(dict.fromkeys(kinds))  # type: ignore[arg-type]
