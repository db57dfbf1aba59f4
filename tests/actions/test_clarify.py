"""The clarifying question: built from the NLU ranking, never the same twice, then a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet

from actions.clarify import ActionClarify, ActionResetFailedUnderstanding
from tests.actions.harness import make_tracker, run

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.40},
    {"name": "request_refund", "confidence": 0.31},
    {"name": "refund_status", "confidence": 0.27},
    {"name": "affirm", "confidence": 0.02},
]


LISTEN = FollowupAction("action_listen")


def bot_said(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response}}


async def test_asks_either_or_from_the_top_intents(domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, intent="nlu_fallback", intent_ranking=RANKING, text="money back where")
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.events == [SlotSet("failed_understanding", 1.0), LISTEN]
    [said] = outcome.said
    assert said.response == "utter_clarify_two"
    assert said.values == {"option_1": "get a refund", "option_2": "check on a refund"}
    assert said.buttons == [
        {"title": "Get a refund", "payload": "/request_refund"},
        {"title": "Check on a refund", "payload": "/refund_status"},
        {"title": "Something else", "payload": "/out_of_scope"},
    ]


async def test_never_the_same_wording_twice_in_a_row(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, intent="nlu_fallback", intent_ranking=RANKING, events=[bot_said("utter_clarify_two")]
    )
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.responses == ["utter_clarify_two_alt"]
    back = make_tracker(
        domain, intent="nlu_fallback", intent_ranking=RANKING, events=[bot_said("utter_clarify_two_alt")]
    )
    assert (await run(ActionClarify(), back, domain)).responses == ["utter_clarify_two"]


async def test_one_or_no_usable_guess(domain: dict[str, Any]) -> None:
    one = make_tracker(domain, intent="nlu_fallback", intent_ranking=[{"name": "invoice", "confidence": 0.3}])
    assert (await run(ActionClarify(), one, domain)).responses == ["utter_clarify_one"]
    none = make_tracker(
        domain, intent="nlu_fallback", intent_ranking=[{"name": "nlu_fallback", "confidence": 0.9}]
    )
    outcome = await run(ActionClarify(), none, domain)
    assert outcome.responses == ["utter_clarify_open"]
    assert outcome.said[0].buttons == [{"title": "Something else", "payload": "/out_of_scope"}]


async def test_second_miss_in_a_row_offers_a_person(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={"failed_understanding": 1.0}, intent="nlu_fallback", intent_ranking=RANKING
    )
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.responses == ["utter_clarify_offer_person"]
    assert outcome.events == [
        SlotSet("failed_understanding", 2.0),
        SlotSet("pending_offer", "handoff"),
        LISTEN,
    ]
    assert [b["payload"] for b in outcome.said[0].buttons] == ["/affirm", "/deny"]


async def test_reset_failed_understanding(domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={"failed_understanding": 2.0})
    outcome = await run(ActionResetFailedUnderstanding(), tracker, domain)
    assert outcome.events == [SlotSet("failed_understanding", 0.0)]
    assert outcome.said == []


async def test_after_another_action_answered_it_only_ends_the_turn(domain: dict[str, Any]) -> None:
    # The core fallback predicted after, e.g., action_accept_offer already replied.
    tracker = make_tracker(domain, intent="affirm", intent_ranking=RANKING)
    tracker.events.append(bot_said("utter_refund_started"))
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.said == []
    assert outcome.events == [LISTEN]


async def test_order_details_instead_of_a_goal_are_kept_and_not_a_miss(domain: dict[str, Any]) -> None:
    asked = {
        "event": "bot",
        "text": "...",
        "metadata": {"utter_action": "utter_clarify_two"},
        "data": {
            "buttons": [{"title": "Report something that didn't arrive", "payload": "/report_missing_item"}]
        },
    }
    tracker = make_tracker(
        domain,
        intent="inform",
        text="ORD-10026, hugo.laurent@example.com",
        entities=[
            {"entity": "order_id", "value": "ORD-10026"},
            {"entity": "email", "value": "hugo.laurent@example.com"},
        ],
        events=[asked],
    )
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.events == [LISTEN]  # failed_understanding untouched
    [said] = outcome.said
    assert said.response == "utter_clarify_details_noted"
    assert said.values == {"details": "order ORD-10026"}
    assert said.buttons == asked["data"]["buttons"]
    email_only = make_tracker(
        domain, intent="inform", entities=[{"entity": "email", "value": "a@example.com"}]
    )
    [said] = (await run(ActionClarify(), email_only, domain)).said
    assert said.values == {"details": "your email address"}
    assert [b["payload"] for b in said.buttons][:2] == ["/order_status", "/report_missing_item"]
