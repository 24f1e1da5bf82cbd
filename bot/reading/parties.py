"""Who the counterpart is, who else is involved, and what is being traded, from the user's words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.datafiles import load_yaml
from bot.reading.catalogue import DealKind

_DETERMINER = r"(the|my|our|their|this|that|these|those|his|her|a|an|some|your)"
_MODIFIER = (
    r"(?:\d[\w']*\s+)?(?:(?:new|old|current|potential|prospective|long-?time|main|future|local|"
    r"big|other|usual|previous|former|regular|private|online|lovely|nice|dodgy|same|second-?hand|"
    r"used)\s+)?"
)
# How a determiner reads once a question addresses the user ("my landlord" -> "your landlord").
_SECOND_PERSON = {"my": "your", "our": "your", "your": "your"}
_NAME = re.compile(r"(?<![\w'])([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)(?![\w])")
# Up to two plain words between determiner and role ("the kitchen fitter", "the phone repair guy").
_FREE = (
    r"(?:(?!(?:the|my|our|a|an|this|that|his|her|their|and|or|to|of|for|with|from|is|was|are|"
    r"i|he|she|they|we|it|so|but|in|at|on|by|"
    # Not a describing word: "found tenants", "a first angel round", "a 4 piece covers band".
    r"found|got|hired|met|booked|first|second|third|last|next|piece)\b)[a-z][\w-]*\s+){0,2}"
)
_NAME_AFTER = re.compile(
    r"^\s*(?:says?|said|is|was|has|had|wants?|promised|swore|told|seems|gave|will|would|'s|"
    r"can|agreed|offered|asked|insists?|keeps|sent|runs|owns|quoted|reckons|assured|"
    r"vouched|claims?|and i|and me|,\s*(?:the|my|our|a|because|who|he|she|they|says?|said|"
    r"wants?|promised|offered|told|reckons)\b)",
)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")
_SPEECH_AFTER = re.compile(
    r"^\s*(?:says?|said|told|promised|swore|wants?|agreed|offered|asked|insists?|reckons|assured|"
    r"vouched|claims?|and i|and me|(?:is|was|'s) (?:selling|renting|lending|offering|asking|"
    r"charging|buying|letting|hiring|paying|quoting))\b"
)
# "buying a golf off Marek", "a sofa from Priya": after a deal's verb, "from" names a person.
_FROM_PERSON = re.compile(
    r"\b(?:buy\w*|bought|rent\w*|borrow\w*|lend\w*|hir\w*|order\w*|get|getting|got|"
    r"purchas\w*)\b[^.?!]{0,40}\b(?:from|off)\s+$",
    re.I,
)
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|to|near|outside|across|into)\s+$", re.I)
_NAME_BEFORE = re.compile(
    r"(?:\bwith|\btold|\btell|\basked|\bpaid|\bpay|\btrust|\btrusts|\bhired|\bbuying|"
    r"\bbuy|\brenting|\bcalled|\bnamed|\bguy|\bseller|\bbuyer|\blandlord|\bclient|"
    r"\bme and|\band|\binto|\bfor|\bflatmate|\bfriend|\bmate|\bcousin|\bbrother|\bsister|"
    r"\bpartner|\bcofounder|\bco-founder|\bneighbour|\bcolleague|\bdost|\bbhai)\s+$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A noun phrase of the message: where it starts, as written, and as questions say it."""

    start: int
    written: str
    spoken: str
    head: str
    determiner: str = ""


# A model number starts with a letter and carries a digit ("a7iii", "ps5", "r6"); "7yo", "2nd"
# and "3080" do not.
_MODEL_NUMBER = re.compile(r"[a-z]+-?\d[a-z0-9]{0,6}", re.I)  # "MT-07" too


@dataclass(frozen=True, slots=True)
class PartyLexicon:
    """Shared party words from ``prompts/reading/parties.yaml``."""

    third_parties: frozenset[str]
    people: frozenset[str]
    not_names: frozenset[str]
    places: frozenset[str] = frozenset()
    trades: frozenset[str] = frozenset()
    seats: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    brands: dict[str, str] = field(default_factory=dict)

    def display(self, phrase: str) -> str:
        """A phrase as a question writes it: brand names and model numbers capitalised."""
        return " ".join(self._word(w) for w in phrase.split())

    def _word(self, word: str) -> str:
        if word.lower() in self.brands:
            return self.brands[word.lower()]
        return word.upper() if _MODEL_NUMBER.fullmatch(word) else word

    def holds(self, seat: str, text: str) -> bool:
        """True when the message puts the user in ``seat`` (buyer, seller, landlord…)."""
        return any(p.search(text) for p in self.seats.get(seat, ()))

    @classmethod
    def load(cls, path: Path) -> PartyLexicon:
        data = load_yaml(path)
        return cls(
            frozenset(w.lower() for w in data["third_parties"]),
            frozenset(w.lower() for w in data["people"]),
            frozenset(str(w) for w in data["not_names"]),
            frozenset(w.lower() for w in data.get("places", ())),
            frozenset(w.lower() for w in data.get("trades", ())),
            {
                seat: tuple(re.compile(p, re.I) for p in patterns)
                for seat, patterns in (data.get("seats") or {}).items()
            },
            {str(k).lower(): str(v) for k, v in (data.get("brands") or {}).items()},
        )


def role_mentions(text: str, words: set[str], *, loose: bool = True) -> list[Mention]:
    """Every "determiner (+modifier) role" phrase for the given role words, in text order.

    ``loose`` also takes up to two free words before the role ("the kitchen fitter") and a
    role with no determiner at a sentence's start ("buyer wants 2m"): right for people, too
    greedy for objects.
    """
    if not words:
        return []
    pattern = _role_pattern(frozenset(words), loose)
    found = []
    for m in pattern.finditer(text):
        determiner = (m.group(1) or "").lower()
        head = m.group(3).lower()
        words = _keep_acronyms(f"{m.group(2)}{m.group(3)}{m.group(4) or ''}")
        spoken = f"{_SECOND_PERSON.get(determiner, 'the')} {words}"
        if words.lower() in _DEPARTMENTS and not determiner:
            spoken = words  # "HR at my company" is HR, never "the HR"
        found.append(Mention(m.start(), m.group(0), spoken, head, determiner))
    return found


_DEPARTMENTS = frozenset(["hr", "it", "pr", "payroll", "legal", "procurement", "finance"])


@lru_cache(maxsize=256)
def _role_pattern(words: frozenset[str], loose: bool) -> re.Pattern[str]:
    """Compiled once per word set: there are more of them than ``re``'s own cache holds."""
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    lead = (
        rf"(?:\b{_DETERMINER}\s+{_MODIFIER}|(?:^|(?<=[.!?]\s)))"
        if loose
        else rf"\b{_DETERMINER}\s+{_MODIFIER}"
    )
    free = _FREE if loose else "()"
    # "brother-in-law" is not "brother"; "the buyers CEO" is not "the buyers".
    return re.compile(rf"{lead}({free})({alternatives})(s|es)?\b(?![- ]in[- ]law)", re.I)


def _keep_acronyms(phrase: str) -> str:
    """Lower case, except words the user wrote in capitals ("the CEO", "the HR team"), with the
    apostrophe chat leaves out put back ("best friends mum" -> "best friend's mum")."""
    words = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in phrase.split())
    return _POSSESSOR.sub(r"\1's \2", words)


# A word ending in a bare "s" before a person it owns: "owners daughter", "the buyers CEO".
_POSSESSOR = re.compile(
    r"\b(\w+[^s\W])s (mum|mom|dad|daughter|son|wife|husband|brother|sister|uncle|aunt|auntie|"
    r"cousin|friend|partner|boss|mate|girlfriend|boyfriend|nephew|niece|parents|family|ceo|CEO|"
    r"lawyer|solicitor|accountant|agent|manager|assistant|kid|kids)\b"
)


def name_mentions(text: str, lexicon: PartyLexicon) -> list[Mention]:
    """Capitalised first names used as people ("Marco says", "paid Dave")."""
    found = []
    for m in _NAME.finditer(text):
        name = m.group(1)
        if name in lexicon.not_names or name.lower() in lexicon.third_parties:
            continue
        before = text[: m.start()]
        if _FROM_PERSON.search(before):
            found.append(Mention(m.start(), name, name, name.lower()))
            continue
        if _PLACE_BEFORE.search(before):
            continue  # "in Amsterdam", "from Lisbon": a place, not a person
        if _SENTENCE_START.search(text[: m.start()]) and not _SPEECH_AFTER.match(text[m.end() :]):
            continue  # "Base is 78k": a capital at a sentence's start is a name only if it speaks
        if _NAME_AFTER.match(text[m.end() :]) or _NAME_BEFORE.search(text[: m.start()]):
            found.append(Mention(m.start(), name, name, name.lower()))
    return found


def _is_third_party(
    mention: Mention, text: str, kind: DealKind | None, lexicon: PartyLexicon
) -> bool:
    """A name right after a third-party word ("my uncle Bob") belongs to that third party."""
    counterpart_words = {w.lower() for w in kind.counterpart_words} if kind else set()
    if mention.head in counterpart_words:
        return False
    if _WANTS_TO_DEAL.match(text[mention.start + len(mention.written) :]):
        return False  # "my neighbour wants to rent my tesla": the neighbour is dealt with
    if kind and mention.determiner in ("my", "our") and mention.head not in lexicon.trades:
        return True  # "our CEO", "my accountant": the user's own side; "our distributor" is not
    if kind and mention.head in _ADVISERS:
        return True  # "a friend in HR looked at it": someone advising the user, not dealt with
    if mention.head in lexicon.third_parties or (
        kind and mention.head in _lower(kind.third_parties)
    ):
        return True
    # A name right after a word for someone of the kind's own third parties ("my lawyer Ana")
    # is that third party; after anyone else ("my old flatmate Jonas") it is the person dealt with.
    before = text[max(0, mention.start - 20) : mention.start].lower().split()
    own = _lower(kind.third_parties) if kind else lexicon.third_parties
    return bool(before) and before[-1].strip(",") in own - counterpart_words


_WANTS_TO_DEAL = re.compile(
    r"^\s+(?:wants|offered|asked|is asking|would like|is keen|has offered)\s+to\s+"
    r"(?:rent|buy|borrow|hire|lease|invest|lend|pay|take over|use|book)\b",
    re.I,
)


# People who advise the user; the counterpart only where the kind says so (a loan to a friend).
_ADVISERS = frozenset(
    [
        "friend",
        "mate",
        "mum",
        "mom",
        "dad",
        "wife",
        "husband",
        "girlfriend",
        "boyfriend",
        "fiancee",
        "fiancée",
        "partner",
    ]
)
_SELF_BEFORE = re.compile(r"\b(?:i'?m|im|i am|as|we'?re|we are)\s+(?:an?|the)?\s*$", re.I)
_SELF_AFTER = re.compile(r"^\s*(?:role|position|job|post|here|myself)\b", re.I)
_OPENING_SELF = re.compile(
    r"^\s+(?:here\b|at (?:an?|the|my|our)\s+(?:(?!says|said|wants|offered|asked|is|has)[\w'-]+\s*){1,5}[.,;!?])",
    re.I,
)
# "NHS band 7 role", "grade 5": a role word numbered without a determiner is a label, and so
# is every other mention of that word ("fixed at the band").
_NUMBERED = re.compile(r"^\s\d+[a-z]?\b")
# "says he's a genuine fan": what the counterpart already mentioned is, not another party.
_DESCRIBED = re.compile(
    r"\b(?:he|she|they)(?:'s|’s| is| was|'re| are| were)\s+$",
    re.I,
)
# "the club's exchange": whose exchange, not who the user deals with.
_POSSESSIVE_AFTER = re.compile(r"^'s\s+(?:exchange|platform|site|app|website|resale|shop|store)\b")


def _is_self(mention: Mention, text: str) -> bool:
    """The user describing themselves ("senior dev role", "I'm a subcontractor"), or a place."""
    before, after = text[max(0, mention.start - 12) : mention.start], _after(mention, text)
    # "union rep at a distribution centre. MD gave his word...": a role opening the message
    # with no determiner introduces the user.
    opening = not text[: mention.start].strip() and not mention.determiner
    return bool(
        _SELF_BEFORE.search(before)
        or _DESCRIBED.search(text[max(0, mention.start - 24) : mention.start])
        or _SELF_AFTER.match(after)
        or _POSSESSIVE_AFTER.match(after)
        or (opening and _OPENING_SELF.match(after))
    )


def _after(mention: Mention, text: str) -> str:
    return text[mention.start + len(mention.written) :]


def _lower(items: tuple[str, ...]) -> set[str]:
    return {i.lower() for i in items}


def find_parties(
    text: str, kind: DealKind | None, all_roles: set[str], lexicon: PartyLexicon
) -> tuple[Mention | None, tuple[str, ...]]:
    """The counterpart's first mention (or None) and the third parties, as written."""
    roles = (all_roles - lexicon.places) | lexicon.people | lexicon.third_parties
    if kind:
        roles |= _lower(kind.counterpart_words) | _lower(kind.third_parties)
    counterpart, third = _parties_among(text, roles, kind, lexicon)
    if counterpart is None:
        # Only when no role of any kind is there: "the same jeweller" in a deal with no kind.
        counterpart, third = _parties_among(text, roles | lexicon.trades, kind, lexicon)
    return counterpart, third


def _parties_among(
    text: str, roles: set[str], kind: DealKind | None, lexicon: PartyLexicon
) -> tuple[Mention | None, tuple[str, ...]]:
    mentions = sorted(
        role_mentions(text, roles) + name_mentions(text, lexicon), key=lambda m: m.start
    )
    mentions = [m for m in mentions if not _is_self(m, text)]
    labels = {m.head for m in mentions if not m.determiner and _NUMBERED.match(_after(m, text))}
    mentions = [m for m in mentions if m.head not in labels]
    third = [m for m in mentions if _is_third_party(m, text, kind, lexicon)]
    others = [m for m in mentions if m not in third]
    # A name beats a role word, and a role word beats a vague "guy" mentioned earlier.
    names = [m for m in others if m.spoken[:1].isupper()]
    specific = [m for m in others if m.head not in lexicon.people]
    counterpart = (names or specific or others or [None])[0]
    return counterpart, tuple(dict.fromkeys(m.written for m in third))


def seated(
    text: str, kind: DealKind, kinds: dict[str, DealKind], lexicon: PartyLexicon
) -> DealKind:
    """The kind as seen from the user's seat: its mirror when the message puts the user in the
    other seat and never in the kind's own ("selling my tickets" is not buying tickets)."""
    mirror = kinds.get(kind.mirror) if kind.mirror else None
    if mirror is None or lexicon.holds(kind.seat, text):
        return kind
    return mirror if lexicon.holds(mirror.seat, text) else kind


def find_object(text: str, kind: DealKind | None) -> Mention | None:
    """The thing traded, as "the van" / "your flat", from the matched kind's object words.

    Only that kind's words: "on the phone" is no object in a puppy purchase.
    """
    if kind is None:
        return traded_thing(text, _MADE)  # no kind's words to go on: what the verb deals in
    found = role_mentions(text, _lower(kind.object_words), loose=False)
    found = found or _described(text, _lower(kind.object_words))
    if found:
        return found[0]
    return traded_thing(text) if kind.family == "commerce" else None


def _described(text: str, words: set[str]) -> list[Mention]:
    """ "my road bike", "the blue van": one describing word between determiner and object."""
    if not words:
        return []
    pattern = _described_pattern(frozenset(words))
    found = []
    for m in pattern.finditer(text):
        if m.group(2).lower() in _NOT_THING:
            continue
        determiner = m.group(1).lower()
        spoken = (
            f"{_SECOND_PERSON.get(determiner, 'the')} {m.group(2).lower()} {m.group(3).lower()}"
        )
        found.append(Mention(m.start(), m.group(0), spoken, m.group(3).lower(), determiner))
    return found


@lru_cache(maxsize=128)
def _described_pattern(words: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(
        rf"\b(my|our|the|a|an|his|her|their|this|that)\s+([a-z][a-z0-9-]+)\s+({alternatives})s?\b",
        re.I,
    )


# "selling my switch oled", "buying a used canon r6 from a guy": the thing right after the verb.
_SALE_VERBS = r"sell(?:ing)?|sold|buy(?:ing)?|bought|swap(?:ping)?|trad(?:e|ing)|list(?:ed|ing)"
_THING_AFTER = r"\s+(my|our|a|an|the|his|her|this|that)\s+((?:[a-z0-9][\w-]*\s*){1,3})"
_TRADED = re.compile(rf"\b(?:{_SALE_VERBS}){_THING_AFTER}", re.I)
# With no kind matched, the verbs of any deal: "he's making the bridal set", "hiring a marquee".
_MADE = re.compile(
    rf"\b(?:{_SALE_VERBS}|mak(?:e|ing)|build(?:ing)?|commission(?:ing|ed)?|order(?:ing|ed)?|"
    r"ship(?:ping)?|suppl(?:y|ying)|rent(?:ing)?|leas(?:e|ing)|hir(?:e|ing)|book(?:ing)?|"
    rf"licens(?:e|ing)|publish(?:ing)?|run(?:ning)?|fund(?:ing)?|design(?:ing)?|paint(?:ing)?){_THING_AFTER}",
    re.I,
)
_NOT_THING = frozenset(
    [
        # "skip the written order": the paperwork around the deal, not the thing traded.
        "written",
        "signed",
        "verbal",
        "formal",
        "to",
        "from",
        "for",
        "on",
        "off",
        "at",
        "with",
        "in",
        "and",
        "but",
        "because",
        "cos",
        "so",
        "which",
        "that",
        "if",
        "its",
        "it's",
        "is",
        "was",
        "he",
        "she",
        "they",
        "i",
        "for",
        "guy",
        "seller",
        "buyer",
        "someone",
        "person",
        "yesterday",
        "today",
        "tomorrow",
        "tonight",
        "now",
        "last",
        "next",
        "online",
        "off",
        "asap",
        "soon",
    ]
)
_WORN = frozenset(["used", "second-hand", "secondhand", "old", "new"])


_OWNER = re.compile(r"^(?:[\w-]+\s+){0,2}?[\w-]+'s\s+")


def _owned(rest: str) -> list[str]:
    """Up to three words of what is traded, past its owner: "my late mum's yamaha upright"
    sells the yamaha upright, not the mum."""
    rest = _OWNER.sub("", rest, count=1)
    return re.findall(r"[a-z0-9][\w-]*", rest, re.I)[:3]


def traded_thing(text: str, verbs: re.Pattern[str] = _TRADED) -> Mention | None:
    """What a sale names right after its verb, as questions say it, or None."""
    match = verbs.search(text)
    if not match:
        return None
    words = []
    for word in _owned(text[match.start(2) :]):
        if word.lower() in _NOT_THING or word.isdigit():
            break
        if not words and word.lower() in _WORN:
            continue
        words.append(word)
    if not words or len(" ".join(words)) < 3:
        return None
    determiner = match.group(1).lower()
    # Lower case, except a name the user capitalised ("my mare Bella") or an acronym.
    words = [w if w[:1].isupper() else w.lower() for w in words]
    spoken = f"{_SECOND_PERSON.get(determiner, 'the')} {' '.join(words)}"
    return Mention(match.start(2), " ".join(words), spoken, words[-1].lower(), determiner)
