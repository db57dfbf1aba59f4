"""Scores each bot reply of a scripted conversation (lexicons in bench/empathy/scoring.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.empathy.script import Turn

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NOT_WORD = re.compile(r"[^a-z0-9 ]+")


@dataclass(frozen=True)
class Reply:
    """Everything the bot sent after one customer message."""

    texts: tuple[str, ...]
    buttons: tuple[str, ...] = ()
    error: str | None = None

    @property
    def text(self) -> str:
        return " ".join(t for t in self.texts if t)


@dataclass(frozen=True)
class Lexicon:
    acknowledge: tuple[str, ...]
    act: tuple[str, ...]
    banned: tuple[str, ...]
    banned_when_negative: tuple[str, ...]
    apology: tuple[str, ...]
    refusal: tuple[str, ...]
    alternative: tuple[str, ...]

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(**{name: tuple(str(v).lower() for v in data[name]) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class TurnScore:
    conversation: str
    turn: int
    feeling: str
    routine: bool
    reply: str
    acknowledges: bool | None  # None: not required (calm message)
    specific: bool | None  # None: the script lists no specifics for this turn
    acts: bool | None
    banned: tuple[str, ...]
    repeated: tuple[str, ...]
    apology_to_calm: bool
    error: str | None = None

    @property
    def meets_acknowledge_specific_act(self) -> bool:
        return bool(self.acknowledges) and self.specific is not False and bool(self.acts)

    @property
    def ok(self) -> bool:
        if self.error or self.banned or self.repeated or self.apology_to_calm:
            return False
        return self.meets_acknowledge_specific_act if self.feeling == "negative" else True


@dataclass
class ConversationScorer:
    """Scores the replies of one conversation in order (it remembers earlier validations)."""

    lexicon: Lexicon
    conversation: str
    _validations: set[str] = field(default_factory=set)
    _turn: int = 0

    def score(self, turn: Turn, reply: Reply) -> TurnScore:
        self._turn += 1
        text = reply.text
        lowered = text.lower()
        negative = turn.feeling == "negative"
        acknowledges = _any(lowered, self.lexicon.acknowledge) if negative else None
        specific = _any(lowered, tuple(s.lower() for s in turn.specific)) if turn.specific else None
        acts = (bool(reply.buttons) or _any(lowered, self.lexicon.act)) if negative else None
        banned = [p for p in self.lexicon.banned if p in lowered]
        if negative:
            banned += [p for p in self.lexicon.banned_when_negative if p in lowered]
        if _any(lowered, self.lexicon.refusal) and not _any(lowered, self.lexicon.alternative):
            banned.append("refusal without an alternative")
        repeated = []
        for sentence in SENTENCE_END.split(text):
            key = NOT_WORD.sub("", sentence.lower()).strip()
            if key and _any(key, self.lexicon.acknowledge):
                if key in self._validations:
                    repeated.append(sentence)
                self._validations.add(key)
        apology = turn.routine and turn.feeling != "negative" and _any(lowered, self.lexicon.apology)
        return TurnScore(
            conversation=self.conversation,
            turn=self._turn,
            feeling=turn.feeling,
            routine=turn.routine,
            reply=text,
            acknowledges=acknowledges,
            specific=specific,
            acts=acts,
            banned=tuple(banned),
            repeated=tuple(repeated),
            apology_to_calm=apology,
            error=reply.error or (None if text.strip() else "no reply"),
        )


def _any(text: str, needles: tuple[str, ...]) -> bool:
    return any(needle in text for needle in needles)
