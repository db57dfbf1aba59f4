"""Choose the emotion calibration on the blind set's dev half: ``python -m bot.calibrate``.

Trains the emotion network exactly as ``rasa train`` does (config.yml's EmotionClassifier
entry), then reads the blind dev half and the routine set with a grid of calibrations: the
label priors raised to a strength (0 = the balanced network as trained, 1 = the priors in
config.yml) and the minimum confidence for a negative feeling. Prints emotion accuracy and
macro-F1 on the dev half and how many routine messages are read as negative, so the values
put in config.yml are chosen on data the model never learned from, and the test half stays
untouched for the headline figure (``python -m bot.blind``).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from bot import EMOTIONS
from bot.blind import INTENT_FILES, ROUTINE_FILE, load_blind
from bot.emotion import NEGATIVE, Calibration, EmotionPerceiver
from bot.examples import load_emotion_examples
from bot.features import FeatureExtractor
from bot.lexicons import load_lexicons
from bot.settings import emotion_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
STRENGTHS = (0.0, 0.5, 1.0, 1.5, 2.0)
MIN_CONFIDENCES = (0.0, 0.4, 0.5, 0.6, 0.7)


def component_config(config_path: Path) -> dict:
    pipeline = yaml.safe_load(config_path.read_text(encoding="utf-8"))["pipeline"]
    entry = next(c for c in pipeline if c.get("name") == "bot.components.EmotionClassifier")
    return {k: v for k, v in entry.items() if k != "name"}


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    scores = []
    for label in sorted(set(truth)):
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == label)
        precision = tp / max(1, sum(1 for p in predicted if p == label))
        recall = tp / max(1, sum(1 for t in truth if t == label))
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return float(np.mean(scores))


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m bot.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "config.yml")
    args = parser.parse_args(argv)
    settings = emotion_settings(component_config(args.config))
    extractor = FeatureExtractor(load_lexicons(), settings.hash_dim, settings.lexicon_weight)
    examples = load_emotion_examples(settings.training_file)
    perceiver = EmotionPerceiver.train(extractor, examples, EMOTIONS, settings.training)
    dev = [m for m in load_blind(files=INTENT_FILES) if m.half == "dev"]
    routine = load_blind(files=[ROUTINE_FILE])
    print(f"trained on {len(examples)} examples; dev half {len(dev)} messages, routine {len(routine)}")
    print("strength  min_conf  dev_acc  dev_macroF1  routine_negative")
    for strength in STRENGTHS:
        priors = {label: p**strength for label, p in settings.label_priors.items()}
        for min_confidence in MIN_CONFIDENCES:
            perceiver.calibration = Calibration(priors, min_confidence)
            predicted = [perceiver.perceive(m.text).emotion for m in dev]
            truth = [m.emotion for m in dev]
            accuracy = float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)]))
            negative = sum(perceiver.perceive(m.text).emotion in NEGATIVE for m in routine)
            print(
                f"{strength:8.1f}  {min_confidence:8.2f}  {accuracy:7.3f}  {macro_f1(truth, predicted):11.3f}"
                f"  {negative:16d}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
