"""Streaming helpers for front ends: a live preview of the questions, and a throttled editor.

No Discord here: ``ThrottledEditor`` takes any ``async edit(text)`` callback (Discord's
``message.edit``, a terminal redraw) and calls it at most once per ``interval`` seconds, always
ending on the latest text. Clock and sleep are injectable so tests control time.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from bot.coaching.llm.prompts import OutputRules
from bot.coaching.llm.validation import question_text_problems
from bot.coaching.models import Turn

Edit = Callable[[str], Awaitable[object]]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

_TEXT_FIELD = re.compile(r'"text"\s*:\s*"((?:[^"\\]|\\.)*)(")?', re.S)
THINKING = "…"


@dataclass(frozen=True, slots=True)
class TurnUpdate:
    """One step of a streamed turn: the preview to show now; the last one carries the turn."""

    preview: str
    turn: Turn | None = None


def extract_questions(raw: str) -> list[tuple[str, bool]]:
    """The question texts in a partial JSON answer, each with whether its string is complete."""
    found = []
    for match in _TEXT_FIELD.finditer(raw):
        body, closed = match.group(1), match.group(2) is not None
        found.append((_unescape(body), closed))
    return found


def preview_text(questions: list[str], partial: str = "") -> str:
    """Numbered questions, the one being written last with an ellipsis."""
    lines = [f"{i}. {q}" for i, q in enumerate(questions, start=1)]
    if partial:
        lines.append(f"{len(questions) + 1}. {partial} {THINKING}")
    return "\n".join(lines) or THINKING


@dataclass(slots=True)
class PreviewBuilder:
    """Turns the model's raw streamed JSON into a safe preview.

    A finished question is shown only if its wording passes the checks; the one being written is
    shown while it contains no advice or revealed answer. So a preview never shows what the final
    turn would reject, apart from the in-progress line, which the final turn replaces anyway.
    """

    rules: OutputRules
    last: str = ""

    def update(self, raw: str) -> str | None:
        """The new preview for ``raw``, or None when it would not change."""
        shown: list[str] = []
        partial = ""
        for text, complete in extract_questions(raw):
            if complete:
                if not question_text_problems(text, self.rules):
                    shown.append(text)
            elif not self._tells(text):
                partial = text
        preview = preview_text(shown, partial)
        if preview == self.last:
            return None
        self.last = preview
        return preview

    def _tells(self, text: str) -> bool:
        return any(p.search(text) for p in (*self.rules.advice, *self.rules.reveal))


@dataclass(slots=True)
class EditThrottle:
    """Pure bookkeeping of a throttled message: what to send, and when."""

    interval: float = 1.0
    sent: str | None = None
    sent_at: float | None = None
    pending: str | None = None

    def offer(self, text: str, now: float) -> str | None:
        """Text to send right now, or None (then it is kept as pending)."""
        if text == self.sent:
            self.pending = None
            return None
        if self.wait(now) <= 0:
            return self._mark(text, now)
        self.pending = text
        return None

    def take_due(self, now: float) -> str | None:
        """The pending text, if its time has come."""
        if self.pending is None or self.wait(now) > 0:
            return None
        return self._mark(self.pending, now)

    def wait(self, now: float) -> float:
        """Seconds until the next edit is allowed."""
        if self.sent_at is None:
            return 0.0
        return max(0.0, self.sent_at + self.interval - now)

    def _mark(self, text: str, now: float) -> str:
        self.sent, self.sent_at, self.pending = text, now, None
        return text


@dataclass(slots=True)
class ThrottledEditor:
    """Calls ``edit`` at most once per ``interval`` seconds, and always with the newest text."""

    edit: Edit
    interval: float = 1.0
    clock: Clock = time.monotonic
    sleep: Sleep = asyncio.sleep
    _throttle: EditThrottle = field(init=False)
    _flusher: asyncio.Task[None] | None = field(init=False, default=None)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self._throttle = EditThrottle(self.interval)

    async def update(self, text: str) -> None:
        """Show ``text`` now if allowed, else as soon as the interval has passed."""
        async with self._lock:
            ready = self._throttle.offer(text, self.clock())
            if ready is not None:
                await self.edit(ready)
                return
        if self._throttle.pending is not None and self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_later())

    async def finish(self, text: str) -> None:
        """Show the final ``text`` (waiting out the interval if needed), with nothing after it."""
        if self._flusher is not None:
            self._flusher.cancel()
            self._flusher = None
        async with self._lock:
            wait = self._throttle.wait(self.clock())
            if wait > 0 and text != self._throttle.sent:
                await self.sleep(wait)
            ready = self._throttle.offer(text, self.clock())
            if ready is not None:
                await self.edit(ready)

    async def _flush_later(self) -> None:
        try:
            await self.sleep(self._throttle.wait(self.clock()))
            async with self._lock:
                ready = self._throttle.take_due(self.clock())
                if ready is not None:
                    await self.edit(ready)
        finally:
            self._flusher = None


async def show_stream(updates: AsyncIterator[TurnUpdate], editor: ThrottledEditor) -> Turn | None:
    """Drive ``editor`` with each preview; return the final turn (the caller renders it)."""
    async for update in updates:
        if update.turn is not None:
            return update.turn
        await editor.update(update.preview)
    return None


def _unescape(body: str) -> str:
    """Decode a (possibly cut) JSON string body."""
    for cut in (body, body[:-1], body[:-5]):
        try:
            return json.loads(f'"{cut}"')
        except json.JSONDecodeError:
            continue
    return body.replace('\\"', '"')
