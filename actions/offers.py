"""Accepting or declining what the bot offered (`pending_offer`).

Per the dialogue contract both actions always emit `SlotSet("pending_offer", None)`;
when they make a new or repeated offer, they set it again in a later event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rasa_sdk.events import EventType, SlotSet

from actions.base import YES_NO, StoreAction, Turn, choice_button
from actions.complaints import hand_off
from actions.replies import offer, say_too_late_to_cancel
from actions.returns import start_return
from shop import NothingToRefund, OrderFacts, OrderStateConflict
from shop.formatting import day
from shop.make_it_right import RemedyOutcome, apply_remedy
from shop.service import add_business_days

CHOICES = frozenset({"replacement", "refund", "credit", "reship"})
CHOICE_WORDS = {
    "replacement": "a replacement",
    "refund": "a refund",
    "credit": "store credit",
    "reship": "sending it again",
}
# What each offer lets the customer choose between; the first is what a plain "yes" means
# only where the offer had a single option.
OFFER_CHOICES: dict[str, frozenset[str]] = {
    "replacement_or_refund": frozenset({"replacement", "refund", "credit"}),
    "reship": frozenset({"reship", "refund"}),
    "refund": frozenset({"refund"}),
}
REMEDY_REASONS = {
    "replacement_or_refund": "damaged on delivery",
    "reship": "not received",
    "refund": "late or lost delivery",
}


def chosen_option(turn: Turn) -> str | None:
    """The option picked by button or words this turn (entity first, then the slot)."""
    entities = turn.tracker.latest_message.get("entities") or []
    for entity in entities:
        if entity.get("entity") == "offer_choice":
            value = str(entity.get("value", "")).strip().lower()
            if value in CHOICES:
                return value
    slot = str(turn.slot("offer_choice") or "").strip().lower()
    return slot if slot in CHOICES else None


def options_words(options: frozenset[str]) -> str:
    words = [CHOICE_WORDS[o] for o in sorted(options)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def option_buttons(options: frozenset[str]) -> list[dict[str, str]]:
    titles = {
        "replacement": "Replacement",
        "refund": "Refund",
        "credit": "Store credit",
        "reship": "Send it again",
    }
    return [choice_button(titles[o], o) for o in sorted(options)]


class ActionAcceptOffer(StoreAction):
    action_name = "action_accept_offer"
    failure_task = "carry that out"

    async def act(self, turn: Turn) -> list[EventType]:
        pending = turn.slot("pending_offer")
        closing: list[EventType] = [SlotSet("offer_choice", None), SlotSet("pending_offer", None)]
        if not pending:
            turn.say("utter_no_pending_offer")
            return closing
        if pending == "checkin":
            turn.say("utter_checkin_all_good")
            return closing
        if pending == "handoff":
            await hand_off(turn, reason="accepted_offer")
            return closing
        choice = chosen_option(turn)
        intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
        options = OFFER_CHOICES.get(pending)
        if intent == "inform" and choice is None:
            # Some other detail, not an answer: never treat it as a yes.
            return closing + self._ask_again(turn, pending, options)
        if options is not None:
            if choice is None and len(options) > 1:
                return closing + self._ask_again(turn, pending, options)
            choice = choice or next(iter(options))
            if choice not in options:
                turn.say(
                    "utter_choice_not_offered",
                    choice=CHOICE_WORDS[choice],
                    options=options_words(options),
                    buttons=option_buttons(options),
                )
                return closing + offer(pending)
        order = await turn.current_order()
        if order is None:
            return closing
        handler = self._handlers().get(pending)
        if handler is None:
            turn.say("utter_no_pending_offer")
            return closing
        return closing + await handler(turn, order, pending, choice)

    def _handlers(
        self,
    ) -> dict[str, Callable[[Turn, OrderFacts, str, str | None], Awaitable[list[EventType]]]]:
        return {
            "cancel_order": _cancel,
            "return": _return,
            "duplicate_charge_refund": _refund_duplicate,
            "replacement_or_refund": _remedy,
            "reship": _remedy,
            "refund": _remedy,
        }

    @staticmethod
    def _ask_again(turn: Turn, pending: str, options: frozenset[str] | None) -> list[EventType]:
        if options and len(options) > 1:
            turn.say("utter_which_option", options=options_words(options), buttons=option_buttons(options))
        else:
            turn.say("utter_offer_needs_answer", buttons=list(YES_NO))
        return offer(pending)

    def events_after_failure(self) -> list[EventType]:
        return [SlotSet("offer_choice", None), SlotSet("pending_offer", None)]


async def _cancel(turn: Turn, order: OrderFacts, _p: str, _c: str | None) -> list[EventType]:
    try:
        result = await turn.run_store(
            turn.services.store.cancel_order, order.order_id, conversation_id=turn.conversation_id
        )
    except OrderStateConflict:
        # It left the warehouse since the offer: describe where it is now.
        fresh = await turn.current_order()
        return say_too_late_to_cancel(turn, fresh) if fresh is not None else []
    if result.refund is None:
        turn.say("utter_order_cancelled_now_unpaid", order_id=order.order_id)
    else:
        turn.say(
            "utter_order_cancelled_now",
            order_id=order.order_id,
            refund_amount=str(result.refund.amount),
            payment_method=order.payment_method,
            expected_by=day(result.refund.expected_by),
        )
    return []


async def _return(turn: Turn, order: OrderFacts, _p: str, _c: str | None) -> list[EventType]:
    try:
        return await start_return(turn, order, reason="customer_request")
    except OrderStateConflict:
        turn.say("utter_return_not_possible_now", order_id=order.order_id)
        return []


async def _refund_duplicate(turn: Turn, order: OrderFacts, _p: str, _c: str | None) -> list[EventType]:
    try:
        refund = await turn.run_store(
            turn.services.store.refund_duplicate_charge, order.order_id, conversation_id=turn.conversation_id
        )
    except NothingToRefund:
        turn.say("utter_duplicate_charge_none_left", order_id=order.order_id)
        return []
    turn.say(
        "utter_duplicate_charge_refunded",
        order_id=order.order_id,
        amount=str(refund.amount),
        payment_method=order.payment_method,
        expected_by=day(refund.expected_by),
    )
    return []


async def _remedy(turn: Turn, order: OrderFacts, pending: str, choice: str | None) -> list[EventType]:
    assert choice is not None
    services = turn.services
    try:
        outcome = await turn.run_store(
            apply_remedy,
            services.store,
            services.budget,
            order,
            choice,
            item=turn.slot("item"),
            reason=REMEDY_REASONS[pending],
            conversation_id=turn.conversation_id,
        )
    except NothingToRefund:
        turn.say("utter_nothing_left_to_refund", order_id=order.order_id)
        return []
    say_outcome(turn, order, outcome)
    return []


def say_outcome(turn: Turn, order: OrderFacts, outcome: RemedyOutcome) -> None:
    if not outcome.automatic:
        approval = outcome.approval
        assert approval is not None
        turn.say(
            "utter_remedy_needs_approval",
            order_id=order.order_id,
            remedy=CHOICE_WORDS[outcome.remedy],
            amount=str(outcome.amount),
            reference=f"APR-{approval.approval_id:05d}",
            decide_within=f"{turn.services.budget.approval_response_business_hours} working hours",
        )
        return
    if outcome.remedy in ("replacement", "reship"):
        arrival = add_business_days(order.as_of, 1 if outcome.express else 3)
        turn.say(
            "utter_replacement_sent" if outcome.remedy == "replacement" else "utter_reship_sent",
            order_id=order.order_id,
            item=order.item_names if not turn.slot("item") else str(turn.slot("item")),
            shipping="by express" if outcome.express else "by standard shipping",
            arrives_by=day(arrival),
            address=order.shipping_address,
        )
    elif outcome.remedy == "refund" and outcome.refund is not None:
        turn.say(
            "utter_refund_started",
            order_id=order.order_id,
            refund_amount=str(outcome.refund.amount),
            payment_method=order.payment_method,
            expected_by=day(outcome.refund.expected_by),
        )
    else:
        turn.say(
            "utter_credit_added",
            order_id=order.order_id,
            credit_amount=str(outcome.amount),
            email=order.email,
        )


class ActionDeclineOffer(StoreAction):
    action_name = "action_decline_offer"
    failure_task = "note your answer"

    async def act(self, turn: Turn) -> list[EventType]:
        pending = turn.slot("pending_offer")
        responses = {
            "cancel_order": "utter_cancellation_declined",
            "duplicate_charge_refund": "utter_duplicate_refund_declined",
            "handoff": "utter_handoff_declined",
            "return": "utter_return_declined",
        }
        if pending == "checkin":
            # The fix we made did not work out: say so and offer the person who can.
            turn.say("utter_checkin_not_right", order_id=turn.slot("order_id") or "your order")
            return [SlotSet("offer_choice", None), SlotSet("pending_offer", "handoff")]
        if not pending:
            turn.say("utter_no_pending_offer")
        elif pending in responses:
            turn.say(responses[pending], order_id=turn.slot("order_id") or "your order")
        else:
            turn.say("utter_remedy_declined", order_id=turn.slot("order_id") or "your order")
        return [SlotSet("offer_choice", None), SlotSet("pending_offer", None)]

    def events_after_failure(self) -> list[EventType]:
        return [SlotSet("offer_choice", None), SlotSet("pending_offer", None)]
