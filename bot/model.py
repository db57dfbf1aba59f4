"""The emotion model: trained with TensorFlow/Keras, served with numpy.

Keras' own predict costs milliseconds per call, which would blow the 5 ms budget per
message; the network is tiny, so after training its weights are copied into numpy
arrays and inference is two matrix products.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

_WEIGHTS_FILE = "emotion_model.npz"


@dataclass(frozen=True)
class TrainingSettings:
    """Hyper-parameters of the network and its training run."""

    hidden_units: int
    epochs: int
    batch_size: int
    learning_rate: float
    dropout: float
    l2: float
    random_seed: int


@dataclass(frozen=True)
class EmotionModel:
    """A trained network: one ReLU hidden layer (or none) and a softmax output."""

    labels: tuple[str, ...]
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]

    @property
    def input_size(self) -> int:
        """Length of the feature vectors the network was trained on."""
        return int(self.layers[0][0].shape[0])

    def predict_proba(self, vector: np.ndarray) -> np.ndarray:
        """Class probabilities for one feature vector (ordered like ``labels``)."""
        hidden = vector
        for kernel, bias in self.layers[:-1]:
            hidden = np.maximum(hidden @ kernel + bias, 0.0)
        kernel, bias = self.layers[-1]
        logits = hidden @ kernel + bias
        exp = np.exp(logits - logits.max())
        probabilities: np.ndarray = exp / exp.sum()
        return probabilities

    def save(self, directory: Path) -> None:
        """Write labels and weights into ``directory`` (a ModelStorage resource)."""
        arrays: dict[str, np.ndarray] = {"labels": np.asarray(self.labels)}
        for index, (kernel, bias) in enumerate(self.layers):
            arrays[f"kernel_{index}"] = kernel
            arrays[f"bias_{index}"] = bias
        np.savez(directory / _WEIGHTS_FILE, **arrays)

    @classmethod
    def load(cls, directory: Path) -> EmotionModel:
        """Read a model written by :meth:`save`."""
        with np.load(directory / _WEIGHTS_FILE, allow_pickle=False) as data:
            labels = tuple(str(label) for label in data["labels"])
            count = sum(1 for key in data.files if key.startswith("kernel_"))
            layers = tuple((data[f"kernel_{i}"].copy(), data[f"bias_{i}"].copy()) for i in range(count))
        return cls(labels=labels, layers=layers)


def train_model(
    features: np.ndarray,
    targets: list[str],
    labels: tuple[str, ...],
    settings: TrainingSettings,
) -> EmotionModel:
    """Fit the network with Keras on ``features`` (one row per example)."""
    # Imported here: TensorFlow takes seconds to import and is only needed to train.
    import tensorflow as tf  # noqa: PLC0415

    tf.keras.utils.set_random_seed(settings.random_seed)
    index = {label: i for i, label in enumerate(labels)}
    y = np.asarray([index[t] for t in targets], dtype=np.int32)
    counts = np.bincount(y, minlength=len(labels)).astype(np.float64)
    class_weight = {i: float(len(y) / (len(labels) * c)) for i, c in enumerate(counts) if c > 0}

    regularizer = tf.keras.regularizers.l2(settings.l2)
    inputs = tf.keras.Input(shape=(features.shape[1],))
    x = inputs
    if settings.hidden_units > 0:
        x = tf.keras.layers.Dense(settings.hidden_units, activation="relu", kernel_regularizer=regularizer)(x)
        x = tf.keras.layers.Dropout(settings.dropout)(x)
    outputs = tf.keras.layers.Dense(len(labels), activation="softmax", kernel_regularizer=regularizer)(x)
    network = tf.keras.Model(inputs, outputs)
    network.compile(
        optimizer=tf.keras.optimizers.Adam(settings.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = network.fit(
        features,
        y,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        class_weight=class_weight,
        shuffle=True,
        verbose=0,
    )
    logger.info(
        "Emotion model trained on %d examples: final loss %.3f, accuracy %.3f",
        len(y),
        history.history["loss"][-1],
        history.history["accuracy"][-1],
    )
    dense_layers = [layer for layer in network.layers if isinstance(layer, tf.keras.layers.Dense)]
    layers = tuple(
        (
            np.asarray(layer.kernel.numpy(), dtype=np.float32),
            np.asarray(layer.bias.numpy(), dtype=np.float32),
        )
        for layer in dense_layers
    )
    return EmotionModel(labels=labels, layers=layers)
