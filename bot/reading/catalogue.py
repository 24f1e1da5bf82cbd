"""The deal catalogue: one YAML file per kind of deal in ``knowledge/deals/``.

Each kind names its roles, what each side hands over, its typical hidden risks (and who bears
them by default), its usual mechanisms and the questions a trainer asks about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.coaching.planner import DIMENSIONS
from bot.datafiles import load_yaml

QUESTION_MOVES = ("redirect", "examine", "tactics", "pushback")
_SLOT = re.compile(r"\{(\w+)\}")


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Risk:
    """A typical hidden risk of a kind of deal."""

    id: str
    risk: str
    bears: str  # user | counterpart | both
    mechanisms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DealQuestion:
    """A question about this kind of deal, with {counterpart} and {object} slots."""

    kind: str
    dimension: str
    move: str
    text: str
    targets: tuple[str, ...]
    # Facts the question takes for granted (a loan, rent paid upfront): any one of these
    # phrases must be in the user's words before the question may be asked.
    presumes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Phase:
    """A stage of a deal the user can say they are in ("moving out next week"), and the risks
    that still arise there: a tenant leaving has no rent rise at renewal to fear."""

    id: str
    pattern: re.Pattern[str]
    risks: frozenset[str]


@dataclass(frozen=True, slots=True)
class DealKind:
    """One kind of deal."""

    id: str
    name: str
    family: str
    summary: str
    keywords: tuple[str, ...]
    examples: tuple[str, ...]
    user_role: str
    counterpart_role: str
    counterpart_words: tuple[str, ...]
    third_parties: tuple[str, ...]
    default_object: str
    object_words: tuple[str, ...]
    exchange: dict[str, str]
    risks: tuple[Risk, ...]
    mechanisms: tuple[str, ...]
    questions: tuple[DealQuestion, ...]
    # The user's seat (buyer, seller, landlord…) and the kind written from the other seat:
    # a user who is selling tickets is read as the ticket-resale kind's mirror, selling online.
    seat: str = ""
    mirror: str = ""
    phases: tuple[Phase, ...] = ()

    def phase_in(self, text: str) -> Phase | None:
        """The stage the user's words put the deal in, or None when they name none."""
        return next((p for p in self.phases if p.pattern.search(text)), None)

    @property
    def profile(self) -> str:
        """Text that stands for the kind when matching passages and messages."""
        risks = "; ".join(r.risk for r in self.risks)
        return f"{self.name}. {self.summary} Risks: {risks}."


@lru_cache(maxsize=4)
def load_catalogue(folder: Path) -> dict[str, DealKind]:
    """Every kind in ``folder``, by id; a malformed file fails loudly at start.

    Cached per folder: the catalogue is read-only data, and tests build many apps.
    """
    kinds = [_parse(path) for path in sorted(folder.glob("*.yaml"))]
    if not kinds:
        raise CatalogueError(f"{folder} holds no deal kinds.")
    by_id = {k.id: k for k in kinds}
    for k in kinds:
        if k.mirror and k.mirror not in by_id:
            raise CatalogueError(f"{k.id}.yaml: mirror {k.mirror!r} is not a kind.")
    return by_id


def _parse(path: Path) -> DealKind:
    try:
        raw = load_yaml(path)
        kind = _build(raw)
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path.name}: {type(exc).__name__}: {exc}") from exc
    if kind.id != path.stem:
        raise CatalogueError(f"{path.name}: id {kind.id!r} does not match the file name.")
    _check_questions(path.name, kind)
    return kind


def _build(raw: dict) -> DealKind:
    roles, objects = raw["roles"], raw["objects"]
    kind_id = str(raw["id"])
    return DealKind(
        id=kind_id,
        name=str(raw["name"]),
        family=str(raw.get("family", "")),
        summary=" ".join(str(raw.get("summary", "")).split()),
        keywords=_strings(raw.get("keywords")),
        examples=_strings(raw.get("examples")),
        user_role=str(roles.get("user", "")),
        counterpart_role=str(roles["counterpart"]),
        counterpart_words=_strings(roles.get("counterpart_words")),
        third_parties=_strings(roles.get("third_parties")),
        default_object=str(objects["default"]),
        object_words=_strings(objects.get("words")),
        exchange={str(k): str(v) for k, v in (raw.get("exchange") or {}).items()},
        risks=tuple(
            Risk(
                str(r["id"]),
                str(r["risk"]),
                str(r.get("bears", "user")),
                _strings(r.get("mechanisms")),
            )
            for r in raw.get("risks") or []
        ),
        mechanisms=_strings(raw.get("mechanisms")),
        seat=str(roles.get("seat", "")),
        mirror=str(roles.get("mirror", "")),
        phases=tuple(
            Phase(
                str(p["id"]),
                re.compile("|".join(f"(?:{c})" for c in p["cues"]), re.I),
                frozenset(_strings(p["risks"])),
            )
            for p in raw.get("phases") or []
        ),
        questions=tuple(
            DealQuestion(
                kind_id,
                str(q["dimension"]),
                str(q.get("move", "redirect")),
                " ".join(str(q["text"]).split()),
                _strings(q.get("targets")),
                tuple(p.lower() for p in _strings(q.get("presumes"))),
            )
            for q in raw.get("questions") or []
        ),
    )


def _check_questions(name: str, kind: DealKind) -> None:
    for q in kind.questions:
        bad_slots = set(_SLOT.findall(q.text)) - {"counterpart", "object"}
        if q.dimension not in DIMENSIONS or q.move not in QUESTION_MOVES:
            raise CatalogueError(f"{name}: unknown dimension or move in {q.text!r}")
        if bad_slots or not q.text.endswith("?"):
            raise CatalogueError(f"{name}: bad slot or not a question: {q.text!r}")
    risks = {r.id for r in kind.risks}
    for phase in kind.phases:
        if not phase.risks <= risks:
            raise CatalogueError(f"{name}: phase {phase.id!r} names unknown risks")


def _strings(items: object) -> tuple[str, ...]:
    return tuple(str(i).strip() for i in (items or []) if str(i).strip())
