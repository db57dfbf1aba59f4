"""Suggested empathetic phrasings for an agent's reply, from the bot's own phrase bank.

The feeling is read from the Rasa tracker with the empathy layer's own `Rephraser.feeling`
(empathy), and the sentences come from content/empathy/phrases.yml, so agents and
bot speak with one voice and nothing is copied here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from empathy.content import EmpathyContent, load_content
from empathy.conversation import TrackerFormatError, read_tracker
from empathy.rephraser import LEVELS, Rephraser

# A customer the bot escalated without a negative slot (e.g. a calm "a person please") still
# deserves an acknowledgement; the mildest family fits best.
FALLBACK_FAMILY = "frustration"
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Suggestion:
    text: str
    family: str
    intensity: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Suggester:
    def __init__(self, content: EmpathyContent) -> None:
        self._content = content
        self._rephraser = Rephraser(content)

    @classmethod
    def from_folder(cls, folder: Path) -> Suggester:
        return cls(load_content(folder))

    def suggest(self, tracker: dict[str, Any] | None, already_said: Sequence[str]) -> list[Suggestion]:
        """Up to three validations for how the customer feels now, none already said."""
        family, intensity = FALLBACK_FAMILY, "medium"
        if tracker is not None:
            try:
                feeling = self._rephraser.feeling(read_tracker(tracker))
            except TrackerFormatError:
                feeling = None
            if feeling is not None and feeling.family in self._content.phrases.validations:
                family, intensity = feeling.family, feeling.intensity
        said = " ".join(already_said).lower()
        levels = self._content.phrases.validations.get(family, {})
        # Nearest intensity first, as the bot chooses.
        order = dict.fromkeys(
            [intensity, "any", *sorted(LEVELS, key=lambda lvl: abs(LEVELS.index(lvl) - _index(intensity)))]
        )
        chosen: list[Suggestion] = []
        for level in order:
            for variant in levels.get(level, ()):
                if variant.text.lower() in said or any(s.text == variant.text for s in chosen):
                    continue
                chosen.append(Suggestion(variant.text, family, level))
                if len(chosen) == MAX_SUGGESTIONS:
                    return chosen
        return chosen


def _index(intensity: str) -> int:
    return LEVELS.index(intensity) if intensity in LEVELS else 1
