"""Validated settings of the bot/ components, built from their config.yml entries.

Rasa hands each component its defaults merged with the user's keys; these dataclasses
check every key (type and range) and reject unknown ones, so a typo in config.yml is a
clear error at `rasa train` instead of a silently ignored setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rasa.shared.exceptions import InvalidConfigException

from bot import EMOTIONS
from bot.examples import DEFAULT_TRAINING_FILE
from bot.model import TrainingSettings

# Keys Rasa itself may add to every component's config.
_RASA_KEYS = frozenset({"name", "class", "finetuning_epoch_fraction"})

EMOTION_DEFAULTS: dict[str, Any] = {
    # YAML file of labelled examples; relative paths are resolved from the working
    # directory (the repo root under `rasa train`). None: the file shipped in bot/.
    "training_data": None,
    "hash_dim": 4096,
    # Weight of the lexicon and signal features relative to the hashed n-grams.
    "lexicon_weight": 1.0,
    "hidden_units": 32,
    "epochs": 40,
    "batch_size": 32,
    "learning_rate": 0.005,
    "dropout": 0.3,
    "l2": 0.0001,
    "random_seed": 42,
    # Intents that report something gone wrong. A "positive" reading there comes from words
    # about the occasion ("birthday present", "the party"), not from how the customer feels,
    # so the strongest non-positive emotion is reported instead.
    # How often each feeling shows in real support traffic. The network is trained with
    # balanced class weights (so rare feelings are learned), which on its own treats every
    # feeling as equally likely; at inference its scores are multiplied by these priors, so a
    # message needs real evidence to be read as anything but neutral. Normalised on load.
    "label_priors": {
        "neutral": 0.55,
        "positive": 0.12,
        "frustrated": 0.13,
        "anxious": 0.08,
        "sad": 0.06,
        "confused": 0.06,
    },
    # A negative feeling read with less confidence than this is reported as neutral: better to
    # answer a calm customer plainly than to tell them they sound upset.
    "min_negative_confidence": 0.5,
    # Greetings, thanks, goodbyes, yes/no answers and details the bot asked for are almost
    # always calm: there a negative feeling needs this much confidence ("neutral unless
    # evidence"), so "hello" is never answered as if the customer were annoyed.
    "routine_intents": ["greet", "thank", "goodbye", "affirm", "deny", "inform", "bot_challenge"],
    "routine_min_negative_confidence": 0.85,
    "problem_intents": [
        "report_damaged_item",
        "report_missing_item",
        "payment_issue",
        "complaint",
        "request_refund",
    ],
}

CONTEXT_DEFAULTS: dict[str, Any] = {
    # Deadlines within this many days set `urgent`.
    "urgent_within_days": 7,
    # Read 03/12 as 3 December (day first) or as March 12.
    "day_first_dates": True,
    # The calendar the customer's "tomorrow" is in.
    "timezone": "UTC",
}


@dataclass(frozen=True)
class EmotionSettings:
    """Settings of the emotion classifier."""

    training_file: Path
    hash_dim: int
    lexicon_weight: float
    training: TrainingSettings
    problem_intents: frozenset[str]
    label_priors: dict[str, float]
    min_negative_confidence: float
    routine_intents: frozenset[str]
    routine_min_negative_confidence: float


@dataclass(frozen=True)
class ContextSettings:
    """Settings of the stakes and deadline extractor."""

    urgent_within_days: int
    day_first_dates: bool
    timezone: ZoneInfo


def _check_keys(component: str, config: Mapping[str, Any], defaults: Mapping[str, Any]) -> None:
    unknown = set(config) - set(defaults) - _RASA_KEYS
    if unknown:
        raise InvalidConfigException(
            f"{component}: unknown config keys {sorted(unknown)}; allowed: {sorted(defaults)}."
        )


def _int(component: str, config: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidConfigException(
            f"{component}: '{key}' must be an integer in [{low}, {high}], got {value!r}."
        )
    return value


def _float(component: str, config: Mapping[str, Any], key: str, low: float, high: float) -> float:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InvalidConfigException(
            f"{component}: '{key}' must be a number in [{low}, {high}], got {value!r}."
        )
    return float(value)


def emotion_settings(config: Mapping[str, Any]) -> EmotionSettings:
    """Validate an EmotionClassifier config (defaults already merged in by Rasa)."""
    name = "EmotionClassifier"
    config = {**EMOTION_DEFAULTS, **config}
    _check_keys(name, config, EMOTION_DEFAULTS)
    raw_path = config["training_data"]
    if raw_path is not None and (not isinstance(raw_path, str) or not raw_path.strip()):
        raise InvalidConfigException(f"{name}: 'training_data' must be a file path or null.")
    training_file = Path(raw_path) if raw_path else DEFAULT_TRAINING_FILE
    training = TrainingSettings(
        hidden_units=_int(name, config, "hidden_units", 0, 1024),
        epochs=_int(name, config, "epochs", 1, 1000),
        batch_size=_int(name, config, "batch_size", 1, 4096),
        learning_rate=_float(name, config, "learning_rate", 1e-6, 1.0),
        dropout=_float(name, config, "dropout", 0.0, 0.9),
        l2=_float(name, config, "l2", 0.0, 1.0),
        random_seed=_int(name, config, "random_seed", 0, 2**31 - 1),
    )
    problem_intents = config["problem_intents"]
    if not isinstance(problem_intents, list) or not all(
        isinstance(i, str) and i.strip() for i in problem_intents
    ):
        raise InvalidConfigException(f"{name}: 'problem_intents' must be a list of intent names.")
    return EmotionSettings(
        training_file=training_file,
        hash_dim=_int(name, config, "hash_dim", 16, 1 << 20),
        lexicon_weight=_float(name, config, "lexicon_weight", 0.0, 100.0),
        training=training,
        problem_intents=frozenset(problem_intents),
        label_priors=_priors(name, config["label_priors"]),
        min_negative_confidence=_float(name, config, "min_negative_confidence", 0.0, 1.0),
        routine_intents=frozenset(_intent_list(name, config, "routine_intents")),
        routine_min_negative_confidence=_float(name, config, "routine_min_negative_confidence", 0.0, 1.0),
    )


def _intent_list(component: str, config: Mapping[str, Any], key: str) -> list[str]:
    value = config[key]
    if not isinstance(value, list) or not all(isinstance(i, str) and i.strip() for i in value):
        raise InvalidConfigException(f"{component}: '{key}' must be a list of intent names.")
    return value


def _priors(component: str, raw: Any) -> dict[str, float]:
    """Every emotion label with a positive weight, normalised to sum to 1."""
    if not isinstance(raw, Mapping) or set(raw) != set(EMOTIONS):
        raise InvalidConfigException(
            f"{component}: 'label_priors' must give a weight for each of {sorted(EMOTIONS)}."
        )
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in raw.values()):
        raise InvalidConfigException(f"{component}: every 'label_priors' weight must be a positive number.")
    total = float(sum(raw.values()))
    return {label: float(raw[label]) / total for label in EMOTIONS}


def context_settings(config: Mapping[str, Any]) -> ContextSettings:
    """Validate a StakesDeadlineExtractor config."""
    name = "StakesDeadlineExtractor"
    config = {**CONTEXT_DEFAULTS, **config}
    _check_keys(name, config, CONTEXT_DEFAULTS)
    if not isinstance(config["day_first_dates"], bool):
        raise InvalidConfigException(f"{name}: 'day_first_dates' must be true or false.")
    try:
        timezone = ZoneInfo(str(config["timezone"]))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidConfigException(
            f"{name}: 'timezone' {config['timezone']!r} is not a known IANA time zone."
        ) from error
    return ContextSettings(
        urgent_within_days=_int(name, config, "urgent_within_days", 0, 365),
        day_first_dates=config["day_first_dates"],
        timezone=timezone,
    )
