"""Who bears a risk, from what the answer says lands on whom, not from its first pronoun.

"They lose nothing, it all lands on me" names them first and puts the risk on the user. Each
clause is read for a bearing verb and its subject ("the supplier eats the cost"), a landing
phrase and its object ("it all falls on us", "costs me 900"), or a possession ("their
problem"); a denial ("I lose nothing") counts for the other side. Only an answer that says none
of this falls back to the first party it names ("the landlord", "me, entirely").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.prep.categories import OTHERS, SHARED, THEM, UNASSIGNED, YOU
from bot.prep.mechanisms import VOCABULARY

_DET = r"(?:(?:my|our|the|their|his|her|a|an|its)\s+(?:own\s+)?)?"
_YOU_WORDS = (
    r"(?:my|our) (?:company|business|firm|startup|shop|side|end|own pocket|club|charity|ngo|team)|"
    r"i|me|my|mine|myself|we|us|our|ours|ourselves|yours truly|all of us|"
    # Users answer in their own language too: "nous, l'ONG", "moi", "wir".
    r"moi|nous|wir|uns|nosotros|noi"
)
_PRONOUNS = r"they|them|their|theirs|themselves|he|him|his|himself|she|her|hers|herself"
_THEM_WORDS = ("other side", "other party", "counterpart", "seller", "vendor", "landlord")
# Third parties every kind shares, from prompts/prep/ledger.yaml (a deal's own come from its kind).
_OTHER_WORDS = tuple(VOCABULARY["third_parties"])

# Both sides bear it. Bare "both" and "split it" say nothing of a loss ("both parents' scores",
# "splitting it: £25k now"), and "civilians on both sides" are a third party.
_SHARED_CUE = re.compile(
    r"\b(?:both of us|us both|(?:we|us)(?:'d|'ll|'re| would| will| are| could| might)? both|"
    r"(?<!on )(?<!of )(?<!for )(?<!to )(?<!from )both (?:sides|parties)|the two of us|each of us|either of us|"
    r"between us|(?:is|'s|be|are) shared|shared (?:risk|loss|cost|equally|between)|"
    r"share (?:it|that|the (?:risk|cost|loss|pain)e?s?)|split(?:ting)? the (?:cost|loss|difference|"
    r"risk|bill|damage|pain)|50/50|fifty-fifty|half each|jointly|equally|"
    r"both (?:lose|suffer|pay|carry|get|end up|be|bear|take)|^\W*(?:honestly |probably |really )?both\b)",
    re.I,
)
# Verbs whose subject bears the loss.
_BEARS = re.compile(
    r"\b(?:bears?|bore|carr(?:y|ies)|lose|loses|lost|losing|(?:pays?|paid|paying)(?!\s+(?:it |that |me |us |them |him |her )?back\b)(?=\s+(?:for|the "
    r"(?:cost|bill|price)|if|when|dearly|twice|again|out|nothing|up|it|that|extra|more|too much|"
    r"through the nose)\b|\s*$)|eats?|foots?|"
    r"absorbs?|suffers?|swallows?|shoulders?|live with (?:it|that)|accept (?:it|that|the risk)|covers? the (?:cost|bill|loss)|takes? the "
    r"(?:hit|loss|risk|cost)|picks? up the (?:tab|bill|cost)|(?:am|is|are|be|'m|'re|get|gets|got)"
    r"\s+(?:stuck|hit|left (?:with|holding)|out of pocket|on the hook|liable|responsible|burn[te]d?|hurt|"
    r"screwed|exposed|the (?:one|loser)s?)|end(?:s)? up (?:paying|with|losing)|(?:have|has|had) to "
    r"(?:pay|fix|replace|cover|absorb|redo|find|eat)|(?:am|is|are|be|'m|'re) without|"
    r"(?:am|is|are|be|'m|'re) (?:cold|broke|homeless)|"
    r"out (?:of )?(?:pocket|the money|my money|our money|(?:£|\$|€)\d\S*)|"
    r"never see (?:it|that|the money|a penny|my money|our money|them)(?: \w+)? again|lose out)(?!\w)",
    re.I,
)
# The subject bears nothing: "I lose nothing", "they're covered", "he's off the hook".
_SPARED = re.compile(
    r"\b(?:(?:am|is|are|be|'m|'re|'s) (?:fine|safe|off the hook|in the clear|untouched|unaffected)|(?:has|have|'ve) nothing to lose|walks? away (?:clean|fine))\b",
    re.I,
)
_ADJACENT = re.compile(r"\s*(?:(?:would|will|should|could|'d|'ll)\s*)?", re.I)
_NOTHING_AFTER = re.compile(r"^\s*(?:nothing|not a (?:penny|cent|thing)|no money|zero)\b", re.I)
_NEGATED_BETWEEN = re.compile(
    r"\b(?:not|never|no longer|hardly|stops?|stopped|fails? to|failed to|refuses? to)\b|n'?t\b",
    re.I,
)
# Phrases whose object bears it: "lands on me", "costs us", "hits the landlord".
_LANDS = re.compile(
    r"\b(?:(?:lands?|landed|falls?|fell|sits?|rests?|is|'s|stays?|be|comes? (?:back )?)\s+"
    r"(?:all |entirely |squarely |fully |mostly |firmly |100% )?on|cost(?:s|ing)?|hits?|hurts?|"
    r"ruins?|burns?|bankrupts?|comes? after|go(?:es)? after|chases?|at the expense of|(?:risk|loss|cost|problem) (?:is|lies) with|"
    r"is (?:all )?(?:for|with)|(?:that|it|this)(?:'s| is| would be| will be)(?: all)?)\s*$",
    re.I,
)
_NO_RISK_TO = re.compile(r"\bno (?:risk|cost|loss|downside|exposure|skin) (?:to|for|in)\s*$", re.I)
_LOSS_NOUN = re.compile(
    r"^(?:'s)?\s+(?:own\s+)?(?:problem|risk|loss|cost|headache|liability|exposure|expense|"
    r"pocket|wallet|responsibility|lookout|hit|money|cash|savings|deposit|capital|stake|"
    r"investment|(?:£|\$|€)\s?\d\S*|\d[\d,.]*k\b)",
    re.I,
)
_POSSESSIVES = {"my", "our", "their", "his", "her"}
_OWNED = re.compile(r"\b(?:is|'s|are|'re) (?:all |entirely )?$", re.I)
_CLAUSES = re.compile(r"[.;!?\n]|,\s|\s[-–—]\s|\b(?:but|while|whereas|although|though)\b", re.I)


@dataclass(frozen=True, slots=True)
class Party:
    """A party named in a clause, and where."""

    kind: str
    start: int
    end: int
    pronoun: bool = False


@dataclass(frozen=True, slots=True)
class Parties:
    """How the parties of one negotiation are named: the counterpart and the third parties."""

    them: re.Pattern[str]
    others: re.Pattern[str]

    @classmethod
    def of(
        cls, counterpart: str = "", them: Iterable[str] = (), others: Iterable[str] = ()
    ) -> Parties:
        """The parties for a counterpart ("Ms. Okafor", "the landlord") and a deal's role words."""
        names = [w for w in re.findall(r"[\w'-]+", counterpart) if len(w) > 2]
        names = [w for w in names if w.lower() not in {"the", "my", "our", "mrs", "mr", "ms", "dr"}]
        own = {w.lower() for w in (*names, *them, *_THEM_WORDS)}
        rest = {w.lower() for w in (*others, *_OTHER_WORDS)} - own
        return cls(_words(own), _words(rest))

    def named(self, clause: str, last: str = THEM) -> list[Party]:
        """The parties a clause names, in order; a longer name wins where two overlap.

        ``last`` is the party an earlier clause named last, for a pronoun that opens this one
        ("our patients' data, so they're the ones hurt").
        """
        found = [
            Party(kind, m.start(), m.end(), kind == "pronoun")
            for kind, pattern in (
                (OTHERS, self.others), (THEM, self.them), (YOU, _YOU), ("pronoun", _PRONOUN),
            )
            for m in pattern.finditer(clause)
        ]  # fmt: skip
        # "My startup" is the user's own side even where a deal names startups as counterparts.
        found.sort(key=lambda p: (p.start, -(p.end - p.start), p.kind != YOU))
        chosen: list[Party] = []
        for party in found:
            if not chosen or party.start >= chosen[-1].end:
                chosen.append(party)
        return _resolved(chosen, last)


def _words(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(w) for w in words if w), key=len, reverse=True))
    return re.compile(rf"\b{_DET}(?:{alternatives or '(?!)'})\b", re.I)


_YOU = re.compile(rf"\b(?:{_YOU_WORDS})\b", re.I)
_PRONOUN = re.compile(rf"\b(?:{_PRONOUNS})\b", re.I)


def _resolved(parties: list[Party], last: str = THEM) -> list[Party]:
    """A pronoun names the third party just named (in its clause or before), else the counterpart."""
    resolved = []
    for party in parties:
        if party.pronoun:
            party = Party(last if last == OTHERS else THEM, party.start, party.end, True)
        elif party.kind in (THEM, OTHERS):
            last = party.kind
        resolved.append(party)
    return resolved


# An answer to "who would carry that?" often opens with the party itself: "me, obviously",
# "us, it's our budget", "honestly both of us - ...". That opening is the answer.
_OPENING = re.compile(
    r"^\W*(?:(?:honestly|obviously|tbh|probably|mostly|mainly|definitely|well|um+|hmm+|"
    r"i'?d say|i think|that'?s|that would be|it'?s|it would be|it'?d be|easy|simple)[,:]?\s+)*"
    r"(?P<party>[\w' ]{1,30}?)\s*(?:,?\s*(?:obviously|really|mostly|mainly|entirely|definitely|"
    r"100%|tbh|honestly|i think|i guess|for sure|of course|again|basically|100 percent))*"
    r"\s*(?:[,.;:!?(]|\s[-–—]\s|\s(?:if|because|since|as|who|and|so)\s|$)",
    re.I,
)
# A cleft names the bearer: "it's me who eats it", "it'd be me and her dad who lose out".
_CLEFT = re.compile(
    r"\b(?:it'?s|it is|it'?d be|it would be|that'?s|that would be|it will be|it'll be)\s+"
    r"(?P<party>[\w' ]{1,40}?)\s+(?:who|that)(?:'d|'ll|'s|\s)",
    re.I,
)
# "...would be the ones explaining it to the board, so us really": a closing answer.
_SO_PARTY = re.compile(
    r"(?:^|[,.;]\s*)so (?:it'?s |it is |that'?s )?(?P<party>me|us|them|him|her|both of us)(?:\s+(?:really|then|obviously|i guess))?\s*(?:[.,;!]|$)",
    re.I,
)
# "him? nah, me", "me? no... it's luis who's out the money": a first guess taken back.
_CORRECTED = re.compile(
    r"^\W*[\w' ]{1,30}\?\s*(?:no+|nah+|nope|not really|actually|wait)\b[\s,.…!-]*(?P<rest>.+)$",
    re.I | re.S,
)
_BARE_NOUN = re.compile(r"^(?:the|my|our|their|his|her)\s+[a-z-]+$", re.I)


def bearer(text: str, parties: Parties) -> str:
    """Who bears the risk an answer describes: you, them, shared, others, or unassigned."""
    if not text.strip():
        return UNASSIGNED
    if (corrected := _CORRECTED.match(text)) and corrected.group("rest").strip():
        return bearer(corrected.group("rest"), parties)  # "him? nah, me": the correction
    if said := _said_outright(text, parties):
        return said
    if _SHARED_CUE.search(text):
        return SHARED
    votes: Counter[str] = Counter()
    last = THEM
    for clause in _CLAUSES.split(text):
        named = parties.named(clause or "", last)
        votes.update(_clause_votes(clause or "", named))
        last = next(
            (p.kind for p in reversed(named) if p.kind in (THEM, OTHERS) and not p.pronoun), last
        )
    if votes:
        return _decide(votes)
    first = parties.named(text)
    return first[0].kind if first else UNASSIGNED


def _said_outright(text: str, parties: Parties) -> str:
    """The bearer an answer names before anything else, or in a cleft; "" when it does not."""
    # A closing "so it's me" settles an answer that opened on someone else.
    for pattern in (_SO_PARTY, _OPENING, _CLEFT):
        match = pattern.match(text) if pattern is _OPENING else pattern.search(text)
        if not match:
            continue
        phrase = match.group("party").strip()
        kind = _phrase_party(phrase, parties, cleft=pattern is _CLEFT)
        if kind:
            return kind
    return ""


def _phrase_party(phrase: str, parties: Parties, *, cleft: bool) -> str:
    """The party a short phrase is, when it is only a party: "me", "both of us", "the horse"."""
    if re.fullmatch(
        r"(?:both(?: of us| sides)?|the two of us|each of us|either of us|"
        r"us both|we both|shared|split|50/50)",
        phrase,
        re.I,
    ):
        return SHARED
    named = parties.named(phrase)
    if not named:
        # "It's the horse who'd suffer": a thing or person the deal does not name as the
        # counterpart (its role words are known) is a third party.
        return OTHERS if cleft and _BARE_NOUN.match(phrase) else ""
    rest = phrase
    for party in reversed(named):
        rest = rest[: party.start] + rest[party.end :]
    if not re.fullmatch(r"[\s,]*(?:(?:and|&|plus)\s+(?:\w+\s*)?)?[\s,]*", rest, re.I):
        return ""  # more than a party: "my £15k is gone" is a sentence, not an answer
    kinds = {p.kind for p in named}
    if YOU in kinds:
        return YOU  # "me and my kids", "me and her dad": the user's side bears it
    return named[0].kind


def _decide(votes: Counter[str]) -> str:
    """The party most said to bear it; you and them equally often means shared."""
    if votes[YOU] and votes[YOU] == votes[THEM]:
        return SHARED
    return votes.most_common(1)[0][0]


def _clause_votes(clause: str, named: list[Party]) -> list[str]:
    """Who this clause says bears it (possibly several, possibly nobody)."""
    votes = [v for p in named if (v := _possession(clause, p))]
    for match in _BEARS.finditer(clause):
        votes += _subject_vote(clause, named, match.start(), match.end())
    for match in _SPARED.finditer(clause):
        subject = _subject(named, match.start(), clause)
        # Only a party right before it is spared: "he's fine", not "if I lose it that's fine".
        if subject and _ADJACENT.fullmatch(clause[subject.end : match.start()]):
            votes.append(_other_side(subject.kind))
    for party in named:
        votes += _object_vote(clause, party)
    return [v for v in votes if v]


def _subject(named: list[Party], before: int, clause: str = "") -> Party | None:
    """The party nearest before a verb: its subject, as far as a clause tells.

    A party after a preposition modifies the subject ("the buyer of my company"), so the
    party before it is the subject.
    """
    earlier = [p for p in named if p.end <= before]
    heads = [p for p in earlier if not _PREPOSITION.search(clause[: p.start])]
    chosen = heads or earlier
    return chosen[-1] if chosen else None


_PREPOSITION = re.compile(r"\b(?:of|for|with|to|from|at|by|about|like)\s+$", re.I)


_UNKNOWN_SUBJECT = re.compile(
    r"^\s*(?:the|their|his|her)\s+[a-z-]+(?:'s)?\s+(?:\w+\s+){0,2}$", re.I
)
_TIMING = re.compile(r"\b(?:before|after|until|without|when|on|by)\s+$", re.I)


def _subject_vote(clause: str, named: list[Party], start: int, end: int) -> list[str]:
    if _TIMING.search(clause[:start]):
        return []  # "before paying" times a step; it says nothing of who loses
    subject = _subject(named, start, clause)
    if subject is None:
        # "The artist carries it": a person the lexicon does not know is most likely them.
        return [THEM] if _UNKNOWN_SUBJECT.search(clause[:start]) else []
    denied = _NEGATED_BETWEEN.search(clause[subject.end : start]) or _NOTHING_AFTER.match(
        clause[end:]
    )
    return [_other_side(subject.kind) if denied else subject.kind]


def _object_vote(clause: str, party: Party) -> list[str]:
    """ "It all lands on me", "costs them", "no risk to us", "the risk is mine"."""
    before = clause[: party.start]
    if _NO_RISK_TO.search(before):
        return [_other_side(party.kind)]
    if lands := _LANDS.search(before):
        # "It's my £15k" opens its own clause: a "doesn't" before it negates another verb.
        opens_clause = re.match(r"(?:that|it|this)\b", lands.group(0), re.I)
        negated = _NEGATED_BETWEEN.search(lands.group(0) if opens_clause else before[-25:])
        return [_other_side(party.kind) if negated else party.kind]
    word = clause[party.start : party.end].lower()
    if word in {"mine", "ours", "theirs", "his", "hers"} and _OWNED.search(before):
        return [party.kind]
    return []


def _possession(clause: str, party: Party) -> str:
    """ "My problem", "the landlord's risk", "not their loss"."""
    if not _LOSS_NOUN.match(clause[party.end :]):
        return ""
    word = clause[party.start : party.end].lower()
    # Only a possessive owns the loss: "the landlord's problem", not "the venue cost".
    if word not in _POSSESSIVES and not clause[party.end :].startswith("'s"):
        return ""
    negated = re.search(r"\bnot\s+$", clause[: party.start], re.I)
    return _other_side(party.kind) if negated else party.kind


def _other_side(kind: str) -> str:
    """Whom a denial points to: spared you means them, spared them means you."""
    return {YOU: THEM, THEM: YOU}.get(kind, "")
