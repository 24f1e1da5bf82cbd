"""The coaching service with streaming: an LLM engine's questions previewed as they are written.

Streaming uses the ``Coach`` turn's three steps: prepare (blocking, in a worker thread), the
engine's plan (streamed on the event loop) and finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection

from bot.coaching.coach import Coach
from bot.coaching.llm.engine import LLMEngine
from bot.coaching.llm.streaming import PreviewBuilder, TurnUpdate, preview_text
from bot.coaching.models import Conversation
from bot.coaching.service import CoachService
from bot.knowledge.store import GLOBAL_SCOPE


class StreamingCoachService(CoachService):
    """``CoachService`` plus ``stream_ask``: the same turn, with previews while the LLM writes.

    Discord use (one message edited at most once a second, then the rendered turn)::

        editor = ThrottledEditor(message.edit_content)   # any async edit(text) callback
        turn = await show_stream(service.stream_ask(text, conversation_id), editor)
    """

    async def stream_ask(
        self,
        text: str,
        conversation_id: str | None = None,
        *,
        k: int | None = None,
        scopes: Collection[str] = (GLOBAL_SCOPE,),
    ) -> AsyncIterator[TurnUpdate]:
        """Yield previews of the questions, then one update carrying the finished turn.

        Raises ``InputRejected`` before the first update for input that cannot be coached. With
        the offline engine there is no preview: the only update is the finished turn.
        """
        coach = self.coach
        if not isinstance(coach.engine, LLMEngine):
            turn = await self.ask(text, conversation_id, k=k, scopes=scopes)
            yield TurnUpdate(preview_text([q.text for q in turn.questions]), turn)
            return
        if conversation_id is None:
            async for update in _stream_turn(coach, coach.engine, text, None, k, scopes):
                yield update
            return
        async with self._lock_for(conversation_id):
            conversation = await self._conversations.load(conversation_id) or Conversation()
            async for update in _stream_turn(coach, coach.engine, text, conversation, k, scopes):
                if update.turn is not None:
                    conversation.record(update.turn)
                    await self._conversations.save(conversation_id, conversation)
                yield update


async def _stream_turn(
    coach: Coach,
    engine: LLMEngine,
    text: str,
    conversation: Conversation | None,
    k: int | None,
    scopes: Collection[str],
) -> AsyncIterator[TurnUpdate]:
    """Prepare off the loop, stream the plan, finish."""
    prepared = await asyncio.to_thread(coach.prepare, text, conversation, k=k, scopes=scopes)
    builder = PreviewBuilder(engine.prompts.rules)
    attempt = 1
    async for step in engine.astream(prepared.request):
        if step.outcome is not None:
            turn = coach.finish(prepared, step.outcome)
            yield TurnUpdate(preview_text([q.text for q in turn.questions]), turn)
            return
        if step.attempt != attempt:  # the repair answer replaces the first one
            attempt, builder.last = step.attempt, ""
        preview = builder.update(step.text)
        if preview is not None:
            yield TurnUpdate(preview)
