"""The last step before any text reaches the customer, whoever wrote it.

Removes or rewrites banned phrases (content/empathy/banned.yml), strips apology language
from replies to calm customers, removes exclamation marks and upsell where the mood calls
for it, and never lets "policy prevents" stand without an alternative.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from empathy.content import SafetyContent

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SPACES = re.compile(r"[ \t]{2,}")
SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:])")
LEADING_JUNK = re.compile(r"^[\s,;:.-]+")
EXCLAMATION = re.compile(r"!+")


@dataclass(frozen=True)
class Tone:
    """What the safety filter must enforce for this reply."""

    upset: bool = False  # the customer feels bad: `negative` rules apply
    calm: bool = False  # happy or neutral: `calm` rules apply
    no_apology: bool = False  # a calm customer and a routine reply: apology language goes
    no_exclamation: bool = False
    upsell_markers: tuple[str, ...] = ()  # non-empty: drop sentences that upsell


@dataclass(frozen=True)
class Filtered:
    text: str
    changes: tuple[str, ...]


class SafetyFilter:
    """Applies content/empathy/banned.yml and the tone limits to a text."""

    def __init__(self, content: SafetyContent) -> None:
        self._content = content

    def apply(self, text: str, tone: Tone) -> Filtered:
        changes: list[str] = []
        result = text
        for rule in self._content.banned:
            if not self._applies(rule.when, tone):
                continue
            # remove_sentence patterns are matched per sentence, so "^" means a sentence start.
            if rule.action == "replace":
                filtered = rule.pattern.sub(rule.replacement, result)
            else:
                filtered = _drop_sentences(result, rule.pattern.search)
            if filtered != result:
                changes.append(f"banned:{rule.pattern.pattern}")
                result = filtered
        if tone.no_apology:
            for pattern in self._content.apologies:
                if pattern.search(result):
                    changes.append("apology")
                    result = pattern.sub("", result)
        if tone.upsell_markers:
            before = result
            result = _drop_sentences(result, lambda s: any(m in s.lower() for m in tone.upsell_markers))
            if result != before:
                changes.append("upsell")
        if tone.no_exclamation and "!" in result:
            changes.append("exclamation")
            result = EXCLAMATION.sub(".", result).replace("?.", "?")
        result = _tidy(result)
        if self._content.refusal.search(result) and not any(
            marker in result.lower() for marker in self._content.alternative_markers
        ):
            changes.append("powerless")
            result = f"{result} {self._content.alternative}"
        if not result:
            changes.append("empty")
            result = self._content.empty_fallback
        return Filtered(result, tuple(changes))

    def violations(self, text: str, tone: Tone) -> Sequence[str]:
        """The banned patterns and apology patterns `text` still contains (for tests and the benchmark)."""
        found = [
            r.pattern.pattern
            for r in self._content.banned
            if self._applies(r.when, tone) and any(r.pattern.search(s) for s in split_sentences(text))
        ]
        if tone.no_apology:
            found += [p.pattern for p in self._content.apologies if p.search(text)]
        return found

    @staticmethod
    def _applies(when: str, tone: Tone) -> bool:
        return when == "always" or (when == "negative" and tone.upset) or (when == "calm" and tone.calm)


def _drop_sentences(text: str, unwanted: Callable[[str], object]) -> str:
    return " ".join(s for s in split_sentences(text) if not unwanted(s))


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, keeping line breaks inside a sentence as they are."""
    return [part for part in SENTENCE_END.split(text.strip()) if part]


def _tidy(text: str) -> str:
    return "\n".join(line for line in (_tidy_line(raw) for raw in text.splitlines()) if line).strip()


def _tidy_line(raw: str) -> str:
    line = LEADING_JUNK.sub("", SPACE_BEFORE_PUNCT.sub(r"\1", SPACES.sub(" ", raw))).strip()
    sentences = (_capitalise(LEADING_JUNK.sub("", s)) for s in split_sentences(line))
    return " ".join(s for s in sentences if s)


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:] if sentence else sentence
