"""Replies about an order's state that several actions share.

Each function sends one domain response filled with the order's facts and returns the
events for any offer it makes, so "where is my order", "I want a refund" and "it never
arrived" all describe a late or lost parcel in the same concrete terms.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.base import YES_NO, Turn, choice_button
from shop import OrderFacts, OrderState
from shop.formatting import day, moment, plural
from shop.make_it_right import remedy_amount


def offer(pending: str) -> list[EventType]:
    return [SlotSet("pending_offer", pending)]


def scan_values(order: OrderFacts) -> dict[str, Any]:
    """Carrier, tracking number and the last scan, for the in-transit style responses."""
    shipment = order.shipment
    assert shipment is not None, "only called for orders handed to a carrier"
    last = shipment.last_scan
    return {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "last_scan_place": last.location if last else "the carrier's depot",
        "last_scan_time": moment(last.occurred_at) if last else moment(shipment.shipped_at),
        "last_scan_description": last.description if last else "Picked up by the carrier",
    }


def say_processing(turn: Turn, order: OrderFacts) -> list[EventType]:
    turn.say(
        "utter_order_processing",
        order_id=order.order_id,
        items=order.item_names,
        placed_on=day(order.placed_at.date()),
        promised_date=day(order.promised_date),
        address=order.shipping_address,
    )
    return []


def say_in_transit(turn: Turn, order: OrderFacts) -> list[EventType]:
    turn.say(
        "utter_order_in_transit",
        order_id=order.order_id,
        promised_date=day(order.promised_date),
        **scan_values(order),
    )
    return []


def say_delayed(turn: Turn, order: OrderFacts) -> list[EventType]:
    """A late parcel: the facts, and the choice to stop waiting and get the money back."""
    refund = remedy_amount(turn.services.budget, order, "refund", None)
    turn.say(
        "utter_order_delayed",
        buttons=[choice_button(f"Refund me {refund}", "refund"), {"title": "I'll wait", "payload": "/deny"}],
        order_id=order.order_id,
        promised_date=day(order.promised_date),
        days_late=plural(order.days_late, "day"),
        refund_amount=str(refund),
        **scan_values(order),
    )
    return offer("refund")


def say_delivered(turn: Turn, order: OrderFacts) -> list[EventType]:
    shipment = order.shipment
    assert shipment is not None
    last = shipment.last_scan
    turn.say(
        "utter_order_delivered",
        order_id=order.order_id,
        carrier=shipment.carrier,
        delivered_at=moment(shipment.delivered_at or shipment.shipped_at),
        delivery_note=last.description if last else "Delivered",
        address=order.shipping_address,
    )
    return []


def say_lost(turn: Turn, order: OrderFacts) -> list[EventType]:
    """The carrier lost it: say so plainly and offer to send it again or refund."""
    shipment = order.shipment
    assert shipment is not None
    last = shipment.last_scan
    refund = remedy_amount(turn.services.budget, order, "refund", None)
    turn.say(
        "utter_order_lost",
        buttons=[choice_button("Send it again", "reship"), choice_button(f"Refund {refund}", "refund")],
        order_id=order.order_id,
        carrier=shipment.carrier,
        items=order.item_names,
        declared_on=day(last.occurred_at.date()) if last else day(order.as_of),
        refund_amount=str(refund),
        shipping=_reship_speed(turn),
    )
    return offer("reship")


def say_cancelled(turn: Turn, order: OrderFacts) -> list[EventType]:
    cancelled_on = day(order.cancelled_at.date()) if order.cancelled_at else "earlier"
    refund = next((r for r in reversed(order.refunds) if r.reason == "cancellation"), None)
    if refund is None:
        turn.say("utter_order_cancelled", order_id=order.order_id, cancelled_on=cancelled_on)
    elif refund.status == "issued" and refund.issued_at is not None:
        turn.say(
            "utter_order_cancelled_refund_issued",
            order_id=order.order_id,
            cancelled_on=cancelled_on,
            refund_amount=str(refund.amount),
            issued_on=day(refund.issued_at.date()),
            payment_method=order.payment_method,
        )
    else:
        turn.say(
            "utter_order_cancelled_refund_pending",
            order_id=order.order_id,
            cancelled_on=cancelled_on,
            refund_amount=str(refund.amount),
            expected_by=day(refund.expected_by),
            payment_method=order.payment_method,
        )
    return []


def say_status(turn: Turn, order: OrderFacts) -> list[EventType]:
    """The order's current state in the most useful words for it."""
    return {
        OrderState.PROCESSING: say_processing,
        OrderState.IN_TRANSIT: say_in_transit,
        OrderState.DELAYED: say_delayed,
        OrderState.DELIVERED: say_delivered,
        OrderState.LOST: say_lost,
        OrderState.CANCELLED: say_cancelled,
    }[order.state](turn, order)


def offer_return(turn: Turn, order: OrderFacts, response: str) -> list[EventType]:
    """Offer to start a return (free label) for a delivered order, if still in time."""
    deadline = return_deadline(turn, order)
    if order.as_of > deadline:
        return say_return_window_closed(turn, order)
    refund = remedy_amount(turn.services.budget, order, "refund", None)
    turn.say(
        response,
        buttons=list(YES_NO),
        order_id=order.order_id,
        refund_amount=str(refund),
        return_by=day(deadline),
    )
    return offer("return")


def say_return_window_closed(turn: Turn, order: OrderFacts) -> list[EventType]:
    """Past the window the bot can't decide, but a person can make an exception."""
    return offer_person(
        turn,
        "utter_return_window_closed",
        order_id=order.order_id,
        return_by=day(return_deadline(turn, order)),
        window_days=turn.services.budget.return_window_days,
    )


def return_deadline(turn: Turn, order: OrderFacts) -> date:
    """Last day a return can be started: the return window counted from delivery."""
    shipment = order.shipment
    delivered = (shipment.delivered_at or shipment.shipped_at) if shipment else order.placed_at
    return delivered.date() + timedelta(days=turn.services.budget.return_window_days)


def offer_cancellation(turn: Turn, order: OrderFacts, response: str) -> list[EventType]:
    """Offer to cancel an order that has not left yet, with the full refund."""
    turn.say(
        response,
        buttons=list(YES_NO),
        order_id=order.order_id,
        items=order.item_names,
        total=str(order.total),
        payment_method=order.payment_method,
    )
    return offer("cancel_order")


def offer_person(turn: Turn, response: str, **values: object) -> list[EventType]:
    turn.say(
        response,
        buttons=[
            {"title": "Yes, a person please", "payload": "/affirm"},
            {"title": "No, thanks", "payload": "/deny"},
        ],
        **values,
    )
    return offer("handoff")


def _reship_speed(turn: Turn) -> str:
    return "by express, at our cost" if turn.services.budget.express_reship_allowed else "at our cost"


def say_too_late_to_cancel(turn: Turn, order: OrderFacts) -> list[EventType]:
    """The order left (or ended) already: say where it is and what is possible instead."""
    if order.state in (OrderState.IN_TRANSIT, OrderState.DELAYED):
        turn.say(
            "utter_cannot_cancel_shipped",
            order_id=order.order_id,
            promised_date=day(order.promised_date),
            **scan_values(order),
        )
        return []
    if order.state is OrderState.DELIVERED:
        return offer_return(turn, order, "utter_cannot_cancel_delivered")
    if order.state is OrderState.LOST:
        return say_lost(turn, order)
    return say_cancelled(turn, order)
