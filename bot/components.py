"""The Rasa NLU components: EmotionClassifier and StakesDeadlineExtractor.

Both write *message attributes* (keys of the parse result), not entities:
`rasa test core --fail-on-prediction-errors` compares every predicted entity with the
test story's annotations (rasa/core/test.py, _collect_user_uttered_predictions), so
emotion entities would fail every conversation test written without them, and they
would also be mixed into DIET's order_id/email/item entities. Attributes show in
/model/parse and in the tracker's UserUttered parse_data; action_validate_slot_mappings
(actions/feelings.py) turns them into slots on every user turn.

Attributes set on each message:
- emotion: {"name", "confidence", "scores"}; frustration: 0..1; feelings_evidence: [..]
- stakes: {"name", "families", "evidence"}; deadline: {"date", "expression",
  "days_left"} or None; urgent: bool
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException, RasaException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import EMOTIONS
from bot.deadline import DeadlineParser
from bot.emotion import Calibration, EmotionPerceiver
from bot.examples import DEFAULT_TRAINING_FILE, ExampleFileError, load_emotion_examples
from bot.features import FeatureExtractor
from bot.lexicons import load_lexicons
from bot.model import EmotionModel
from bot.settings import (
    CONTEXT_DEFAULTS,
    EMOTION_DEFAULTS,
    ContextSettings,
    EmotionSettings,
    context_settings,
    emotion_settings,
)
from bot.stakes import StakesDetector

logger = logging.getLogger(__name__)

EMOTION = "emotion"
FRUSTRATION = "frustration"
FEELINGS_EVIDENCE = "feelings_evidence"
STAKES = "stakes"
DEADLINE = "deadline"
URGENT = "urgent"
# Optional message metadata key with the time the customer sent the message (ISO 8601
# or epoch seconds), so replays and gateways resolve "tomorrow" against the right day.
MESSAGE_TIME_METADATA = "message_time"

# The helper modules' source is part of the fingerprint: Rasa only hashes the component
# class itself, and a change in the featurizer must retrain the model.
_FINGERPRINTED_MODULES = ("features.py", "lexicons.py", "model.py", "signals.py", "emotion.py")


def calibration_of(settings: EmotionSettings) -> Calibration:
    return Calibration(settings.label_priors, settings.min_negative_confidence)


def _neutral_attributes() -> dict[str, Any]:
    return {
        EMOTION: {"name": "neutral", "confidence": 0.0, "scores": {}},
        FRUSTRATION: 0.0,
        FEELINGS_EVIDENCE: [],
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmotionClassifier(GraphComponent):
    """Emotion (six classes, with confidence) and frustration intensity per message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Defaults; see bot/settings.py for what each key means."""
        return dict(EMOTION_DEFAULTS)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> EmotionSettings:
        """Check every key; raises InvalidConfigException with the reason."""
        return emotion_settings(config)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the example file or the feature code changes (Rasa caches).

        No validation here: Rasa's training hooks also call this with the config of a
        node it replaced by a cached value ({"output": ...}).
        """
        raw_path = config.get("training_data")
        training_file = Path(raw_path) if isinstance(raw_path, str) and raw_path else DEFAULT_TRAINING_FILE
        digest = hashlib.sha256()
        package = Path(__file__).resolve().parent
        for path in [training_file, *(package / m for m in _FINGERPRINTED_MODULES)]:
            digest.update(path.read_bytes() if path.is_file() else str(path).encode())
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        perceiver: EmotionPerceiver | None = None,
    ) -> None:
        self._settings = self.validate_config(config)
        self._model_storage = model_storage
        self._resource = resource
        self._perceiver = perceiver

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmotionClassifier:
        """A new, untrained classifier."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Train on our labelled emotion examples (not on the NLU intent data)."""
        try:
            examples = load_emotion_examples(self._settings.training_file)
        except ExampleFileError as error:
            raise InvalidConfigException(f"EmotionClassifier: {error}") from error
        missing = set(EMOTIONS) - {e.label for e in examples}
        if missing:
            raise InvalidConfigException(
                f"EmotionClassifier: {self._settings.training_file} has no examples for {sorted(missing)}."
            )
        extractor = FeatureExtractor(load_lexicons(), self._settings.hash_dim, self._settings.lexicon_weight)
        self._perceiver = EmotionPerceiver.train(extractor, examples, EMOTIONS, self._settings.training)
        self._perceiver.calibration = calibration_of(self._settings)
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Write the model weights into the Rasa model through ModelStorage."""
        if self._perceiver is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            self._perceiver.model.save(directory)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmotionClassifier:
        """Load the trained weights; lexicons come from the installed packages."""
        settings = cls.validate_config(config)
        try:
            with model_storage.read_from(resource) as directory:
                model = EmotionModel.load(directory)
        except (ValueError, FileNotFoundError, OSError) as error:
            # A model without this resource (e.g. trained before the component was
            # added) still parses; every message is then reported neutral.
            logger.warning(
                "EmotionClassifier: no trained model in resource '%s' (%s); "
                "messages will be tagged neutral until the model is retrained.",
                resource.name,
                error,
            )
            return cls(config, model_storage, resource)
        extractor = FeatureExtractor(load_lexicons(), settings.hash_dim, settings.lexicon_weight)
        if model.input_size != extractor.size:
            # Weights from another featurizer would give confident nonsense, not an error.
            raise RasaException(
                f"EmotionClassifier: the trained model reads {model.input_size} features but "
                f"this code makes {extractor.size} (the featurizer or a lexicon package "
                "changed); retrain with `make train`."
            )
        return cls(
            config, model_storage, resource, EmotionPerceiver(extractor, model, calibration_of(settings))
        )

    def process(self, messages: list[Message]) -> list[Message]:
        """Add emotion, frustration and their evidence to each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            if self._perceiver is None or not text.strip() or text.startswith("/"):
                # Empty text or a button payload ("/affirm") carries no feeling.
                attributes = _neutral_attributes()
            else:
                result = self._perceiver.perceive(text)
                intent = _intent_name(message)
                if intent in self._settings.routine_intents:
                    result = result.calm_unless(self._settings.routine_min_negative_confidence)
                if intent in self._settings.problem_intents:
                    # Someone reporting damage or a lost parcel is not happy, whatever
                    # the birthday and party words around it say.
                    result = result.without("positive")
                attributes = {
                    EMOTION: {
                        "name": result.emotion,
                        "confidence": result.confidence,
                        "scores": result.scores,
                    },
                    FRUSTRATION: result.frustration,
                    FEELINGS_EVIDENCE: result.evidence,
                }
            for key, value in attributes.items():
                message.set(key, value, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class StakesDeadlineExtractor(GraphComponent):
    """Stakes family (with evidence) and a deadline resolved against the message time."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Defaults; see bot/settings.py for what each key means."""
        return dict(CONTEXT_DEFAULTS)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> ContextSettings:
        """Check every key; raises InvalidConfigException with the reason."""
        return context_settings(config)

    def __init__(
        self,
        config: dict[str, Any],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._settings = self.validate_config(config)
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._stakes = StakesDetector()
        self._deadlines = DeadlineParser(
            urgent_within_days=self._settings.urgent_within_days,
            day_first=self._settings.day_first_dates,
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StakesDeadlineExtractor:
        """Rules only: nothing to train or load."""
        return cls(config)

    def _message_day(self, message: Message) -> date:
        """The customer's calendar day when they sent the message."""
        metadata = message.get("metadata") or {}
        raw = metadata.get(MESSAGE_TIME_METADATA) if isinstance(metadata, dict) else None
        sent = self._clock()
        if raw is not None:
            try:
                if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                    sent = datetime.fromtimestamp(raw, timezone.utc)
                else:
                    sent = datetime.fromisoformat(str(raw))
            except (ValueError, OverflowError, OSError) as error:
                logger.warning(
                    "Ignoring metadata %s=%r (%s); using the server clock.",
                    MESSAGE_TIME_METADATA,
                    raw,
                    error,
                )
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=timezone.utc)
        return sent.astimezone(self._settings.timezone).date()

    def process(self, messages: list[Message]) -> list[Message]:
        """Add stakes, deadline and urgent to each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            stakes = self._stakes.detect(text)
            deadline = self._deadlines.parse(text, self._message_day(message))
            message.set(
                STAKES,
                {
                    "name": stakes.stakes,
                    "families": list(stakes.families),
                    "evidence": {k: list(v) for k, v in stakes.evidence.items()},
                },
                add_to_output=True,
            )
            message.set(
                DEADLINE,
                None
                if deadline.deadline is None
                else {
                    "date": deadline.deadline.isoformat(),
                    "expression": deadline.expression,
                    "days_left": deadline.days_left,
                },
                add_to_output=True,
            )
            message.set(URGENT, deadline.urgent, add_to_output=True)
        return messages


def _intent_name(message: Message) -> str | None:
    intent = message.get(INTENT)
    return intent.get(INTENT_NAME_KEY) if isinstance(intent, dict) else None
