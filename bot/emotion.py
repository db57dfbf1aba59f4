"""Emotion and frustration of one message: features → trained model → signals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from bot.examples import LabelledText
from bot.features import FeatureExtractor
from bot.model import EmotionModel, TrainingSettings, train_model
from bot.signals import frustration_intensity

NEUTRAL = "neutral"
NEGATIVE = frozenset({"frustrated", "anxious", "sad", "confused"})


@dataclass(frozen=True)
class EmotionResult:
    """What one message says about how the customer feels."""

    emotion: str
    confidence: float
    scores: dict[str, float]
    frustration: float
    evidence: list[str] = field(default_factory=list)

    def calm_unless(self, min_confidence: float) -> EmotionResult:
        """Neutral instead of a negative feeling read with less than `min_confidence`."""
        if self.emotion not in NEGATIVE or self.confidence >= min_confidence or NEUTRAL not in self.scores:
            return self
        return replace(self, emotion=NEUTRAL, confidence=self.scores[NEUTRAL])

    def without(self, emotion: str) -> EmotionResult:
        """The same reading with `emotion` ruled out: the next strongest class wins."""
        if self.emotion != emotion:
            return self
        others = {label: score for label, score in self.scores.items() if label != emotion}
        if not others:
            return self
        best = max(others, key=lambda label: others[label])
        return replace(self, emotion=best, confidence=others[best])


@dataclass(frozen=True)
class Calibration:
    """How the network's class-balanced scores become a reading of real traffic.

    `priors`: each label's share of real messages (scores are multiplied by it and
    renormalised); `min_negative_confidence`: a weaker negative reading is reported neutral.
    """

    priors: dict[str, float] | None = None
    min_negative_confidence: float = 0.0

    def apply(self, labels: tuple[str, ...], probabilities: np.ndarray) -> np.ndarray:
        if not self.priors:
            return probabilities
        weights = np.asarray([self.priors.get(label, 1.0) for label in labels], dtype=np.float64)
        adjusted = probabilities * weights
        total = adjusted.sum()
        return adjusted / total if total > 0 else probabilities


class EmotionPerceiver:
    """A trained emotion model together with the feature extractor it was trained on."""

    def __init__(
        self, extractor: FeatureExtractor, model: EmotionModel, calibration: Calibration | None = None
    ) -> None:
        self._extractor = extractor
        self.model = model
        self.calibration = calibration or Calibration()

    @classmethod
    def train(
        cls,
        extractor: FeatureExtractor,
        examples: list[LabelledText],
        labels: tuple[str, ...],
        settings: TrainingSettings,
    ) -> EmotionPerceiver:
        """Featurize ``examples`` and fit the model on them."""
        features = np.stack([extractor.extract(e.text).vector for e in examples])
        model = train_model(features, [e.label for e in examples], labels, settings)
        return cls(extractor, model)

    def perceive(self, text: str) -> EmotionResult:
        """Emotion (with confidence), class scores and frustration of ``text``."""
        features = self._extractor.extract(text)
        labels = self.model.labels
        probabilities = self.calibration.apply(labels, self.model.predict_proba(features.vector))
        scores = {label: round(float(p), 4) for label, p in zip(labels, probabilities, strict=False)}
        best = int(np.argmax(probabilities))
        emotion, confidence = labels[best], float(probabilities[best])
        if (
            emotion in NEGATIVE
            and confidence < self.calibration.min_negative_confidence
            and NEUTRAL in scores
        ):
            # Not enough evidence of a feeling: a calm reading is the safer answer.
            emotion, confidence = NEUTRAL, scores[NEUTRAL]
        frustration = frustration_intensity(
            scores.get("frustrated", 0.0), features.signals, features.vader_compound
        )
        evidence = features.signals.evidence()
        return EmotionResult(
            emotion=emotion,
            confidence=round(confidence, 4),
            scores=scores,
            frustration=frustration,
            evidence=evidence,
        )
