"""A builder for realistic Rasa 3.6 tracker dumps, and tests that they really are Rasa's shape.

The escalation, priority and summary tests build their conversations with
:class:`TrackerBuilder` instead of hand-writing event JSON. The tests at the bottom load
what it builds into Rasa's own ``DialogueStateTracker`` and compare the dump Rasa produces,
so the synthetic trackers cannot drift from what ``GET /conversations/{id}/tracker`` returns.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from handoff.escalation.decision import decide
from handoff.escalation.policy import load_policy
from handoff.escalation.tracker_view import TrackerFormatError, parse_tracker

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"

# A fixed clock for every test: Sunday 22 November 2026, 10:00 UTC.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)

FEELING_KEYS = ("emotion", "frustration", "frustration_level", "stakes", "deadline", "urgent")


class TrackerBuilder:
    """Appends events the way a running Rasa bot would record them.

    ``user()`` records the message, the feelings slots the NLU components set for it, and
    ``action_listen`` before it; ``bot_turn()`` records an action with its slot events and
    messages. Timestamps advance 15 seconds per event from ``start``.
    """

    def __init__(self, sender_id: str = "conv-1", start: datetime | None = None) -> None:
        self.sender_id = sender_id
        self._time = (start or NOW - timedelta(minutes=10)).timestamp()
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {
            "failed_understanding": 0.0,
            "frustration": 0.0,
            "frustration_level": 0.0,
        }
        self._history: list[dict[str, Any]] | None = None
        self._turn = 0
        self.session_start()

    # --- raw events ----------------------------------------------------------------------------
    def _tick(self) -> float:
        self._time += 15.0
        return self._time

    def action(self, name: str) -> TrackerBuilder:
        self.events.append(
            {
                "event": "action",
                "timestamp": self._tick(),
                "name": name,
                "policy": "RulePolicy" if name != "action_listen" else None,
                "confidence": 1.0,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )
        return self

    def slot(self, name: str, value: Any) -> TrackerBuilder:
        self.events.append({"event": "slot", "timestamp": self._tick(), "name": name, "value": value})
        self.slots[name] = value
        return self

    def bot(self, text: str, response: str | None = None) -> TrackerBuilder:
        self.events.append(
            {
                "event": "bot",
                "timestamp": self._tick(),
                "metadata": {"utter_action": response} if response else {},
                "text": text,
                "data": {
                    "elements": None,
                    "quick_replies": None,
                    "buttons": None,
                    "attachment": None,
                    "image": None,
                    "custom": None,
                },
            }
        )
        return self

    def agent(self, text: str) -> TrackerBuilder:
        self.events.append({"event": "agent", "timestamp": self._tick(), "text": text, "data": None})
        return self

    def session_start(self) -> TrackerBuilder:
        self.action("action_session_start")
        self.events.append({"event": "session_started", "timestamp": self._tick()})
        return self.action("action_listen")

    def pause(self) -> TrackerBuilder:
        self.events.append({"event": "pause", "timestamp": self._tick()})
        return self

    def resume(self) -> TrackerBuilder:
        self.events.append({"event": "resume", "timestamp": self._tick()})
        return self

    def restart(self) -> TrackerBuilder:
        self.events.append({"event": "restart", "timestamp": self._tick()})
        return self

    def wait(self, minutes: float) -> TrackerBuilder:
        self._time += minutes * 60
        return self

    # --- conversational helpers ---------------------------------------------------------------
    def with_history(self) -> TrackerBuilder:
        """Also keep a ``feelings_history`` slot, as issue 3 may (one entry per message)."""
        self._history = []
        return self

    def user(
        self,
        text: str,
        intent: str,
        confidence: float = 0.93,
        entities: Iterable[Mapping[str, Any]] = (),
        evidence: Iterable[str] = (),
        **feelings: Any,
    ) -> TrackerBuilder:
        """A customer message; ``feelings`` (emotion=, frustration=, stakes=...) are set as
        slot events right after it, the way the NLU components' slot mappings set them."""
        unknown = set(feelings) - set(FEELING_KEYS)
        if unknown:
            raise TypeError(f"unknown feelings {sorted(unknown)}")
        if not self.events or self.events[-1].get("name") != "action_listen":
            self.action("action_listen")
        self._turn += 1
        entity_list = [dict(e) for e in entities]
        ranking = [{"name": intent, "confidence": confidence}]
        if intent != "nlu_fallback":
            ranking.append({"name": "nlu_fallback", "confidence": round(1 - confidence, 4)})
        self.events.append(
            {
                "event": "user",
                "timestamp": self._tick(),
                "metadata": {},
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": confidence},
                    "entities": entity_list,
                    "text": text,
                    "message_id": f"m{self._turn}",
                    "metadata": {},
                    "intent_ranking": ranking,
                },
                "input_channel": "rest",
                "message_id": f"m{self._turn}",
            }
        )
        self.events.append(
            {"event": "user_featurization", "timestamp": self._tick(), "use_text_for_featurization": False}
        )
        self.action("action_extract_slots")
        for entity in entity_list:
            if entity.get("entity") in ("order_id", "email", "item"):
                self.slot(str(entity["entity"]), entity.get("value"))
        for name in FEELING_KEYS:
            if name in feelings:
                self.slot(name, feelings[name])
        if self._history is not None:
            entry = {"turn": self._turn, **{k: self.slots.get(k) for k in FEELING_KEYS[:3]}}
            entry["evidence"] = list(evidence)
            self._history.append(entry)
            self.slot("feelings_history", [dict(e) for e in self._history])
        return self

    def bot_turn(
        self, action: str, say: Iterable[str] = (), slots: Mapping[str, Any] | None = None
    ) -> TrackerBuilder:
        """The bot runs ``action``: its messages, then its slot events, then listens."""
        self.action(action)
        for text in say:
            self.bot(text, response=action if action.startswith("utter_") else None)
        for name, value in (slots or {}).items():
            self.slot(name, value)
        return self.action("action_listen")

    def build(self, **slot_overrides: Any) -> dict[str, Any]:
        """The dump, as ``GET /conversations/{id}/tracker?include_events=ALL`` returns it."""
        slots = {**self.slots, **slot_overrides}
        last_user = next((e for e in reversed(self.events) if e["event"] == "user"), None)
        return {
            "sender_id": self.sender_id,
            "slots": slots,
            "latest_message": dict(last_user["parse_data"]) if last_user else {},
            "latest_event_time": self.events[-1]["timestamp"] if self.events else None,
            "followup_action": None,
            "paused": False,
            "events": [dict(e) for e in self.events],
            "latest_input_channel": "rest",
            "active_loop": {},
            "latest_action": {"action_name": "action_listen"},
            "latest_action_name": "action_listen",
        }


# --- the builder matches Rasa's own serialisation -------------------------------------------------


def _rasa_roundtrip(dump: dict[str, Any]) -> dict[str, Any]:
    """Loads the dump's events into Rasa's tracker with the project's real domain slots."""
    with warnings.catch_warnings():
        # Rasa warns about slot auto-fill whenever a domain has slots; it is not about ours.
        warnings.simplefilter("ignore", UserWarning)
        domain = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))
    known = {slot.name for slot in domain.slots}
    # feelings_history is not (yet) in the domain; Rasa keeps any slot it is given.
    slots = list(domain.slots) + [
        AnySlot(n, mappings=[{"type": "custom"}]) for n in dump["slots"] if n not in known
    ]
    events = [Event.from_parameters(e) for e in dump["events"]]
    tracker = DialogueStateTracker.from_events(dump["sender_id"], events, slots=slots)
    return tracker.current_state(EventVerbosity.ALL)


def test_built_events_are_what_rasa_itself_dumps() -> None:
    builder = TrackerBuilder("roundtrip").with_history()
    builder.bot("Hi! How can I help?")
    builder.user(
        "my dad's funeral flowers ORD-10234 haven't come",
        "report_missing_item",
        entities=[{"entity": "order_id", "value": "ORD-10234", "start": 19, "end": 28}],
        emotion="sad",
        frustration=0.3,
        stakes="bereavement",
        deadline="2026-11-24",
        evidence=["funeral"],
    )
    builder.bot_turn("action_report_missing_item", say=["I'm so sorry."], slots={"pending_offer": "reship"})
    builder.pause().resume()
    dump = builder.build()

    rasa_dump = _rasa_roundtrip(dump)

    assert rasa_dump["events"] == dump["events"]
    for name, value in dump["slots"].items():
        assert rasa_dump["slots"][name] == value
    assert rasa_dump["latest_message"]["intent"] == dump["latest_message"]["intent"]


def test_feelings_are_recorded_as_slot_events_after_the_message() -> None:
    dump = (
        TrackerBuilder().user("where is it?!", "order_status", emotion="frustrated", frustration=0.6).build()
    )

    kinds = [(e["event"], e.get("name")) for e in dump["events"]]
    user_at = kinds.index(("user", None))
    assert ("slot", "emotion") in kinds[user_at:]
    assert dump["slots"]["emotion"] == "frustrated"


# --- the view is tolerant of what real dumps contain ------------------------------------------------


def test_odd_events_are_skipped_and_missing_parse_data_tolerated(caplog: pytest.LogCaptureFixture) -> None:
    dump = TrackerBuilder().user("hello", "greet").build()
    dump["events"] += [
        "not an event",
        {"event": "user", "text": "I want a person", "parse_data": None},  # recorded while paused
        {"event": "slot", "value": 1},  # no name
        {"event": "something_new", "timestamp": 1.0},
        {"event": "bot", "text": None},
    ]
    del dump["slots"]

    view = parse_tracker(dump)

    assert [(t.number, t.text, t.intent) for t in view.turns] == [
        (1, "hello", "greet"),
        (2, "I want a person", None),
    ]
    assert "Skipping tracker event" in caplog.text
    # The phrase still counts as a request for a person, with no intent at all.
    decision = decide(dump, load_policy(POLICY_FILE), NOW)
    assert [r.code.value for r in decision.reasons] == ["request_human"]
    assert decision.reasons[0].turn == 2


@pytest.mark.parametrize(
    ("dump", "message"),
    [
        ([], "tracker must be a JSON object"),
        ({"events": {"event": "user"}}, "tracker 'events' must be a list"),
        ({"events": [], "slots": ["emotion"]}, "tracker 'slots' must be an object"),
    ],
)
def test_a_dump_that_is_not_a_tracker_is_a_clear_error(dump: Any, message: str) -> None:
    with pytest.raises(TrackerFormatError, match=message):
        parse_tracker(dump)


def test_an_empty_tracker_never_escalates() -> None:
    assert decide({}, load_policy(POLICY_FILE), NOW).escalate is False
    assert (
        decide({"events": None, "slots": {"frustration_level": 0.99}}, load_policy(POLICY_FILE), NOW).escalate
        is False
    )
