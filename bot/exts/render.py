"""Turn a coaching ``Turn`` into Discord messages: pure functions, no network, no state."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.coaching.models import Question, Turn
from bot.textsplit import split_text

# Discord's hard limits (https://discord.com/developers/docs/resources/message).
MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELD_COUNT_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
THREAD_NAME_LIMIT = 100
# Room for the source line under an excerpt, so the excerpt keeps most of a field.
SOURCE_LINE_LIMIT = 300

CITATIONS_TITLE = "Where these questions come from"
EMPTY_TURN_TEXT = "I have no question to add yet. Tell me a little more about the deal."
DEFAULT_THREAD_NAME = "Negotiation coaching"
# A thread name is a label, not a summary: long enough to recognise, short enough to scan.
THREAD_NAME_TARGET = 60


@dataclass(frozen=True, slots=True)
class RenderedTurn:
    """A turn ready to send: message contents in order, and the embed for the last message."""

    contents: tuple[str, ...]
    citations: discord.Embed | None

    def messages(self) -> list[tuple[str, discord.Embed | None]]:
        """Each message's content with its embed: the citations go under the last one."""
        last = len(self.contents) - 1
        return [
            (content, self.citations if i == last else None)
            for i, content in enumerate(self.contents)
        ]


def render_turn(turn: Turn) -> RenderedTurn:
    """Render notices and numbered questions as messages, plus a citations embed."""
    contents = tuple(split_text(turn_text(turn), MESSAGE_LIMIT)) or (EMPTY_TURN_TEXT,)
    return RenderedTurn(contents=contents, citations=citations_embed(turn.questions))


def turn_text(turn: Turn) -> str:
    """The message text: notices first (as small print), then the numbered questions."""
    notices = [f"-# {notice}" for notice in turn.notices if notice.strip()]
    notices += [line for line in turn.preface if line.strip()]
    questions = [f"**{n}.** {q.text}" for n, q in enumerate(turn.questions, start=1)]
    return "\n\n".join(notices + questions)


def citations_embed(questions: tuple[Question, ...]) -> discord.Embed | None:
    """One field per question naming its source and quoting it, within Discord's embed limits.

    Fields that would push the embed past its total size are dropped (and counted in the
    footer) rather than sent, since Discord rejects the whole message otherwise.
    """
    if not questions:
        return None
    embed = discord.Embed(title=clip(CITATIONS_TITLE, EMBED_TITLE_LIMIT))
    skipped = 0
    for n, question in enumerate(questions[:EMBED_FIELD_COUNT_LIMIT], start=1):
        name, value = citation_field(n, question)
        # Keep room for the footer so the embed stays valid even when it is needed.
        if len(embed) + len(name) + len(value) + _footer_room(len(questions)) > EMBED_TOTAL_LIMIT:
            skipped += 1
            continue
        embed.add_field(name=name, value=value, inline=False)
    skipped += max(0, len(questions) - EMBED_FIELD_COUNT_LIMIT)
    if skipped:
        embed.set_footer(text=_skipped_footer(skipped))
    return embed


def citation_field(n: int, question: Question) -> tuple[str, str]:
    """The (name, value) of the citation field for question number ``n``."""
    passage = question.passage
    label = passage.title or passage.source or "Knowledge base"
    name = clip(f"{n}. {label}", EMBED_FIELD_NAME_LIMIT)
    # Discord rejects empty field values, so an empty passage still gets a placeholder.
    lines = [passage.excerpt() or "(no excerpt)"]
    if passage.title and passage.source:
        # The source line says where the text comes from (and whether it is a digest).
        lines.append(f"*{clip(passage.source, SOURCE_LINE_LIMIT)}*")
    return name, clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT)


def thread_name(text: str) -> str:
    """A short thread name from the user's first message, cut at a word boundary."""
    words = " ".join(text.split())
    if not words:
        return DEFAULT_THREAD_NAME
    return clip(words, min(THREAD_NAME_TARGET, THREAD_NAME_LIMIT))


def clip(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters, at a word boundary, marked with …."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Prefer a word boundary unless that would throw away most of the room.
    if " " in cut and cut.rfind(" ") > limit // 2:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def _skipped_footer(skipped: int) -> str:
    return f"{skipped} more source(s) left out to fit Discord's limits."


def _footer_room(question_count: int) -> int:
    return len(_skipped_footer(question_count))
