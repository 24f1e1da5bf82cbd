"""Retrain the situation classifier and rewrite knowledge/training/reading-model.npz.

    .venv/bin/python scripts/train_reading.py [--cv]

Deterministic: the same corpus gives the same weights. ``--cv`` also prints 5-fold scores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.knowledge.embeddings import MiniLMEmbedder
from bot.reading.build import (
    CATALOGUE_DIR,
    MODEL_FILE,
    TRAINING_DIR,
    inputs_of_model,
    lens_and_cues,
)
from bot.reading.catalogue import load_catalogue
from bot.reading.training import (
    Featurizer,
    catalogue_examples,
    corpus_hash,
    cross_validate,
    kind_examples,
    load_corpus,
    train,
)
from bot.settings import REPO_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="print cross-validated scores")
    args = parser.parse_args()
    prompts = REPO_ROOT / "prompts"
    lens, cues = lens_and_cues(prompts)
    kinds = load_catalogue(CATALOGUE_DIR)
    featurizer = Featurizer(lens, cues, list(kinds.values()), MiniLMEmbedder().encode)
    corpus = load_corpus(TRAINING_DIR)
    extra = catalogue_examples(kinds) + kind_examples(TRAINING_DIR)
    if args.cv:
        print(json.dumps(cross_validate(featurizer, corpus, extra), indent=1))
    model = train(featurizer, corpus, extra, corpus_hash(inputs_of_model(prompts)))
    model.save(MODEL_FILE)
    print(f"{len(corpus)} messages, {len(kinds)} kinds -> {MODEL_FILE}")


if __name__ == "__main__":
    main()
