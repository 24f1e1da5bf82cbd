"""Where the reader's files live, and building it once for the app and the training script."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.coaching.trust_lens import Lexicon, TrustLens
from bot.reading.catalogue import DealKind, load_catalogue
from bot.reading.classifier import IntentCues, SituationModel
from bot.reading.clauses import ClauseParser
from bot.reading.gloss import Gloss
from bot.reading.language import LanguageDetector
from bot.reading.parties import PartyLexicon
from bot.reading.reader import SituationReader
from bot.reading.social import SocialCues

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
CATALOGUE_DIR = KNOWLEDGE / "deals"
TRAINING_DIR = KNOWLEDGE / "training"
MODEL_FILE = TRAINING_DIR / "reading-model.npz"


def lens_and_cues(prompts_dir: Path, lens: TrustLens | None = None) -> tuple[TrustLens, IntentCues]:
    """The explainable half of the reader, from ``prompts/`` (the lens only if not given)."""
    lens = lens or TrustLens(Lexicon.load(prompts_dir / "trust_lens.yaml"))
    return lens, IntentCues.load(prompts_dir / "reading" / "intent_cues.yaml")


def inputs_of_model(prompts_dir: Path) -> list[Path]:
    """Every file the trained weights depend on (their digest is stored with the weights)."""
    return [
        *sorted(TRAINING_DIR.glob("*.jsonl")),
        *sorted(CATALOGUE_DIR.glob("*.yaml")),
        prompts_dir / "trust_lens.yaml",
        prompts_dir / "reading" / "intent_cues.yaml",
    ]


def build_reader(
    prompts_dir: Path,
    embed: Callable[[str], list[float]],
    *,
    kinds: dict[str, DealKind] | None = None,
    model_file: Path = MODEL_FILE,
    lens: TrustLens | None = None,
) -> SituationReader:
    """The situation reader, on the coach's own trust lens when given one (spaCy loads later)."""
    own_lens, cues = lens_and_cues(prompts_dir, lens)
    return SituationReader(
        lens=own_lens,
        cues=cues,
        model=SituationModel.load(model_file),
        kinds=kinds or load_catalogue(CATALOGUE_DIR),
        parties=PartyLexicon.load(prompts_dir / "reading" / "parties.yaml"),
        embed=embed,
        clauses=ClauseParser(),
        languages=LanguageDetector(),
        social=SocialCues.load(prompts_dir / "reading" / "social.yaml"),
        gloss=Gloss.load(prompts_dir / "reading" / "gloss.yaml"),
    )
