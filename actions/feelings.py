"""How the customer feels across the conversation: `action_validate_slot_mappings`.

Rasa runs this action after slot extraction on every user turn (it is in the domain's
actions). It copies the bot/ NLU components' per-message attributes (emotion,
frustration, stakes, deadline, urgent) into slots, keeps stakes and deadline once
stated, and computes the conversation-level `frustration_level`: it rises with negative
turns (more when they come in a row), when the bot failed to understand and when the
customer repeats a request, and falls when things go well. Each turn is appended to
`feelings_history` so that the handoff summary can show the trajectory.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)

EMOTIONS = frozenset({"neutral", "frustrated", "anxious", "sad", "confused", "positive"})
NEGATIVE_EMOTIONS = frozenset({"frustrated", "anxious", "sad", "confused"})
# Bot actions that mean "I did not understand you".
MISUNDERSTANDING_ACTIONS = frozenset(
    {"action_clarify", "action_default_fallback", "action_two_stage_fallback", "utter_default"}
)
# Intents that carry no request of their own, so repeating them is not "asking again".
NON_REQUEST_INTENTS = frozenset(
    {"inform", "affirm", "deny", "greet", "goodbye", "thank", "nlu_fallback", "bot_challenge"}
)
GOING_WELL_INTENTS = frozenset({"thank", "affirm"})
_WORD_RE = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "is",
        "are",
        "was",
        "were",
        "it",
        "this",
        "that",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "and",
        "or",
        "but",
        "be",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "you",
        "your",
        "we",
        "our",
        "can",
        "could",
        "would",
        "will",
        "please",
        "just",
        "so",
        "what",
        "where",
        "when",
        "why",
        "how",
    ]
)


@dataclass(frozen=True)
class LevelSettings:
    """How strongly each conversation signal moves `frustration_level` (0..1)."""

    decay: float = 0.85
    negative_turn: float = 0.1
    per_frustration: float = 0.4
    mild_negative_turn: float = 0.05
    negative_streak: float = 0.1
    misunderstood: float = 0.2
    repeated_request: float = 0.2
    going_well: float = 0.25
    floor_from_message: float = 0.8
    repeat_similarity: float = 0.6
    history_length: int = 30


@dataclass(frozen=True)
class TurnFeelings:
    """What the NLU components said about the latest message (neutral when absent)."""

    text: str
    intent: str | None
    emotion: str
    confidence: float
    frustration: float
    evidence: list[str]
    stakes: str
    stakes_evidence: list[str]
    deadline: str | None
    urgent: bool


@dataclass(frozen=True)
class ConversationSignals:
    """What the conversation so far says, beyond the latest message."""

    misunderstood: bool
    repeated_request: bool
    previous_negative: bool


@dataclass(frozen=True)
class LevelChange:
    """The new level and the reasons it moved."""

    level: float
    reasons: list[str] = field(default_factory=list)


def _number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


def turn_feelings(latest_message: dict[str, Any]) -> TurnFeelings:
    """Read the bot/ components' attributes; malformed or missing ones read as neutral."""
    emotion_data = latest_message.get("emotion")
    emotion_data = emotion_data if isinstance(emotion_data, dict) else {}
    emotion = emotion_data.get("name")
    if emotion not in EMOTIONS:
        if emotion is not None:
            logger.warning("Unknown emotion %r in parse data; treating it as neutral.", emotion)
        emotion = "neutral"
    stakes_data = latest_message.get("stakes")
    stakes_data = stakes_data if isinstance(stakes_data, dict) else {}
    raw_stakes = stakes_data.get("name")
    stakes = raw_stakes if isinstance(raw_stakes, str) else "none"
    evidence_map = stakes_data.get("evidence")
    stakes_evidence = [str(w) for w in evidence_map.get(stakes, [])] if isinstance(evidence_map, dict) else []
    deadline_data = latest_message.get("deadline")
    deadline = (
        deadline_data.get("date")
        if isinstance(deadline_data, dict) and isinstance(deadline_data.get("date"), str)
        else None
    )
    intent = latest_message.get("intent")
    evidence = latest_message.get("feelings_evidence")
    return TurnFeelings(
        text=str(latest_message.get("text") or ""),
        intent=intent.get("name") if isinstance(intent, dict) else None,
        emotion=str(emotion),
        confidence=_number(emotion_data.get("confidence")),
        frustration=min(max(_number(latest_message.get("frustration")), 0.0), 1.0),
        evidence=[str(e) for e in evidence] if isinstance(evidence, list) else [],
        stakes=stakes,
        stakes_evidence=stakes_evidence,
        deadline=deadline,
        urgent=latest_message.get("urgent") is True,
    )


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _STOPWORDS}


def _similar(a: str, b: str, threshold: float) -> bool:
    words_a, words_b = _content_words(a), _content_words(b)
    if len(words_a) < 2 or len(words_b) < 2:
        return False
    return len(words_a & words_b) / len(words_a | words_b) >= threshold


def conversation_signals(
    tracker: Tracker, turn: TurnFeelings, history: list[dict[str, Any]], settings: LevelSettings
) -> ConversationSignals:
    """Misunderstanding, repetition and negative streak, read from the tracker."""
    events = tracker.events
    user_indices = [i for i, e in enumerate(events) if e.get("event") == "user"]
    earlier_users = [events[i] for i in user_indices[:-1]]
    since_previous_user = events[user_indices[-2] + 1 :] if len(user_indices) >= 2 else []
    bot_failed = any(
        e.get("event") == "action" and e.get("name") in MISUNDERSTANDING_ACTIONS for e in since_previous_user
    )
    # This turn only: the bot's last reply was a failure, or this message was not understood.
    # (The failed_understanding slot is not read here: it stays set until a later action
    # resets it, and counting it again on every well-understood turn made a calm question
    # after one misunderstanding look like mounting frustration.)
    misunderstood = bot_failed or turn.intent == "nlu_fallback"
    repeated = False
    if turn.intent not in NON_REQUEST_INTENTS:
        for event in earlier_users:
            earlier_intent = (event.get("parse_data") or {}).get("intent") or {}
            same_intent = turn.intent is not None and earlier_intent.get("name") == turn.intent
            if _similar(turn.text, str(event.get("text") or ""), settings.repeat_similarity) or (
                same_intent and _similar(turn.text, str(event.get("text") or ""), 0.3)
            ):
                repeated = True
                break
    previous_negative = bool(history) and history[-1].get("emotion") == "frustrated"
    return ConversationSignals(misunderstood, repeated, previous_negative)


def next_level(
    previous: float, turn: TurnFeelings, signals: ConversationSignals, settings: LevelSettings
) -> LevelChange:
    """The conversation frustration level after this turn, with its reasons."""
    level = previous * settings.decay
    reasons: list[str] = []
    if turn.emotion == "frustrated":
        level += settings.negative_turn + settings.per_frustration * turn.frustration
        reasons.append("negative turn")
        if signals.previous_negative:
            level += settings.negative_streak
            reasons.append("negative again")
    elif turn.emotion in NEGATIVE_EMOTIONS:
        level += settings.mild_negative_turn + settings.per_frustration * turn.frustration / 2
        reasons.append(f"{turn.emotion} turn")
    if signals.misunderstood:
        level += settings.misunderstood
        reasons.append("bot did not understand")
    if signals.repeated_request:
        level += settings.repeated_request
        reasons.append("customer repeated a request")
    going_well = turn.emotion == "positive" or (
        turn.intent in GOING_WELL_INTENTS and turn.emotion not in NEGATIVE_EMOTIONS
    )
    if going_well and not signals.misunderstood:
        level -= settings.going_well
        reasons.append("going well")
    floor = settings.floor_from_message * turn.frustration
    if floor > level:
        level = floor
        reasons.append("this message alone")
    return LevelChange(round(min(max(level, 0.0), 1.0), 3), reasons)


def feelings_events(tracker: Tracker, settings: LevelSettings) -> list[EventType]:
    """The slot events for the latest user turn."""
    turn = turn_feelings(tracker.latest_message or {})
    raw_history = tracker.get_slot("feelings_history")
    history = [h for h in raw_history if isinstance(h, dict)] if isinstance(raw_history, list) else []
    signals = conversation_signals(tracker, turn, history, settings)
    change = next_level(_number(tracker.get_slot("frustration_level")), turn, signals, settings)
    turn_number = sum(1 for e in tracker.events if e.get("event") == "user")
    entry = {
        "turn": turn_number,
        "emotion": turn.emotion,
        "confidence": turn.confidence,
        "frustration": turn.frustration,
        "frustration_level": change.level,
        "words": turn.evidence + turn.stakes_evidence,
        "reasons": change.reasons,
        "stakes": turn.stakes,
        "deadline": turn.deadline,
    }
    history = ([*history, entry])[-settings.history_length :]
    events: list[EventType] = [
        SlotSet("emotion", turn.emotion),
        SlotSet("frustration", turn.frustration),
        SlotSet("frustration_level", change.level),
        SlotSet("feelings_history", history),
    ]
    # Stakes and deadlines persist once stated: a later "ok thanks" does not clear them.
    if turn.stakes != "none":
        events += [
            SlotSet("stakes", turn.stakes),
            SlotSet("stakes_evidence", ", ".join(turn.stakes_evidence) or None),
        ]
    if turn.deadline is not None:
        events += [SlotSet("deadline", turn.deadline), SlotSet("urgent", turn.urgent)]
    logger.debug("Feelings for %s: %s", tracker.sender_id, asdict(turn))
    return events


class ValidateSlotMappings(ValidationAction):
    """`action_validate_slot_mappings`: feelings slots after every user message."""

    def __init__(self, settings: LevelSettings | None = None) -> None:
        self._settings = settings or LevelSettings()

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        """Run the standard slot validation, then add the feelings slots."""
        events = await super().run(dispatcher, tracker, domain)
        if not tracker.latest_message or not tracker.latest_message.get("text"):
            return events
        return list(events) + feelings_events(tracker, self._settings)
