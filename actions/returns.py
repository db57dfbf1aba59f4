"""Returns, damaged deliveries and missing items."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import StoreAction, Turn, choice_button
from actions.replies import (
    offer,
    offer_cancellation,
    return_deadline,
    say_cancelled,
    say_delayed,
    say_in_transit,
    say_lost,
    say_return_window_closed,
)
from shop import OrderFacts, OrderState
from shop.formatting import day, moment
from shop.make_it_right import affected_items, remedy_amount


def say_not_yet_delivered(turn: Turn, order: OrderFacts) -> list[EventType]:
    """Damage or missing items on an order that hasn't arrived: tell where it is."""
    if order.state is OrderState.DELAYED:
        return say_delayed(turn, order)
    if order.state is OrderState.IN_TRANSIT:
        return say_in_transit(turn, order)
    if order.state is OrderState.LOST:
        return say_lost(turn, order)
    if order.state is OrderState.CANCELLED:
        return say_cancelled(turn, order)
    turn.say("utter_order_not_shipped_yet", order_id=order.order_id, promised_date=day(order.promised_date))
    return []


class ActionReturnItem(StoreAction):
    """Starts the return at once: the customer asked for it and a label costs nothing."""

    action_name = "action_return_item"
    failure_task = "start your return"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        if order.state is OrderState.PROCESSING:
            return offer_cancellation(turn, order, "utter_return_not_shipped")
        if order.state is not OrderState.DELIVERED:
            return say_not_yet_delivered(turn, order)
        if order.as_of > return_deadline(turn, order):
            return say_return_window_closed(turn, order)
        return await start_return(turn, order, reason="customer_request")


async def start_return(turn: Turn, order: OrderFacts, reason: str) -> list[EventType]:
    already_open = any(r.status == "label_sent" for r in order.returns)
    ret = await turn.run_store(
        turn.services.store.start_return, order.order_id, reason=reason, conversation_id=turn.conversation_id
    )
    refund = remedy_amount(turn.services.budget, order, "refund", turn.slot("item"))
    turn.say(
        "utter_return_already_started" if already_open else "utter_return_started",
        order_id=order.order_id,
        label_reference=ret.label_reference,
        email=order.email,
        return_by=day(return_deadline(turn, order)),
        refund_amount=str(refund),
        payment_method=order.payment_method,
    )
    return []


class ActionReportDamagedItem(StoreAction):
    action_name = "action_report_damaged_item"
    failure_task = "sort out the damaged item"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        if order.state is not OrderState.DELIVERED:
            return say_not_yet_delivered(turn, order)
        item = turn.slot("item")
        await turn.run_store(
            turn.services.store.record_issue,
            order.order_id,
            kind="damaged",
            item=item,
            conversation_id=turn.conversation_id,
        )
        budget = turn.services.budget
        names = ", ".join(i.name for i in affected_items(order, item))
        refund = remedy_amount(budget, order, "refund", item)
        credit = remedy_amount(budget, order, "credit", item)
        turn.say(
            "utter_damage_offer",
            buttons=[
                choice_button("Send a replacement", "replacement"),
                choice_button(f"Refund {refund}", "refund"),
                choice_button(f"Keep it + {credit} credit", "credit"),
            ],
            order_id=order.order_id,
            item=names,
            shipping="by express" if budget.express_reship_allowed else "at our cost",
            refund_amount=str(refund),
            credit_amount=str(credit),
        )
        return offer("replacement_or_refund")


class ActionReportMissingItem(StoreAction):
    action_name = "action_report_missing_item"
    failure_task = "sort out the missing item"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        if order.state is not OrderState.DELIVERED:
            return say_not_yet_delivered(turn, order)
        item = turn.slot("item")
        await turn.run_store(
            turn.services.store.record_issue,
            order.order_id,
            kind="missing",
            item=item,
            conversation_id=turn.conversation_id,
        )
        shipment = order.shipment
        refund = remedy_amount(turn.services.budget, order, "refund", item)
        turn.say(
            "utter_missing_offer",
            buttons=[choice_button("Send it again", "reship"), choice_button(f"Refund {refund}", "refund")],
            order_id=order.order_id,
            item=", ".join(i.name for i in affected_items(order, item)),
            delivered_at=moment(shipment.delivered_at) if shipment and shipment.delivered_at else "recently",
            refund_amount=str(refund),
        )
        return offer("reship")
