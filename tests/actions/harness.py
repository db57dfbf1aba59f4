"""Running an action against a tracker fixture and checking what it sent."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}


@dataclass
class Said:
    """One message an action sent: its response name, values and buttons."""

    response: str
    values: dict[str, Any]
    buttons: list[dict[str, Any]]


@dataclass
class Outcome:
    events: list[EventType]
    said: list[Said]

    @property
    def responses(self) -> list[str]:
        return [s.response for s in self.said]


def domain_slots(domain: dict[str, Any]) -> dict[str, Any]:
    return {name: spec.get("initial_value") for name, spec in domain["slots"].items()}


def make_tracker(
    domain: dict[str, Any],
    *,
    slots: dict[str, Any] | None = None,
    intent: str = "order_status",
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender_id: str = "conv-test",
) -> Tracker:
    all_slots = domain_slots(domain)
    all_slots.update(slots or {})
    latest = {
        "intent": {"name": intent, "confidence": 0.97},
        "entities": entities or [],
        "text": text,
        "metadata": metadata or {},
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": 0.97}],
    }
    user_event = {"event": "user", "text": text, "parse_data": latest, "metadata": metadata or {}}
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest,
        events=[*(events or []), user_event],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def check_filled(domain: dict[str, Any], tracker: Tracker, said: Said) -> None:
    """The response exists (domain.yml or content/responses.yml) and every {placeholder} gets a value."""
    assert said.response in domain["responses"], f"{said.response} missing from the responses"
    for variant in domain["responses"][said.response]:
        fields = {name for _, name, _, _ in string.Formatter().parse(variant["text"]) if name}
        unfilled = {f for f in fields if said.values.get(f) is None and tracker.get_slot(f) is None}
        assert not unfilled, f"{said.response}: no value for {sorted(unfilled)}"


async def run(action: Action, tracker: Tracker, domain: dict[str, Any]) -> Outcome:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    said = []
    for message in dispatcher.messages:
        assert message["text"] is None, "actions must send domain responses, not raw text"
        item = Said(
            response=message["response"],
            values={k: v for k, v in message.items() if k not in MESSAGE_KEYS},
            buttons=message["buttons"],
        )
        check_filled(domain, tracker, item)
        said.append(item)
    return Outcome(events=events, said=said)
