"""The real store behind the summary's :class:`~handoff.summary.facts.StoreReader`.

Adapts ``shop.service.StoreService`` (the store's typed read API) to the small
records the summary uses. Lookups are by verified identity only (the summary passes the
``customer_id`` the conversation established); "not found" becomes ``None`` and a database
failure is raised as the store's ``StoreUnavailable`` for the summary to note.
"""

from __future__ import annotations

from datetime import date, datetime

from handoff.summary.facts import CustomerRecord, OrderLine, OrderRecord, StoreAction
from shop.errors import CustomerNotFound, OrderNotFound
from shop.facts import ApprovalFacts, OrderFacts, ResolutionFacts
from shop.service import StoreService

RECENT_ORDERS = 5


class StoreServiceReader:
    """A :class:`~handoff.summary.facts.StoreReader` over the store service."""

    def __init__(self, service: StoreService) -> None:
        self._service = service

    def customer(self, customer_id: str) -> CustomerRecord | None:
        try:
            overview = self._service.customer_overview(customer_id)
        except CustomerNotFound:
            return None
        facts = overview.customer
        return CustomerRecord(
            customer_id=facts.customer_id,
            name=facts.name,
            email=facts.email,
            customer_since=_day(facts.customer_since),
            recent_orders=tuple(
                OrderLine(o.order_id, o.state.value, _day(o.placed_at), str(o.total), o.days_late)
                for o in overview.orders[:RECENT_ORDERS]
            ),
            actions=(
                *(_approval(a) for a in overview.open_approvals),
                *(_resolution(r) for r in overview.recent_resolutions),
            ),
            complaints_last_90_days=overview.complaints_last_90_days,
            handoffs_last_90_days=overview.handoffs_last_90_days,
        )

    def order(self, order_id: str) -> OrderRecord | None:
        try:
            facts = self._service.order_facts(order_id)
        except OrderNotFound:
            return None
        return _order_record(facts)


def _order_record(facts: OrderFacts) -> OrderRecord:
    shipment = facts.shipment
    scan = shipment.last_scan if shipment else None
    return OrderRecord(
        order_id=facts.order_id,
        customer_id=facts.customer_id,
        state=facts.state.value,
        placed_on=_day(facts.placed_at),
        promised_date=facts.promised_date.isoformat(),
        days_late=facts.days_late,
        items=tuple(f"{i.quantity} x {i.name}" if i.quantity > 1 else i.name for i in facts.items),
        total=str(facts.total),
        shipping_method=facts.shipping_method,
        carrier=shipment.carrier if shipment else None,
        tracking_number=shipment.tracking_number if shipment else None,
        last_scan=f"{scan.occurred_at:%d %b %H:%M}, {scan.location}: {scan.description}" if scan else None,
        delivered_on=_day(shipment.delivered_at) if shipment and shipment.delivered_at else None,
        reported_issues=facts.reported_issues,
        refunds=tuple(
            f"Refund {r.amount} ({r.reason}): {r.status}, expected by {r.expected_by.isoformat()}"
            for r in facts.refunds
        ),
        returns=tuple(f"Return {r.label_reference} ({r.reason}): {r.status}" for r in facts.returns),
        actions=tuple(_approval(a) for a in facts.open_approvals),
    )


def _approval(approval: ApprovalFacts) -> StoreAction:
    return StoreAction(
        kind="approval_request",
        detail=f"{approval.remedy} for a person to approve ({approval.reason})",
        amount=str(approval.amount),
        status=approval.status,
        order_id=approval.order_id,
        conversation_id=approval.conversation_id,
        created_at=approval.created_at.isoformat(),
    )


def _resolution(resolution: ResolutionFacts) -> StoreAction:
    return StoreAction(
        kind=resolution.kind,
        detail=resolution.detail,
        amount=str(resolution.amount) if resolution.amount.cents else None,
        status=f"done by {resolution.actor}",
        order_id=resolution.order_id,
        conversation_id=resolution.conversation_id,
        created_at=resolution.created_at.isoformat(),
    )


def _day(moment: datetime | date) -> str:
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()
