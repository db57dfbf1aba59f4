"""The public test sets in ../shared/datasets, mapped to our six emotions.

Test only: nothing here is ever used for training. Files are tab-separated with a header
and no quoting. Mappings follow the datasets folder's README:
- TweetEval: anger → frustrated; sadness → sad; joy, optimism → positive.
- GoEmotions: a row is kept only when every one of its labels maps, and all to the same
  class (anger, annoyance, disapproval, disgust → frustrated; fear, nervousness →
  anxious; sadness, disappointment, grief, remorse → sad; confusion → confused; joy,
  gratitude, admiration, amusement, love, optimism, relief, excitement, pride, approval,
  caring → positive; neutral → neutral). Rows with curiosity, surprise, realization,
  desire or embarrassment, or with labels mapping to different classes, are skipped.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from bot.examples import LabelledText

TWEETEVAL_FILE = "tweeteval_emotion_test.tsv"
GOEMOTIONS_FILE = "goemotions_test_part.tsv"

TWEETEVAL_MAP: dict[str, str] = {
    "anger": "frustrated",
    "sadness": "sad",
    "joy": "positive",
    "optimism": "positive",
}
GOEMOTIONS_MAP: dict[str, str] = {
    **dict.fromkeys(("anger", "annoyance", "disapproval", "disgust"), "frustrated"),
    **dict.fromkeys(("fear", "nervousness"), "anxious"),
    **dict.fromkeys(("sadness", "disappointment", "grief", "remorse"), "sad"),
    "confusion": "confused",
    **dict.fromkeys(
        (
            "joy",
            "gratitude",
            "admiration",
            "amusement",
            "love",
            "optimism",
            "relief",
            "excitement",
            "pride",
            "approval",
            "caring",
        ),
        "positive",
    ),
    "neutral": "neutral",
}


class DatasetError(ValueError):
    """A test set is missing or not in the expected format."""


@dataclass(frozen=True)
class MappedDataset:
    """A test set mapped to our labels, with how many rows were skipped and why."""

    name: str
    examples: list[LabelledText]
    skipped: int
    labels: list[str]


def default_datasets_dir(repo_root: Path) -> Path:
    """``$EMOTION_DATASETS_DIR`` if set, else ``../shared/datasets`` beside the repo."""
    configured = os.environ.get("EMOTION_DATASETS_DIR")
    return Path(configured) if configured else (repo_root.parent / "shared" / "datasets")


def _rows(path: Path, expected_header: list[str]) -> list[list[str]]:
    if not path.is_file():
        raise DatasetError(f"Test set {path} not found (set --datasets or EMOTION_DATASETS_DIR).")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != expected_header:
            raise DatasetError(f"{path}: expected header {expected_header}, got {header}.")
        rows = []
        for number, row in enumerate(reader, start=2):
            if len(row) != 2:
                raise DatasetError(f"{path}:{number}: expected 2 columns, got {len(row)}.")
            rows.append(row)
    return rows


def load_tweeteval(directory: Path) -> MappedDataset:
    """TweetEval emotion test split mapped to frustrated / sad / positive."""
    examples, skipped = [], 0
    for text, label in _rows(directory / TWEETEVAL_FILE, ["text", "label"]):
        mapped = TWEETEVAL_MAP.get(label)
        if mapped is None:
            skipped += 1
            continue
        examples.append(LabelledText(text, mapped))
    labels = sorted(set(TWEETEVAL_MAP.values()))
    return MappedDataset("TweetEval emotion (test)", examples, skipped, labels)


def load_goemotions(directory: Path) -> MappedDataset:
    """GoEmotions test part: rows whose labels all map to one of our classes."""
    examples, skipped = [], 0
    for text, raw in _rows(directory / GOEMOTIONS_FILE, ["text", "emotions"]):
        mapped = {GOEMOTIONS_MAP.get(label.strip()) for label in raw.split(",")}
        if None in mapped or len(mapped) != 1:
            skipped += 1
            continue
        examples.append(LabelledText(text, mapped.pop() or ""))
    labels = sorted({e.label for e in examples})
    return MappedDataset("GoEmotions (test part)", examples, skipped, labels)
