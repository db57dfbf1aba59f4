"""The clarifying question when the bot did not understand, and resetting its counter.

Two cases are not a misunderstanding to clarify: a terse request for a person ("human",
"operator") that the NLU was unsure of goes to `action_handoff` at once, with no "did you
mean...?"; and a message that fails to answer the form's question ("I don't know my order
number") is answered by the question's own second try or, after two, by another way and a
person (actions/questions.py), never by asking what the customer meant.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import button
from actions.questions import ask_again, likeliest_intent, open_question
from actions.replies import offer

# How each goal reads in "Do you want to X or Y?" and on its button.
INTENT_PHRASES: dict[str, str] = {
    "order_status": "check where your order is",
    "delivery_options": "know our delivery options and times",
    "change_shipping_address": "change the delivery address",
    "change_order": "change what's in an order",
    "cancel_order": "cancel an order",
    "return_item": "return something",
    "report_damaged_item": "report something that arrived damaged",
    "report_missing_item": "report something that didn't arrive",
    "request_refund": "get a refund",
    "refund_status": "check on a refund",
    "payment_issue": "sort out a problem with a payment",
    "payment_methods": "know how you can pay",
    "invoice": "get an invoice",
    "account_access": "get back into your account",
    "account_management": "change your account details",
    "setup_help": "get help setting up a product",
    "complaint": "make a complaint",
    "request_human": "talk to a person",
}
# What an order number alone is most often about, when our last question had no buttons.
DETAILS_FALLBACK_CHOICES = ("order_status", "report_missing_item", "report_damaged_item", "return_item")
MIN_CONFIDENCE = 0.05
MISSES_BEFORE_PERSON = 2
# A message this short whose likeliest goal is a person is a request, not a question to
# clarify (the gateway's policy escalates such terse requests too: request_human.terse).
TERSE_REQUEST_WORDS = 4
# Two wordings per question shape, alternated so the customer never reads the same
# question twice in a row.
VARIANTS = {
    2: ("utter_clarify_two", "utter_clarify_two_alt"),
    1: ("utter_clarify_one", "utter_clarify_one_alt"),
    0: ("utter_clarify_open", "utter_clarify_open_alt"),
}


def candidate_intents(ranking: list[dict[str, Any]]) -> list[str]:
    """The two most likely goals that we can phrase, most likely first."""
    picked = []
    for entry in ranking:
        name = entry.get("name")
        if name in INTENT_PHRASES and float(entry.get("confidence") or 0) >= MIN_CONFIDENCE:
            picked.append(str(name))
        if len(picked) == 2:
            break
    return picked


def replied_this_turn(tracker: Tracker) -> bool:
    """Whether the bot already sent something since the customer's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


# A message made only of these words is a request for a person whatever the NLU ranked first
# ("human", "real person pls", "agent now"); "agent" inside a sentence is not.
PERSON_WORDS = frozenset(
    {
        "human",
        "humans",
        "agent",
        "operator",
        "person",
        "someone",
        "somebody",
        "representative",
        "rep",
        "staff",
        "manager",
        "supervisor",
    }
)
FILLER_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "real",
        "live",
        "actual",
        "pls",
        "plz",
        "please",
        "now",
        "i",
        "me",
        "want",
        "need",
        "get",
        "talk",
        "speak",
        "to",
        "with",
        "customer",
        "service",
        "support",
        "can",
        "could",
        "give",
        "!",
        "?",
    }
)


def terse_request_for_person(tracker: Tracker) -> bool:
    text = str((tracker.latest_message or {}).get("text") or "")
    words = re.findall(r"[a-z]+", text.lower())
    if not 0 < len(words) <= TERSE_REQUEST_WORDS:
        return False
    if likeliest_intent(tracker) == "request_human":
        return True
    return any(w in PERSON_WORDS for w in words) and all(w in PERSON_WORDS | FILLER_WORDS for w in words)


def last_bot_response(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            metadata = event.get("metadata") or {}
            return metadata.get("utter_action")
    return None


def _details_given(tracker: Tracker) -> str | None:
    """'order ORD-10026' / 'your email' when the latest message only gave such details."""
    latest = tracker.latest_message or {}
    if (latest.get("intent") or {}).get("name") != "inform":
        return None
    given = {e.get("entity"): e.get("value") for e in latest.get("entities") or []}
    if given.get("order_id"):
        return f"order {given['order_id']}"
    if given.get("email"):
        return "your email address"
    return None


def _previous_choices(tracker: Tracker) -> list[dict[str, Any]]:
    """The buttons of our last question, so the customer can still pick with one tap."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons")
            if buttons:
                return list(buttons)
            break
    return [button(INTENT_PHRASES[i].capitalize(), f"/{i}") for i in DETAILS_FALLBACK_CHOICES]


class ActionClarify(Action):
    """Ask a real either/or question built from the NLU ranking; offer a person after two misses."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if replied_this_turn(tracker):
            # Predicted as the core fallback after another action already answered (no
            # rule for what follows it): the customer has their reply, so asking "what
            # did you mean?" would be wrong. End the turn quietly instead.
            return [FollowupAction("action_listen")]
        if terse_request_for_person(tracker):
            # As the rules do for a clear request in the middle of a form: close it first.
            in_form = (tracker.active_loop or {}).get("name")
            closing = [ActiveLoop(None), SlotSet("requested_slot", None)] if in_form else []
            return [*closing, FollowupAction("action_handoff")]
        question = open_question(tracker)
        if question is not None:
            # Not a misunderstanding: an answer to the form's question that does not give it.
            asked = ask_again(dispatcher, tracker, question)
            closing = [ActiveLoop(None)] if asked else []  # it gave up: the form ends here
            return [*closing, *asked, FollowupAction("action_listen")]
        details = _details_given(tracker)
        if details is not None:
            # The customer answered our question with their order number or email instead of
            # the goal: keep what they gave, ask only for the missing piece, count no miss.
            dispatcher.utter_message(
                response="utter_clarify_details_noted", details=details, buttons=_previous_choices(tracker)
            )
            return [FollowupAction("action_listen")]
        misses = int(tracker.get_slot("failed_understanding") or 0) + 1
        events: list[EventType] = [SlotSet("failed_understanding", float(misses))]
        # A question always ends the bot's turn; without this, a core-fallback
        # prediction after this action would ask again in the same turn.
        end_turn = FollowupAction("action_listen")
        if misses >= MISSES_BEFORE_PERSON:
            dispatcher.utter_message(
                response="utter_clarify_offer_person",
                buttons=[button("Yes, a person please", "/affirm"), button("No, I'll rephrase", "/deny")],
            )
            return [*events, *offer("handoff"), end_turn]
        ranking = tracker.latest_message.get("intent_ranking") or []
        intents = candidate_intents(ranking)
        first, second = VARIANTS[len(intents)]
        response = second if last_bot_response(tracker) == first else first
        values = {f"option_{n}": INTENT_PHRASES[i] for n, i in enumerate(intents, start=1)}
        buttons = [button(INTENT_PHRASES[i].capitalize(), f"/{i}") for i in intents]
        buttons.append(button("Something else", "/out_of_scope"))
        dispatcher.utter_message(response=response, buttons=buttons, **values)
        return [*events, end_turn]


class ActionResetFailedUnderstanding(Action):
    def name(self) -> str:
        return "action_reset_failed_understanding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet("failed_understanding", 0.0)]
