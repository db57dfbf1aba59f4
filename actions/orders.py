"""Where is my order, and how do you deliver."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rasa_sdk.events import EventType

from actions.base import StoreAction, Turn
from actions.replies import say_status
from shop import Money

# Dispatch cut-off times in the delivery settings are warehouse (Amsterdam) time.
WAREHOUSE_TZ = ZoneInfo("Europe/Amsterdam")


class ActionOrderStatus(StoreAction):
    action_name = "action_order_status"
    failure_task = "check on your order"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        return say_status(turn, order)


def dispatch_day(now_local: datetime, cutoff: str) -> str:
    """When an order placed now leaves the warehouse: today, tomorrow or on <weekday>."""
    hour, minute = (int(part) for part in cutoff.split(":"))
    candidate = now_local.date()
    if now_local.time() >= time(hour, minute):
        candidate += timedelta(days=1)
    while candidate.weekday() >= 5:
        candidate += timedelta(days=1)
    if candidate == now_local.date():
        return "today"
    if candidate == now_local.date() + timedelta(days=1):
        return "tomorrow"
    return f"on {candidate:%A}"


class ActionDeliveryOptions(StoreAction):
    action_name = "action_delivery_options"
    failure_task = "look up our delivery options"

    async def act(self, turn: Turn) -> list[EventType]:
        options = turn.services.delivery
        methods = "; ".join(
            f"{m.name}: {Money(m.price_cents, options.currency)}, {m.delivery}" for m in options.methods
        )
        now_local = turn.services.store.now().replace(tzinfo=ZoneInfo("UTC")).astimezone(WAREHOUSE_TZ)
        turn.say(
            "utter_delivery_options",
            methods=methods,
            cutoff=options.same_day_dispatch_cutoff,
            free_from=str(Money(options.free_standard_shipping_from_cents, options.currency)),
            dispatch_day=dispatch_day(now_local, options.same_day_dispatch_cutoff),
        )
        return []
