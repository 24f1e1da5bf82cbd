"""Plain-text rendering of coaching turns for the terminal."""

from __future__ import annotations

import textwrap

from bot.coaching.models import Turn


def render_turn(turn: Turn, *, width: int = 88) -> str:
    """Notices, numbered questions, and the passage each question rests on."""
    lines: list[str] = [f"note: {n}" for n in turn.notices]
    lines += [textwrap.fill(line, width) for line in turn.preface]
    for number, question in enumerate(turn.questions, start=1):
        lines.append(textwrap.fill(f"{number}. {question.text}", width, subsequent_indent="   "))
        cite = (
            f"[{question.passage.title or question.passage.source}] {question.passage.excerpt(220)}"
        )
        lines.append(textwrap.fill(cite, width, initial_indent="   > ", subsequent_indent="     "))
    if not turn.questions:
        lines.append(
            "I have no question to add yet. Tell me more about the deal and the other side."
        )
    return "\n".join(lines)
