"""Changing an order on the customer's behalf: cancel, re-address, return, record an issue, refund."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shop import models as m
from shop.errors import (
    NothingToRefund,
    OrderStateConflict,
)
from shop.facts import (
    CancellationFacts,
    Money,
    OrderState,
    RefundFacts,
    ReturnFacts,
)
from shop.service_base import (
    StoreBase,
    translate_db_errors,
)
from shop.to_facts import refund_facts, return_facts

logger = logging.getLogger(__name__)


class OrderCommands(StoreBase):
    """Order commands; each records a Resolution so later readers see what was done and why."""

    @translate_db_errors
    def mark_followed_up(self, resolution_id: int, at: datetime | None = None) -> bool:
        """Record that someone checked in on a resolution; False if it was already done."""
        with self._transaction() as session:
            resolution = session.get(m.Resolution, resolution_id)
            if resolution is None or resolution.followed_up_at is not None:
                return False
            resolution.followed_up_at = at or self.now()
            return True

    @translate_db_errors
    def cancel_order(self, order_id: str, *, conversation_id: str) -> CancellationFacts:
        """Cancel an order that has not been dispatched and refund what was charged."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            state = self._state(order)
            if state is not OrderState.PROCESSING:
                raise OrderStateConflict(order_id, state.value, "cancel")
            now = self.now()
            order.status = "cancelled"
            order.cancelled_at = now
            charged = sum(p.amount_cents for p in order.payments if p.status == "captured")
            refund = None
            if charged > 0:
                refund = self._add_refund(session, order, charged, "cancellation", "pending")
            self._add_resolution(
                session,
                order,
                kind="cancellation",
                amount_cents=charged,
                detail=f"Cancelled before dispatch; {Money(charged, order.currency)} to refund",
                conversation_id=conversation_id,
                follow_up_on=refund.expected_by if refund else None,
            )
            session.flush()
            return CancellationFacts(
                order=self._order_facts(session, order),
                refund=refund_facts(refund, order.currency) if refund else None,
            )

    @translate_db_errors
    def change_address(self, order_id: str, new_address: str, *, conversation_id: str) -> tuple[str, str]:
        """Change the delivery address before dispatch; returns (old, new)."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            state = self._state(order)
            if state is not OrderState.PROCESSING:
                raise OrderStateConflict(order_id, state.value, "change the address of")
            old = str(order.shipping_address)
            order.shipping_address = new_address.strip()
            self._add_resolution(
                session,
                order,
                kind="address_change",
                detail=f"Delivery address changed from '{old}' to '{order.shipping_address}'",
                conversation_id=conversation_id,
            )
            return old, str(order.shipping_address)

    @translate_db_errors
    def start_return(self, order_id: str, *, reason: str, conversation_id: str) -> ReturnFacts:
        """Create a return label for a delivered order (or return the open one)."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            state = self._state(order)
            if state is not OrderState.DELIVERED:
                raise OrderStateConflict(order_id, state.value, "return")
            for existing in order.returns:
                if existing.status == "label_sent":
                    return return_facts(existing)
            number = len(order.returns) + 1
            ret = m.ReturnRequest(
                order=order,
                label_reference=f"RET-{order.id[4:]}-{number}",
                reason=reason,
                status="label_sent",
                created_at=self.now(),
                conversation_id=conversation_id,
            )
            session.add(ret)
            self._add_resolution(
                session,
                order,
                kind="return",
                detail=f"Return label {ret.label_reference} created ({reason})",
                conversation_id=conversation_id,
                follow_up_on=self.today() + timedelta(days=10),
            )
            session.flush()
            return return_facts(ret)

    @translate_db_errors
    def record_issue(self, order_id: str, *, kind: str, item: str | None, conversation_id: str) -> None:
        """Record that the customer reported a damaged or missing delivery."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            session.add(
                m.IssueReport(
                    order=order,
                    kind=kind,
                    item=item,
                    created_at=self.now(),
                    conversation_id=conversation_id,
                )
            )

    @translate_db_errors
    def issue_refund(
        self, order_id: str, *, amount_cents: int, reason: str, conversation_id: str
    ) -> RefundFacts:
        """Refund part or all of what is still refundable on the order (pending until paid)."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            refund, _ = self._refund_with_resolution(
                session, order, amount_cents, reason=reason, conversation_id=conversation_id
            )
            session.flush()
            return refund_facts(refund, order.currency)

    @translate_db_errors
    def refund_duplicate_charge(self, order_id: str, *, conversation_id: str) -> RefundFacts:
        """Refund the flagged duplicate charge on the order, issued at once."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            duplicate = next(
                (p for p in order.payments if p.duplicate_of_id is not None and p.status == "captured"),
                None,
            )
            if duplicate is None:
                raise NothingToRefund(order_id)
            duplicate.status = "refunded"
            refund = self._add_refund(
                session, order, duplicate.amount_cents, "duplicate_charge", "issued", payment=duplicate
            )
            self._add_resolution(
                session,
                order,
                kind="duplicate_charge_refund",
                amount_cents=duplicate.amount_cents,
                detail=f"Duplicate charge of {Money(duplicate.amount_cents, order.currency)} refunded",
                conversation_id=conversation_id,
                follow_up_on=refund.expected_by + timedelta(days=1),
            )
            session.flush()
            return refund_facts(refund, order.currency)
