"""Issue 14: the bot never asks twice what was refused, and never three times at all.

The order form's questions, the validator's re-asks, the clarifying question and the rule
for a refusal all count the same tries (actions/questions.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.clarify import ActionClarify
from actions.form_questions import AskAccountEmail, AskEmail, AskOrderId
from actions.forms import ValidateOrderLookupForm
from actions.orders import ActionOrderStatus
from actions.questions import ActionQuestionDeclined
from actions.services import Services
from tests.actions.harness import make_tracker, run
from tests.actions.test_forms import form_tracker

FORM = "order_lookup_form"
GIVE_UP_EVENTS = [SlotSet("requested_slot", None), SlotSet("pending_offer", "handoff")]
PERSON_BUTTONS = ["/affirm", "/deny"]


def started() -> dict[str, Any]:
    return {"event": "active_loop", "name": FORM}


def asked(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response}}


def customer(text: str, intent: str = "inform") -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def waiting_for(slot: str, *earlier: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Tracker arguments for a form waiting on ``slot`` after ``earlier`` events."""
    slots = {"requested_slot": slot, **kwargs.pop("slots", {})}
    return {"events": [started(), *earlier], "active_loop": FORM, "slots": slots, **kwargs}


async def test_first_time_the_plain_question(domain: dict[str, Any]) -> None:
    outcome = await run(AskOrderId(), make_tracker(domain, **waiting_for("order_id")), domain)
    assert outcome.responses == ["utter_ask_order_id"]
    assert outcome.events == []


async def test_second_time_words_that_help_find_it(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, text="hmm", intent="inform", **waiting_for("order_id", asked("utter_ask_order_id"))
    )
    outcome = await run(AskOrderId(), tracker, domain)
    assert outcome.responses == ["utter_ask_order_id_again"]
    assert outcome.events == []


async def test_never_a_third_time_another_way_and_a_person(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain,
        text="what?",
        **waiting_for(
            "email",
            asked("utter_ask_email"),
            customer("dana@"),
            asked("utter_invalid_email"),
            asked("utter_ask_email"),  # the same reply: one try, not two
        ),
    )
    outcome = await run(AskEmail(), tracker, domain)
    assert outcome.responses == ["utter_email_give_up"]
    assert [b["payload"] for b in outcome.said[0].buttons] == PERSON_BUTTONS
    assert outcome.events == GIVE_UP_EVENTS


async def test_a_refusal_is_not_asked_again(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain,
        text="no, I don't have it",
        intent="deny",
        **waiting_for("order_id", asked("utter_ask_order_id")),
    )
    outcome = await run(AskOrderId(), tracker, domain)
    assert outcome.responses == ["utter_order_id_give_up"]
    assert outcome.events == GIVE_UP_EVENTS


async def test_the_validators_own_re_ask_is_the_only_question(domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, text="dana@", **waiting_for("email", asked("utter_ask_email")))
    tracker.events.append(asked("utter_invalid_email"))  # said this turn, by the validator
    outcome = await run(AskEmail(), tracker, domain)
    assert outcome.said == [] and outcome.events == []


async def test_the_account_form_counts_its_own_question(domain: dict[str, Any]) -> None:
    args = waiting_for("email", asked("utter_ask_account_email_form_email"))
    args["events"][0] = {"event": "active_loop", "name": "account_email_form"}
    args["active_loop"] = "account_email_form"
    outcome = await run(AskAccountEmail(), make_tracker(domain, text="?", **args), domain)
    assert outcome.responses == ["utter_ask_account_email_again"]


async def test_the_validator_stops_saying_it_after_two_tries(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = form_tracker(
        domain,
        FORM,
        {"email": "dana@"},
        slots={"requested_slot": "email"},
        events=[started(), asked("utter_ask_email"), customer("x@"), asked("utter_invalid_email")],
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.said == []  # the form's question gives up instead of asking a third time
    assert outcome.events == [SlotSet("email", None)]


async def test_an_order_number_the_nlu_missed_still_counts(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        domain,
        text="it's 10003 I think",
        active_loop=FORM,
        slots={"requested_slot": "order_id"},
        events=[started(), asked("utter_ask_order_id")],
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.said == []
    assert outcome.events == [SlotSet("order_id", "ORD-10003")]


async def test_an_email_the_nlu_missed_still_counts(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain,
        text="sure, it's sofia.rossi@example.com.",
        active_loop=FORM,
        slots={"requested_slot": "email", "order_id": "ORD-10003"},
        events=[started(), asked("utter_ask_email")],
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert SlotSet("email", "sofia.rossi@example.com") in outcome.events
    assert SlotSet("customer_id", "CUS-0003") in outcome.events


async def test_the_refusal_rule_offers_another_way(domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain,
        text="no",
        intent="deny",
        events=[
            started(),
            {"event": "slot", "name": "requested_slot", "value": "email"},
            asked("utter_ask_email"),
            {"event": "active_loop", "name": None},
            {"event": "slot", "name": "requested_slot", "value": None},
        ],
    )
    outcome = await run(ActionQuestionDeclined(), tracker, domain)
    assert outcome.responses == ["utter_email_give_up"]
    assert outcome.events == GIVE_UP_EVENTS


async def test_the_goal_action_does_not_ask_again_after_the_bot_gave_up(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(domain, slots={"pending_offer": "handoff"})
    outcome = await run(ActionOrderStatus(services), tracker, domain)
    assert outcome.said == [] and outcome.events == []


# --- the clarifying question ------------------------------------------------------------------------


async def test_a_terse_request_the_nlu_was_unsure_of_goes_to_a_person(domain: dict[str, Any]) -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "request_human", "confidence": 0.5},
        {"name": "bot_challenge", "confidence": 0.45},
    ]
    tracker = make_tracker(domain, text="human", intent="nlu_fallback", intent_ranking=ranking)
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.said == []
    assert outcome.events == [FollowupAction("action_handoff")]


async def test_a_long_sentence_about_an_agent_is_still_clarified(domain: dict[str, Any]) -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "request_human", "confidence": 0.32},
        {"name": "delivery_options", "confidence": 0.3},
    ]
    tracker = make_tracker(
        domain,
        text="the delivery agent left it at the wrong door",
        intent="nlu_fallback",
        intent_ranking=ranking,
    )
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.responses == ["utter_clarify_two"]


async def test_an_answer_that_is_not_one_gets_the_second_try_not_a_clarification(
    domain: dict[str, Any],
) -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "order_status", "confidence": 0.3}]
    tracker = make_tracker(
        domain,
        text="the one with the blue box",
        intent="nlu_fallback",
        intent_ranking=ranking,
        **waiting_for("order_id", asked("utter_ask_order_id")),
    )
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.responses == ["utter_ask_order_id_again"]
    assert outcome.events == [FollowupAction("action_listen")]


async def test_i_dont_know_my_order_number_ends_the_questions(domain: dict[str, Any]) -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "deny", "confidence": 0.32}]
    tracker = make_tracker(
        domain,
        text="I don't know my order number",
        intent="nlu_fallback",
        intent_ranking=ranking,
        **waiting_for("order_id", asked("utter_ask_order_id")),
    )
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.responses == ["utter_order_id_give_up"]
    assert outcome.events == [ActiveLoop(None), *GIVE_UP_EVENTS, FollowupAction("action_listen")]


async def test_a_terse_request_in_the_middle_of_the_questions_closes_the_form(domain: dict[str, Any]) -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "request_human", "confidence": 0.44}]
    tracker = make_tracker(
        domain,
        text="operator",
        intent="nlu_fallback",
        intent_ranking=ranking,
        **waiting_for("order_id", asked("utter_ask_order_id")),
    )
    outcome = await run(ActionClarify(), tracker, domain)
    assert outcome.said == []
    assert outcome.events == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        FollowupAction("action_handoff"),
    ]
