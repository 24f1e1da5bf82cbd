"""The excerpt a citation shows: the sentence (or two) of a passage that matters to a question.

One rule for every citation Parley shows (coaching turns, prep questions and briefs,
discussion prompts), so the same passage cited for the same question quotes the same words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from bot.coaching.models import Passage
from bot.knowledge.retrieval import tokenize

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'‘“(])")
# Words every question shares, which say nothing about what it is about.
QUESTION_WORDS = frozenset(
    ["what", "which", "who", "when", "where", "how", "does", "do", "would", "could", "will",
     "your", "you", "their", "them"]
)  # fmt: skip
# A case's setup ("The situation: ...") tells the story; the sentences after it support.
_SETUP = ("The situation:", "What was at stake")
SETUP_PENALTY = 1.5
# A quote shorter than this many words takes the next sentence too.
QUOTE_MIN_WORDS = 22
# A sentence about some other deal's thing ("the final cost of the car" quoted to a nurse
# weighing a job offer) or naming people and places the user never mentioned reads as a
# citation from an unrelated case, whatever words it shares with the question.
FOREIGN_PENALTY = 3.0
NAME_PENALTY = 1.0
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]{2,}")


def stems(text: str) -> set[str]:
    """Content words cut to five letters, so "inspections" meets "inspection"."""
    return {w[:5] for w in tokenize(text) if len(w) > 3 and w not in QUESTION_WORDS}


def with_quote(
    passage: Passage,
    focus: str,
    avoid: Collection[str] = (),
    foreign: Collection[str] = (),
) -> Passage:
    """The passage with the sentence or two sharing most word stems with ``focus`` as its quote;
    a sentence already quoted for another question (in ``avoid``) only when none is left, and
    one naming a ``foreign`` thing (another deal's object) or a stranger only when it fits
    far better."""
    sentences = [
        s.strip() for s in _SENTENCE.split(" ".join(passage.text.split())) if len(s.split()) >= 5
    ]
    sentences = [s for s in sentences if not _quoted(s, avoid)] or sentences
    if not sentences:
        return passage
    wanted, said = stems(focus), set(tokenize(focus))
    foreign_stems = set(tokenize(" ".join(foreign))) - said
    scores = [_fit(s, wanted, said, foreign_stems) for s in sentences]
    best = scores.index(max(scores))
    quote = sentences[best]
    if len(quote.split()) < QUOTE_MIN_WORDS and best + 1 < len(sentences):
        quote = f"{quote} {sentences[best + 1]}"
    return replace(passage, quote=quote)


def _fit(sentence: str, wanted: set[str], said: set[str], foreign: set[str]) -> float:
    """Stems shared with the focus, less the penalties for a setup line and an unrelated case."""
    words = set(tokenize(sentence))
    strangers = {n.lower() for n in _NAME.findall(sentence)} - said
    return (
        len(wanted & stems(sentence))
        - (SETUP_PENALTY if sentence.startswith(_SETUP) else 0.0)
        - FOREIGN_PENALTY * len(words & foreign)
        - NAME_PENALTY * min(len(strangers), 2)
    )


def _quoted(sentence: str, avoid: Collection[str]) -> bool:
    return any(sentence in quote for quote in avoid if quote)
