"""Asking for a refund, and asking where a refund is."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import StoreAction, Turn
from actions.replies import (
    offer_cancellation,
    offer_return,
    say_delayed,
    say_lost,
)
from shop import OrderFacts, OrderState, RefundFacts
from shop.formatting import day


def latest_refund(order: OrderFacts) -> RefundFacts | None:
    return order.refunds[-1] if order.refunds else None


def say_refund_status(turn: Turn, order: OrderFacts) -> list[EventType]:
    refund = latest_refund(order)
    if refund is None:
        open_return = next((r for r in order.returns if r.status == "label_sent"), None)
        if open_return is not None:
            turn.say(
                "utter_refund_awaiting_return",
                order_id=order.order_id,
                label_reference=open_return.label_reference,
            )
        else:
            turn.say("utter_no_refund_on_order", order_id=order.order_id)
        return []
    if refund.status == "issued" and refund.issued_at is not None:
        turn.say(
            "utter_refund_issued",
            order_id=order.order_id,
            refund_amount=str(refund.amount),
            issued_on=day(refund.issued_at.date()),
            payment_method=order.payment_method,
            expected_by=day(refund.expected_by),
        )
    else:
        turn.say(
            "utter_refund_pending",
            order_id=order.order_id,
            refund_amount=str(refund.amount),
            requested_on=day(refund.requested_at.date()),
            payment_method=order.payment_method,
            expected_by=day(refund.expected_by),
        )
    return []


class ActionRefundStatus(StoreAction):
    action_name = "action_refund_status"
    failure_task = "check on your refund"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        return say_refund_status(turn, order)


class ActionRequestRefund(StoreAction):
    """A refund is reached differently per state: cancel, return, or refund a late parcel."""

    action_name = "action_request_refund"
    failure_task = "look at a refund for you"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        if any(r.reason != "duplicate_charge" for r in order.refunds):
            return say_refund_status(turn, order)
        if order.state is OrderState.PROCESSING:
            return offer_cancellation(turn, order, "utter_refund_via_cancellation")
        if order.state is OrderState.DELAYED:
            return say_delayed(turn, order)
        if order.state is OrderState.LOST:
            return say_lost(turn, order)
        if order.state is OrderState.IN_TRANSIT:
            turn.say(
                "utter_refund_in_transit", order_id=order.order_id, promised_date=day(order.promised_date)
            )
            return []
        if order.state is OrderState.DELIVERED:
            return offer_return(turn, order, "utter_refund_via_return")
        return say_refund_status(turn, order)
