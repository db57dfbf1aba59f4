"""Reading the store: customers, orders, approvals, remedies and follow-ups due."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import func, select

from shop import models as m
from shop.errors import (
    ApprovalNotFound,
    CustomerNotFound,
    OrderNotFound,
)
from shop.facts import (
    ApprovalFacts,
    CustomerFacts,
    CustomerOverview,
    OrderFacts,
    OrderSummary,
    RemedyFacts,
    ResolutionFacts,
)
from shop.service_base import (
    REMEDY_KINDS,
    StoreBase,
    translate_db_errors,
)
from shop.to_facts import approval_facts, customer_facts, remedy_facts, resolution_facts

logger = logging.getLogger(__name__)


class StoreReads(StoreBase):
    """Typed reads; customer-facing lookups (`find_order`) check ownership."""

    @translate_db_errors
    def customer_by_email(self, email: str) -> CustomerFacts | None:
        with self._transaction() as session:
            customer = session.execute(
                select(m.Customer).where(m.Customer.email == email.strip().lower())
            ).scalar_one_or_none()
            return customer_facts(customer) if customer else None

    @translate_db_errors
    def customer(self, customer_id: str) -> CustomerFacts:
        with self._transaction() as session:
            customer = session.get(m.Customer, customer_id)
            if customer is None:
                raise CustomerNotFound(customer_id)
            return customer_facts(customer)

    @translate_db_errors
    def find_order(
        self,
        order_id: str,
        *,
        email: str | None = None,
        customer_id: str | None = None,
    ) -> OrderFacts:
        """The order, if it belongs to the customer identified by email or customer_id.

        Raises OrderNotFound when it does not exist, belongs to someone else, or no
        identity was given: the caller cannot tell these apart, by design.
        """
        with self._transaction() as session:
            order = self._load_order(session, order_id)
            if order is None:
                raise OrderNotFound(order_id)
            owner_matches = (email is not None and order.customer.email == email.strip().lower()) or (
                customer_id is not None and order.customer_id == customer_id
            )
            if not owner_matches:
                raise OrderNotFound(order_id)
            return self._order_facts(session, order)

    @translate_db_errors
    def order_facts(self, order_id: str) -> OrderFacts:
        """The order's facts with no ownership check (trusted internal callers only)."""
        with self._transaction() as session:
            order = self._load_order(session, order_id)
            if order is None:
                raise OrderNotFound(order_id)
            return self._order_facts(session, order)

    @translate_db_errors
    def customer_overview(self, customer_id: str) -> CustomerOverview:
        """The customer, their orders (newest first), open approvals and recent remedies."""
        with self._transaction() as session:
            customer = session.get(m.Customer, customer_id)
            if customer is None:
                raise CustomerNotFound(customer_id)
            since = self.now() - timedelta(days=90)
            orders = [
                self._order_facts(session, order)
                for order in sorted(customer.orders, key=lambda o: o.placed_at, reverse=True)
            ]
            complaints = session.execute(
                select(func.count(m.Complaint.id)).where(
                    m.Complaint.customer_id == customer_id, m.Complaint.created_at >= since
                )
            ).scalar_one()
            handoffs = session.execute(
                select(func.count(m.HandoffRequest.id)).where(
                    m.HandoffRequest.customer_id == customer_id,
                    m.HandoffRequest.created_at >= since,
                )
            ).scalar_one()
            return CustomerOverview(
                customer=customer_facts(customer),
                orders=tuple(
                    OrderSummary(o.order_id, o.state, o.placed_at, o.total, o.days_late) for o in orders
                ),
                open_approvals=self._approvals(session, customer_id=customer_id),
                recent_resolutions=self._resolutions(session, customer_id, since),
                complaints_last_90_days=int(complaints),
                handoffs_last_90_days=int(handoffs),
            )

    @translate_db_errors
    def remedies_in_window(self, customer_id: str, days: int) -> int:
        """How many make-it-right remedies this customer received in the last `days` days."""
        with self._transaction() as session:
            since = self.now() - timedelta(days=days)
            count = session.execute(
                select(func.count(m.Resolution.id)).where(
                    m.Resolution.customer_id == customer_id,
                    m.Resolution.kind.in_(REMEDY_KINDS),
                    m.Resolution.created_at >= since,
                )
            ).scalar_one()
            return int(count)

    @translate_db_errors
    def pending_approvals(self) -> tuple[ApprovalFacts, ...]:
        with self._transaction() as session:
            return self._approvals(session)

    @translate_db_errors
    def approval(self, approval_id: int) -> ApprovalFacts:
        """One approval request, whatever its status (raises ApprovalNotFound)."""
        with self._transaction() as session:
            request = session.get(m.ApprovalRequest, approval_id)
            if request is None:
                raise ApprovalNotFound(approval_id)
            return approval_facts(request, self._currency_of(session, request.order_id))

    @translate_db_errors
    def approval_requests(
        self, *, order_id: str | None = None, conversation_id: str | None = None
    ) -> tuple[ApprovalFacts, ...]:
        """Every approval request (pending, approved or rejected) for an order and/or a
        conversation, oldest first."""
        if order_id is None and conversation_id is None:
            raise ValueError("give an order_id or a conversation_id")
        with self._transaction() as session:
            query = select(m.ApprovalRequest, m.Order.currency).outerjoin(
                m.Order, m.Order.id == m.ApprovalRequest.order_id
            )
            if order_id is not None:
                query = query.where(m.ApprovalRequest.order_id == order_id)
            if conversation_id is not None:
                query = query.where(m.ApprovalRequest.conversation_id == conversation_id)
            rows = session.execute(query.order_by(m.ApprovalRequest.id)).all()
            return tuple(approval_facts(request, currency or "EUR") for request, currency in rows)

    @translate_db_errors
    def remedy_for_request(self, request_key: str) -> RemedyFacts | None:
        """The remedy already carried out for `request_key`, if any."""
        with self._transaction() as session:
            done = session.execute(
                select(m.RemedyRequest).where(m.RemedyRequest.request_key == request_key)
            ).scalar_one_or_none()
            if done is None:
                return None
            return remedy_facts(done, self._currency_of(session, done.order_id))

    @translate_db_errors
    def resolutions_due_for_follow_up(self, as_of: date) -> tuple[ResolutionFacts, ...]:
        """Resolutions whose check-in date has come and that nobody followed up yet."""
        with self._transaction() as session:
            rows = session.execute(
                select(m.Resolution)
                .where(
                    m.Resolution.follow_up_on.is_not(None),
                    m.Resolution.follow_up_on <= as_of,
                    m.Resolution.followed_up_at.is_(None),
                )
                .order_by(m.Resolution.id)
            ).scalars()
            return tuple(resolution_facts(r) for r in rows)
