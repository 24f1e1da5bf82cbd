"""Checks on what the model returned: the same guarantees the offline engine gives, or nothing.

A usable turn has 1..N questions, each one a question (not advice, not a revealed answer), each
probing a distinct known dimension, each citing only passages that were retrieved, none asked
before in the conversation. Anything else yields plain-language errors for the one repair try.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.coaching.llm.prompts import OutputRules
from bot.coaching.models import Passage, Question
from bot.coaching.planner import DIMENSIONS, SOCRATIC_TYPES

MIN_CHARS = 15
MAX_CHARS = 320
# A short quote of the user's words may precede the question, but not a lecture.
MAX_PREAMBLE_CHARS = 140
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“A-Z])")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_FUNCTION_WORDS = frozenset(
    [
        "what",
        "which",
        "would",
        "could",
        "should",
        "when",
        "where",
        "there",
        "their",
        "them",
        "they",
        "this",
        "that",
        "with",
        "from",
        "have",
        "about",
        "does",
        "your",
        "yours",
        "into",
        "than",
        "then",
        "were",
        "been",
        "will",
        "more",
        "most",
        "much",
        "some",
        "each",
        "also",
        "just",
        "only",
        "like",
        "here",
        "after",
        "before",
        "because",
        "while",
        "these",
        "those",
        "being",
        "very",
        "make",
        "made",
        "want",
        "need",
        "know",
        "think",
        "really",
        "thing",
        "things",
        "something",
        "anything",
        "else",
        "even",
        "ever",
        "every",
        "many",
        "such",
        "same",
        "both",
    ]
)


class RawQuestion(BaseModel):
    """One question as the model must write it."""

    model_config = ConfigDict(extra="ignore")

    text: str
    dimension: str
    passages: list[str] = Field(min_length=1)
    type: str | None = None


class RawTurn(BaseModel):
    """The whole answer the model must write."""

    model_config = ConfigDict(extra="ignore")

    questions: list[RawQuestion]


@dataclass(frozen=True, slots=True)
class TurnContext:
    """What the model was given, to check its answer against."""

    passages: dict[str, Passage]
    max_questions: int
    asked: frozenset[str]
    off_topic: bool = False
    # Word stems of the message and the trust-lens findings; empty = relevance not checked.
    anchors: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The checked answer: usable questions, or the reasons it is unusable."""

    questions: tuple[Question, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.questions) and not self.errors


def output_schema(passage_ids: list[str], max_questions: int, *, limits: bool = False) -> dict:
    """JSON schema of the answer, for servers that can constrain decoding to it.

    ``limits`` adds length bounds (text length, ids per question) that keep a small local model
    from looping until it runs out of tokens; self-hosted grammar engines (llama.cpp, vLLM)
    honour them, while OpenAI's strict mode may refuse such keywords, hence optional.
    """
    question: dict = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "dimension": {"type": "string", "enum": list(DIMENSIONS)},
            "type": {"type": "string", "enum": list(SOCRATIC_TYPES)},
            "passages": {
                "type": "array",
                "items": {"type": "string", "enum": passage_ids},
                "minItems": 1,
            },
        },
        "required": ["text", "dimension", "type", "passages"],
        "additionalProperties": False,
    }
    if limits:
        question["properties"]["text"].update(minLength=MIN_CHARS, maxLength=MAX_CHARS)
        question["properties"]["passages"]["maxItems"] = 3
    return {
        "type": "object",
        "properties": {
            "questions": {
                "type": "array",
                "items": question,
                "minItems": 1,
                "maxItems": max_questions,
            }
        },
        "required": ["questions"],
        "additionalProperties": False,
    }


def check_answer(raw: str, context: TurnContext, rules: OutputRules) -> Verdict:
    """Parse and check the model's whole answer."""
    parsed = parse_answer(raw)
    if isinstance(parsed, str):
        return Verdict(errors=(parsed,))
    errors: list[str] = []
    count = len(parsed.questions)
    if not 1 <= count <= context.max_questions:
        errors.append(f"Ask between 1 and {context.max_questions} questions, not {count}.")
    seen_texts: set[str] = set()
    seen_dimensions: set[str] = set()
    questions: list[Question] = []
    for number, raw_q in enumerate(parsed.questions, start=1):
        problems = _question_problems(raw_q, context, rules)
        key = normalise(raw_q.text)
        if key in seen_texts:
            problems.append("it repeats another question of this answer")
        if raw_q.dimension in seen_dimensions:
            problems.append(f"another question already probes {raw_q.dimension!r}")
        seen_texts.add(key)
        seen_dimensions.add(raw_q.dimension)
        if problems:
            errors.append(f"Question {number} ({raw_q.text[:80]!r}): " + "; ".join(problems) + ".")
        else:
            questions.append(_to_question(raw_q, context))
    return Verdict(tuple(questions), tuple(errors))


def parse_answer(raw: str) -> RawTurn | str:
    """The answer as data, or one sentence saying why its format is broken."""
    text = _FENCE.sub("", raw.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return "The answer is not a JSON object; answer with the JSON object only."
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        return f"The answer is not valid JSON ({exc.msg} at character {exc.pos})."
    try:
        return RawTurn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the object"
        return f"The JSON does not match the format: {where}: {first['msg']}."


def question_text_problems(text: str, rules: OutputRules) -> list[str]:
    """Why a question's wording is unusable (form, advice, revealed answer); empty if fine."""
    text = text.strip()
    problems: list[str] = []
    if not text.endswith("?"):
        problems.append("it does not end with a question mark")
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        problems.append(f"it should be {MIN_CHARS}-{MAX_CHARS} characters long")
    statements = [s for s in _SENTENCE_END.split(text) if not s.rstrip().endswith("?")]
    if len(statements) > 1 or any(len(s) > MAX_PREAMBLE_CHARS for s in statements):
        problems.append("it is a statement, not a question: keep only a short quote before it")
    if text.count("?") > 1:
        problems.append("it asks several questions at once: ask one")
    if "\n" in text:
        problems.append("it spans several lines")
    if any(p.search(text) for p in rules.advice):
        problems.append("it gives advice; ask, don't tell")
    if any(p.search(text) for p in rules.reveal):
        problems.append("it gives the answer away; let the person find it")
    if any(p.search(text) for p in rules.voice):
        problems.append('it talks about the person; speak to them as "you"')
    return problems


def normalise(text: str) -> str:
    """A question's text for comparison: lower case, letters and digits only."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _question_problems(raw_q: RawQuestion, context: TurnContext, rules: OutputRules) -> list[str]:
    problems = question_text_problems(raw_q.text, rules)
    if raw_q.dimension not in DIMENSIONS:
        problems.append(f"dimension {raw_q.dimension!r} is not one of {', '.join(DIMENSIONS)}")
    if raw_q.type is not None and raw_q.type not in SOCRATIC_TYPES:
        problems.append(f"type {raw_q.type!r} is not one of {', '.join(SOCRATIC_TYPES)}")
    if context.off_topic and (raw_q.type or "clarify") != "clarify":
        problems.append("the message is off topic: ask one clarifying question (type 'clarify')")
    unknown = [p for p in raw_q.passages if p not in context.passages]
    if unknown:
        problems.append(
            f"it cites {', '.join(unknown)}, which was not retrieved "
            f"(cite only {', '.join(context.passages)})"
        )
    if normalise(raw_q.text) in context.asked:
        problems.append("it was already asked in this conversation")
    if context.anchors and not _connects(raw_q, context, rules):
        problems.append(
            "it does not connect to the person's deal: use their words or the passage's terms"
        )
    return problems


def stems(text: str) -> set[str]:
    """Crude stems of the content words of ``text`` (5-letter prefixes, function words out)."""
    words = re.findall(r"[a-z]+", text.lower())
    return {w[:5] for w in words if len(w) >= 4 and w not in _FUNCTION_WORDS}


def _connects(raw_q: RawQuestion, context: TurnContext, rules: OutputRules) -> bool:
    """True when the question shares a word with the message, its cited passages or the topic.

    Form checks cannot tell a question about the person's deal from a fluent question about
    anything else (a tiny model once asked how to explain a computer switch to a child).
    """
    cited = " ".join(context.passages[p].text for p in raw_q.passages if p in context.passages)
    allowed = context.anchors | stems(cited) | rules.topic
    return bool(stems(raw_q.text) & allowed)


def _to_question(raw_q: RawQuestion, context: TurnContext) -> Question:
    passage = context.passages[raw_q.passages[0]]
    return Question(
        text=raw_q.text.strip(),
        dimension=raw_q.dimension,
        move_id=f"llm-{raw_q.dimension}",
        socratic_type=raw_q.type or "clarify",
        passage=passage,
    )
