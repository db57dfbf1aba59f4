"""The store's query and command layer.

`StoreService` is the only way into the store database. Reads return the frozen
dataclasses from `shop.facts`; failures are domain errors from
`shop.errors` (database trouble becomes `StoreUnavailable`). Every command that
changes something on the customer's behalf also records a `Resolution`, so an agent or a
later check-in can see what was done and why.

Customer-facing lookups go through `find_order`, which checks ownership. `order_facts`
and `customer_overview` are for trusted internal callers (the handoff gateway) that have
already established who is asking.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from shop import models as m
from shop.errors import (
    ApprovalAlreadyDecided,
    ApprovalNotFound,
    CustomerNotFound,
    NothingToRefund,
    OrderNotFound,
    OrderStateConflict,
    StoreError,
    StoreUnavailable,
)
from shop.facts import (
    ApprovalFacts,
    ApprovalOutcome,
    CancellationFacts,
    CustomerFacts,
    CustomerOverview,
    InvoiceFacts,
    ItemFacts,
    Money,
    OrderFacts,
    OrderState,
    OrderSummary,
    PaymentFacts,
    RefundFacts,
    RemedyFacts,
    ResolutionFacts,
    ReturnFacts,
    ShipmentFacts,
    TrackingScan,
)

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
F = TypeVar("F", bound=Callable[..., Any])

# Card and PayPal refunds reach the customer within this many business days.
REFUND_BUSINESS_DAYS = 5
PASSWORD_RESET_VALID_MINUTES = 60
# Kinds of resolution that count against the per-customer make-it-right allowance.
REMEDY_KINDS = ("refund", "replacement", "reship", "credit")
# A replacement or reship is checked on this many days after it was sent (as the bot's are).
SHIPMENT_FOLLOW_UP_DAYS = 3
REMEDY_WORDS = {
    "refund": "Refund",
    "replacement": "Replacement",
    "reship": "Reship",
    "credit": "Store credit",
}


def add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _translate_db_errors(method: F) -> F:
    """Turn driver/ORM failures into StoreUnavailable, keeping domain errors as they are."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise StoreUnavailable(str(exc)) from exc

    return cast(F, wrapper)


class StoreService:
    """Queries and commands on the store database."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self._clock().date()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._session_factory() as session, session.begin():
            yield session

    # ------------------------------------------------------------------ reads

    @_translate_db_errors
    def customer_by_email(self, email: str) -> CustomerFacts | None:
        with self._transaction() as session:
            customer = session.execute(
                select(m.Customer).where(m.Customer.email == email.strip().lower())
            ).scalar_one_or_none()
            return _customer_facts(customer) if customer else None

    @_translate_db_errors
    def customer(self, customer_id: str) -> CustomerFacts:
        with self._transaction() as session:
            customer = session.get(m.Customer, customer_id)
            if customer is None:
                raise CustomerNotFound(customer_id)
            return _customer_facts(customer)

    @_translate_db_errors
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

    @_translate_db_errors
    def order_facts(self, order_id: str) -> OrderFacts:
        """The order's facts with no ownership check (trusted internal callers only)."""
        with self._transaction() as session:
            order = self._load_order(session, order_id)
            if order is None:
                raise OrderNotFound(order_id)
            return self._order_facts(session, order)

    @_translate_db_errors
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
                customer=_customer_facts(customer),
                orders=tuple(
                    OrderSummary(o.order_id, o.state, o.placed_at, o.total, o.days_late) for o in orders
                ),
                open_approvals=self._approvals(session, customer_id=customer_id),
                recent_resolutions=self._resolutions(session, customer_id, since),
                complaints_last_90_days=int(complaints),
                handoffs_last_90_days=int(handoffs),
            )

    @_translate_db_errors
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

    @_translate_db_errors
    def pending_approvals(self) -> tuple[ApprovalFacts, ...]:
        with self._transaction() as session:
            return self._approvals(session)

    @_translate_db_errors
    def approval(self, approval_id: int) -> ApprovalFacts:
        """One approval request, whatever its status (raises ApprovalNotFound)."""
        with self._transaction() as session:
            request = session.get(m.ApprovalRequest, approval_id)
            if request is None:
                raise ApprovalNotFound(approval_id)
            return _approval_facts(request, self._currency_of(session, request.order_id))

    @_translate_db_errors
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
            return tuple(_approval_facts(request, currency or "EUR") for request, currency in rows)

    @_translate_db_errors
    def remedy_for_request(self, request_key: str) -> RemedyFacts | None:
        """The remedy already carried out for `request_key`, if any."""
        with self._transaction() as session:
            done = session.execute(
                select(m.RemedyRequest).where(m.RemedyRequest.request_key == request_key)
            ).scalar_one_or_none()
            if done is None:
                return None
            return _remedy_facts(done, self._currency_of(session, done.order_id))

    @_translate_db_errors
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
            return tuple(_resolution_facts(r) for r in rows)

    # --------------------------------------------------------------- commands

    @_translate_db_errors
    def mark_followed_up(self, resolution_id: int, at: datetime | None = None) -> bool:
        """Record that someone checked in on a resolution; False if it was already done."""
        with self._transaction() as session:
            resolution = session.get(m.Resolution, resolution_id)
            if resolution is None or resolution.followed_up_at is not None:
                return False
            resolution.followed_up_at = at or self.now()
            return True

    @_translate_db_errors
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
                refund=_refund_facts(refund, order.currency) if refund else None,
            )

    @_translate_db_errors
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

    @_translate_db_errors
    def start_return(self, order_id: str, *, reason: str, conversation_id: str) -> ReturnFacts:
        """Create a return label for a delivered order (or return the open one)."""
        with self._transaction() as session:
            order = self._require_order(session, order_id)
            state = self._state(order)
            if state is not OrderState.DELIVERED:
                raise OrderStateConflict(order_id, state.value, "return")
            for existing in order.returns:
                if existing.status == "label_sent":
                    return _return_facts(existing)
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
            return _return_facts(ret)

    @_translate_db_errors
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

    @_translate_db_errors
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
            return _refund_facts(refund, order.currency)

    @_translate_db_errors
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
            return _refund_facts(refund, order.currency)

    @_translate_db_errors
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
            return _resolution_facts(resolution)

    @_translate_db_errors
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
                return _approval_facts(existing, order.currency)
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
            return _approval_facts(request, order.currency)

    @_translate_db_errors
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

    @_translate_db_errors
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
            return ApprovalOutcome(_approval_facts(request, order.currency), remedy)

    @_translate_db_errors
    def decline_request(self, approval_id: int, *, decided_by: str, note: str | None = None) -> ApprovalFacts:
        """Reject a pending request (ApprovalAlreadyDecided if someone decided it already)."""
        with self._transaction() as session:
            request = self._decide(session, approval_id, "rejected", decided_by, note)
            return _approval_facts(request, self._currency_of(session, request.order_id))

    @_translate_db_errors
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

    @_translate_db_errors
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

    @_translate_db_errors
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

    @_translate_db_errors
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

    # ---------------------------------------------------------------- helpers

    def _load_order(self, session: Session, order_id: str) -> m.Order | None:
        return session.execute(
            select(m.Order)
            .where(m.Order.id == order_id)
            .options(
                selectinload(m.Order.customer),
                selectinload(m.Order.items),
                selectinload(m.Order.shipments).selectinload(m.Shipment.events),
                selectinload(m.Order.payments),
                selectinload(m.Order.refunds),
                selectinload(m.Order.returns),
                selectinload(m.Order.issue_reports),
            )
        ).scalar_one_or_none()

    def _require_order(self, session: Session, order_id: str) -> m.Order:
        order = self._load_order(session, order_id)
        if order is None:
            raise OrderNotFound(order_id)
        return order

    def _state(self, order: m.Order) -> OrderState:
        if order.status == "cancelled":
            return OrderState.CANCELLED
        shipment = order.shipments[-1] if order.shipments else None
        if shipment is None:
            return OrderState.PROCESSING
        if shipment.status == "lost":
            return OrderState.LOST
        if shipment.status == "delivered":
            return OrderState.DELIVERED
        if self.today() > order.promised_date:
            return OrderState.DELAYED
        return OrderState.IN_TRANSIT

    @staticmethod
    def _refundable_cents(order: m.Order) -> int:
        charged = sum(p.amount_cents for p in order.payments if p.status == "captured")
        refunded = sum(r.amount_cents for r in order.refunds if r.reason != "duplicate_charge")
        return int(min(charged, order.total_cents) - refunded)

    def _add_refund(
        self,
        session: Session,
        order: m.Order,
        amount_cents: int,
        reason: str,
        status: str,
        *,
        payment: m.Payment | None = None,
    ) -> m.Refund:
        now = self.now()
        refund = m.Refund(
            order=order,
            payment_id=payment.id if payment else None,
            amount_cents=amount_cents,
            reason=reason,
            status=status,
            requested_at=now,
            issued_at=now if status == "issued" else None,
            expected_by=add_business_days(now.date(), REFUND_BUSINESS_DAYS),
        )
        session.add(refund)
        return refund

    def _add_resolution(
        self,
        session: Session,
        order: m.Order,
        *,
        kind: str,
        detail: str,
        conversation_id: str,
        amount_cents: int = 0,
        follow_up_on: date | None = None,
        actor: str = "bot",
    ) -> m.Resolution:
        resolution = m.Resolution(
            customer_id=order.customer_id,
            order_id=order.id,
            kind=kind,
            amount_cents=amount_cents,
            detail=detail,
            actor=actor,
            conversation_id=conversation_id,
            created_at=self.now(),
            follow_up_on=follow_up_on,
        )
        session.add(resolution)
        return resolution

    def _refund_with_resolution(
        self,
        session: Session,
        order: m.Order,
        amount_cents: int,
        *,
        reason: str,
        conversation_id: str,
        decided_by: str | None = None,
    ) -> tuple[m.Refund, m.Resolution]:
        """A pending refund of at most what is still refundable, and its resolution."""
        refundable = self._refundable_cents(order)
        if refundable <= 0:
            raise NothingToRefund(order.id)
        amount = min(amount_cents, refundable)
        refund = self._add_refund(session, order, amount, reason[:60], "pending")
        by = f" by {decided_by}" if decided_by else ""
        resolution = self._add_resolution(
            session,
            order,
            kind="refund",
            amount_cents=amount,
            detail=f"Refund of {Money(amount, order.currency)}{by} ({reason})",
            conversation_id=conversation_id,
            follow_up_on=refund.expected_by + timedelta(days=1),
            actor="agent" if decided_by else "bot",
        )
        return refund, resolution

    def _carry_out(
        self,
        session: Session,
        order: m.Order,
        *,
        kind: str,
        amount_cents: int,
        reason: str,
        decided_by: str,
        conversation_id: str,
        request_key: str,
    ) -> RemedyFacts:
        if kind not in REMEDY_KINDS:
            raise ValueError(f"unknown remedy {kind!r}")
        if amount_cents <= 0:
            raise ValueError("a remedy must be worth more than nothing")
        refund: m.Refund | None = None
        if kind == "refund":
            refund, resolution = self._refund_with_resolution(
                session,
                order,
                amount_cents,
                reason=reason,
                conversation_id=conversation_id,
                decided_by=decided_by,
            )
        else:
            state = self._state(order)
            if kind != "credit" and state in (OrderState.PROCESSING, OrderState.CANCELLED):
                raise OrderStateConflict(order.id, state.value, f"send a {kind} for")
            shipped_again = kind != "credit"
            resolution = self._add_resolution(
                session,
                order,
                kind=kind,
                amount_cents=amount_cents,
                detail=f"{REMEDY_WORDS[kind]} of {Money(amount_cents, order.currency)} by {decided_by} ({reason})",
                conversation_id=conversation_id,
                follow_up_on=self.today() + timedelta(days=SHIPMENT_FOLLOW_UP_DAYS)
                if shipped_again
                else None,
                actor="agent",
            )
        session.flush()
        done = m.RemedyRequest(
            request_key=request_key,
            order_id=order.id,
            resolution_id=resolution.id,
            refund_id=refund.id if refund is not None else None,
            created_at=self.now(),
        )
        done.resolution, done.refund = resolution, refund
        session.add(done)
        session.flush()
        return _remedy_facts(done, order.currency)

    def _decide(
        self, session: Session, approval_id: int, status: str, decided_by: str, note: str | None
    ) -> m.ApprovalRequest:
        """Move a pending request to `status`; the conditional UPDATE lets exactly one of two
        concurrent deciders win, in one process or several."""
        decided = session.execute(
            update(m.ApprovalRequest)
            .where(m.ApprovalRequest.id == approval_id, m.ApprovalRequest.status == "pending")
            .values(status=status, decided_at=self.now(), decided_by=decided_by, decision_note=note)
            .execution_options(synchronize_session=False)
        )
        request = session.get(m.ApprovalRequest, approval_id, populate_existing=True)
        if request is None:
            raise ApprovalNotFound(approval_id)
        if decided.rowcount != 1:
            raise ApprovalAlreadyDecided(approval_id, str(request.status))
        return request

    @staticmethod
    def _currency_of(session: Session, order_id: str | None) -> str:
        currency = session.execute(select(m.Order.currency).where(m.Order.id == order_id)).scalar()
        return str(currency or "EUR")

    def _approvals(self, session: Session, customer_id: str | None = None) -> tuple[ApprovalFacts, ...]:
        query = select(m.ApprovalRequest, m.Order.currency).outerjoin(
            m.Order, m.Order.id == m.ApprovalRequest.order_id
        )
        query = query.where(m.ApprovalRequest.status == "pending")
        if customer_id is not None:
            query = query.where(m.ApprovalRequest.customer_id == customer_id)
        rows = session.execute(query.order_by(m.ApprovalRequest.id)).all()
        return tuple(_approval_facts(req, currency or "EUR") for req, currency in rows)

    def _resolutions(
        self, session: Session, customer_id: str, since: datetime
    ) -> tuple[ResolutionFacts, ...]:
        rows = session.execute(
            select(m.Resolution)
            .where(m.Resolution.customer_id == customer_id, m.Resolution.created_at >= since)
            .order_by(m.Resolution.created_at.desc(), m.Resolution.id.desc())
        ).scalars()
        return tuple(_resolution_facts(r) for r in rows)

    def _order_facts(self, session: Session, order: m.Order) -> OrderFacts:
        currency = str(order.currency)
        shipment = order.shipments[-1] if order.shipments else None
        return OrderFacts(
            order_id=order.id,
            customer_id=order.customer_id,
            email=order.customer.email,
            customer_name=order.customer.name,
            state=self._state(order),
            as_of=self.today(),
            placed_at=order.placed_at,
            promised_date=order.promised_date,
            shipping_address=order.shipping_address,
            shipping_method=order.shipping_method,
            total=Money(order.total_cents, currency),
            payment_method=order.payment_method,
            items=tuple(
                ItemFacts(
                    i.id,
                    i.sku,
                    i.name,
                    i.product_family,
                    i.quantity,
                    Money(i.unit_price_cents, currency),
                )
                for i in order.items
            ),
            shipment=_shipment_facts(shipment) if shipment else None,
            payments=tuple(
                PaymentFacts(
                    p.id,
                    Money(p.amount_cents, currency),
                    p.method,
                    p.charged_at,
                    p.status,
                    p.duplicate_of_id,
                )
                for p in order.payments
            ),
            refunds=tuple(_refund_facts(r, currency) for r in order.refunds),
            returns=tuple(_return_facts(r) for r in order.returns),
            reported_issues=tuple(r.kind for r in order.issue_reports),
            open_approvals=tuple(
                a for a in self._approvals(session, order.customer_id) if a.order_id == order.id
            ),
            cancelled_at=order.cancelled_at,
        )


def _customer_facts(customer: m.Customer) -> CustomerFacts:
    return CustomerFacts(customer.id, customer.email, customer.name, customer.created_at)


def _shipment_facts(shipment: m.Shipment) -> ShipmentFacts:
    return ShipmentFacts(
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        express=bool(shipment.express),
        shipped_at=shipment.shipped_at,
        delivered_at=shipment.delivered_at,
        scans=tuple(TrackingScan(e.occurred_at, e.location, e.description) for e in shipment.events),
    )


def _refund_facts(refund: m.Refund, currency: str) -> RefundFacts:
    return RefundFacts(
        refund.id,
        Money(refund.amount_cents, currency),
        refund.reason,
        refund.status,
        refund.requested_at,
        refund.issued_at,
        refund.expected_by,
    )


def _return_facts(ret: m.ReturnRequest) -> ReturnFacts:
    return ReturnFacts(ret.label_reference, ret.reason, ret.status, ret.created_at)


def _approval_facts(request: m.ApprovalRequest, currency: str) -> ApprovalFacts:
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


def _remedy_facts(done: m.RemedyRequest, currency: str) -> RemedyFacts:
    resolution = done.resolution
    return RemedyFacts(
        request_key=done.request_key,
        order_id=done.order_id,
        kind=resolution.kind,
        amount=Money(resolution.amount_cents, currency),
        resolution_id=resolution.id,
        refund=_refund_facts(done.refund, currency) if done.refund is not None else None,
        created_at=done.created_at,
    )


def _resolution_facts(resolution: m.Resolution) -> ResolutionFacts:
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


__all__: list[str] = ["REMEDY_KINDS", "SHIPMENT_FOLLOW_UP_DAYS", "Clock", "StoreService", "add_business_days"]
