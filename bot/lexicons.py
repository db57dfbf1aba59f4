"""The VADER and NRC lexicons, read from the files their packages ship.

nrclex's own class goes through TextBlob, which needs corpora downloaded at run time, so
the NRC JSON file is read directly; VADER's analyzer only reads its packaged files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NRC_CATEGORIES: tuple[str, ...] = (
    "anger",
    "anticipation",
    "disgust",
    "fear",
    "joy",
    "negative",
    "positive",
    "sadness",
    "surprise",
    "trust",
)

# Crude suffix stripping so "annoyed", "worrying" or "delays" still find their NRC entry
# without a lemmatizer (which would need downloaded corpora).
_SUFFIXES: tuple[str, ...] = ("ing", "ed", "es", "s", "d", "ly")


@dataclass(frozen=True)
class Lexicons:
    """Loaded lexicons; build once with :func:`load_lexicons` and pass it around."""

    nrc: Mapping[str, frozenset[str]]
    vader: SentimentIntensityAnalyzer

    def nrc_categories(self, word: str) -> frozenset[str]:
        """NRC categories of a lower-case word, trying a few suffix-stripped forms."""
        found = self.nrc.get(word)
        if found is not None:
            return found
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: -len(suffix)]
                found = self.nrc.get(stem) or self.nrc.get(stem + "e")
                if found is not None:
                    return found
        return frozenset()

    def vader_scores(self, text: str) -> dict[str, float]:
        """VADER's neg/neu/pos/compound scores (it handles negation, caps and boosters)."""
        return dict(self.vader.polarity_scores(text))


def load_lexicons() -> Lexicons:
    """Read both lexicons from the installed packages (no network)."""
    data_path = resources.files("nrclex.data").joinpath("nrc_en.json")
    with data_path.open("r", encoding="utf-8") as handle:
        raw: dict[str, list[str]] = json.load(handle)
    nrc = {word: frozenset(categories) for word, categories in raw.items()}
    return Lexicons(nrc=nrc, vader=SentimentIntensityAnalyzer())
