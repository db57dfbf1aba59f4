"""The store's ORM rows as the frozen facts its callers read (shop/facts.py)."""

from __future__ import annotations

from shop import models as m
from shop.facts import (
    ApprovalFacts,
    CustomerFacts,
    Money,
    RefundFacts,
    RemedyFacts,
    ResolutionFacts,
    ReturnFacts,
    ShipmentFacts,
    TrackingScan,
)


def customer_facts(customer: m.Customer) -> CustomerFacts:
    return CustomerFacts(customer.id, customer.email, customer.name, customer.created_at)


def shipment_facts(shipment: m.Shipment) -> ShipmentFacts:
    return ShipmentFacts(
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        express=bool(shipment.express),
        shipped_at=shipment.shipped_at,
        delivered_at=shipment.delivered_at,
        scans=tuple(TrackingScan(e.occurred_at, e.location, e.description) for e in shipment.events),
    )


def refund_facts(refund: m.Refund, currency: str) -> RefundFacts:
    return RefundFacts(
        refund.id,
        Money(refund.amount_cents, currency),
        refund.reason,
        refund.status,
        refund.requested_at,
        refund.issued_at,
        refund.expected_by,
    )


def return_facts(ret: m.ReturnRequest) -> ReturnFacts:
    return ReturnFacts(ret.label_reference, ret.reason, ret.status, ret.created_at)


def approval_facts(request: m.ApprovalRequest, currency: str) -> ApprovalFacts:
    return ApprovalFacts(
        request.id,
        request.customer_id,
        request.order_id,
        request.remedy,
        Money(request.amount_cents, currency),
        request.reason,
        request.status,
        request.conversation_id,
        request.created_at,
        request.decided_at,
        request.decided_by,
        request.decision_note,
    )


def remedy_facts(done: m.RemedyRequest, currency: str) -> RemedyFacts:
    resolution = done.resolution
    return RemedyFacts(
        request_key=done.request_key,
        order_id=done.order_id,
        kind=resolution.kind,
        amount=Money(resolution.amount_cents, currency),
        resolution_id=resolution.id,
        refund=refund_facts(done.refund, currency) if done.refund is not None else None,
        created_at=done.created_at,
    )


def resolution_facts(resolution: m.Resolution) -> ResolutionFacts:
    return ResolutionFacts(
        resolution.id,
        resolution.customer_id,
        resolution.order_id,
        resolution.kind,
        Money(resolution.amount_cents),
        resolution.detail,
        resolution.actor,
        resolution.conversation_id,
        resolution.created_at,
        resolution.follow_up_on,
        resolution.followed_up_at,
    )
