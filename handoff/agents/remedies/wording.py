"""What the customer and the agent are told when a remedy is carried out or decided."""

from __future__ import annotations

from datetime import date

from shop import (
    ApprovalFacts,
    OrderFacts,
    RemedyFacts,
)
from shop.formatting import day
from shop.service import add_business_days

# Business days until goods sent again arrive: the bot promises the same (actions/offers.py).
EXPRESS_DAYS, STANDARD_DAYS = 1, 3
AGREED = "agreed in the support chat"


def arrival(remedy: RemedyFacts, express: bool) -> date:
    """When goods sent again arrive, counted from the day they were sent."""
    return add_business_days(remedy.created_at.date(), EXPRESS_DAYS if express else STANDARD_DAYS)


def customer_text(remedy: RemedyFacts, order: OrderFacts, who: str, express: bool) -> str:
    """What the customer is told was done: the item, the amount, and when it arrives or when
    the money shows."""
    shipping = "by express" if express else "by standard shipping"
    if remedy.refund is not None:
        return (
            f"{who} has refunded {remedy.amount} for order {order.order_id} to your {order.payment_method}. "
            f"It should reach you by {day(remedy.refund.expected_by)}; banks can take a few days to show it."
        )
    if remedy.kind == "credit":
        return (
            f"{who} has added {remedy.amount} store credit to your account ({order.email}) for order "
            f"{order.order_id}. It's applied automatically at your next checkout."
        )
    arrives = day(arrival(remedy, express))
    if remedy.kind == "replacement":
        return (
            f"{who} has arranged a replacement {order.item_names} for order {order.order_id}. It's going out "
            f"{shipping} to {order.shipping_address} and should arrive by {arrives}; you'll get the "
            "tracking number as soon as the carrier picks it up."
        )
    return (
        f"{who} is sending {order.item_names} from order {order.order_id} again, {shipping} and at our "
        f"cost, to {order.shipping_address}. It should arrive by {arrives}; you'll get the tracking "
        "number as soon as the carrier picks it up."
    )


def agent_summary(remedy: RemedyFacts, order: OrderFacts, express: bool) -> str:
    """The one line the console shows once it is done."""
    ref = remedy.reference
    if remedy.refund is not None:
        done = (
            f"Refunded {remedy.amount} on {order.order_id} to {order.payment_method}; "
            f"expected by {day(remedy.refund.expected_by)} ({ref})."
        )
    elif remedy.kind == "credit":
        done = f"Added {remedy.amount} store credit for {order.email} on {order.order_id} ({ref})."
    else:
        what = "Replacement of" if remedy.kind == "replacement" else "Sent again:"
        shipping = "by express" if express else "by standard shipping"
        done = (
            f"{what} {order.item_names} ({remedy.amount}) {shipping}; "
            f"arrives by {day(arrival(remedy, express))} ({ref})."
        )
    return f"{done} The customer has been told in the chat."


def _what_was_asked(approval: ApprovalFacts) -> str:
    return {
        "refund": f"a refund of {approval.amount}",
        "replacement": f"a replacement worth {approval.amount}",
        "reship": f"sending the order again (worth {approval.amount})",
        "credit": f"{approval.amount} in store credit",
    }.get(approval.remedy, f"{approval.remedy} of {approval.amount}")


def approved_text(approval: ApprovalFacts, remedy: RemedyFacts, order: OrderFacts, express: bool) -> str:
    return (
        f"Good news about {_what_was_asked(approval)} for order {order.order_id} "
        f"(reference {approval.reference}): it has been approved. "
        + customer_text(remedy, order, "Our team", express)
    )


def rejected_text(approval: ApprovalFacts, owner_name: str | None) -> str:
    """Honest about the answer, and about what happens instead."""
    nothing = {
        "refund": "nothing has been refunded",
        "replacement": "no replacement is being sent",
        "reship": "nothing is being sent again",
        "credit": "no store credit has been added",
    }.get(approval.remedy, "nothing has been changed")
    order = f" for order {approval.order_id}" if approval.order_id else ""
    text = (
        f"About {_what_was_asked(approval)}{order} (reference {approval.reference}): a person on our "
        f"team looked at it and couldn't approve it, so {nothing}."
    )
    if approval.decision_note:
        text += f" Their note: {approval.decision_note}"
    if owner_name:
        return f"{text} {owner_name} is here in the chat and will go through what we can do instead."
    return f"{text} If you'd like to talk about what we can do instead, reply here and ask for a person."
