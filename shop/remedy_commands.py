"""Make-it-right remedies and the approvals for those over the bot's budget."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop import models as m
from shop.errors import (
    OrderNotFound,
)
from shop.facts import (
    ApprovalFacts,
    ApprovalOutcome,
    RemedyFacts,
    ResolutionFacts,
)
from shop.reads import StoreReads
from shop.service_base import (
    translate_db_errors,
)
from shop.to_facts import approval_facts, resolution_facts

logger = logging.getLogger(__name__)


class RemedyCommands(StoreReads):
    """Record, carry out, approve and decline remedies, once per request key."""

    @translate_db_errors
    def record_remedy(
        self,
        order_id: str,
        *,
        kind: str,
        amount_cents: int,
        detail: str,
        conversation_id: str,
        follow_up_days: int | None = None,
    ) -> ResolutionFacts:
        """Record a remedy that needs no money movement here (replacement, reship, credit)."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            follow_up = self.today() + timedelta(days=follow_up_days) if follow_up_days else None
            resolution = self._add_resolution(
                session,
                order,
                kind=kind,
                amount_cents=amount_cents,
                detail=detail,
                conversation_id=conversation_id,
                follow_up_on=follow_up,
            )
            session.flush()
            return resolution_facts(resolution)

    @translate_db_errors
    def create_approval_request(
        self,
        order_id: str,
        *,
        remedy: str,
        amount_cents: int,
        reason: str,
        conversation_id: str,
    ) -> ApprovalFacts:
        """Queue a remedy for a person to approve; an identical pending one is reused."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            existing = session.execute(
                select(m.ApprovalRequest).where(
                    m.ApprovalRequest.order_id == order_id,
                    m.ApprovalRequest.remedy == remedy,
                    m.ApprovalRequest.status == "pending",
                )
            ).scalar_one_or_none()
            if existing is not None:
                return approval_facts(existing, order.currency)
            request = m.ApprovalRequest(
                customer_id=order.customer_id,
                order_id=order_id,
                remedy=remedy,
                amount_cents=amount_cents,
                reason=reason,
                status="pending",
                conversation_id=conversation_id,
                created_at=self.now(),
            )
            session.add(request)
            session.flush()
            return approval_facts(request, order.currency)

    @translate_db_errors
    def carry_out_remedy(
        self,
        order_id: str,
        *,
        kind: str,
        amount_cents: int,
        reason: str,
        decided_by: str,
        conversation_id: str,
        request_key: str,
    ) -> tuple[RemedyFacts, bool]:
        """A person's remedy (refund, replacement, reship or credit), carried out once per
        `request_key`.

        Returns `(remedy, True)` when it was carried out now, and `(the stored remedy, False)`
        when the key was used before (a double click, a retry after a lost answer, a second
        replica racing): the refund, the resolution and the key commit together or not at
        all. A refund never exceeds what is still refundable (NothingToRefund when nothing is);
        nothing is sent again for an order that never shipped (OrderStateConflict).
        """
        done = self.remedy_for_request(request_key)
        if done is not None:
            return done, False
        try:
            with self._transaction() as session:
                order = self._require_order(session, order_id)
                remedy = self._carry_out(
                    session,
                    order,
                    kind=kind,
                    amount_cents=amount_cents,
                    reason=reason,
                    decided_by=decided_by,
                    conversation_id=conversation_id,
                    request_key=request_key,
                )
        except IntegrityError:
            # Another transaction stored the same key first; everything here was rolled back.
            done = self.remedy_for_request(request_key)
            if done is None:
                raise
            return done, False
        return remedy, True

    @translate_db_errors
    def approve_request(
        self, approval_id: int, *, decided_by: str, note: str | None = None
    ) -> ApprovalOutcome:
        """Approve a pending request and carry its remedy out, in one transaction.

        Only a pending request can be approved (ApprovalAlreadyDecided otherwise, also for
        the loser of two people approving at once); if the remedy cannot be carried out
        (e.g. NothingToRefund) the request stays pending.
        """
        with self._transaction() as session:
            request = self._decide(session, approval_id, "approved", decided_by, note)
            if request.order_id is None:
                raise OrderNotFound("(none)")
            order = self._require_order(session, request.order_id)
            remedy = self._carry_out(
                session,
                order,
                kind=request.remedy,
                amount_cents=request.amount_cents,
                reason=f"approved request APR-{request.id:05d}",
                decided_by=decided_by,
                conversation_id=request.conversation_id or "",
                request_key=f"approval:{request.id}",
            )
            return ApprovalOutcome(approval_facts(request, order.currency), remedy)

    @translate_db_errors
    def decline_request(self, approval_id: int, *, decided_by: str, note: str | None = None) -> ApprovalFacts:
        """Reject a pending request (ApprovalAlreadyDecided if someone decided it already)."""
        with self._transaction() as session:
            request = self._decide(session, approval_id, "rejected", decided_by, note)
            return approval_facts(request, self._currency_of(session, request.order_id))
