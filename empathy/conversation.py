"""What the rephraser reads from the tracker Rasa sends with every NLG request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

# The key under which the NLG response records what it did. Rasa copies unknown keys of an
# NLG response into the BotUttered event's metadata, so later requests can read it back.
EMPATHY_METADATA_KEY = "empathy"


@dataclass(frozen=True)
class BotMessage:
    text: str
    validation: str | None


@dataclass(frozen=True)
class ConversationView:
    """The parts of a Rasa tracker (`current_state(EventVerbosity.ALL)`) the rephraser needs."""

    sender_id: str
    slots: Mapping[str, Any]
    intent: str | None
    user_texts: tuple[str, ...]
    turn_index: int
    turn_key: str
    replied_this_turn: bool
    bot_messages: tuple[BotMessage, ...]
    emotion_history: tuple[str, ...]
    today: date
    # How sure the NLU was of the latest message's emotion (None when it did not say).
    emotion_confidence: float | None = None

    @property
    def latest_user_text(self) -> str:
        return self.user_texts[-1] if self.user_texts else ""

    def slot(self, name: str) -> Any:
        return self.slots.get(name)


class TrackerFormatError(ValueError):
    """The request's tracker is not shaped like a Rasa tracker state."""


def read_tracker(tracker: Mapping[str, Any], timezone_offset_hours: float = 0.0) -> ConversationView:
    """Build a `ConversationView` from a tracker state dict; raise `TrackerFormatError` if malformed."""
    if not isinstance(tracker, Mapping):
        raise TrackerFormatError("tracker must be an object")
    events = tracker.get("events") or []
    slots = tracker.get("slots") or {}
    if not isinstance(events, list) or not isinstance(slots, Mapping):
        raise TrackerFormatError("tracker.events must be a list and tracker.slots an object")
    sender_id = str(tracker.get("sender_id") or "")

    user_texts: list[str] = []
    bot_messages: list[BotMessage] = []
    emotions: list[str] = []
    latest_user_time: float | None = None
    replied_this_turn = False
    for event in events:
        if not isinstance(event, Mapping):
            continue
        kind = event.get("event")
        if kind == "user":
            user_texts.append(str(event.get("text") or ""))
            latest_user_time = _number(event.get("timestamp"))
            replied_this_turn = False
        elif kind == "bot":
            bot_messages.append(_bot_message(event))
            replied_this_turn = True
        elif kind == "slot" and event.get("name") == "emotion" and isinstance(event.get("value"), str):
            emotions.append(event["value"])

    intent = (tracker.get("latest_message") or {}).get("intent") or {}
    when = latest_user_time if latest_user_time is not None else _number(tracker.get("latest_event_time"))
    return ConversationView(
        sender_id=sender_id,
        slots=dict(slots),
        intent=intent.get("name") if isinstance(intent, Mapping) else None,
        user_texts=tuple(user_texts),
        turn_index=len(user_texts),
        turn_key=f"{sender_id}|{len(user_texts)}|{latest_user_time}",
        replied_this_turn=replied_this_turn,
        bot_messages=tuple(bot_messages),
        emotion_history=tuple(emotions),
        today=_local_date(when, timezone_offset_hours),
        emotion_confidence=_emotion_confidence(tracker.get("latest_message")),
    )


def _emotion_confidence(latest_message: Any) -> float | None:
    emotion = latest_message.get("emotion") if isinstance(latest_message, Mapping) else None
    confidence = emotion.get("confidence") if isinstance(emotion, Mapping) else None
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)):
        return None
    return float(confidence)


def _bot_message(event: Mapping[str, Any]) -> BotMessage:
    metadata = event.get("metadata")
    empathy: Any = metadata.get(EMPATHY_METADATA_KEY) if isinstance(metadata, Mapping) else None
    validation = empathy.get("validation") if isinstance(empathy, Mapping) else None
    return BotMessage(
        text=str(event.get("text") or ""), validation=validation if isinstance(validation, str) else None
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _local_date(timestamp: float | None, offset_hours: float) -> date:
    # The message's own time keeps replies reproducible; "now" only when Rasa sent none.
    moment = (
        datetime.fromtimestamp(timestamp, tz=timezone.utc)
        if timestamp is not None
        else datetime.now(timezone.utc)
    )
    return (moment + timedelta(hours=offset_hours)).date()
