"""Checks on what users send before it reaches the coach: empty, binary, huge, foreign, hostile."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.coaching.models import InputRejected

_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "to",
        "of",
        "is",
        "are",
        "was",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "it",
        "my",
        "our",
        "this",
        "that",
        "with",
        "for",
        "not",
        "in",
        "on",
        "do",
        "does",
        "have",
        "has",
        "will",
        "would",
        "be",
        "but",
        "so",
        "if",
        "what",
        "how",
        "should",
        "can",
    ]
)
EXAMPLE = 'For example: "The seller seems honest, so I\'ll skip the inspection."'


@dataclass(frozen=True, slots=True)
class CleanMessage:
    """A message fit for coaching, with notes for the user about anything changed or ignored."""

    text: str
    notices: tuple[str, ...] = ()


def clean_message(
    raw: str | bytes, *, max_chars: int, injection: bool = False, check_language: bool = True
) -> CleanMessage:
    """Validate and tidy a user message; raise ``InputRejected`` with a plain reply if unusable."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if _looks_binary(raw):
        raise InputRejected(
            "That looks like binary data, not a message. Describe your negotiation in words. "
            + EXAMPLE
        )
    text = _strip_controls(raw).strip()
    if not text:
        raise InputRejected(
            "Your message was empty. Tell me about the deal on your mind. " + EXAMPLE
        )
    notices: list[str] = []
    if len(text) > max_chars:
        notices.append(
            f"Your message was {len(text):,} characters; I read the first {max_chars:,}. "
            "Send the key part about the other side and the deal for sharper questions."
        )
        text = text[:max_chars].rsplit(" ", 1)[0]
    if injection:
        notices.append(
            "I only ask questions about your negotiation; requests to change how I work are ignored."
        )
    # The situation reader detects the language properly; this rough check is for without one.
    if check_language and not _looks_english(text):
        notices.append(
            "I coach in English for now; rephrase in English for questions that fit your case better."
        )
    return CleanMessage(text, tuple(notices))


def _looks_binary(raw: str) -> bool:
    sample = raw[:4096]
    if not sample:
        return False
    odd = sum(
        1
        for ch in sample
        if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    )
    return odd / len(sample) > 0.1


def _strip_controls(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def _looks_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isascii() for ch in letters) / len(letters) < 0.5:
        return False  # mostly another script (CJK, Cyrillic, Arabic...)
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 4:
        return True  # too short to judge; don't nag
    latin = sum(1 for w in words if w.isascii())
    common = sum(1 for w in words if w in _ENGLISH)
    return latin / len(words) > 0.6 and common / len(words) > 0.08
