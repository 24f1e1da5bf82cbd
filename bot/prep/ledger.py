"""The risk ledger's two axes: who bears a risk, and which mechanism (if any) carries it.

Users answer in their own words; the risk map needs categories. Mechanisms are recognised by
their everyday names, skipping any the answer refuses; bearers by what the answer says lands on
whom, then by the first party it names.
"""

from __future__ import annotations

import re

from bot.coaching.models import TrustReading

# Mechanism categories, strongest protection first; the last two are the map's warning rows.
VERIFICATION = "verification/inspection"
WARRANTY = "warranty"
ESCROW = "escrow/holdback"
STAGED = "staged performance"
PENALTY = "penalty"
LEGAL = "arbitration/legal recourse"
NOTICE = "notice duty"
INSURANCE = "insurance/bond"
OTHER = "other mechanism"
ACCEPTED = "accepted consciously"
TRUST_ONLY = "trust only"
MECHANISM_KINDS = (
    VERIFICATION, WARRANTY, ESCROW, STAGED, PENALTY, LEGAL, NOTICE, INSURANCE, OTHER,
    ACCEPTED, TRUST_ONLY,
)  # fmt: skip

_ACCEPT = re.compile(
    r"\b(?:accept(?:ed|ing)?|live with it|take (?:that|the|this) risk|bear it)\b", re.I
)
# Answers that name trust itself (or nothing) as what covers a risk.
_TRUST_WORDS = re.compile(
    r"\b(?:trust\w*|(?:his|her|their|my) word|promis\w*|good faith|handshake|honest\w*|"
    r"none|nothing|no mechanism|n/?a)\b",
    re.I,
)

YOU = "you"
THEM = "them"
SHARED = "shared"
OTHERS = "others"
UNASSIGNED = "unassigned"
BEARER_KINDS = (YOU, SHARED, THEM, OTHERS, UNASSIGNED)

_SHARED = re.compile(r"\b(?:both|shared?|split|jointly|each of us|50/50|half)\b", re.I)
_YOU = re.compile(r"\b(?:i|me|my|mine|myself|we|us|our|ours)\b", re.I)
_THEM = re.compile(r"\b(?:they|them|their|theirs|he|him|his|she|her|hers|the other side)\b", re.I)
_OTHERS = re.compile(
    r"\b(?:third[- ]part(?:y|ies)|insurer|customers?|clients?|staff|employees?|family|"
    r"public|taxpayers?|suppliers? of|someone else|others?|nobody|no one)\b",
    re.I,
)


# Mechanisms in users' words, in the order they are tried. A written contract is only the
# vehicle: a deposit and a late fee "in the contract" are a holdback and a penalty.
_MECHANISM_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        (INSURANCE, r"\b(?:performance bond|surety|bond|insurance|insured|insurer)\b"),
        (
            PENALTY,
            r"\b(?:penalt\w*|liquidated damages|late (?:fee|charge|payment interest)s?|"
            r"service credits?|fines?)\b",
        ),
        (ESCROW, r"\b(?:escrow|holdback|held back|hold back|retention|deposit|security deposit)\b"),
        (
            STAGED,
            r"\b(?:staged|stages?|milestones?|instal(?:l)?ments?|tranches?|"
            r"(?:the )?rest on delivery|balance on (?:delivery|completion)|pay(?:ing)? as)\b",
        ),
        (WARRANTY, r"\b(?:warrant(?:y|ies)|guarantee[ds]?|money[- ]back|representations?)\b"),
        (
            VERIFICATION,
            r"\b(?:inspect\w*|survey\w*|verif\w*|audit\w*|check(?:s|ed)?|"
            r"references?|test drive|mechanic|vet check|due diligence)\b",
        ),
        (
            NOTICE,
            r"\b(?:no surprises|heads-?up|(?:duty|obligation) to (?:tell|inform|notify)|"
            r"notify|keep (?:me|us) informed)\b",
        ),
        (
            LEGAL,
            r"\b(?:arbitrat\w*|court|sue|lawsuit|litigation|legal action|recourse|"
            r"small claims)\b",
        ),
        (
            OTHER,
            r"\b(?:termination right|terminate|break clause|exit clause|cap on|capped|"
            r"notice period|on \d+ days'? notice)\b",
        ),
    )
)
# A safeguard refused or waived ("I won't ask for an inspection") is no cover.
_REFUSED = re.compile(
    r"\b(?:won'?t|will not|wouldn'?t|not going to|no need (?:for|to)|don'?t need|skip\w*|"
    r"waiv\w*|without|drop\w*|refus\w*|not ask\w*|never ask\w*|offend)\b",
    re.I,
)


def mechanism_kind(text: str, reading: TrustReading) -> str:
    """The category of the mechanism an answer names and keeps; trust only when it names none.

    The first mechanism named wins, unless it is refused in its own clause; a refused one is
    skipped, so "they're good people, I won't offend them by asking for an inspection" is
    trust only, not verification.
    """
    for kind in _kept_mechanisms(text):
        return kind
    if _ACCEPT.search(text):
        return ACCEPTED
    if reading.relies_on_trust or not text.strip() or _TRUST_WORDS.search(text):
        return TRUST_ONLY
    return OTHER


def _kept_mechanisms(text: str) -> list[str]:
    """Ledger categories of the mechanisms the answer names and does not refuse, in order."""
    found = []
    for clause in re.split(r"[.;!?]|,\s|\s(?:but|and then|so)\s", text):
        for kind, pattern in _MECHANISM_WORDS:
            match = pattern.search(clause)
            if match and not _REFUSED.search(clause[: match.start()]):
                found.append((text.find(clause) + match.start(), kind))
    return [kind for _, kind in sorted(found)]


# "It all lands on me", "they lose nothing": who bears it is in the verb, not the first pronoun.
_ON_YOU = re.compile(
    r"\b(?:(?:lands?|falls?|sits?|is) (?:all )?on (?:me|us)|(?:i|we)(?:'d| would)? (?:bear|carry|"
    r"lose|pay|eat|foot)(?! nothing)|(?:my|our) (?:problem|risk|loss|"
    r"money|cost)|i'?d be (?:the one|stuck|out of pocket)|(?:they|he|she) (?:lose|lost|risk|pay)s? "
    r"nothing|no (?:risk|cost) (?:to|for) (?:them|him|her))\b",
    re.I,
)
_ON_THEM = re.compile(
    r"\b(?:(?:lands?|falls?|sits?|is) (?:all )?on (?:them|him|her)|(?:they|he|she)(?:'d| would)? "
    r"(?:bears?|carr(?:y|ies)|loses?|pays?|eats?|foots?)(?! nothing)|(?:their|his|her) (?:problem|"
    r"risk|loss|cost)|(?:i|we) (?:lose|risk|pay) nothing|no (?:risk|cost) (?:to|for) (?:me|us))\b",
    re.I,
)


def bearer_kind(text: str, counterpart: str = "") -> str:
    """Who bears a risk: from what the answer says lands on whom, else the first party named."""
    if not text.strip():
        return UNASSIGNED
    if _SHARED.search(text):
        return SHARED
    on_you, on_them = bool(_ON_YOU.search(text)), bool(_ON_THEM.search(text))
    if on_you != on_them:
        return YOU if on_you else THEM
    found = {
        YOU: _first(_YOU, text),
        THEM: min(_first(_THEM, text), _first(_counterpart_pattern(counterpart), text)),
        OTHERS: _first(_OTHERS, text),
    }
    kind, position = min(found.items(), key=lambda item: item[1])
    return kind if position < len(text) + 1 else UNASSIGNED


def _first(pattern: re.Pattern[str] | None, text: str) -> int:
    """Where ``pattern`` first matches, or past the end when it does not."""
    match = pattern.search(text) if pattern else None
    return match.start() if match else len(text) + 1


def _counterpart_pattern(counterpart: str) -> re.Pattern[str] | None:
    """The counterpart's own name or role ("Dana", "the landlord") as a pattern."""
    words = [w for w in re.findall(r"[\w'-]+", counterpart) if len(w) > 2 and w.lower() != "the"]
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.I) if words else None


_RISK_LEAD = re.compile(
    r"^(?:(?:the |a |my |our )?(?:main |biggest |real )?(?:risk|worry|fear|danger|problem)"
    r"(?: is| would be)?(?: that)?[:,]?\s+|that\s+)",
    re.I,
)
_RISK_END = re.compile(
    r"[.;:!?(]|\s[-–—]\s|,\s|\s(?:because|since|so|but|which|and i|and we)\s", re.I
)
RISK_WORDS = 10


def short_risk(text: str) -> str:
    """A ledger row's risk as a short phrase, not the user's whole sentence."""
    clause = _RISK_END.split(_RISK_LEAD.sub("", text.strip()), maxsplit=1)[0].strip()
    words = clause.split()
    if len(words) > RISK_WORDS:
        clause = " ".join(words[:RISK_WORDS]) + "…"
    return clause[:1].upper() + clause[1:] if clause else text.strip()[:80]


def is_trust_only(kind: str) -> bool:
    """Risks that nothing but trust covers: the ones the map and the brief make stand out."""
    return kind == TRUST_ONLY
