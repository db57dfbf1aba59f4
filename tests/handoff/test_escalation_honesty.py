"""Issue 14: the reply that announces a handoff is true, whoever is online.

The bot's own handoff line says only what is always true (the conversation was passed on);
the gateway says where and when from the queue's state, joined to what the bot just said.
"""

from __future__ import annotations

from typing import Any

import yaml

from handoff.escalation.escalator import bot_announced_handoff, bot_offered_person, queued_message
from handoff.settings import REPO_ROOT
from tests.handoff.clients import Customer
from tests.handoff.conftest import Running


def tracker(*reply: dict[str, Any]) -> dict[str, Any]:
    """A tracker whose latest customer message was answered with ``reply``."""
    earlier = [
        {"event": "user", "text": "hello"},
        {"event": "bot", "text": "Hi!", "metadata": {"utter_action": "utter_greet"}},
        {"event": "slot", "name": "pending_offer", "value": "handoff"},  # an older offer
    ]
    return {"events": [*earlier, {"event": "user", "text": "..."}, *reply]}


HANDED_OFF = tracker(
    {"event": "action", "name": "action_handoff"},
    {
        "event": "bot",
        "text": "I've passed our conversation to the team.",
        "metadata": {"utter_action": "utter_handoff_requested"},
    },
)
OFFERED = tracker(
    {"event": "action", "name": "action_complaint"},
    {"event": "bot", "text": "Would you like a person to contact you?", "metadata": {}},
    {"event": "slot", "name": "pending_offer", "value": "handoff"},
)
PLAIN = tracker({"event": "action", "name": "action_order_status"}, {"event": "bot", "text": "It's late."})


def test_the_bots_handoff_line_promises_nothing_the_queue_decides() -> None:
    responses = yaml.safe_load((REPO_ROOT / "content" / "responses.yml").read_text(encoding="utf-8"))
    [variant] = responses["responses"]["utter_handoff_requested"]
    text = variant["text"].lower()
    for promise in ("reply here", "in this chat", "minute", "shortly", "right away", "available"):
        assert promise not in text, promise
    assert "{reference}" in text


def test_what_the_bot_just_said_is_read_from_its_latest_reply_only() -> None:
    assert bot_announced_handoff(HANDED_OFF) and not bot_offered_person(HANDED_OFF)
    assert bot_offered_person(OFFERED) and not bot_announced_handoff(OFFERED)
    assert not bot_announced_handoff(PLAIN) and not bot_offered_person(PLAIN)  # the older offer is past
    assert not bot_announced_handoff(None) and not bot_offered_person({"events": None})


def test_after_the_bots_announcement_the_gateway_adds_where_and_when() -> None:
    text = queued_message(HANDED_OFF, 1, 180)
    assert text.startswith("I'm bringing in a person from our team now, and they'll reply here in this chat.")
    assert "You're next in line; the wait is about 3 minutes." in text
    assert "see everything" not in text  # the bot just said so


def test_after_the_bots_offer_the_question_is_not_left_hanging() -> None:
    text = queued_message(OFFERED, 2, 400)
    assert text.startswith("Rather than wait for your answer, I'm bringing in a person")
    assert "number 2 in the queue" in text and "about 7 minutes" in text


def test_an_escalation_the_bot_did_not_announce_says_everything() -> None:
    text = queued_message(PLAIN, 1, 60)
    assert text.startswith("I'm bringing in a person from our team, and they'll see everything")
    assert "about a minute" in text


async def test_with_nobody_online_the_customer_reads_one_consistent_story(gw: Running) -> None:
    customer: Customer = gw.customer()
    await customer.connect()
    await customer.say("I want to talk to a person")
    told = await customer.bot_text(lambda t: "Nobody from our team is available" in t)
    assert told["metadata"]["sender"]["role"] == "system"
    await gw.settle()
    said = [m["text"] for m in customer.seen.events["bot_uttered"]]
    assert not any("reply here in this chat" in t or "bringing in a person" in t for t in said), said
