"""Small talk about Parley itself: a greeting, "what can you do", thanks once a deal is done.

These are rules from ``prompts/reading/social.yaml``, not classifier features: each names a
short move that answers it, instead of questions about a deal the user never described.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.datafiles import load_yaml

# The groups, in the order they are tried; "thanks" reads as the "closing" intent and
# "verdict" (a demand for a yes or no) as "decide".
SOCIAL_GROUPS = ("capability", "greeting", "verdict", "thanks")


@dataclass(frozen=True, slots=True)
class SocialCues:
    """Compiled small-talk patterns, by group."""

    groups: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> SocialCues:
        data = load_yaml(path) or {}
        return cls(
            {g: tuple(re.compile(p, re.I | re.S) for p in data.get(g, [])) for g in SOCIAL_GROUPS}
        )

    def kind(self, text: str) -> str | None:
        """The first group whose pattern matches the message, or None."""
        stripped = text.strip()
        return next(
            (g for g in SOCIAL_GROUPS if any(p.search(stripped) for p in self.groups.get(g, ()))),
            None,
        )
