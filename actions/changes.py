"""Changing an order: address before dispatch, items, cancellation."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

from actions.base import StoreAction, Turn
from actions.replies import (
    offer_cancellation,
    offer_return,
    say_cancelled,
    say_lost,
    say_too_late_to_cancel,
    scan_values,
)
from shop import OrderFacts, OrderState, OrderStateConflict
from shop.formatting import day

STATE_WORDS = {
    OrderState.PROCESSING: "is still being prepared",
    OrderState.IN_TRANSIT: "is already with the carrier",
    OrderState.DELAYED: "is already with the carrier",
    OrderState.DELIVERED: "has already been delivered",
    OrderState.LOST: "was lost by the carrier",
    OrderState.CANCELLED: "was cancelled",
}


def say_too_late_for_address(turn: Turn, order: OrderFacts) -> None:
    if order.state in (OrderState.IN_TRANSIT, OrderState.DELAYED):
        turn.say(
            "utter_address_change_too_late",
            order_id=order.order_id,
            promised_date=day(order.promised_date),
            **scan_values(order),
        )
    else:
        turn.say("utter_address_change_not_possible", order_id=order.order_id, state=STATE_WORDS[order.state])


class ActionCheckAddressChange(StoreAction):
    """Sets order_changeable (always, per the dialogue contract) and says what it found."""

    action_name = "action_check_address_change"
    failure_task = "check whether the address can still change"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return [SlotSet("order_changeable", False)]
        if order.changeable:
            turn.say("utter_address_change_possible", order_id=order.order_id, address=order.shipping_address)
            return [SlotSet("order_changeable", True)]
        say_too_late_for_address(turn, order)
        return [SlotSet("order_changeable", False)]

    def events_after_failure(self) -> list[EventType]:
        return [SlotSet("order_changeable", False)]


class ActionChangeShippingAddress(StoreAction):
    action_name = "action_change_shipping_address"
    failure_task = "change the delivery address"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        new_address = turn.slot("new_address")
        if order is None:
            return [SlotSet("new_address", None)]
        if not new_address:
            turn.say("utter_ask_new_address")
            return []
        try:
            old, new = await turn.run_store(
                turn.services.store.change_address,
                order.order_id,
                new_address,
                conversation_id=turn.conversation_id,
            )
        except OrderStateConflict:
            # It shipped between the check and now: say so with the fresh facts.
            fresh = await turn.current_order()
            if fresh is not None:
                say_too_late_for_address(turn, fresh)
            return [SlotSet("new_address", None), SlotSet("order_changeable", False)]
        turn.say(
            "utter_address_changed",
            order_id=order.order_id,
            old_address=old,
            new_address=new,
            promised_date=day(order.promised_date),
        )
        return [SlotSet("new_address", None)]


class ActionChangeOrder(StoreAction):
    """Items can't be edited once ordered; offer the nearest real option for the state."""

    action_name = "action_change_order"
    failure_task = "look at changing your order"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        if order.state is OrderState.PROCESSING:
            return offer_cancellation(turn, order, "utter_change_order_processing")
        if order.state is OrderState.DELIVERED:
            return offer_return(turn, order, "utter_change_order_delivered")
        if order.state in (OrderState.IN_TRANSIT, OrderState.DELAYED):
            turn.say(
                "utter_change_order_shipped",
                order_id=order.order_id,
                promised_date=day(order.promised_date),
                **scan_values(order),
            )
            return []
        if order.state is OrderState.LOST:
            return say_lost(turn, order)
        return say_cancelled(turn, order)


class ActionOfferCancellation(StoreAction):
    action_name = "action_offer_cancellation"
    failure_task = "look at cancelling your order"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        if order.state is OrderState.PROCESSING:
            return offer_cancellation(turn, order, "utter_offer_cancellation")
        return say_too_late_to_cancel(turn, order)
