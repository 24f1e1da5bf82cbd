"""Which language a message is in.

Most messages are plainly English, and a count of English function words settles those at no
cost; only the rest go to py3langid (a kept library whose model ships in its wheel), loaded on
first use because loading it takes most of a second.
"""

from __future__ import annotations

import re
import threading
from functools import cached_property

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "my",
        "our",
        "his",
        "her",
        "their",
        "this",
        "that",
        "what",
        "who",
        "how",
        "why",
        "should",
        "would",
        "will",
        "can",
        "could",
        "do",
        "does",
        "did",
        "not",
        "no",
        "just",
        "have",
        "has",
        "had",
        "me",
        "us",
        "them",
        "him",
        "if",
        "at",
        "from",
        "about",
        "as",
        "by",
        "up",
        "out",
        "get",
        "got",
        "im",
        "dont",
        "wont",
        "cant",
        "its",
        "thats",
        "pay",
        "paid",
        "deal",
        "seller",
        "buyer",
        "guy",
        "honest",
        "trust",
    ]
)
# Romanised Hindi words that English never uses: a message with several is Hinglish, which
# py3langid (trained on Devanagari Hindi) reads as Indonesian or English.
_HINGLISH = frozenset(
    [
        "hai",
        "hain",
        "tha",
        "thi",
        "kya",
        "kyun",
        "kaise",
        "mera",
        "meri",
        "mere",
        "tera",
        "teri",
        "hum",
        "humein",
        "mujhe",
        "mujhko",
        "aap",
        "aapka",
        "yaar",
        "bhai",
        "bhaiya",
        "nahi",
        "nahin",
        "kar",
        "karun",
        "karna",
        "karo",
        "raha",
        "rahi",
        "rahe",
        "bol",
        "bola",
        "bolta",
        "dega",
        "degi",
        "wapas",
        "paisa",
        "paise",
        "udhaar",
        "udhar",
        "dost",
        "shaadi",
        "liye",
        "mein",
        "ko",
        "se",
        "bhi",
        "aur",
        "lekin",
        "sab",
        "abhi",
        "chahiye",
        "matlab",
        "accha",
        "acha",
        "theek",
        "thik",
        "ghar",
        "wala",
        "wali",
    ]
)
HINGLISH_WORDS = 3
MIN_WORDS = 4
MIN_CONFIDENCE = 0.6
# Restricting py3langid to languages users write in keeps short messages from landing on rare ones.
CANDIDATES = [
    "en",
    "fr",
    "it",
    "es",
    "de",
    "pt",
    "nl",
    "pl",
    "sv",
    "da",
    "no",
    "fi",
    "tr",
    "ro",
    "cs",
    "hu",
    "el",
    "ru",
    "uk",
    "ar",
    "he",
    "hi",
    "zh",
    "ja",
    "ko",
    "id",
    "vi",
]


class LanguageDetector:
    """English unless the message clearly is in another language."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _identifier(self):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        with self._lock:
            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(CANDIDATES)
            return identifier

    def detect(self, text: str) -> str:
        """An ISO 639-1 code; "en" for English and for anything too short to tell."""
        words = [w.lower() for w in _WORD.findall(text)]
        if len(words) < MIN_WORDS:
            return "en"
        if sum(w in _HINGLISH for w in words) >= max(HINGLISH_WORDS, len(words) // 6):
            return "hinglish"
        english = sum(w in _ENGLISH for w in words) / len(words)
        if english >= 0.2:
            return "en"
        code, confidence = self._identifier.classify(text)
        return code if code != "en" and confidence >= MIN_CONFIDENCE else "en"
