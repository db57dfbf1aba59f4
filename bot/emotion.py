"""Emotion and frustration of one message: features → trained model → signals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from bot.examples import LabelledText
from bot.features import FeatureExtractor
from bot.model import EmotionModel, TrainingSettings, train_model
from bot.signals import frustration_intensity


@dataclass(frozen=True)
class EmotionResult:
    """What one message says about how the customer feels."""

    emotion: str
    confidence: float
    scores: dict[str, float]
    frustration: float
    evidence: list[str] = field(default_factory=list)

    def without(self, emotion: str) -> EmotionResult:
        """The same reading with `emotion` ruled out: the next strongest class wins."""
        if self.emotion != emotion:
            return self
        others = {label: score for label, score in self.scores.items() if label != emotion}
        if not others:
            return self
        best = max(others, key=lambda label: others[label])
        return replace(self, emotion=best, confidence=others[best])


class EmotionPerceiver:
    """A trained emotion model together with the feature extractor it was trained on."""

    def __init__(self, extractor: FeatureExtractor, model: EmotionModel) -> None:
        self._extractor = extractor
        self.model = model

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
        probabilities = self.model.predict_proba(features.vector)
        scores = {
            label: round(float(p), 4) for label, p in zip(self.model.labels, probabilities, strict=False)
        }
        best = int(np.argmax(probabilities))
        frustration = frustration_intensity(
            scores.get("frustrated", 0.0), features.signals, features.vader_compound
        )
        evidence = features.signals.evidence()
        return EmotionResult(
            emotion=self.model.labels[best],
            confidence=round(float(probabilities[best]), 4),
            scores=scores,
            frustration=frustration,
            evidence=evidence,
        )
