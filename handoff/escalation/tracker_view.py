"""A typed, read-only view of a Rasa 3.6 tracker dump (``GET /conversations/{id}/tracker``).

The escalation policy and the context summary both need the same things from the raw
JSON: the customer's turns with their intent and feelings, what the bot said and did after
each, and how slots changed. Parsing it once here keeps both tolerant of the same gaps
(missing slots, missing parse data, events they do not know) in one place.

Turn numbers are 1-based counts of user messages over the whole dump, so a summary and an
escalation reason that name "turn 3" mean the same message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

logger = logging.getLogger(__name__)

# Events after which the conversation starts over for escalation purposes: a restart, a new
# session, or the bot resuming after a person handed the conversation back (so reasons that
# were already handled by a person do not fire again).
EPISODE_BOUNDARIES = frozenset({"restart", "session_started", "resume"})

# Metadata key the gateway puts on the bot events it records for a person's messages.
HANDOFF_AGENT_KEY = "handoff_agent"

# Slots that carry how the customer feels, read per turn from the slot events that follow a
# user message (issue 3 sets them on every message).
FEELING_SLOTS = ("emotion", "frustration", "frustration_level", "stakes", "deadline", "urgent")

# The slot the bot's order lookups fill with what the store's records say is wrong with the
# order (actions/base.py; values of shop.ORDER_PROBLEMS), and Rasa's slot for the question
# a form is waiting on.
ORDER_PROBLEMS_SLOT = "order_problems"
REQUESTED_SLOT = "requested_slot"

# Actions that are Rasa's plumbing, not something the bot did for the customer.
_PLUMBING_ACTIONS = frozenset(
    {
        "action_listen",
        "action_session_start",
        "action_deactivate_loop",
        "action_unlikely_intent",
        "action_extract_slots",
        "action_restart",
        "action_back",
        "action_default_fallback",
        "action_two_stage_fallback",
    }
)


class TrackerFormatError(ValueError):
    """The tracker JSON is not a Rasa tracker dump (e.g. ``events`` is not a list)."""


@dataclass(frozen=True)
class Feelings:
    """How the customer felt at one turn; ``None`` where no signal was recorded."""

    emotion: str | None = None
    frustration: float | None = None
    frustration_level: float | None = None
    stakes: str | None = None
    deadline: str | None = None
    urgent: bool | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class BotMessage:
    event_index: int
    text: str
    timestamp: float | None
    role: str = "bot"  # "bot", or "agent" for a person's message
    name: str | None = None  # the agent's name, when a person wrote it
    # The domain response the bot sent (metadata ``utter_action``), when Rasa recorded it.
    response: str | None = None


@dataclass(frozen=True)
class SlotChange:
    event_index: int
    name: str
    value: Any


@dataclass(frozen=True)
class ActionRun:
    event_index: int
    name: str


@dataclass
class Turn:
    """One customer message and everything the bot did in reply, up to the next message."""

    number: int
    event_index: int
    text: str
    intent: str | None
    confidence: float | None
    entities: tuple[Mapping[str, Any], ...]
    timestamp: float | None
    # Slot values in force when the message arrived (before the bot's reply).
    slots_before: Mapping[str, Any]
    feelings: Feelings = field(default_factory=Feelings)
    actions: list[ActionRun] = field(default_factory=list)
    bot_messages: list[BotMessage] = field(default_factory=list)
    slot_changes: list[SlotChange] = field(default_factory=list)

    @property
    def first_action(self) -> str | None:
        """The first real action the bot took in reply (plumbing like listen skipped)."""
        return next((a.name for a in self.actions), None)

    def entity_values(self, entity_type: str) -> list[Any]:
        return [e.get("value") for e in self.entities if e.get("entity") == entity_type]

    def slot_values(self, name: str) -> list[Any]:
        """The values the bot set ``name`` to while answering this message, in order."""
        return [change.value for change in self.slot_changes if change.name == name]


@dataclass
class TrackerView:
    sender_id: str
    slots: Mapping[str, Any]
    turns: list[Turn]
    # Index into ``turns`` where the current episode (see EPISODE_BOUNDARIES) begins.
    episode_start: int
    # The event that began the current episode ("resume", "restart"...), None at the start.
    episode_boundary: str | None
    # Bot/agent messages before the first customer message (greetings).
    preamble: list[BotMessage]
    latest_event_time: float | None

    @property
    def episode(self) -> list[Turn]:
        return self.turns[self.episode_start :]

    @property
    def latest_turn(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def slot(self, name: str) -> Any:
        return self.slots.get(name)

    def transcript(self) -> list[BotMessage]:
        """Every message in event order; the customer's as role "customer"."""
        lines = list(self.preamble)
        for turn in self.turns:
            lines.append(BotMessage(turn.event_index, turn.text, turn.timestamp, role="customer"))
            lines.extend(turn.bot_messages)
        return lines


def parse_tracker(tracker: Mapping[str, Any]) -> TrackerView:
    """Reads a tracker dump into a :class:`TrackerView`.

    Unknown event types are skipped; a malformed event is logged and skipped, never fatal,
    so one odd event cannot stop a conversation from reaching a person.
    """
    if not isinstance(tracker, Mapping):
        raise TrackerFormatError(f"tracker must be a JSON object, got {type(tracker).__name__}")
    events = tracker.get("events") or []
    if not isinstance(events, list):
        raise TrackerFormatError(f"tracker 'events' must be a list, got {type(events).__name__}")
    slots = tracker.get("slots") or {}
    if not isinstance(slots, Mapping):
        raise TrackerFormatError(f"tracker 'slots' must be an object, got {type(slots).__name__}")

    builder = _ViewBuilder()
    for index, event in enumerate(events):
        if not isinstance(event, Mapping):
            logger.warning("Skipping tracker event %d: not an object (%r)", index, event)
            continue
        builder.add(index, event)

    # The dump's own slot values are authoritative; the replayed ones fill in a dump that
    # carries events but no slot section (as some exports do).
    merged_slots = {**builder.slots, **slots}
    history = _history_by_turn(merged_slots.get("feelings_history"))
    for turn in builder.turns:
        turn.feelings = _feelings_for(turn, history.get(turn.number))

    return TrackerView(
        sender_id=str(tracker.get("sender_id") or ""),
        slots=merged_slots,
        turns=builder.turns,
        episode_start=builder.episode_start,
        episode_boundary=builder.episode_boundary,
        preamble=builder.preamble,
        latest_event_time=_as_float(tracker.get("latest_event_time")),
    )


class _ViewBuilder:
    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.preamble: list[BotMessage] = []
        self.episode_start = 0
        self.episode_boundary: str | None = None
        self.slots: dict[str, Any] = {}

    def add(self, index: int, event: Mapping[str, Any]) -> None:
        kind = event.get("event")
        timestamp = _as_float(event.get("timestamp"))
        if kind == "user":
            self._add_user(index, event, timestamp)
        elif kind in ("bot", "agent"):
            text = event.get("text")
            if isinstance(text, str) and text.strip():
                message = _bot_message(index, event, text, timestamp)
                (self.turns[-1].bot_messages if self.turns else self.preamble).append(message)
        elif kind == "slot":
            name = event.get("name")
            if isinstance(name, str):
                self.slots[name] = event.get("value")
                if self.turns:
                    self.turns[-1].slot_changes.append(SlotChange(index, name, event.get("value")))
        elif kind == "action":
            name = event.get("name")
            if isinstance(name, str) and name not in _PLUMBING_ACTIONS and self.turns:
                self.turns[-1].actions.append(ActionRun(index, name))
        elif kind in ("reset_slots", "restart"):
            self.slots.clear()
        if kind in EPISODE_BOUNDARIES:
            self.episode_start = len(self.turns)
            self.episode_boundary = str(kind)

    def _add_user(self, index: int, event: Mapping[str, Any], timestamp: float | None) -> None:
        parse_data = event.get("parse_data")
        parse_data = parse_data if isinstance(parse_data, Mapping) else {}
        intent = parse_data.get("intent")
        intent = intent if isinstance(intent, Mapping) else {}
        entities = parse_data.get("entities")
        entities = entities if isinstance(entities, list) else []
        text = event.get("text")
        self.turns.append(
            Turn(
                number=len(self.turns) + 1,
                event_index=index,
                text=text if isinstance(text, str) else "",
                intent=intent.get("name") if isinstance(intent.get("name"), str) else None,
                confidence=_as_float(intent.get("confidence")),
                entities=tuple(e for e in entities if isinstance(e, Mapping)),
                timestamp=timestamp,
                slots_before=dict(self.slots),
            )
        )


def _bot_message(index: int, event: Mapping[str, Any], text: str, timestamp: float | None) -> BotMessage:
    """A bot event, or a person's message: Rasa's ``agent`` event, or a ``bot`` event the
    gateway recorded with ``metadata.handoff_agent`` (the agent's name) while it was paused."""
    metadata = event.get("metadata")
    agent = metadata.get(HANDOFF_AGENT_KEY) if isinstance(metadata, Mapping) else None
    if event.get("event") == "agent" or isinstance(agent, str):
        return BotMessage(
            index, text, timestamp, role="agent", name=agent if isinstance(agent, str) else None
        )
    response = metadata.get("utter_action") if isinstance(metadata, Mapping) else None
    return BotMessage(index, text, timestamp, response=response if isinstance(response, str) else None)


def _history_by_turn(history: Any) -> dict[int, Mapping[str, Any]]:
    """Indexes an optional per-turn ``feelings_history`` slot (list of dicts with ``turn``)."""
    if not isinstance(history, list):
        return {}
    by_turn: dict[int, Mapping[str, Any]] = {}
    for entry in history:
        if isinstance(entry, Mapping) and isinstance(entry.get("turn"), int):
            by_turn[entry["turn"]] = entry
    return by_turn


def _feelings_for(turn: Turn, history: Mapping[str, Any] | None) -> Feelings:
    """Feelings at a turn, from the best source available.

    Preference: the per-turn history slot (issue 3's own record), then the slot events the
    bot emitted while handling the message, then the NLU entities of the message itself.
    """
    values: dict[str, Any] = {}
    for name in FEELING_SLOTS:
        entity = turn.entity_values(name)
        if entity:
            values[name] = entity[0]
    for change in turn.slot_changes:
        if change.name in FEELING_SLOTS:
            values[change.name] = change.value
    evidence: tuple[str, ...] = ()
    if history is not None:
        for name in FEELING_SLOTS:
            if history.get(name) is not None:
                values[name] = history[name]
        evidence = _evidence_tuple(history.get("evidence"))
    return Feelings(
        emotion=_as_str(values.get("emotion")),
        frustration=_as_float(values.get("frustration")),
        frustration_level=_as_float(values.get("frustration_level")),
        stakes=_as_str(values.get("stakes")),
        deadline=_as_str(values.get("deadline")),
        urgent=values.get("urgent") if isinstance(values.get("urgent"), bool) else None,
        evidence=evidence,
    )


def _evidence_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, Sequence):
        return tuple(str(v) for v in value if str(v).strip())
    return ()


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _as_str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def event_time(timestamp: float | None) -> datetime | None:
    """A Rasa event timestamp (Unix seconds) as an aware UTC datetime."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)
