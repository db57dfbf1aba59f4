"""What the gateway appends to the Rasa tracker at handback so the bot carries on."""

from __future__ import annotations

from typing import Any

from handoff.agents.carry_over import handback_events


def _user(text: str, **entities: str) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"entities": [{"entity": k, "value": v} for k, v in entities.items()]},
    }


def test_a_waiting_form_is_closed_so_the_next_request_starts_afresh() -> None:
    tracker = {
        "active_loop": {"name": "order_lookup_form"},
        "slots": {"requested_slot": "email", "email": "jo@example.com"},
        "events": [{"event": "pause"}, _user("jo@example.com", email="jo@example.com")],
    }
    assert handback_events(tracker) == [
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
    ]


def test_entities_told_to_the_person_fill_their_slots_latest_wins() -> None:
    tracker = {
        "active_loop": {},
        "slots": {"order_id": None, "email": None},
        "events": [
            _user("before the handoff", order_id="ORD-1"),
            {"event": "pause"},
            _user("it's ORD-10003", order_id="ORD-10003"),
            {"event": "bot", "text": "thanks"},
            _user("sorry, my email is jo@example.com", email="jo@example.com"),
            _user("no wait, ORD-10004", order_id="ORD-10004"),
        ],
    }
    assert handback_events(tracker) == [
        {"event": "slot", "name": "order_id", "value": "ORD-10004"},
        {"event": "slot", "name": "email", "value": "jo@example.com"},
    ]


def test_nothing_to_do_when_no_form_waits_and_slots_already_hold_the_values() -> None:
    tracker = {
        "slots": {"email": "jo@example.com"},
        "events": [{"event": "pause"}, _user("jo@example.com", email="jo@example.com"), _user("ok")],
    }
    assert handback_events(tracker) == []
    assert handback_events({}) == []
