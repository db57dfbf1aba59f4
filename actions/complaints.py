"""Complaints and handing the conversation to a person."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

from actions.base import StoreAction, Turn
from actions.replies import offer_person
from shop.formatting import normalise_order_id


def verified_order_id(turn: Turn) -> str | None:
    """The order id, only once the lookup form tied it to this customer."""
    return normalise_order_id(turn.slot("order_id")) if turn.slot("customer_id") else None


async def hand_off(turn: Turn, reason: str) -> list[EventType]:
    """Record the handoff request and tell the customer what happens next.

    The handoff gateway (issue 5) picks the conversation up by its id; this foundation
    version records the request and is honest about the wait.
    """
    reference = await turn.run_store(
        turn.services.store.record_handoff_request,
        conversation_id=turn.conversation_id,
        reason=reason,
        customer_id=turn.slot("customer_id"),
        order_id=verified_order_id(turn),
    )
    turn.say("utter_handoff_requested", reference=f"HND-{reference:05d}")
    return [SlotSet("pending_offer", None)] if turn.slot("pending_offer") else []


class ActionHandoff(StoreAction):
    action_name = "action_handoff"
    failure_task = "reach a person for you"

    async def act(self, turn: Turn) -> list[EventType]:
        intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
        return await hand_off(turn, reason=intent or "request_human")


class ActionComplaint(StoreAction):
    action_name = "action_complaint"
    failure_task = "record your complaint"

    async def act(self, turn: Turn) -> list[EventType]:
        text = turn.tracker.latest_message.get("text") or "(no text)"
        reference = await turn.run_store(
            turn.services.store.record_complaint,
            text,
            conversation_id=turn.conversation_id,
            customer_id=turn.slot("customer_id"),
            order_id=verified_order_id(turn),
        )
        return offer_person(turn, "utter_complaint_recorded", reference=f"CMP-{reference:05d}")
