"""Which mechanisms an answer names and keeps, typed into the ledger's categories.

A mechanism named is not a mechanism held: "I won't offend them by asking for an inspection"
names an inspection and refuses it. Each mention is read in its own stretch of the sentence,
so a warranty kept in one clause does not hide an inspection waived in the next; a safeguard
refused on trust makes the risk "trust only" whatever else the answer names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching.models import TrustReading
from bot.prep.categories import (
    ACCEPTED,
    ESCROW,
    INSURANCE,
    LEGAL,
    NOTICE,
    OTHER,
    PENALTY,
    STAGED,
    TRUST_ONLY,
    VERIFICATION,
    WARRANTY,
)

# Mechanisms in users' words. Where two overlap, the longer wins ("performance bond" over
# "bond", "bank guarantee" over "guarantee", "terminate on 30 days' notice" over "notice").
# A written contract is only the vehicle: a deposit and a late fee "in the contract" are a
# holdback and a penalty, and the contract counts only when nothing else is named.
_PATTERNS: dict[str, str] = {
    INSURANCE: r"performance bonds?|surety|bonds?|insur\w*|(?:\w+ )?indemnity insurance|"
    r"professional indemnity|public liability|goods and services|(?:bank|parent(?:[- ]company)?|personal)"
    r" guarantee|guarantors?|letters? of credit|(?:buyer|purchase) protection",
    PENALTY: r"penalt\w*|liquidated damages|late(?:-payment)? (?:fees?|charges?|payment \w+|interest)|"
    r"service credits?|fines|fined|a fine|(?:for|per) (?:every|each) (?:day|week|month)[^.;,]{0,30}"
    r"\blate\b|(?:pays?|refunds?|returns?) (?:me |us |you )?(?:back )?(?:double|triple)|"
    r"double the deposit|rent (?:reduction|cut|abatement)|compensation|"
    r"claw ?backs?|forfeit\w*|deduct\w*|(?:discount|credit|refund) (?:of \S+ )?(?:for|per) "
    r"(?:each|every)? ?(?:day|week|month)|\S+ (?:a|per) (?:day|week) (?:late|of delay|for delay)",
    ESCROW: r"escrow|hold ?backs?|hold(?:ing)? back|held back|retention|retain\w*|withh[oe]ld\w*|"
    r"(?:security |rent |damage )?deposits?(?: protection scheme)?|client account|"
    r"stakeholder account|(?:title|keys|logbook) (?:stays?|remains?) with|keep(?:ing)? (?:the )?"
    r"(?:keys|title|logbook|goods|car|papers)\s+until",
    STAGED: r"(?:only )?pay(?:ing)? (?:only )?(?:once|when|after) |pay (?:a third|a quarter|half|\S+ ?%)|"
    r"(?:the )?rest (?:on|when|after|once)|only (?:hand(?:ing)? over|releas\w*|pay\w*|ship\w*|"
    r"deliver\w*|send|give|transfer\w*)\s+(?:[\w']+\s+){0,4}?(?:once|when|after)|(?:hand(?:ing)? "
    r"over|releas\w*|ship\w*|transfer\w*)\s+(?:[\w']+\s+){0,4}?only (?:once|when|after)|staged|in stages|stage payments?|milestones?|instal(?:l)?ments?|tranches?|phased|"
    r"(?:the )?rest on (?:delivery|completion|collection)|balance on \w+|pay(?:ing)? as (?:we|it|"
    r"the work) \w+|(?:half|a third|\d+ ?%) (?:now|up ?front|in advance|on signing)|"
    r"pay(?:ment|ing)? (?:only )?(?:on|after|upon) (?:delivery|completion|handover|collection)|"
    r"cash on delivery|small (?:first|trial|test) orders?|trial (?:period|run|order)|pilot|"
    r"vest\w*|cliff|earn-?outs?|monthly payments|pay monthly",
    WARRANTY: r"warrant(?:y|ies|s|ed)|guarantee[ds]?|money[- ]back|representations?|indemnit\w*|"
    r"refunds?|returns? (?:policy|window)|cooling[- ]off|make good|free (?:repairs?|replacements?)|"
    r"defects? (?:liability|period)",
    VERIFICATION: r"inspect\w*|survey\w*|surveyor|verif\w*|audit\w*|check(?:s|ed|ing)?(?! in\b| with\b)|"
    r"references?|test drive|test(?:ed|ing)? (?:it|them) first|acceptance test\w*|mechanic|"
    r"vet check|due diligence|service history|history check|hpi|credit check|background checks?|"
    r"valuation|appraisal|land registry|searches|(?:independent|own) (?:engineer|expert)|"
    r"site visits?|samples?|proof of \w+|look (?:at|over|through) the (?:books|accounts|"
    r"documents|paperwork)",
    NOTICE: r"no surprises|heads-?up|(?:duty|obligation) to (?:tell|inform|notify|warn|disclose)|"
    r"notify\w*|notification|disclos\w*|keep (?:me|us) (?:informed|posted|updated)|"
    r"(?:advance|early|written|prior) (?:notice|warning)|\d+ (?:days?|weeks?|months?)'? notice "
    r"(?:of|before|ahead)|notice (?:of|before) (?:any|a|the)|warn (?:me|us)|tell (?:me|us) "
    r"(?:first|in advance|before|straight away|immediately|as soon|at once|right away)|"
    r"warn (?:me|us|them|him|her)|(?:a|one|two|three|\d+) (?:days?|weeks?|months?) ahead",
    LEGAL: r"arbitrat\w*|conciliat\w*|disputes? (?:go|goes) to|courts?|sue|suing|lawsuits?|litigat\w*|legal action|(?:legal )?recourse|"
    r"small claims|tribunal|ombudsman|mediat\w*|(?:lawyer|solicitor)'?s? letter|"
    r"letter before action|enforce\w*|chargeback|section 75|trading standards|"
    r"dispute resolution|claim (?:against|on|through)",
    OTHER: r"(?:(?:can|may|could|right to|able to|free to) (?:cancel|terminate|walk away|exit|end it|"
    r"leave|pull out)|(?:termination|cancellation) (?:rights?|clauses?|notice)|termination policy|terminat\w* on|"
    r"break clause|exit clause)(?:[^.;]{0,40}?\bnotice\b)?|notice period|on \d+ days'? notice|"
    r"liability cap|cap(?:ped)? (?:on|at)|second (?:source|supplier)|backup (?:supplier|"
    r"plan)|plan b|non-compete|exclusivity|index-linked|price (?:lock|review|cap)|photos?|"
    r"progress reports?|(?:weekly|monthly|regular) (?:calls|meetings|reports|updates)",
}
CONTRACT = "contract"
_PATTERNS[CONTRACT] = (
    r"contracts?|in writing|written (?:agreement|down|into)|signed agreement|lease|"
    r"terms and conditions|clause|signed (?:quote|offer|order)|(?:anything|something|it) written|"
    r"sign(?:ing)? (?:anything|a contract|an agreement|something|a form)"
)
_MENTIONS = tuple((kind, re.compile(rf"\b(?:{p})\b", re.I)) for kind, p in _PATTERNS.items())

# Words right before a mention that deny it ("no warranty", "without an inspection").
_DENIED = re.compile(
    r"\b(?:no|not|without|never|nor|zero|instead of|rather than)\s+(?:\S+\s+){0,2}$", re.I
)
# Refusals that take the mechanism as their object, anywhere in its clause before it.
_REFUSED_BEFORE = re.compile(
    r"\b(?:won'?t|will not|wouldn'?t|would not|not going to|no need|(?:don'?t|do not|doesn'?t|"
    r"didn'?t) (?:need|want|bother|ask|insist|push|get|have)|not (?:bother|ask|insist|push)\w*|"
    r"never (?:ask|bother|insist)\w*|skip\w*|waiv\w*|drop\w*|refus\w*|decided against|forgo\w*|"
    r"forget (?:about )?|no point (?:in|getting|having|asking)|offend\w*|insult\w*|too (?:pushy|rude|awkward|expensive|formal)|"
    r"can'?t (?:ask|face)|haven'?t (?:asked|bothered))\b",
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
    r"^[^.;]{0,60}?\b(?:overkill|unnecessary|not (?:needed|necessary|worth it)|(?:isn'?t|is not|"
    r"wasn'?t|aren'?t) (?:needed|necessary|worth)|pointless|a waste|excessive|over the top|"
    r"out of the question|would (?:offend|insult|upset|annoy|hurt)|(?:feels?|felt|seems?|seemed|is|"
    r"was|'s|would be) (?:a bit |too |very |rather )?(?:rude|pushy|insulting|awkward|much|formal)|(?:don'?t|won'?t|didn'?t) (?:want|need|bother|"
    r"ask|push|insist)|decided against|let it go|not going to|said no|turned (?:it |them )?down|declined|passed on it)\b|"
    r"^\W*\?\s*(?:no|nah)\b",
    re.I,
)
_CLAUSE_START = re.compile(r".*(?:[,.;!?]\s|\bbut\s|\bbecause\s|\bthough\s)", re.I | re.S)
_CLAUSE_END = re.compile(r"[,.;!?]\s|\bbut\s|\bbecause\s", re.I)
# What is lost is the stake, not a safeguard: "I'd lose the deposit".
_STAKE = re.compile(
    r"\b(?:lose|loses|lost|losing|forfeit\w*|sacrific\w*)\s+(?:[\w'-]+\s+){0,2}$", re.I
)

_ACCEPT = re.compile(
    r"\b(?:accept(?:ed|ing|able)?|live with (?:it|that)|take (?:that|the|this) (?:risk|chance|hit)|"
    r"bear it|(?:i'?ll|we'?ll) (?:just )?eat (?:it|the cost|that)|worth the risk|"
    r"(?:priced|factored|built) (?:it )?in(?:to)?|can afford (?:to lose )?it|small enough|"
    r"not worth (?:insuring|covering|protecting)|self-insure\w*|absorb it)\b",
    re.I,
)
# Answers that name trust itself (or nothing) as what covers a risk.
_TRUST_WORDS = re.compile(
    r"\b(?:trust\w*|(?:his|her|their|my) word|promis\w*|good faith|handshake|honest\w*|"
    r"good (?:people|guy|bloke|sort)|decent|reliable|rely on|count(?:ing)? on|hope|hoping|"
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


@dataclass(frozen=True, slots=True)
class MechanismReading:
    """What carries a risk: the main category, the others kept, and what was refused."""

    kind: str
    also: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    leans_on_trust: bool = False


def read_mechanisms(text: str, reading: TrustReading) -> MechanismReading:
    """The mechanism category an answer keeps; trust only when it keeps none or refuses one on trust."""
    mentions = _judged(text)
    kept = _unique(m.kind for m in mentions if m.kept and m.kind != CONTRACT)
    refused = _unique(OTHER if m.kind == CONTRACT else m.kind for m in mentions if not m.kept)
    written = any(m.kept and m.kind == CONTRACT for m in mentions)
    trusting = reading.relies_on_trust or bool(_TRUST_WORDS.search(text))
    if refused and (trusting or not kept):
        return MechanismReading(TRUST_ONLY, kept, refused, True)
    if kept:
        return MechanismReading(kept[0], kept[1:], refused, False)
    return MechanismReading(_without_mechanism(text, reading, written), (), refused, False)


def _without_mechanism(text: str, reading: TrustReading, written: bool) -> str:
    """An answer naming no mechanism: a written term, a risk accepted on purpose, or trust."""
    if written and not reading.relies_on_trust:
        return OTHER
    if _ACCEPT.search(text) and not reading.relies_on_trust:
        return ACCEPTED
    return TRUST_ONLY


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
    for i, mention in enumerate(found):
        start = found[i - 1].end if i else 0
        before = text[start : mention.start]
        if _STAKE.search(before):
            continue
        after = _own_stretch(
            text[mention.end :], found[i + 1].start - mention.end if i + 1 < len(found) else None
        )
        kept = not _refused(before, after)
        judged.append(Mention(mention.kind, mention.start, mention.end, kept))
    return judged


def _own_stretch(after: str, next_mention: int | None) -> str:
    """The words after a mention that can still be about it: up to the next mention's clause."""
    if next_mention is None:
        return after
    ends = [m.start() for m in _CLAUSE_END.finditer(after[:next_mention])]
    return after[: ends[-1]] if ends else after[:next_mention]


def _refused(before: str, after: str) -> bool:
    """Whether the words around a mention deny or refuse it."""
    clause = _CLAUSE_START.sub("", before)
    if _INSIST_WITHOUT.search(clause) or (_INSIST.search(clause) and not _NEGATION.search(clause)):
        return False
    return bool(
        _DENIED.search(clause) or _REFUSED_BEFORE.search(clause) or _REFUSED_AFTER.search(after)
    )


def _unique(kinds: object) -> tuple[str, ...]:
    """Kinds in first-seen order, each once."""
    return tuple(dict.fromkeys(kinds))  # type: ignore[arg-type]
