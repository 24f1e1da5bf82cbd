"""What the model is told about earlier turns: recent exchanges verbatim, older ones summarised.

Kept per conversation (a Discord thread, a DM, a prep session) as plain JSON, and always
rendered under a token budget so a long thread never crowds the passages out of the prompt.
Tokens are estimated as words x 1.3, close enough for English and for any tokenizer's budget.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

TOKENS_PER_WORD = 1.3
EMPTY = "(nothing yet: this is the first message)"


def count_tokens(text: str) -> int:
    """Approximate token count of ``text``."""
    return math.ceil(len(text.split()) * TOKENS_PER_WORD)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One user message and the questions Parley asked back."""

    user: str
    questions: tuple[str, ...]
    dimensions: tuple[str, ...] = ()

    def verbatim(self) -> str:
        asked = "\n".join(f"  - {q}" for q in self.questions) or "  (no question)"
        return f"Person: {self.user}\nParley asked:\n{asked}"

    def summary(self, words: int = 18) -> str:
        """One line: the start of the message and the dimensions probed."""
        head = self.user.split()
        gist = " ".join(head[:words]) + (" …" if len(head) > words else "")
        probed = ", ".join(self.dimensions) or "nothing"
        return f"- Person said: {gist} (Parley probed {probed})"

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "questions": list(self.questions),
            "dimensions": list(self.dimensions),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        return cls(
            str(data.get("user", "")),
            tuple(data.get("questions", ())),
            tuple(data.get("dimensions", ())),
        )


@dataclass(slots=True)
class ConversationMemory:
    """Recent exchanges verbatim, older ones as one-line summaries, under ``budget`` tokens."""

    budget: int = 800
    recent: int = 3
    exchanges: list[Exchange] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    dropped: int = 0

    def add(self, user: str, questions: Iterable[str], dimensions: Iterable[str] = ()) -> None:
        """Remember one exchange, then fold old ones into summaries to stay under budget."""
        self.exchanges.append(Exchange(user.strip(), tuple(questions), tuple(dimensions)))
        self._compact()

    def render(self) -> str:
        """The history block for a prompt; never over ``budget`` tokens."""
        parts: list[str] = []
        if self.dropped:
            parts.append(f"({self.dropped} earlier exchanges not shown)")
        if self.summaries:
            parts.append("Earlier, in short:\n" + "\n".join(self.summaries))
        if self.exchanges:
            parts.append(
                "Most recent exchanges, word for word:\n"
                + "\n\n".join(e.verbatim() for e in self.exchanges)
            )
        text = "\n\n".join(parts) or EMPTY
        return _cut_to_budget(text, self.budget)

    def tokens(self) -> int:
        """Approximate tokens of ``render()``."""
        return count_tokens(self.render())

    def _compact(self) -> None:
        # Fold the oldest verbatim exchanges into summaries beyond `recent`, then while over
        # budget; then drop the oldest summaries. The newest exchange always stays verbatim.
        while len(self.exchanges) > self.recent or (
            len(self.exchanges) > 1 and self._raw_tokens() > self.budget
        ):
            self.summaries.append(self.exchanges.pop(0).summary())
        while self.summaries and self._raw_tokens() > self.budget:
            self.summaries.pop(0)
            self.dropped += 1

    def _raw_tokens(self) -> int:
        summary = sum(count_tokens(s) for s in self.summaries)
        return summary + sum(count_tokens(e.verbatim()) for e in self.exchanges) + 12

    def to_json(self) -> dict[str, Any]:
        return {
            "exchanges": [e.to_json() for e in self.exchanges],
            "summaries": list(self.summaries),
            "dropped": self.dropped,
        }

    @classmethod
    def from_json(
        cls, data: dict[str, Any] | None, *, budget: int = 800, recent: int = 3
    ) -> ConversationMemory:
        data = data or {}
        memory = cls(
            budget=budget,
            recent=recent,
            exchanges=[Exchange.from_json(e) for e in data.get("exchanges", [])],
            summaries=[str(s) for s in data.get("summaries", [])],
            dropped=int(data.get("dropped", 0)),
        )
        memory._compact()  # the budget may have shrunk since it was saved
        return memory


def _cut_to_budget(text: str, budget: int) -> str:
    """Keep the end of ``text`` (the newest part) when even one exchange exceeds the budget."""
    if count_tokens(text) <= budget:
        return text
    # Line breaks are lost only in this rare case: one message larger than the whole budget.
    keep = max(1, math.floor(budget / TOKENS_PER_WORD) - 1)
    return "… " + " ".join(text.split()[-keep:])
