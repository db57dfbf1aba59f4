"""Benchmark of the bot/ perception: ``python -m bot.evaluate`` (``make eval``).

Trains the emotion model exactly as ``rasa train`` does (same examples, same settings,
read from the EmotionClassifier entry in config.yml), then reports per-class precision,
recall, F1, macro-F1 and a confusion matrix on our held-out split and on the public
TweetEval and GoEmotions test sets, and precision/recall of stakes and deadline
extraction on their held-out examples. Prints Markdown and writes it to
docs/eval/emotion.md.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot import EMOTIONS
from bot.datasets import (
    DatasetError,
    MappedDataset,
    default_datasets_dir,
    load_goemotions,
    load_tweeteval,
)
from bot.deadline import DeadlineParser
from bot.emotion import EmotionPerceiver
from bot.examples import (
    HELDOUT_DIR,
    ExampleFileError,
    LabelledText,
    load_deadline_examples,
    load_emotion_examples,
    load_stakes_examples,
)
from bot.features import FeatureExtractor
from bot.lexicons import load_lexicons
from bot.metrics import classification_report, report_markdown
from bot.settings import EmotionSettings, emotion_settings
from bot.stakes import STAKES, StakesDetector

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
EMOTION_COMPONENT = "bot.components.EmotionClassifier"


@dataclass(frozen=True)
class EvaluationArgs:
    """Command-line arguments of the benchmark."""

    datasets: Path
    config: Path
    output: Path | None


def parse_args(argv: Sequence[str]) -> EvaluationArgs:
    """Parse the command line (paths default to the repo layout)."""
    parser = argparse.ArgumentParser(prog="python -m bot.evaluate", description=__doc__)
    parser.add_argument(
        "--datasets",
        type=Path,
        default=default_datasets_dir(REPO_ROOT),
        help="folder with the public test sets (default: $EMOTION_DATASETS_DIR or "
        "../shared/datasets relative to the repo)",
    )
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "config.yml")
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO_ROOT / "docs" / "eval" / "emotion.md",
        help="Markdown file for the results",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    namespace = parser.parse_args(list(argv))
    return EvaluationArgs(
        datasets=namespace.datasets,
        config=namespace.config,
        output=None if namespace.no_write else namespace.output,
    )


def pipeline_emotion_config(config_path: Path) -> dict[str, Any]:
    """The EmotionClassifier entry of config.yml (empty when it is not in the pipeline)."""
    content = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    for entry in content.get("pipeline") or []:
        if isinstance(entry, dict) and entry.get("name") == EMOTION_COMPONENT:
            return {k: v for k, v in entry.items() if k != "name"}
    logger.warning("%s is not in %s; evaluating its defaults.", EMOTION_COMPONENT, config_path)
    return {}


def _predict(
    perceiver: EmotionPerceiver, examples: list[LabelledText], allowed: list[str] | None
) -> list[str]:
    """Emotion per example; with ``allowed``, the best of those labels only."""
    predictions = []
    for example in examples:
        scores = perceiver.perceive(example.text).scores
        candidates = allowed if allowed else list(scores)
        predictions.append(max(candidates, key=lambda label: scores[label]))
    return predictions


def emotion_section(
    title: str, perceiver: EmotionPerceiver, examples: list[LabelledText], labels: list[str]
) -> tuple[str, float]:
    """Six-way report on a labelled set; returns the Markdown and macro-F1."""
    gold = [e.label for e in examples]
    report = classification_report(gold, _predict(perceiver, examples, None), labels)
    return f"### {title}\n\n{report_markdown(report)}\n", report.macro_f1


def public_section(perceiver: EmotionPerceiver, dataset: MappedDataset) -> tuple[str, float, float]:
    """Six-way report, plus one restricted to the set's own labels when it has fewer."""
    gold = [e.label for e in dataset.examples]
    full = classification_report(gold, _predict(perceiver, dataset.examples, None), dataset.labels)
    text = (
        f"### {dataset.name}: {len(dataset.examples)} rows used, {dataset.skipped} skipped "
        f"(labels that do not map to one class)\n\n"
        f"**Six-way** (our classifier as deployed; any of the six labels may be predicted):\n\n"
        f"{report_markdown(full)}\n"
    )
    if set(dataset.labels) == set(EMOTIONS):
        return text, full.macro_f1, full.macro_f1
    restricted = classification_report(
        gold, _predict(perceiver, dataset.examples, dataset.labels), dataset.labels
    )
    text += (
        f"\n**Restricted to this set's labels** ({', '.join(dataset.labels)}; argmax over "
        f"those classes only, since the set has no example of the others):\n\n"
        f"{report_markdown(restricted)}\n"
    )
    return text, full.macro_f1, restricted.macro_f1


def stakes_section() -> tuple[str, float, float]:
    """Precision/recall of stakes detection on the held-out stakes examples."""
    examples = load_stakes_examples()
    detector = StakesDetector()
    predicted = [detector.detect(e.text).stakes for e in examples]
    gold = [e.label for e in examples]
    report = classification_report(gold, predicted, list(STAKES))
    hits = sum(1 for g, p in zip(gold, predicted, strict=False) if g == p and p != "none")
    predicted_some = sum(1 for p in predicted if p != "none")
    gold_some = sum(1 for g in gold if g != "none")
    precision = hits / predicted_some if predicted_some else 0.0
    recall = hits / gold_some if gold_some else 0.0
    misses = [
        f"- `{e.text}`: gold {g}, predicted {p}"
        for e, g, p in zip(examples, gold, predicted, strict=False)
        if g != p
    ]
    text = (
        f"### Stakes ({len(examples)} held-out examples, bot/heldout/stakes.yml)\n\n"
        f"Stakes found (any family other than none): **precision {precision:.3f}**, "
        f"**recall {recall:.3f}** (a hit needs the right family).\n\n"
        f"{report_markdown(report)}\n\nErrors:\n\n" + ("\n".join(misses) or "- none") + "\n"
    )
    return text, precision, recall


def deadline_section() -> tuple[str, float, float]:
    """Precision/recall of deadline extraction (exact date) on held-out examples."""
    examples = load_deadline_examples()
    parser = DeadlineParser()
    correct = predicted_count = gold_count = 0
    errors = []
    for example in examples:
        found = parser.parse(example.text, example.today).deadline
        predicted_count += found is not None
        gold_count += example.deadline is not None
        if found is not None and found == example.deadline:
            correct += 1
        elif found != example.deadline:
            errors.append(f"- `{example.text}`: gold {example.deadline}, predicted {found}")
    precision = correct / predicted_count if predicted_count else 0.0
    recall = correct / gold_count if gold_count else 0.0
    text = (
        f"### Deadlines ({len(examples)} held-out examples, bot/heldout/deadline.yml, "
        f"fixed clock {examples[0].today.isoformat()})\n\n"
        f"A hit is the exact ISO date. **Precision {precision:.3f}**, **recall {recall:.3f}** "
        f"({correct} correct of {predicted_count} predicted, {gold_count} in gold).\n\n"
        f"Errors:\n\n" + ("\n".join(errors) or "- none") + "\n"
    )
    return text, precision, recall


def latency_line(perceiver: EmotionPerceiver, examples: list[LabelledText]) -> str:
    """Cost of the emotion part per message (features + model + signals)."""
    timings = []
    for example in examples:
        start = time.perf_counter()
        perceiver.perceive(example.text)
        timings.append((time.perf_counter() - start) * 1000)
    p95 = float(np.percentile(timings, 95))
    return (
        f"Emotion perception cost per message over {len(timings)} messages: median "
        f"{statistics.median(timings):.3f} ms, p95 {p95:.3f} ms (this process, no Rasa)."
    )


def run(args: EvaluationArgs) -> str:
    """Train, evaluate everything and return the Markdown report."""
    settings: EmotionSettings = emotion_settings(pipeline_emotion_config(args.config))
    lexicons = load_lexicons()
    extractor = FeatureExtractor(lexicons, settings.hash_dim, settings.lexicon_weight)
    training = load_emotion_examples(settings.training_file)
    started = time.perf_counter()
    perceiver = EmotionPerceiver.train(extractor, training, EMOTIONS, settings.training)
    train_seconds = time.perf_counter() - started
    heldout = load_emotion_examples(HELDOUT_DIR / "emotion.yml")

    own_text, own_f1 = emotion_section(
        f"Own held-out split ({len(heldout)} examples, bot/heldout/emotion.yml)",
        perceiver,
        heldout,
        list(EMOTIONS),
    )
    tweeteval = load_tweeteval(args.datasets)
    goemotions = load_goemotions(args.datasets)
    tweet_text, tweet_full, tweet_restricted = public_section(perceiver, tweeteval)
    go_text, go_full, _ = public_section(perceiver, goemotions)
    stakes_text, stakes_p, stakes_r = stakes_section()
    deadline_text, deadline_p, deadline_r = deadline_section()

    summary = "\n".join(
        [
            "| measure | result | target |",
            "|---|---:|---:|",
            f"| emotion macro-F1, own held-out | {own_f1:.3f} | 0.85 |",
            f"| emotion macro-F1, TweetEval, six-way | {tweet_full:.3f} | 0.65 |",
            f"| emotion macro-F1, TweetEval, restricted to its 3 labels | {tweet_restricted:.3f} | |",
            f"| emotion macro-F1, GoEmotions, six-way | {go_full:.3f} | |",
            f"| stakes precision / recall | {stakes_p:.3f} / {stakes_r:.3f} | precision 0.9 |",
            f"| deadline precision / recall | {deadline_p:.3f} / {deadline_r:.3f} | |",
        ]
    )
    return "\n".join(
        [
            "# Emotion, stakes and deadline evaluation",
            "",
            "Generated by `python -m bot.evaluate` (`make eval`); do not edit by hand.",
            f"Trained on {len(training)} examples from `{_display(settings.training_file)}` "
            f"in {train_seconds:.1f} s with the config.yml settings of `{EMOTION_COMPONENT}`.",
            "The public sets are test only (never trained on); mappings are documented in "
            "`bot/datasets.py`. Macro-F1 averages the classes present in each set's gold labels.",
            "",
            summary,
            "",
            latency_line(perceiver, heldout),
            "",
            "## Emotion",
            "",
            own_text,
            tweet_text,
            go_text,
            "## Stakes and deadlines",
            "",
            stakes_text,
            deadline_text,
        ]
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        markdown = run(args)
    except (DatasetError, ExampleFileError) as error:
        logger.error("%s", error)
        return 2
    sys.stdout.write(markdown + "\n")
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(markdown + "\n", encoding="utf-8")
        logger.info("Results written to %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
