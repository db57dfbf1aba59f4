"""Finding policy terms in a customer's message: whole words only, and not when negated.

"I'll sue" must match ``sue`` but "pursue" and "suede" must not; "it caught fire" is a
safety incident but "it didn't catch fire, it just stopped" and "no smoke or anything"
are not. Matching is case-insensitive, tolerant of extra spaces and curly apostrophes,
and a term of several words matches across any whitespace or a hyphen.

Negation is deliberately simple and explainable to a designer: a term is negated when one
of the policy's negation words occurs within ``window`` words before it *in the same
clause*. Clauses end at sentence punctuation, commas and at contrast words such as "but",
so "I didn't want to, but I'll call my lawyer" still matches ``lawyer``. Phrases that
contain a negation word without negating anything ("I can't believe it caught fire") are
listed in the policy and ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_RUN = re.compile(r"\w+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Where a clause ends: negation before one of these does not reach a term after it.
_CLAUSE_BREAK = re.compile(r"[.!?;:,()\n]|\b(?:but|however|although|though|yet)\b")


@dataclass(frozen=True)
class TermMatch:
    term: str
    start: int
    end: int
    negated: bool
    matched_text: str


def normalise(text: str) -> str:
    return text.translate(_APOSTROPHES).lower()


def words_of(text: str) -> list[str]:
    """The words of a text, lowercased, apostrophes kept ("don't"), punctuation dropped."""
    return _WORD.findall(normalise(text))


def word_overlap(first: str, second: str, ignored: frozenset[str], min_words: int = 2) -> float:
    """Share of words two messages have in common (0..1), leaving out ``ignored`` words;
    0 when either has fewer than ``min_words`` words left, so "yes" is never a repetition."""
    a = {w for w in words_of(first) if w not in ignored}
    b = {w for w in words_of(second) if w not in ignored}
    if len(a) < min_words or len(b) < min_words:
        return 0.0
    return len(a & b) / len(a | b)


def term_pattern(term: str) -> re.Pattern[str]:
    """A whole-word, whitespace-tolerant pattern for a (possibly multi-word) term."""
    words = normalise(term).split()
    if not _RUN.search(" ".join(words)):
        raise ValueError(f"a term needs at least one letter or digit, got {term!r}")
    # Words of a phrase may be separated by any whitespace or a hyphen ("charge-back").
    body = r"[\s-]+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w']){body}(?![\w])")


class TermMatcher:
    """Matches a fixed list of terms, each negation-aware, in message texts."""

    def __init__(
        self, terms: Iterable[str], negations: Iterable[str], window: int, not_negating: Iterable[str] = ()
    ) -> None:
        self._patterns = [(term, term_pattern(term)) for term in terms]
        # Phrases that contain a negation word but do not negate what follows ("I can't
        # believe it caught fire"): blanked out before looking for negation.
        self._not_negating = [term_pattern(phrase) for phrase in not_negating]
        # Most messages contain no term at all: checking the text's words against each term's
        # first word is one pass over the text instead of one regex search per term (a long
        # conversation has hundreds of turns). A term can only match where its first run of
        # word characters is a whole word of the text, so this never skips a real match.
        self._first_words = frozenset(_RUN.findall(normalise(term))[0] for term, _ in self._patterns)
        self._negations = frozenset(normalise(n) for n in negations)
        self._window = window

    def find(self, text: str) -> list[TermMatch]:
        """Every occurrence of every term, earliest first, each marked negated or not."""
        lowered = normalise(text)
        if self._first_words.isdisjoint(_RUN.findall(lowered)):
            return []
        matches = [
            TermMatch(
                term=term,
                start=m.start(),
                end=m.end(),
                negated=self._is_negated(lowered, m.start()),
                matched_text=text[m.start() : m.end()],
            )
            for term, pattern in self._patterns
            for m in pattern.finditer(lowered)
        ]
        return sorted(matches, key=lambda match: (match.start, -match.end))

    def first_affirmed(self, text: str) -> TermMatch | None:
        """The first occurrence that is not negated, if any."""
        return next((m for m in self.find(text) if not m.negated), None)

    def _is_negated(self, lowered: str, start: int) -> bool:
        before = lowered[:start]
        breaks = list(_CLAUSE_BREAK.finditer(before))
        clause = before[breaks[-1].end() :] if breaks else before
        for pattern in self._not_negating:
            clause = pattern.sub(" ", clause)
        words = _WORD.findall(clause)[-self._window :] if self._window > 0 else []
        return any(word in self._negations for word in words)
