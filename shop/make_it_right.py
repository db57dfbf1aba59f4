"""Applying a remedy within the make-it-right budget, or preparing it for approval.

`decide` is pure (budget + amounts -> automatic or the rule that needs a person);
`apply_remedy` carries the decision out against the store: an automatic remedy is
recorded (and a refund created), anything over budget becomes a pending approval
request so a person can say yes quickly, never a flat no.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop import Money, OrderFacts, RefundFacts, StoreService
from shop.facts import ApprovalFacts, ItemFacts
from shop.settings_files import MakeItRightBudget

REMEDIES = ("refund", "replacement", "reship", "credit")


@dataclass(frozen=True)
class Decision:
    automatic: bool
    # Why a person must approve, in words an agent reads in the approval queue.
    rule: str | None = None


@dataclass(frozen=True)
class RemedyOutcome:
    remedy: str
    amount: Money
    automatic: bool
    express: bool = False
    refund: RefundFacts | None = None
    approval: ApprovalFacts | None = None


def affected_items(order: OrderFacts, item: str | None) -> tuple[ItemFacts, ...]:
    """The order's items the customer named (by any word of the name), else all of them."""
    if item:
        wanted = {w for w in item.lower().replace("-", " ").split() if len(w) > 2}
        named = tuple(
            i
            for i in order.items
            if wanted & set(f"{i.name} {i.product_family}".lower().replace("_", " ").split())
        )
        if named:
            return named
    return order.items


def remedy_amount(budget: MakeItRightBudget, order: OrderFacts, remedy: str, item: str | None) -> Money:
    """What the remedy is worth: the refund paid, the goods sent again, or the credit."""
    value = sum(i.line_total.cents for i in affected_items(order, item))
    if remedy == "credit":
        credit = value * budget.keep_it_credit_percent // 100
        return Money(min(credit, budget.max_store_credit_cents), order.total.currency)
    if remedy == "refund":
        already = sum(r.amount.cents for r in order.refunds if r.reason != "duplicate_charge")
        return Money(max(0, min(value, order.total.cents - already)), order.total.currency)
    return Money(value, order.total.currency)


def decide(budget: MakeItRightBudget, remedy: str, amount: Money, recent_remedies: int) -> Decision:
    if remedy not in REMEDIES:
        raise ValueError(f"unknown remedy {remedy!r}")
    if recent_remedies >= budget.max_automatic_remedies_per_30_days:
        return Decision(
            False,
            f"customer already had {recent_remedies} remedies in the last 30 days "
            f"(automatic limit {budget.max_automatic_remedies_per_30_days})",
        )
    limits = {
        "refund": ("max_automatic_refund", budget.max_automatic_refund_cents),
        "replacement": ("max_replacement_value", budget.max_replacement_value_cents),
        "reship": ("max_replacement_value", budget.max_replacement_value_cents),
        "credit": ("max_store_credit", budget.max_store_credit_cents),
    }
    key, limit = limits[remedy]
    if amount.cents > limit:
        return Decision(False, f"{remedy} of {amount} is over {key} ({Money(limit, amount.currency)})")
    return Decision(True)


def apply_remedy(
    store: StoreService,
    budget: MakeItRightBudget,
    order: OrderFacts,
    remedy: str,
    *,
    item: str | None,
    reason: str,
    conversation_id: str,
) -> RemedyOutcome:
    """Carry out `remedy` for `order` if the budget allows, else queue it for approval."""
    amount = remedy_amount(budget, order, remedy, item)
    recent = store.remedies_in_window(order.customer_id, days=30)
    decision = decide(budget, remedy, amount, recent)
    express = remedy in ("replacement", "reship") and budget.express_reship_allowed
    if not decision.automatic:
        approval = store.create_approval_request(
            order.order_id,
            remedy=remedy,
            amount_cents=amount.cents,
            reason=f"{reason}: {decision.rule}",
            conversation_id=conversation_id,
        )
        return RemedyOutcome(remedy, amount, automatic=False, express=express, approval=approval)
    if remedy == "refund":
        refund = store.issue_refund(
            order.order_id,
            amount_cents=amount.cents,
            reason=reason,
            conversation_id=conversation_id,
        )
        return RemedyOutcome(remedy, refund.amount, automatic=True, refund=refund)
    names = ", ".join(i.name for i in affected_items(order, item))
    detail = {
        "replacement": f"Replacement of {names} sent{' by express' if express else ''}",
        "reship": f"Reshipped {names}{' by express' if express else ''}",
        "credit": f"Store credit of {amount} ({reason})",
    }[remedy]
    store.record_remedy(
        order.order_id,
        kind=remedy,
        amount_cents=amount.cents,
        detail=detail,
        conversation_id=conversation_id,
        follow_up_days=3 if remedy != "credit" else None,
    )
    return RemedyOutcome(remedy, amount, automatic=True, express=express)
