"""Conversation-level feelings: action_validate_slot_mappings over whole conversations.

Each turn appends a user event with the parse data the bot/ components produce, runs
the action the way Rasa does after slot extraction, applies its SlotSet events and then
the bot's reply, so the tests see the tracker exactly as the action server would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.feelings import LevelSettings, ValidateSlotMappings, turn_feelings

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())


def parse_data(
    text: str,
    intent: str = "order_status",
    emotion: str = "neutral",
    frustration: float = 0.0,
    stakes: str = "none",
    stakes_words: tuple[str, ...] = (),
    deadline: str | None = None,
    urgent: bool = False,
    evidence: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "emotion": {"name": emotion, "confidence": 0.9, "scores": {}},
        "frustration": frustration,
        "feelings_evidence": list(evidence),
        "stakes": {
            "name": stakes,
            "families": [] if stakes == "none" else [stakes],
            "evidence": {} if stakes == "none" else {stakes: list(stakes_words)},
        },
        "deadline": None if deadline is None else {"date": deadline, "expression": "x", "days_left": 3},
        "urgent": urgent,
    }


class Conversation:
    """A tracker that grows turn by turn, with the feelings action run after each message."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"}]
        self.slots: dict[str, Any] = {"frustration_level": 0.0, "failed_understanding": 0.0}
        self.action = ValidateSlotMappings(LevelSettings())

    async def say(self, bot_action: str = "utter_anything_else", **parse: Any) -> dict[str, Any]:
        data = parse_data(**parse)
        self.events.append({"event": "user", "text": data["text"], "parse_data": data})
        tracker = Tracker("c1", dict(self.slots), data, list(self.events), False, None, {}, None)
        result = await self.action.run(CollectingDispatcher(), tracker, DOMAIN)
        for event in result:
            assert event["event"] == "slot"
            self.slots[event["name"]] = event["value"]
            self.events.append(event)
        self.events += [
            {"event": "action", "name": bot_action},
            {"event": "action", "name": "action_listen"},
        ]
        return {e["name"]: e["value"] for e in result}

    @property
    def level(self) -> float:
        return float(self.slots["frustration_level"])


async def test_level_rises_with_repeated_negative_turns_and_falls_when_it_goes_well() -> None:
    chat = Conversation()
    await chat.say(text="where is my parcel", emotion="neutral")
    calm = chat.level
    await chat.say(text="it was due on Monday and it's not here", emotion="frustrated", frustration=0.4)
    first = chat.level
    await chat.say(text="this is ridiculous, nobody replies", emotion="frustrated", frustration=0.6)
    second = chat.level
    assert calm == 0.0
    assert 0 < first < second
    assert "negative again" in chat.slots["feelings_history"][-1]["reasons"]
    await chat.say(text="ok thank you, that helps", intent="thank", emotion="positive")
    after_thanks = chat.level
    await chat.say(text="great, all sorted", intent="thank", emotion="positive")
    assert after_thanks < second
    assert chat.level < after_thanks
    assert chat.slots["feelings_history"][-1]["reasons"] == ["going well"]


async def test_bot_failing_to_understand_raises_the_level() -> None:
    chat = Conversation()
    await chat.say(text="my thingy didn't do the thing", intent="nlu_fallback", bot_action="action_clarify")
    after_fallback = chat.level
    chat.slots["failed_understanding"] = 1.0
    await chat.say(text="the blue thing from last week", intent="inform", bot_action="action_clarify")
    assert 0 < after_fallback < chat.level
    assert "bot did not understand" in chat.slots["feelings_history"][-1]["reasons"]


async def test_one_misunderstanding_is_not_counted_again_on_later_understood_turns() -> None:
    chat = Conversation()
    await chat.say(text="my thingy didn't do the thing", intent="nlu_fallback", bot_action="action_clarify")
    chat.slots["failed_understanding"] = 1.0  # stays set until a later action resets it
    await chat.say(
        text="what payment methods do you accept?",
        intent="payment_methods",
        bot_action="utter_payment_methods",
    )
    await chat.say(
        text="and do you take paypal", intent="payment_methods", bot_action="utter_payment_methods"
    )
    assert "bot did not understand" not in chat.slots["feelings_history"][-1]["reasons"]


async def test_customer_repeating_a_request_raises_the_level() -> None:
    chat = Conversation()
    await chat.say(text="where is my order ORD-10234")
    await chat.say(text="ok", intent="affirm")
    base = chat.level
    await chat.say(text="so where is my order ORD-10234 then")
    assert chat.level > base
    assert chat.slots["feelings_history"][-1]["reasons"] == ["customer repeated a request"]


async def test_different_requests_are_not_repeats() -> None:
    chat = Conversation()
    await chat.say(text="where is my order ORD-10234")
    await chat.say(text="can I pay with PayPal", intent="payment_methods")
    assert chat.level == 0.0


async def test_one_very_angry_message_sets_a_high_level_at_once() -> None:
    chat = Conversation()
    slots = await chat.say(
        text="This is the THIRD time I'm asking where order ORD-10234 is!!!",
        emotion="frustrated",
        frustration=0.95,
        evidence=("caps:THIRD", "!!!", "repeat:THIRD time"),
    )
    assert slots["emotion"] == "frustrated"
    assert slots["frustration"] == 0.95
    assert slots["frustration_level"] >= 0.75
    entry = slots["feelings_history"][-1]
    assert entry["turn"] == 1
    assert entry["words"] == ["caps:THIRD", "!!!", "repeat:THIRD time"]


async def test_stakes_and_deadline_persist_once_stated() -> None:
    chat = Conversation()
    first = await chat.say(
        text="the flowers for my dad's funeral on Saturday",
        emotion="sad",
        stakes="bereavement",
        stakes_words=("funeral",),
        deadline="2026-11-21",
        urgent=True,
    )
    assert first["stakes"] == "bereavement"
    assert first["stakes_evidence"] == "funeral"
    assert (first["deadline"], first["urgent"]) == ("2026-11-21", True)
    later = await chat.say(text="ok thanks", intent="thank", emotion="positive")
    assert "stakes" not in later
    assert "deadline" not in later
    assert (chat.slots["stakes"], chat.slots["deadline"], chat.slots["urgent"]) == (
        "bereavement",
        "2026-11-21",
        True,
    )


async def test_history_keeps_the_trajectory_and_is_bounded() -> None:
    chat = Conversation()
    chat.action = ValidateSlotMappings(LevelSettings(history_length=3))
    for index in range(5):
        await chat.say(text=f"message number {index}", emotion="neutral")
    history = chat.slots["feelings_history"]
    assert [h["turn"] for h in history] == [3, 4, 5]
    assert set(history[0]) == {
        "turn",
        "emotion",
        "confidence",
        "frustration",
        "frustration_level",
        "words",
        "reasons",
        "stakes",
        "deadline",
    }


@pytest.mark.parametrize(
    "latest",
    [
        {"text": "hi"},
        {"text": "hi", "emotion": "very angry", "frustration": "high", "stakes": ["gift"]},
        {"text": "hi", "emotion": {"name": "furious"}, "deadline": {"date": 5}},
    ],
)
def test_missing_or_malformed_attributes_read_as_neutral(latest: dict[str, Any]) -> None:
    turn = turn_feelings(latest)
    assert (turn.emotion, turn.frustration, turn.stakes, turn.deadline) == ("neutral", 0.0, "none", None)


async def test_no_text_means_no_feelings_events() -> None:
    tracker = Tracker("c1", {}, {}, [], False, None, {}, None)
    assert await ValidateSlotMappings().run(CollectingDispatcher(), tracker, DOMAIN) == []
