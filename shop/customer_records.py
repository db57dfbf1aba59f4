"""What the store records for a customer: invoices sent, password resets, complaints, handoff requests."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from shop import models as m
from shop.facts import (
    InvoiceFacts,
)
from shop.service_base import (
    PASSWORD_RESET_VALID_MINUTES,
    StoreBase,
    translate_db_errors,
)

logger = logging.getLogger(__name__)


class CustomerRecords(StoreBase):
    """Records of what was sent or asked for, for agents and follow-ups."""

    @translate_db_errors
    def send_invoice(self, order_id: str, *, conversation_id: str) -> InvoiceFacts:
        """Email the order's invoice to the address on the order and record it."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            number = f"INV-{order.placed_at:%Y}-{order.id[4:]}"
            sent = m.InvoiceSent(
                order_id=order.id,
                invoice_number=number,
                email=order.customer.email,
                sent_at=self.now(),
                conversation_id=conversation_id,
            )
            session.add(sent)
            return InvoiceFacts(number, str(order.id), str(order.customer.email), sent.sent_at)

    @translate_db_errors
    def request_password_reset(self, email: str, *, conversation_id: str) -> datetime | None:
        """Send a reset link if an account has this email; returns its expiry, else None."""
        with self._transaction() as session:
            customer = session.execute(
                select(m.Customer).where(m.Customer.email == email.strip().lower())
            ).scalar_one_or_none()
            if customer is None:
                return None
            now = self.now()
            expires = now + timedelta(minutes=PASSWORD_RESET_VALID_MINUTES)
            session.add(
                m.PasswordResetRequest(
                    customer_id=customer.id,
                    requested_at=now,
                    expires_at=expires,
                    conversation_id=conversation_id,
                )
            )
            return expires

    @translate_db_errors
    def record_complaint(
        self,
        text: str,
        *,
        conversation_id: str,
        customer_id: str | None = None,
        order_id: str | None = None,
    ) -> int:
        with self._transaction() as session:
            complaint = m.Complaint(
                customer_id=customer_id,
                order_id=order_id,
                text=text,
                conversation_id=conversation_id,
                created_at=self.now(),
            )
            session.add(complaint)
            session.flush()
            return int(complaint.id)

    @translate_db_errors
    def record_handoff_request(
        self,
        *,
        conversation_id: str,
        reason: str,
        customer_id: str | None = None,
        order_id: str | None = None,
    ) -> int:
        with self._transaction() as session:
            request = m.HandoffRequest(
                conversation_id=conversation_id,
                customer_id=customer_id,
                order_id=order_id,
                reason=reason,
                created_at=self.now(),
            )
            session.add(request)
            session.flush()
            return int(request.id)
