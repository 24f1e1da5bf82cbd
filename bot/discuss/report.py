"""Discussion prompts and reveals as plain data and plain text, for the terminal and for tests.

Discord renders the same objects with embeds (``bot/exts/discuss.py``); both take each
answer's marks from here, so the two front ends never disagree about how an answer reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.coaching.models import Question
from bot.discuss.data import DiscussData
from bot.discuss.divergence import ReadAnswer, Reveal
from bot.discuss.prompts import DiscussionPrompt


def answer_marks(answer: ReadAnswer, data: DiscussData) -> str:
    """How one answer reads: trust, the mechanisms it names, a safeguard it drops."""
    say = data.marks
    if answer.off_topic:
        return say["offtopic"]
    marks = []
    if answer.leans_on_trust:
        marks.append(say["trust"])
    if answer.mechanisms:
        terms = ", ".join(f"{m.term} ({m.kind})" for m in answer.mechanisms)
        marks.append(say["names"].format(mechanisms=terms))
    if answer.safeguard_dropped:
        marks.append(say["dropped"].format(safeguard=answer.safeguard_dropped))
    return " · ".join(marks) or say["neither"]


def question_json(question: Question) -> dict[str, Any]:
    """A question with the passage it cites, by title."""
    passage = question.passage
    return {
        "text": question.text,
        "dimension": question.dimension,
        "citation": {"title": passage.title or passage.source, "quote": passage.excerpt()},
    }


def prompt_json(prompt: DiscussionPrompt) -> dict[str, Any]:
    """What `parley discuss prompt --json` prints."""
    scenario = prompt.scenario
    return {
        "scenario": {
            "key": scenario.key,
            "title": scenario.title,
            "text": scenario.text,
            "source": scenario.source,
            "composed": scenario.composed,
            "side": scenario.perspective.side,
            "counterpart": scenario.perspective.counterpart,
        },
        "questions": [question_json(q) for q in prompt.questions],
    }


def reveal_json(reveal: Reveal) -> dict[str, Any]:
    """What `parley discuss reveal --json` prints."""
    return {
        "title": reveal.round.title,
        "scenario": reveal.round.scenario_text,
        "counterpart": reveal.round.counterpart,
        "answers": [a.to_json() for a in reveal.answers],
        "differences": list(reveal.differences),
        "follow_up": question_json(reveal.follow_up) if reveal.follow_up else None,
    }


def prompt_text(prompt: DiscussionPrompt) -> str:
    """The prompt as the terminal shows it."""
    scenario = prompt.scenario
    lines = [f"Discussion: {scenario.title}"]
    if scenario.perspective.side:
        lines.append(f"Stand in the shoes of {scenario.perspective.side}.")
    lines += [f"> {scenario.text}", f"  (scenario from {scenario.source})", ""]
    lines += _numbered(prompt.questions)
    return "\n".join(lines)


def reveal_text(reveal: Reveal, data: DiscussData) -> str:
    """The reveal as the terminal shows it: answers and marks, differences, one question."""
    lines = [f"The answers, side by side: {reveal.round.title}"]
    for answer in reveal.answers:
        lines += [f"- {answer.author}: {answer.text}", f"    [{answer_marks(answer, data)}]"]
    lines += ["", "Where your assumptions differ"]
    lines += [f"- {line}" for line in reveal.differences]
    if reveal.follow_up is not None:
        lines += ["", "One question for everyone:", *_numbered((reveal.follow_up,))]
    return "\n".join(lines)


def _numbered(questions: Iterable[Question]) -> list[str]:
    lines = []
    for n, question in enumerate(questions, start=1):
        passage = question.passage
        lines.append(f"{n}. {question.text}")
        lines.append(f"   > [{passage.title or passage.source}] {passage.excerpt()}")
    return lines
