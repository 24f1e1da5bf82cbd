"""Turns a ``PlanRequest`` into prompt text: trust analysis, fenced passages, history, limits."""

from __future__ import annotations

from dataclasses import dataclass

from bot.coaching.llm.memory import ConversationMemory
from bot.coaching.llm.validation import TurnContext, normalise, stems
from bot.coaching.models import Passage, TrustReading
from bot.coaching.planner import DIMENSIONS, PlanRequest

PASSAGE_CHARS = 700


@dataclass(frozen=True, slots=True)
class TurnPrompt:
    """The filled-in values of ``coaching_turn.md`` and what the answer is checked against."""

    values: dict[str, object]
    context: TurnContext


def question_limit(request: PlanRequest) -> int:
    """At most as many questions as the offline engine would ask for this message."""
    reading = request.reading
    if not reading.on_topic:
        wanted = 1
    elif reading.relies_on_trust:
        wanted = 3
    else:
        wanted = 2
    return max(1, min(request.max_questions, wanted))


def passage_ids(passages: tuple[Passage, ...]) -> dict[str, Passage]:
    """Stable ids P1..Pn in retrieval order."""
    return {f"P{i}": p for i, p in enumerate(passages, start=1)}


def build_turn_prompt(
    request: PlanRequest, memory: ConversationMemory, max_passages: int = 8
) -> TurnPrompt:
    """Everything ``coaching_turn.md`` needs, and the context to check the answer with.

    Only the best ``max_passages`` retrieved passages are shown, and only they may be cited.
    """
    ids = passage_ids(request.passages[:max_passages])
    limit = question_limit(request)
    context = TurnContext(
        passages=ids,
        max_questions=limit,
        asked=frozenset(normalise(q) for q in request.conversation.asked_questions),
        off_topic=not request.reading.on_topic,
        anchors=frozenset(stems(f"{request.message}\n{describe_reading(request.reading)}")),
    )
    values: dict[str, object] = {
        "message": fence_text(request.message),
        "trust_analysis": describe_reading(request.reading) + describe_situation(request),
        "passages": render_passages(ids),
        "passage_ids": ", ".join(ids),
        "uncovered": ", ".join(request.uncovered) or "all explored; pick the most useful",
        "history": memory.render(),
        "max_questions": limit,
    }
    return TurnPrompt(values, context)


def system_values() -> dict[str, object]:
    """Values of ``system.md``."""
    return {"dimensions": ", ".join(DIMENSIONS)}


def describe_situation(request: PlanRequest) -> str:
    """The situation reading (intents, deal, its typical risks), when the coach has a reader."""
    situation = request.situation
    if situation is None:
        return ""
    deal = situation.deal
    lines = ["", f"- what the person is doing: {', '.join(situation.intents)}"]
    if deal.kind:
        lines.append(f"- kind of deal: {deal.kind} (confidence {deal.confidence:.2f})")
    for label, value in (("object", deal.object), ("money", deal.money), ("timing", deal.timing)):
        if value:
            lines.append(f"- {label}, in their words: {value}")
    if deal.third_parties:
        lines.append("- third parties (not the counterpart): " + "; ".join(deal.third_parties))
    if deal.risks:
        lines.append("- typical hidden risks of this kind of deal: " + "; ".join(deal.risks))
    return "\n".join(lines)


def describe_reading(reading: TrustReading) -> str:
    """The trust lens's findings as short bullet lines."""
    lines = [
        f"- leans on trust instead of a mechanism: {'yes' if reading.relies_on_trust else 'no'}",
        f"- already weighing risk: {'yes' if reading.examining_risk else 'no'}",
    ]
    if not reading.on_topic:
        lines.append("- no negotiation in sight: ask one clarifying question about the deal")
    if reading.cues:
        lines.append(
            "- trust cues, in the person's words: " + "; ".join(f'"{c}"' for c in reading.cues)
        )
    if reading.categories:
        lines.append("- kinds of trust: " + ", ".join(reading.categories))
    if reading.counterpart:
        lines.append(f"- the other side, as the person names them: {reading.counterpart}")
    if reading.promise:
        lines.append(f'- promise relied on: "{reading.promise}"')
    if reading.dropped_safeguard:
        lines.append(f"- safeguard being dropped: {reading.dropped_safeguard}")
    if reading.mechanisms_named:
        lines.append("- mechanisms already named: " + ", ".join(reading.mechanisms_named))
    return "\n".join(lines)


def render_passages(ids: dict[str, Passage]) -> str:
    """Each passage fenced in ``<passage id=…>`` so its text can never pass for instructions."""
    blocks = []
    for pid, passage in ids.items():
        source = fence_text(passage.title or passage.source).replace('"', "'")
        text = fence_text(passage.excerpt(PASSAGE_CHARS))
        blocks.append(f'<passage id="{pid}" source="{source}">\n{text}\n</passage>')
    return "\n".join(blocks)


def fence_text(text: str) -> str:
    """Neutralise anything that could close or open a fence inside quoted material."""
    return text.replace("<", "‹").replace(">", "›")
