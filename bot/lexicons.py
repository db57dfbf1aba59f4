"""The VADER, NRC and Empath lexicons, read from the files their packages ship.

nrclex's own class goes through TextBlob, which needs corpora downloaded at run time, so
the NRC JSON file is read directly; VADER's analyzer only reads its packaged files. Empath's
client would talk to its authors' server to build new categories, so only its packaged
category file (194 topical and emotional categories, words grown from embeddings) is read.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

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
    # Category names in a fixed (sorted) order, and for each word the indexes of its
    # categories in that order: the feature vector's layout depends on both.
    empath_categories: tuple[str, ...]
    empath: Mapping[str, tuple[int, ...]]

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


def _load_empath() -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    # resources.files("empath") would import the package, and with it its HTTP client;
    # the file is located through the package spec instead.
    spec = importlib.util.find_spec("empath")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the empath package is not installed (see requirements.lock)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "categories.tsv"
    members: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, *words = line.strip().split("\t")
        if name:
            members.setdefault(name, set()).update(w for w in words if w)
    categories = tuple(sorted(members))
    index: dict[str, list[int]] = {}
    for position, name in enumerate(categories):
        for word in members[name]:
            index.setdefault(word, []).append(position)
    return categories, {word: tuple(positions) for word, positions in index.items()}


def load_lexicons() -> Lexicons:
    """Read the lexicons from the installed packages (no network)."""
    data_path = resources.files("nrclex.data").joinpath("nrc_en.json")
    with data_path.open("r", encoding="utf-8") as handle:
        raw: dict[str, list[str]] = json.load(handle)
    nrc = {word: frozenset(categories) for word, categories in raw.items()}
    empath_categories, empath = _load_empath()
    return Lexicons(
        nrc=nrc,
        vader=SentimentIntensityAnalyzer(),
        empath_categories=empath_categories,
        empath=empath,
    )
