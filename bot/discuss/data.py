"""Reading ``prompts/discuss/discussion.yaml``: what discussion prompts and reveals say."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path

from bot.coaching.planner import DIMENSIONS
from bot.datafiles import load_yaml

REVEAL_KEYS = (
    "none",
    "single",
    "split",
    "all_trust",
    "trust_kinds",
    "different_mechanisms",
    "same_mechanism",
    "neither",
    "no_mechanism",
    "sequence",
    "amounts",
    "dropped",
    "dropped_alone",
    "offtopic",
)
FOLLOW_UP_KEYS = ("sequence", "amounts", "dropped", "split", "different_mechanisms", "all_trust")
REVEAL_FIELDS = frozenset(
    {
        "names",
        "cues",
        "mechanisms",
        "by_person",
        "counterpart",
        "trusting",
        "mechanical",
        "at_once",
        "staged",
        "safeguards",
        "keepers",
        "low",
        "high",
    }
)
POSITION_KEYS = ("at_once", "staged", "gives", "demands")
COMPOSED_FIELDS = frozenset(
    {
        "name",
        "Name",
        "side",
        "counterpart",
        "Counterpart",
        "object",
        "you_give",
        "they_give",
        "timing",
        "Timing",
        "risk",
        "bearer",
        "topic",
    }
)
CHOICE_FIELDS = frozenset({"risk", "a", "b", "counterpart"})
CHOICE_KEYS = ("default", "single")
QUESTION_CUE_KEYS = ("mechanism", "stakes")


class DiscussDataError(ValueError):
    """The discussion data file is malformed; the message names the problem."""


@dataclass(frozen=True, slots=True)
class Perspective:
    """Whose shoes the team stands in, and who the other party is."""

    side: str | None = None
    counterpart: str | None = None


@dataclass(frozen=True, slots=True)
class Reclassify:
    """A mechanism word filed under another kind unless the answer's clause says otherwise."""

    term: str
    kind: str
    unless: str = ""


@dataclass(frozen=True, slots=True)
class EssaySection:
    """A section of the essay digest that makes a scenario."""

    heading: str
    title: str
    perspective: Perspective
    kind: str = ""  # the deal kind its questions come from
    event: str = ""  # the case note telling the same story, if any


@dataclass(frozen=True, slots=True)
class ComposedTexts:
    """The wording of a scenario composed from the deal catalogue."""

    title: str = "{Name}: a composed scenario"
    source: str = "Parley's deal catalogue ({name})"
    text: str = ""
    bearers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DiscussData:
    """Everything in the data file, checked."""

    focus: tuple[str, ...]
    scenario_chars: int
    scenario_headings: tuple[str, ...]
    context_headings: tuple[str, ...]
    perspectives: dict[str, Perspective]
    essay_sections: tuple[EssaySection, ...]
    reveal: dict[str, str]
    trust_kinds: dict[str, str]
    follow_ups: dict[str, str] = field(default_factory=dict)
    positions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Ledger category -> patterns the prep ledger does not know yet (see the data file).
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reclassify: tuple[Reclassify, ...] = ()
    # Ledger category -> how the reveal names it ("money held back"); "other mechanism" has none.
    mechanism_labels: dict[str, str] = field(default_factory=dict)
    # Terms that name the deal itself ("the earn-out", "the contract"), never a safeguard.
    not_mechanisms: tuple[str, ...] = ()
    # What, right after a safeguard, puts it off ("monitors can come in later").
    deferred: str = ""
    # Words that take a stand on the case ("I'd walk away"), so an answer is never set aside.
    stance: str = ""
    # Long words any chat message has ("still", "anyone"): shared with a case, they say nothing.
    chat_words: frozenset[str] = frozenset()
    marks: dict[str, str] = field(default_factory=dict)
    question_headings: tuple[str, ...] = ()
    # Deal kind -> the team's seat, where the catalogue's user role reads badly as a side.
    sides: dict[str, str] = field(default_factory=dict)
    composed: ComposedTexts = field(default_factory=ComposedTexts)
    # The team's topic as its own scenario, when nothing in the catalogue or notes fits it.
    topic_scenario: ComposedTexts = field(default_factory=ComposedTexts)
    # Family (or "default", "single") -> wordings of the question that forces a choice.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Dimension -> words that tell a case note's own question probes it.
    question_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Nouns used without an article ("escrow", "exclusivity") in the forced-choice question.
    mass_nouns: frozenset[str] = frozenset()
    # Said when nothing fits a topic; {topic} is the team's words.
    no_fit: str = 'Nothing I know fits "{topic}".'

    @classmethod
    def load(cls, path: Path) -> DiscussData:
        """Read and validate the file; a mistake fails loudly at start, naming what is wrong."""
        raw = load_yaml(path) or {}
        focus = tuple(str(d) for d in raw.get("focus") or ())
        if not focus or any(d not in DIMENSIONS for d in focus):
            raise DiscussDataError(f"{path}: focus must list dimensions from {DIMENSIONS}.")
        reveal = {str(k): str(v) for k, v in (raw.get("reveal") or {}).items()}
        _check_reveal(path, reveal, REVEAL_KEYS, "reveal")
        follow_ups = {str(k): str(v) for k, v in (raw.get("follow_ups") or {}).items()}
        _check_reveal(path, follow_ups, FOLLOW_UP_KEYS, "follow_ups")
        return cls(
            focus=focus,
            scenario_chars=int(raw.get("scenario_chars", 650)),
            scenario_headings=tuple(raw.get("scenario_headings") or ()),
            context_headings=tuple(raw.get("context_headings") or ()),
            perspectives={
                str(stem): Perspective(p.get("side"), p.get("counterpart"))
                for stem, p in (raw.get("perspectives") or {}).items()
            },
            essay_sections=tuple(
                EssaySection(
                    str(s["heading"]),
                    str(s["title"]),
                    Perspective(s.get("side"), s.get("counterpart")),
                    str(s.get("kind", "")),
                    str(s.get("event", "")),
                )
                for s in raw.get("essay_sections") or ()
            ),
            reveal=reveal,
            trust_kinds={str(k): str(v) for k, v in (raw.get("trust_kinds") or {}).items()},
            follow_ups=follow_ups,
            positions=_positions(path, raw.get("positions") or {}),
            vocabulary=_string_lists(raw.get("mechanism_vocabulary") or {}),
            marks={str(k): str(v) for k, v in (raw.get("marks") or {}).items()},
            mechanism_labels={
                str(k): str(v) for k, v in (raw.get("mechanism_labels") or {}).items()
            },
            not_mechanisms=tuple(str(t) for t in raw.get("not_mechanisms") or ()),
            deferred=str(raw.get("deferred") or ""),
            stance=str(raw.get("stance") or ""),
            chat_words=frozenset(str(w).lower() for w in raw.get("chat_words") or ()),
            reclassify=tuple(
                Reclassify(str(r["term"]), str(r["kind"]), str(r.get("unless", "")))
                for r in raw.get("reclassify") or ()
            ),
            question_headings=tuple(raw.get("question_headings") or ()),
            sides={str(k): str(v) for k, v in (raw.get("sides") or {}).items()},
            composed=_composed(path, raw.get("composed") or {}),
            topic_scenario=_composed(path, raw.get("topic_scenario") or {}),
            choices=_choices(path, raw.get("choices") or {}),
            question_cues=_keyed_lists(path, raw.get("question_cues") or {}, QUESTION_CUE_KEYS),
            no_fit=_no_fit(path, raw),
            mass_nouns=frozenset(str(w).lower() for w in raw.get("mass_nouns") or ()),
        )


def _check_reveal(path: Path, texts: dict[str, str], keys: tuple[str, ...], section: str) -> None:
    missing = [k for k in keys if k not in texts]
    if missing:
        raise DiscussDataError(f"{path}: {section} lacks {', '.join(missing)}.")
    for key, text in texts.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        unknown = fields - REVEAL_FIELDS
        if unknown:
            raise DiscussDataError(f"{path}: {section}.{key} uses unknown {sorted(unknown)}.")


def _string_lists(raw: dict) -> dict[str, tuple[str, ...]]:
    return {str(k): tuple(str(v) for v in values or ()) for k, values in raw.items()}


def _positions(path: Path, raw: dict) -> dict[str, tuple[str, ...]]:
    positions = _string_lists(raw)
    missing = [k for k in POSITION_KEYS if not positions.get(k)]
    if missing:
        raise DiscussDataError(f"{path}: positions lacks {', '.join(missing)}.")
    return positions


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _composed(path: Path, raw: dict) -> ComposedTexts:
    texts = ComposedTexts(
        title=str(raw.get("title", ComposedTexts.title)),
        source=str(raw.get("source", ComposedTexts.source)),
        text=" ".join(str(raw.get("text", "")).split()),
        bearers={str(k): str(v) for k, v in (raw.get("bearers") or {}).items()},
    )
    if not texts.text:
        raise DiscussDataError(f"{path}: composed needs a text.")
    for text in (texts.title, texts.source, texts.text, *texts.bearers.values()):
        unknown = _fields(text) - COMPOSED_FIELDS
        if unknown:
            raise DiscussDataError(f"{path}: composed uses unknown {sorted(unknown)}.")
    return texts


def _choices(path: Path, raw: dict) -> dict[str, tuple[str, ...]]:
    choices = _keyed_lists(path, raw, CHOICE_KEYS)
    for wordings in choices.values():
        for text in wordings:
            unknown = _fields(text) - CHOICE_FIELDS
            if unknown or not text.endswith("?"):
                raise DiscussDataError(f"{path}: choice {text!r}: bad slot or not a question.")
    return choices


def _keyed_lists(path: Path, raw: dict, keys: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    lists = _string_lists(raw)
    missing = [k for k in keys if not lists.get(k)]
    if missing:
        raise DiscussDataError(f"{path}: needs {', '.join(missing)}.")
    return lists


def _no_fit(path: Path, raw: dict) -> str:
    text = " ".join(str(raw.get("no_fit", DiscussData.no_fit)).split())
    if _fields(text) - {"topic"}:
        raise DiscussDataError(f"{path}: no_fit may only use {{topic}}.")
    return text
