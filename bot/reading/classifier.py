"""The situation classifier: linear models over the message's MiniLM embedding and lexicon cues.

Retrieval already embeds every message, so reading it costs a few dot products, not a second
model. The weights are trained by ``bot.reading.training`` (``scripts/train_reading.py``) on
the labelled corpus in ``knowledge/training/`` and shipped as one small ``.npz`` file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.coaching.models import TrustReading
from bot.datafiles import load_yaml
from bot.reading.catalogue import DealKind

LENS_CATEGORIES = ("character", "chemistry", "promise", "relationship", "gut", "proof")
CUE_GROUPS = ("concept", "tactics", "pushback", "decide", "new_facts", "offtopic", "question")
FEATURE_NAMES = (
    "cue_any",
    *(f"lens_{c}" for c in LENS_CATEGORIES),
    "examining",
    "mechanism_named",
    "dropped",
    "injection",
    "on_topic",
    *(f"cue_{g}" for g in CUE_GROUPS),
    "length",
)
# Intents the model learns; "trust" has its own model, "non_english" comes from the language.
LEARNED_INTENTS = ("examining", "concept", "tactics", "pushback", "decide", "new_facts", "offtopic")


class ModelFileError(RuntimeError):
    """The weight file is missing or does not fit the code; the message says how to rebuild it."""


@dataclass(frozen=True, slots=True)
class IntentCues:
    """Compiled intent cue patterns from ``prompts/reading/intent_cues.yaml``."""

    groups: dict[str, tuple[re.Pattern[str], ...]]

    @classmethod
    def load(cls, path: Path) -> IntentCues:
        data = load_yaml(path)
        return cls({g: tuple(re.compile(p, re.I) for p in data.get(g, [])) for g in CUE_GROUPS})

    def matches(self, group: str, text: str) -> bool:
        """True when any pattern of ``group`` occurs in ``text``."""
        return any(p.search(text) for p in self.groups.get(group, ()))


def lexicon_features(
    text: str, lens: TrustReading, cues: IntentCues, injection: bool
) -> np.ndarray:
    """The explainable half of the feature vector, in ``FEATURE_NAMES`` order."""
    values = [
        bool(lens.cues),
        *(c in lens.categories for c in LENS_CATEGORIES),
        lens.examining_risk,
        bool(lens.mechanisms_named),
        lens.dropped_safeguard is not None,
        injection,
        lens.on_topic,
        *(cues.matches(g, text.strip()) for g in CUE_GROUPS),
    ]
    length = math.log1p(len(text.split())) / 5.0
    return np.array([*map(float, values), length], dtype=np.float32)


def keyword_features(text: str, kinds: list[DealKind]) -> np.ndarray:
    """How many of each kind's keywords the message contains (whole words, case-insensitive)."""
    lowered = f" {_words(text)} "
    return np.array(
        [sum(k in lowered for k in _padded_keywords(kind.keywords)) for kind in kinds],
        dtype=np.float32,
    )


@lru_cache(maxsize=256)
def _padded_keywords(keywords: tuple[str, ...]) -> tuple[str, ...]:
    """Keywords as " word word " strings, normalised once per kind rather than per message."""
    return tuple(f" {_words(k)} " for k in keywords)


def names_kind(text: str, kind: DealKind, min_chars: int = 3) -> bool:
    """True when the message uses one of the kind's keywords (whole words)."""
    return any(_keyword_matches(text, kind, min_chars))


def keyword_hits(text: str, kind: DealKind, min_chars: int = 3) -> int:
    """How many of the kind's keywords the message uses (whole words)."""
    return sum(_keyword_matches(text, kind, min_chars))


def _keyword_matches(text: str, kind: DealKind, min_chars: int) -> Iterator[bool]:
    lowered = f" {_words(text)} "
    long_enough = tuple(k for k in kind.keywords if len(k) >= min_chars)
    return (k in lowered for k in _padded_keywords(long_enough))


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class Linear:
    """A standardised linear model: ``softmax`` or ``sigmoid`` of ``W @ ((x - mean) / std) + b``."""

    weights: np.ndarray  # (outputs, features)
    bias: np.ndarray  # (outputs,)
    mean: np.ndarray
    std: np.ndarray

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.weights @ ((x - self.mean) / self.std) + self.bias


@dataclass(frozen=True, slots=True)
class SituationModel:
    """Trust, intent and deal-kind models, with the names their outputs stand for."""

    trust: Linear
    intents: Linear
    kinds: Linear
    kind_ids: tuple[str, ...]
    trust_threshold: float
    kind_floor: float
    corpus_hash: str
    # Replies inside a conversation ("ok but what if he leaves?") mean other things than the
    # same words opening one: their trust and intent models also learn from follow-ups, which
    # made the opening messages' models worse when mixed in (dev intent exact 0.60 -> 0.52).
    reply_trust: Linear | None = None
    reply_intents: Linear | None = None

    def trust_probability(self, x: np.ndarray, reply: bool = False) -> float:
        model = self.reply_trust if reply and self.reply_trust else self.trust
        return float(_sigmoid(model.logits(x))[0])

    def intent_probabilities(self, x: np.ndarray, reply: bool = False) -> dict[str, float]:
        model = self.reply_intents if reply and self.reply_intents else self.intents
        return dict(zip(LEARNED_INTENTS, map(float, _sigmoid(model.logits(x))), strict=True))

    def kind_probabilities(self, x: np.ndarray) -> np.ndarray:
        z = self.kinds.logits(x)
        e = np.exp(z - z.max())
        return e / e.sum()

    def save(self, path: Path) -> None:
        """Write the weights and their metadata to one ``.npz`` file."""
        arrays = {}
        for name in _MODELS:
            model: Linear | None = getattr(self, name)
            if model is None:
                continue
            for part in ("weights", "bias", "mean", "std"):
                arrays[f"{name}_{part}"] = getattr(model, part).astype(np.float32)
        meta = {
            "kind_ids": list(self.kind_ids),
            "trust_threshold": self.trust_threshold,
            "kind_floor": self.kind_floor,
            "corpus_hash": self.corpus_hash,
            "features": list(FEATURE_NAMES),
            "intents": list(LEARNED_INTENTS),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path) -> SituationModel:
        """Read a weight file written by ``save``; refuses one made for other features."""
        rebuild = "Rebuild it with `python scripts/train_reading.py`."
        if not path.is_file():
            raise ModelFileError(f"The reading model {path} is missing. {rebuild}")
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            parts = {k: data[k] for k in data.files if k != "meta"}
        if meta["features"] != list(FEATURE_NAMES) or meta["intents"] != list(LEARNED_INTENTS):
            raise ModelFileError(
                f"The reading model {path} was trained for other features. {rebuild}"
            )
        linear = {
            n: Linear(*(parts[f"{n}_{p}"] for p in ("weights", "bias", "mean", "std")))
            for n in _MODELS
            if f"{n}_weights" in parts
        }
        return cls(
            **linear,
            kind_ids=tuple(meta["kind_ids"]),
            trust_threshold=float(meta["trust_threshold"]),
            kind_floor=float(meta["kind_floor"]),
            corpus_hash=str(meta["corpus_hash"]),
        )


_MODELS = ("trust", "intents", "kinds", "reply_trust", "reply_intents")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
