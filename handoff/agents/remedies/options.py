"""Which remedies an agent may offer for an order, within their own budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handoff.settings import AgentBudget
from shop import (
    ApprovalFacts,
    Money,
    OrderFacts,
    OrderState,
)
from shop.make_it_right import remedy_amount
from shop.settings_files import MakeItRightBudget

# The remedies, in the order the console lists them.
KINDS = ("replacement", "reship", "refund", "credit")
# Which remedies make sense for an order in each state. Before dispatch the fix is to cancel
# or change the order (the bot does both), so only goodwill credit is offered; a delivered
# order with missing items may also be sent again (see `sensible_kinds`).
SENSIBLE: dict[OrderState, tuple[str, ...]] = {
    OrderState.PROCESSING: ("credit",),
    OrderState.IN_TRANSIT: ("credit",),
    OrderState.DELAYED: ("reship", "refund", "credit"),
    OrderState.LOST: ("reship", "refund", "credit"),
    OrderState.DELIVERED: ("replacement", "refund", "credit"),
    OrderState.CANCELLED: ("credit",),
}


@dataclass(frozen=True)
class RemedyOption:
    """One thing the agent may do for the order, with its suggested amount."""

    kind: str
    label: str
    amount: Money
    # False with `why_not` when this agent cannot do it from the console.
    within_budget: bool
    why_not: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "amount": self.amount.cents / 100,
            "within_budget": self.within_budget,
            "why_not": self.why_not,
        }


def sensible_kinds(order: OrderFacts) -> tuple[str, ...]:
    """The remedies that fit the order's state, in the console's order."""
    kinds = set(SENSIBLE[order.state])
    if order.state is OrderState.DELIVERED and "missing" in order.reported_issues:
        kinds.add("reship")
    return tuple(kind for kind in KINDS if kind in kinds)


def remedy_options(
    order: OrderFacts,
    bot: MakeItRightBudget,
    agents: AgentBudget,
    approvals: tuple[ApprovalFacts, ...],
) -> list[RemedyOption]:
    """What an agent may offer for `order`: the bot's amounts (shop/make_it_right.py),
    checked against the agent's budget and the approvals still waiting for a person."""
    options = []
    for kind in sensible_kinds(order):
        amount = remedy_amount(bot, order, kind, None)
        why_not = _why_not(order, kind, amount, agents, approvals)
        options.append(
            RemedyOption(kind, _label(order, kind, bot.express_reship_allowed), amount, not why_not, why_not)
        )
    return options


def _why_not(
    order: OrderFacts, kind: str, amount: Money, agents: AgentBudget, approvals: tuple[ApprovalFacts, ...]
) -> str | None:
    waiting = waiting_approval(approvals, kind)
    if waiting is not None:
        return f"waiting for approval ({waiting.reference}): approve or reject that request instead"
    if amount.cents <= 0:
        return (
            "nothing is left to refund on this order"
            if kind == "refund"
            else "the order has no value to base it on"
        )
    name, limit = agents.limit_for(kind)
    if amount.cents > limit:
        return f"over your {name} limit of {Money(limit, amount.currency)}; a supervisor can approve it"
    return None


def waiting_approval(approvals: tuple[ApprovalFacts, ...], kind: str) -> ApprovalFacts | None:
    return next((a for a in approvals if a.remedy == kind and a.status == "pending"), None)


def _label(order: OrderFacts, kind: str, express: bool) -> str:
    by = " by express" if express else ""
    return {
        "replacement": f"Send a replacement of {order.item_names}{by}",
        "reship": f"Send {order.item_names} again{by}",
        "refund": f"Refund to {order.payment_method}",
        "credit": "Store credit on the customer's account",
    }[kind]
