"""What every part of the store's service shares: the session, the clock, the
constants and the helpers that load an order and its facts."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from shop import models as m
from shop.errors import (
    ApprovalAlreadyDecided,
    ApprovalNotFound,
    NothingToRefund,
    OrderNotFound,
    OrderStateConflict,
    StoreError,
    StoreUnavailable,
)
from shop.facts import (
    ApprovalFacts,
    ItemFacts,
    Money,
    OrderFacts,
    OrderState,
    PaymentFacts,
    RemedyFacts,
    ResolutionFacts,
)
from shop.to_facts import (
    approval_facts,
    refund_facts,
    remedy_facts,
    resolution_facts,
    return_facts,
    shipment_facts,
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


def translate_db_errors(method: F) -> F:
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


class StoreBase:
    """The session factory and clock, and the helpers the reads and commands share."""

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
        return remedy_facts(done, order.currency)

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
        return tuple(approval_facts(req, currency or "EUR") for req, currency in rows)

    def _resolutions(
        self, session: Session, customer_id: str, since: datetime
    ) -> tuple[ResolutionFacts, ...]:
        rows = session.execute(
            select(m.Resolution)
            .where(m.Resolution.customer_id == customer_id, m.Resolution.created_at >= since)
            .order_by(m.Resolution.created_at.desc(), m.Resolution.id.desc())
        ).scalars()
        return tuple(resolution_facts(r) for r in rows)

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
            shipment=shipment_facts(shipment) if shipment else None,
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
            refunds=tuple(refund_facts(r, currency) for r in order.refunds),
            returns=tuple(return_facts(r) for r in order.returns),
            reported_issues=tuple(r.kind for r in order.issue_reports),
            open_approvals=tuple(
                a for a in self._approvals(session, order.customer_id) if a.order_id == order.id
            ),
            cancelled_at=order.cancelled_at,
        )
