"""Key words of a message in another language, in English, so the English models can read it.

The classifier and the catalogue's keywords know English only; a French or Italian message
describing a whole deal would otherwise read as no deal at all. ``prompts/reading/gloss.yaml``
lists words and short phrases per language; accents are optional and the longest match wins.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bot.datafiles import load_yaml


def fold(text: str) -> str:
    """Lower case without accents ("qué" -> "que", "ł" -> "l"), for accent-blind matching."""
    text = text.lower().replace("ł", "l").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(slots=True)
class Gloss:
    """Glossaries by language code; each is compiled the first time a message needs it, since
    most starts never see another language and compiling all of them costs a third of a second."""

    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    _compiled: dict[str, tuple[re.Pattern[str], dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Gloss:
        data = load_yaml(path) or {}
        return cls({lang: entries for lang, entries in data.items() if entries})

    def english(self, text: str, language: str) -> str:
        """The glossed words of ``text`` in order, as English ("" when none or no glossary)."""
        if language not in self.entries:
            return ""
        if language not in self._compiled:
            self._compiled[language] = _compiled(self.entries[language])
        pattern, meanings = self._compiled[language]
        return " ".join(meanings[m.group(0)] for m in pattern.finditer(fold(text)))

    def mixed(self, text: str, language: str) -> str:
        """``text`` with its glossed words put into English in place: for a language written
        among English words and names (Hinglish), whose other words are worth keeping."""
        if language not in self.entries:
            return text
        if language not in self._compiled:
            self._compiled[language] = _compiled(self.entries[language])
        pattern, meanings = self._compiled[language]
        # The glossary's keys are folded (lower case); the text keeps its own case around them.
        return pattern.sub(lambda m: meanings.get(fold(m.group(0)), m.group(0)), text)


# Languages written in Latin letters among English words: glossed in place, names kept.
MIXED = frozenset({"hinglish"})


def _compiled(entries: dict[str, str]) -> tuple[re.Pattern[str], dict[str, str]]:
    meanings = {fold(str(k)): str(v) for k, v in entries.items()}
    alternatives = "|".join(re.escape(k) for k in sorted(meanings, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I), meanings
