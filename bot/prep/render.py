"""Prep replies as chat text (Discord-flavoured Markdown) and as plain terminal text.

Pure functions: the Discord cog wraps the Markdown into messages, embeds and buttons; the
terminal prints the plain text.
"""

from __future__ import annotations

import textwrap

from bot.prep.models import Reply, SessionSummary

ROUTINE = frozenset({"Saved."})  # notices that go in small print


def stage_line(reply: Reply) -> str:
    """ "Stage 2 of 7 · Stakes" """
    return f"Stage {reply.stage_number} of {reply.stage_count} · {reply.stage_title}"


def reply_markdown(reply: Reply) -> str:
    """The message text: stage line, notices, numbered questions (matching the citations)."""
    if reply.header:
        parts = [f"**{stage_line(reply)}**\n{reply.header}"]
    else:
        parts = [f"-# {stage_line(reply)} · session {reply.session_id}"]
    for notice in reply.notices:
        parts.append(f"-# {notice}" if notice in ROUTINE else notice)
    parts += [f"**{n}.** {q.text}" for n, q in enumerate(reply.questions, start=1)]
    if reply.message:
        parts.append(reply.message)
    return "\n\n".join(parts)


def reply_plain(reply: Reply, *, width: int = 88) -> str:
    """The terminal text: questions numbered, each with the passage it rests on."""
    lines: list[str] = []
    if reply.header:
        lines += [f"== {stage_line(reply)} ==", _wrap(reply.header, width)]
    lines += [_wrap(f"({n})" if n in ROUTINE else f"! {n}", width) for n in reply.notices]
    for number, question in enumerate(reply.questions, start=1):
        lines.append(_wrap(f"{number}. {question.text}", width, indent="   "))
        passage = question.passage
        cite = f"[{passage.title or passage.source}] {passage.excerpt(160)}"
        lines.append(textwrap.fill(cite, width, initial_indent="   > ", subsequent_indent="     "))
    if reply.message:
        lines.append(_wrap(_terminal_words(reply.message), width))
    return "\n".join(lines)


def _terminal_words(text: str) -> str:
    """Button names as the terminal's commands: "Press Next" → "Type /next"."""
    for action in ("Next", "Finish", "Skip", "Back", "Pause"):
        text = text.replace(f"Press {action}", f"Type /{action.lower()}")
    text = text.replace("(or Confirm)", "(or /confirm)").replace("go Back", "go /back")
    return text.replace("with Add risk", "with /risk risk | who bears it | mechanism | residual")


def summary_line(summary: SessionSummary) -> str:
    """One line of a session listing, with an expiry warning inside the warning window."""
    when = summary.updated_at.strftime("%Y-%m-%d %H:%M")
    line = (
        f"{summary.id}  {summary.status:<8}  stage {summary.stage_number} "
        f"({summary.stage_title})  {summary.counterpart} · {summary.topic}  last used {when}"
    )
    if summary.expiring and summary.expires_at is not None:
        line += f"  ⚠ EXPIRES {summary.expires_at:%Y-%m-%d %H:%M} UTC"
    return line


def _wrap(text: str, width: int, indent: str = "") -> str:
    return "\n".join(
        textwrap.fill(paragraph, width, subsequent_indent=indent) if paragraph else ""
        for paragraph in text.split("\n")
    )
