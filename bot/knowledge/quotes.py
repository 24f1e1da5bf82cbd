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


def stems(text: str) -> set[str]:
    """Content words cut to five letters, so "inspections" meets "inspection"."""
    return {w[:5] for w in tokenize(text) if len(w) > 3 and w not in QUESTION_WORDS}


def with_quote(passage: Passage, focus: str, avoid: Collection[str] = ()) -> Passage:
    """The passage with the sentence or two sharing most word stems with ``focus`` as its quote;
    a sentence already quoted for another question (in ``avoid``) only when none is left."""
    sentences = [
        s.strip() for s in _SENTENCE.split(" ".join(passage.text.split())) if len(s.split()) >= 5
    ]
    sentences = [s for s in sentences if not _quoted(s, avoid)] or sentences
    if not sentences:
        return passage
    wanted = stems(focus)
    scores = [
        len(wanted & stems(s)) - (SETUP_PENALTY if s.startswith(_SETUP) else 0.0) for s in sentences
    ]
    best = scores.index(max(scores))
    quote = sentences[best]
    if len(quote.split()) < QUOTE_MIN_WORDS and best + 1 < len(sentences):
        quote = f"{quote} {sentences[best + 1]}"
    return replace(passage, quote=quote)


def _quoted(sentence: str, avoid: Collection[str]) -> bool:
    return any(sentence in quote for quote in avoid if quote)
