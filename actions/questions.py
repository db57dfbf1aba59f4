"""Asking for what a lookup needs: never twice when it was refused, never three times.

A form asks for the order number or the email with `action_ask_<slot>` (actions/
form_questions.py); the validator asks again when an answer was wrong (a mistyped email, an
order that is not the customer's), and the clarifying question re-asks when an answer was
not understood. All of them go through here, so the bot counts its own questions:

- the first time it asks plainly;
- once more, in other words that help ("it's in the confirmation email, starting with
  ORD"), if the first answer did not give it;
- never a third time: after two failed tries, or as soon as the customer says they can't or
  won't give it, it stops asking, says what else can be done and offers a person (the
  gateway's policy escalates two failed answers too, settings/escalation.yml
  `failed_understanding.failed_answers`).

A try is counted per customer message: the validator's "that doesn't look like an email"
and the form's question in the same reply are one question, not two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

REQUESTED_SLOT = "requested_slot"
# How many times the bot asks for one thing before it offers another way instead.
TRIES = 2


@dataclass(frozen=True)
class Question:
    slot: str
    ask: str  # the first question
    again: str  # the second, in words that help find it
    give_up: str  # no third question: what else can be done, and a person
    # Every response that asks for this slot (the validator's re-asks too).
    asked_by: frozenset[str]


EMAIL_ASKED_BY = frozenset(
    {
        "utter_ask_email",
        "utter_ask_email_again",
        "utter_invalid_email",
        "utter_ask_account_email_form_email",
        "utter_ask_account_email_again",
    }
)

# The questions of each form, by the slot they fill.
QUESTIONS: Mapping[tuple[str, str], Question] = {
    ("order_lookup_form", "order_id"): Question(
        slot="order_id",
        ask="utter_ask_order_id",
        again="utter_ask_order_id_again",
        give_up="utter_order_id_give_up",
        asked_by=frozenset(
            {
                "utter_ask_order_id",
                "utter_ask_order_id_again",
                "utter_invalid_order_id",
                "utter_order_not_found_for_email",
            }
        ),
    ),
    ("order_lookup_form", "email"): Question(
        slot="email",
        ask="utter_ask_email",
        again="utter_ask_email_again",
        give_up="utter_email_give_up",
        asked_by=EMAIL_ASKED_BY,
    ),
    ("account_email_form", "email"): Question(
        slot="email",
        ask="utter_ask_account_email_form_email",
        again="utter_ask_account_email_again",
        give_up="utter_account_email_give_up",
        asked_by=EMAIL_ASKED_BY,
    ),
}


def question_for(form: str | None, slot: str | None) -> Question | None:
    return QUESTIONS.get((str(form or ""), str(slot or "")))


PERSON_BUTTONS = [
    {"title": "Yes, a person please", "payload": "/affirm"},
    {"title": "No, thanks", "payload": "/deny"},
]


def _response(event: Mapping[str, Any]) -> str | None:
    metadata = event.get("metadata")
    value = metadata.get("utter_action") if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) else None


def _since_form_started(tracker: Tracker) -> list[dict[str, Any]]:
    """The events since the active form was (last) activated; all of them without a form."""
    events = list(tracker.events)
    form = (tracker.active_loop or {}).get("name")
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "active_loop" and form and event.get("name") == form:
            return events[index + 1 :]
    return events


def times_asked(tracker: Tracker, question: Question) -> int:
    """Customer messages, before the latest one, that the bot answered by asking this question."""
    turns = 0
    asked = False
    for event in _since_form_started(tracker):
        if event.get("event") == "user":
            turns += asked
            asked = False
        elif event.get("event") == "bot" and _response(event) in question.asked_by:
            asked = True
    # `asked` left over is the reply to the latest message, which is not "before" it.
    return turns


def asked_this_turn(tracker: Tracker, question: Question) -> bool:
    """Whether the reply to the customer's latest message already asks this question."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and _response(event) in question.asked_by:
            return True
    return False


def tries_left(tracker: Tracker, question: Question) -> bool:
    """Whether the bot may still ask this question (again) in its reply to this message."""
    return times_asked(tracker, question) < TRIES


def likeliest_intent(tracker: Tracker) -> str | None:
    """The latest message's intent, or when the NLU fell back, its best real guess."""
    latest = tracker.latest_message or {}
    intent = (latest.get("intent") or {}).get("name")
    if intent and intent != "nlu_fallback":
        return str(intent)
    ranking = latest.get("intent_ranking") or []
    return next((str(e["name"]) for e in ranking if e.get("name") and e.get("name") != "nlu_fallback"), None)


def refused(tracker: Tracker) -> bool:
    """The customer said no to the question ("no", "I don't have it"): don't ask again."""
    return likeliest_intent(tracker) == "deny"


def ask(dispatcher: CollectingDispatcher, tracker: Tracker, question: Question) -> list[EventType]:
    """Ask for the question's slot, again in helpful words, or not at all any more."""
    if asked_this_turn(tracker, question):
        return []  # the validator's reply already asked for it again
    if times_asked(tracker, question) == 0:
        dispatcher.utter_message(response=question.ask)
        return []
    return ask_again(dispatcher, tracker, question)


def ask_again(dispatcher: CollectingDispatcher, tracker: Tracker, question: Question) -> list[EventType]:
    """The answer did not give it: the second try in helping words, or, when the customer
    refused or both tries are used, another way and a person (ending the form)."""
    if times_asked(tracker, question) < TRIES and not refused(tracker):
        dispatcher.utter_message(response=question.again)
        return []
    return give_up(dispatcher, question)


def give_up(dispatcher: CollectingDispatcher, question: Question) -> list[EventType]:
    """Stop asking: say what else can be done, offer a person, and end the form."""
    dispatcher.utter_message(response=question.give_up, buttons=list(PERSON_BUTTONS))
    return [SlotSet(REQUESTED_SLOT, None), SlotSet("pending_offer", "handoff")]


def open_question(tracker: Tracker) -> Question | None:
    """The question a form is waiting for an answer to, if any."""
    return question_for((tracker.active_loop or {}).get("name"), tracker.get_slot(REQUESTED_SLOT))


def last_question(tracker: Tracker) -> Question | None:
    """The question asked last, also once the form was closed (which clears requested_slot)."""
    form: str | None = None
    slot: str | None = None
    for event in reversed(tracker.events):
        if slot is None and event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT:
            slot = str(event.get("value") or "") or None
        if event.get("event") == "active_loop" and event.get("name"):
            form = str(event["name"])
            break
    return question_for(form, slot)


def gave_up_asking(tracker: Tracker) -> bool:
    """True when the bot stopped asking for the lookup's details and offered a person
    instead: the goal's action must then not ask for them once more."""
    return tracker.get_slot("pending_offer") == "handoff"


class ActionQuestionDeclined(Action):
    """`action_question_declined`: the customer can't or won't give what the form asked for
    ("no", "I don't have it"). A rule closes the form first (data/rules/); this says what
    else can be done and offers a person, instead of asking the same thing again."""

    def name(self) -> str:
        return "action_question_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = last_question(tracker) or QUESTIONS[("order_lookup_form", "order_id")]
        return give_up(dispatcher, question)
