"""The tracker events that let the bot carry on after a person hands a conversation back.

Two things would otherwise make the bot ask the customer to repeat themselves:

- A form that was waiting when the conversation escalated (typically the order lookup,
  asking for the email) is still active after the handback, with its `requested_slot`.
  Rasa rejects the form on the customer's next message unless that message fills exactly
  that slot, and the bot falls back to "I'm not sure I understood", even when the customer
  gave the answer to the person meanwhile. The form is closed at handback; the customer's
  next request starts it afresh, and the form finds the slots it needs already filled.
- Entities in the messages logged while the tracker was paused (the order number or email
  told to the person) must be in their slots. Rasa's slot mappings usually fill them even
  while paused; where they did not, they become slot events here, latest value winning.

The bot's own actions still check an order number against its email before showing
anything, so nothing here grants access to an order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Entities whose slot of the same name the bot's lookups read.
CARRIED_ENTITIES: tuple[str, ...] = ("order_id", "email")


def handback_events(tracker: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Events to append after `resume`: close a waiting form, fill what the customer said."""
    events: list[dict[str, Any]] = []
    active_loop = tracker.get("active_loop") or {}
    if isinstance(active_loop, Mapping) and active_loop.get("name"):
        events.append({"event": "active_loop", "name": None})
        events.append({"event": "slot", "name": "requested_slot", "value": None})
    return events + carried_slot_events(tracker)


def carried_slot_events(
    tracker: Mapping[str, Any], names: Sequence[str] = CARRIED_ENTITIES
) -> list[dict[str, Any]]:
    """Slot events for entities found in the user messages logged since the last pause."""
    events = tracker.get("events") or []
    start = 0
    for index, event in enumerate(events):
        if isinstance(event, Mapping) and event.get("event") == "pause":
            start = index + 1
    found: dict[str, Any] = {}
    for event in events[start:]:
        if not isinstance(event, Mapping) or event.get("event") != "user":
            continue
        parse = event.get("parse_data") or {}
        for entity in parse.get("entities") or []:
            name = entity.get("entity") if isinstance(entity, Mapping) else None
            value = entity.get("value") if isinstance(entity, Mapping) else None
            if isinstance(name, str) and name in names and isinstance(value, str) and value.strip():
                found[name] = value.strip()
    slots = tracker.get("slots") or {}
    return [
        {"event": "slot", "name": name, "value": value}
        for name, value in found.items()
        if slots.get(name) != value
    ]
