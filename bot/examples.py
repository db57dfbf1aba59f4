"""Reading the labelled example files kept in bot/training and bot/heldout.

Bad files fail loudly with the file and the offending entry, never silently skip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot import EMOTIONS
from bot.stakes import STAKES

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_TRAINING_FILE = PACKAGE_DIR / "training" / "emotion.yml"
HELDOUT_DIR = PACKAGE_DIR / "heldout"


class ExampleFileError(ValueError):
    """An example file is missing, malformed or uses an unknown label."""


@dataclass(frozen=True)
class LabelledText:
    """One message and its label (an emotion or a stakes family)."""

    text: str
    label: str


@dataclass(frozen=True)
class DeadlineExample:
    """One message, the day it was sent, and the deadline it names (or None)."""

    text: str
    today: date
    deadline: date | None


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ExampleFileError(f"Example file {path} does not exist.")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ExampleFileError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(content, dict):
        raise ExampleFileError(f"{path} must contain a mapping at the top level.")
    return content


def _texts(path: Path, label: str, entries: Any) -> list[LabelledText]:
    if not isinstance(entries, list) or not entries:
        raise ExampleFileError(f"{path}: '{label}' must be a non-empty list of texts.")
    texts = []
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            raise ExampleFileError(f"{path}: '{label}' has a non-text entry {entry!r}.")
        texts.append(LabelledText(entry.strip(), label))
    return texts


def load_labelled(path: Path, labels: tuple[str, ...]) -> list[LabelledText]:
    """Examples grouped under ``examples: {label: [text, ...]}``."""
    groups = _read_yaml(path).get("examples")
    if not isinstance(groups, dict):
        raise ExampleFileError(f"{path} must have an 'examples' mapping of label -> texts.")
    unknown = set(groups) - set(labels)
    if unknown:
        raise ExampleFileError(f"{path} uses unknown labels {sorted(unknown)}; allowed: {list(labels)}.")
    examples: list[LabelledText] = []
    for label, entries in groups.items():
        examples += _texts(path, label, entries)
    return examples


def load_emotion_examples(path: Path = DEFAULT_TRAINING_FILE) -> list[LabelledText]:
    """Labelled emotion examples (training or held-out file)."""
    return load_labelled(path, EMOTIONS)


def load_stakes_examples(path: Path = HELDOUT_DIR / "stakes.yml") -> list[LabelledText]:
    """Held-out stakes examples."""
    return load_labelled(path, STAKES)


def load_deadline_examples(
    path: Path = HELDOUT_DIR / "deadline.yml",
) -> list[DeadlineExample]:
    """Held-out deadline examples, each relative to the file's fixed ``today``."""
    content = _read_yaml(path)
    today = content.get("today")
    if not isinstance(today, date):
        raise ExampleFileError(f"{path} needs 'today: YYYY-MM-DD' (the fixed clock).")
    entries = content.get("examples")
    if not isinstance(entries, list) or not entries:
        raise ExampleFileError(f"{path} must have a non-empty 'examples' list.")
    examples = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise ExampleFileError(f"{path}: entry {entry!r} needs a 'text'.")
        deadline = entry.get("deadline")
        if deadline is not None and not isinstance(deadline, date):
            raise ExampleFileError(f"{path}: deadline of {entry['text']!r} is not a date.")
        examples.append(DeadlineExample(entry["text"], today, deadline))
    return examples
