"""Rendering domain responses like Rasa does, and the bounded per-turn memory."""

from __future__ import annotations

import random

import pytest

from empathy.memory import TurnMemory
from empathy.responses import ResponseBank, ResponseError

BANK = ResponseBank(
    {
        "utter_status": [
            {"text": "Generic {order_id}."},
            {"text": "Late {order_id}.", "condition": [{"type": "slot", "name": "late", "value": True}]},
            {"text": "Hi {order_id} on the widget.", "channel": "socketio"},
        ],
        "utter_pick": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
        "utter_json": [
            {
                "text": "Use {{braces}} for {name}, missing {nope}.",
                "buttons": [{"title": "Refund {amount}", "payload": '/inform{"offer_choice":"refund"}'}],
            }
        ],
    }
)


def render(name: str, values: dict, channel: str | None = "rest", response_id: str | None = None):
    return BANK.render(name, values, channel, random.Random(1), response_id)


def test_condition_and_channel_variations_win_over_generic_ones():
    assert render("utter_status", {"order_id": "ORD-1", "late": True}).text == "Late ORD-1."
    assert render("utter_status", {"order_id": "ORD-1"}, channel="socketio").text == "Hi ORD-1 on the widget."
    assert render("utter_status", {"order_id": "ORD-1", "late": False}).text == "Generic ORD-1."


def test_the_variation_rasa_chose_by_id_is_used():
    assert render("utter_pick", {}, response_id="b").text == "B"


def test_placeholders_braces_and_json_payloads():
    draft = render("utter_json", {"name": "Anna", "amount": "5 EUR"})
    assert draft.text == "Use {braces} for Anna, missing {nope}."
    assert draft.missing_values == ("nope",)
    assert draft.buttons == [{"title": "Refund 5 EUR", "payload": '/inform{"offer_choice":"refund"}'}]


def test_unknown_response_is_none():
    assert render("utter_missing", {}) is None


def test_domain_wins_over_extra_files(tmp_path):
    domain = tmp_path / "domain.yml"
    extra = tmp_path / "extra.yml"
    domain.write_text('responses:\n  utter_x:\n    - text: "from the domain"\n')
    extra.write_text('responses:\n  utter_x:\n    - text: "extra"\n  utter_y:\n    - text: "only extra"\n')
    bank = ResponseBank.from_files(domain, (extra,))
    assert bank.render("utter_x", {}, None, random.Random(0)).text == "from the domain"
    assert bank.render("utter_y", {}, None, random.Random(0)).text == "only extra"


def test_malformed_responses_are_named(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text("responses:\n  utter_x: just text\n")
    with pytest.raises(ResponseError, match="utter_x"):
        ResponseBank.from_files(domain)


def test_turn_memory_is_bounded_and_keeps_recent_turns():
    memory = TurnMemory(capacity=2)
    memory.get("a").acknowledged = True
    memory.get("b")
    memory.get("a")  # touch: "b" is now the oldest
    memory.get("c")
    assert len(memory) == 2
    assert memory.get("a").acknowledged is True
    assert memory.get("b").acknowledged is False  # forgotten, fresh state
