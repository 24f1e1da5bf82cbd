"""Streaming: previews built from partial JSON, and an editor that edits at most once a second."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.coaching.llm import PromptSet, ThrottledEditor
from bot.coaching.llm.streaming import (
    EditThrottle,
    PreviewBuilder,
    extract_questions,
    preview_text,
)
from tests.llm.conftest import GOOD


class FakeClock:
    """Virtual time: sleepers wake only when the test advances the clock past their deadline."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        """Let pending tasks reach their sleep, move time on, wake those due, let them run."""
        for _ in range(5):
            await asyncio.sleep(0)
        self.now += seconds
        for due, future in list(self._sleepers):
            if due <= self.now + 1e-9:
                self._sleepers.remove((due, future))
                if not future.done():
                    future.set_result(None)
        for _ in range(5):
            await asyncio.sleep(0)


class Message:
    """Records every edit with the fake time it happened."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.edits: list[tuple[float, str]] = []

    async def edit(self, text: str) -> None:
        self.edits.append((self.clock.now, text))


async def finish(editor: ThrottledEditor, clock: FakeClock, text: str) -> None:
    """Run ``editor.finish`` while the clock moves on a second, as real time would."""
    task = asyncio.create_task(editor.finish(text))
    await clock.advance(0)
    await clock.advance(1.0)
    await task


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def message(clock: FakeClock) -> Message:
    return Message(clock)


@pytest.fixture
def editor(clock: FakeClock, message: Message) -> ThrottledEditor:
    return ThrottledEditor(message.edit, interval=1.0, clock=clock, sleep=clock.sleep)


async def test_first_update_is_shown_at_once(editor: ThrottledEditor, message: Message) -> None:
    await editor.update("1. What")
    assert message.edits == [(0.0, "1. What")]


async def test_burst_of_updates_makes_one_edit_per_second(
    editor: ThrottledEditor, message: Message, clock: FakeClock
) -> None:
    for i in range(50):  # 50 tokens over 2.5 s
        await editor.update(f"text {i}")
        await clock.advance(0.05)
    await finish(editor, clock, "final")
    times = [t for t, _ in message.edits]
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times))
    assert 3 <= len(message.edits) <= 4


async def test_finish_always_shows_the_final_text_last(
    editor: ThrottledEditor, message: Message, clock: FakeClock
) -> None:
    await editor.update("draft")
    await editor.update("draft 2")
    await finish(editor, clock, "final")
    assert message.edits[-1][1] == "final"


async def test_pending_text_is_flushed_when_the_stream_pauses(
    editor: ThrottledEditor, message: Message, clock: FakeClock
) -> None:
    await editor.update("one")
    await editor.update("two")  # too soon: pending
    await clock.advance(1.5)  # the stream stalls; the flusher wakes
    assert [text for _, text in message.edits] == ["one", "two"]


async def test_same_text_is_not_sent_twice(editor: ThrottledEditor, message: Message) -> None:
    await editor.update("same")
    await editor.finish("same")
    assert len(message.edits) == 1


@pytest.mark.parametrize(("now", "expected"), [(0.2, None), (0.99, None), (1.0, "b"), (3.0, "b")])
def test_throttle_sends_only_after_the_interval(now: float, expected: str | None) -> None:
    throttle = EditThrottle(interval=1.0)
    throttle.offer("a", 0.0)
    assert throttle.offer("b", now) == expected


def test_partial_json_yields_finished_and_unfinished_questions() -> None:
    cut = GOOD[: GOOD.index("what will do")]
    found = extract_questions(cut)
    assert [done for _, done in found] == [True, False]
    assert found[1][0].startswith("What job did the inspection do")


def test_escaped_quotes_are_decoded() -> None:
    assert extract_questions(r'{"questions":[{"text":"You said \"trust\"?"')[0] == (
        'You said "trust"?',
        True,
    )


def test_preview_numbers_questions_and_marks_the_one_in_progress() -> None:
    assert preview_text(["A?"], "B") == "1. A?\n2. B …"


def test_preview_hides_a_finished_question_that_gives_advice(prompts: PromptSet) -> None:
    builder = PreviewBuilder(prompts.rules)
    raw = '{"questions":[{"text":"You should get an inspection, right?"},{"text":"What is at'
    assert builder.update(raw) == "1. What is at …"


def test_preview_does_not_repeat_itself(prompts: PromptSet) -> None:
    builder = PreviewBuilder(prompts.rules)
    builder.update('{"questions":[{"text":"What')
    assert builder.update('{"questions":[{"text":"What') is None
