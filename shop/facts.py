"""Typed, read-only views of the store that cross service boundaries.

Other services (the handoff gateway's context summary, the empathy layer, the
check-in job) read the store only through these dataclasses, never through the ORM
models, so a schema change stays inside `shop`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

# What can be wrong with an order by the store's own records, whatever the customer said:
# the values of `OrderFacts.problems` (and of the bot's `order_problems` slot).
ORDER_PROBLEMS: tuple[str, ...] = ("overdue", "lost", "damaged", "refund_late", "double_charge")


class OrderState(str, enum.Enum):
    """Where an order is, as the customer would describe it."""

    PROCESSING = "processing"  # paid, not yet handed to a carrier
    IN_TRANSIT = "in_transit"  # with the carrier, promised date not yet passed
    DELAYED = "delayed"  # with the carrier, promised date passed
    DELIVERED = "delivered"
    LOST = "lost"  # the carrier declared the parcel lost
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Money:
    cents: int
    currency: str = "EUR"

    def __str__(self) -> str:
        return f"{self.cents / 100:.2f} {self.currency}"


@dataclass(frozen=True)
class TrackingScan:
    occurred_at: datetime
    location: str
    description: str


@dataclass(frozen=True)
class ShipmentFacts:
    carrier: str
    tracking_number: str
    status: str  # in_transit | delivered | lost
    express: bool
    shipped_at: datetime
    delivered_at: datetime | None
    scans: tuple[TrackingScan, ...]

    @property
    def last_scan(self) -> TrackingScan | None:
        return self.scans[-1] if self.scans else None


@dataclass(frozen=True)
class ItemFacts:
    item_id: int
    sku: str
    name: str
    product_family: str
    quantity: int
    unit_price: Money

    @property
    def line_total(self) -> Money:
        return Money(self.unit_price.cents * self.quantity, self.unit_price.currency)


@dataclass(frozen=True)
class PaymentFacts:
    payment_id: int
    amount: Money
    method: str
    charged_at: datetime
    status: str  # captured | refunded
    duplicate_of_id: int | None


@dataclass(frozen=True)
class RefundFacts:
    refund_id: int
    amount: Money
    reason: str
    status: str  # pending | issued
    requested_at: datetime
    issued_at: datetime | None
    expected_by: date


@dataclass(frozen=True)
class ReturnFacts:
    label_reference: str
    reason: str
    status: str  # label_sent | received
    created_at: datetime


@dataclass(frozen=True)
class ApprovalFacts:
    approval_id: int
    customer_id: str
    order_id: str | None
    remedy: str
    amount: Money
    reason: str
    status: str  # pending | approved | rejected
    conversation_id: str | None
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None  # the person's display name
    decision_note: str | None = None

    @property
    def reference(self) -> str:
        """What the customer was given to quote (`APR-00012`)."""
        return f"APR-{self.approval_id:05d}"


@dataclass(frozen=True)
class ResolutionFacts:
    resolution_id: int
    customer_id: str
    order_id: str | None
    kind: str
    amount: Money
    detail: str
    actor: str
    conversation_id: str | None
    created_at: datetime
    follow_up_on: date | None
    followed_up_at: datetime | None


@dataclass(frozen=True)
class RemedyFacts:
    """A remedy a person carried out (from the agent console or by approving a request):
    the resolution recorded, and the refund when money moved."""

    request_key: str
    order_id: str
    kind: str  # refund | replacement | reship | credit
    amount: Money
    resolution_id: int
    refund: RefundFacts | None
    created_at: datetime

    @property
    def reference(self) -> str:
        """`REF-00012` for a refund, `RES-00034` for anything else."""
        if self.refund is not None:
            return f"REF-{self.refund.refund_id:05d}"
        return f"RES-{self.resolution_id:05d}"


@dataclass(frozen=True)
class ApprovalOutcome:
    """An approved request and the remedy carried out with it, in one transaction."""

    approval: ApprovalFacts
    remedy: RemedyFacts


@dataclass(frozen=True)
class OrderFacts:
    """Everything support needs to know about one order, as of `as_of`."""

    order_id: str
    customer_id: str
    email: str
    customer_name: str
    state: OrderState
    as_of: date
    placed_at: datetime
    promised_date: date
    shipping_address: str
    shipping_method: str
    total: Money
    payment_method: str
    items: tuple[ItemFacts, ...]
    shipment: ShipmentFacts | None
    payments: tuple[PaymentFacts, ...] = ()
    refunds: tuple[RefundFacts, ...] = ()
    returns: tuple[ReturnFacts, ...] = ()
    reported_issues: tuple[str, ...] = ()  # "damaged", "missing", in report order
    open_approvals: tuple[ApprovalFacts, ...] = ()
    cancelled_at: datetime | None = None

    @property
    def days_late(self) -> int:
        """Whole days past the promised date (0 when on time or already settled)."""
        if self.state in (OrderState.CANCELLED, OrderState.DELIVERED):
            return 0
        return max(0, (self.as_of - self.promised_date).days)

    @property
    def changeable(self) -> bool:
        """Address and cancellation changes are only possible before dispatch."""
        return self.state is OrderState.PROCESSING

    @property
    def damage_reported(self) -> bool:
        return "damaged" in self.reported_issues

    @property
    def delivered_damaged(self) -> bool:
        """Damage reported by the customer, or noted by the carrier at delivery."""
        if self.damage_reported:
            return True
        scan = self.shipment.last_scan if self.shipment else None
        return (
            self.state is OrderState.DELIVERED and scan is not None and "damage" in scan.description.lower()
        )

    @property
    def late_refunds(self) -> tuple[RefundFacts, ...]:
        """Refunds still pending after the date the customer was told to expect them."""
        return tuple(r for r in self.refunds if r.status == "pending" and r.expected_by < self.as_of)

    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong with the order by the store's records (values of ORDER_PROBLEMS)."""
        found = {
            "overdue": self.state is OrderState.DELAYED
            or (self.days_late > 0 and self.state is not OrderState.LOST),
            "lost": self.state is OrderState.LOST,
            "damaged": self.delivered_damaged,
            "refund_late": bool(self.late_refunds),
            "double_charge": bool(self.duplicate_charges),
        }
        return tuple(problem for problem in ORDER_PROBLEMS if found[problem])

    @property
    def duplicate_charges(self) -> tuple[PaymentFacts, ...]:
        """Charges the payment provider flagged as duplicates and not yet refunded."""
        return tuple(p for p in self.payments if p.duplicate_of_id is not None and p.status == "captured")

    @property
    def item_names(self) -> str:
        return ", ".join(
            f"{item.quantity} x {item.name}" if item.quantity > 1 else item.name for item in self.items
        )


@dataclass(frozen=True)
class OrderSummary:
    order_id: str
    state: OrderState
    placed_at: datetime
    total: Money
    days_late: int


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: str
    email: str
    name: str
    customer_since: datetime


@dataclass(frozen=True)
class CustomerOverview:
    """One customer at a glance: what an agent should see before saying hello."""

    customer: CustomerFacts
    orders: tuple[OrderSummary, ...]
    open_approvals: tuple[ApprovalFacts, ...] = ()
    recent_resolutions: tuple[ResolutionFacts, ...] = ()
    complaints_last_90_days: int = 0
    handoffs_last_90_days: int = 0


@dataclass(frozen=True)
class InvoiceFacts:
    invoice_number: str
    order_id: str
    email: str
    sent_at: datetime


@dataclass(frozen=True)
class CancellationFacts:
    order: OrderFacts
    refund: RefundFacts | None
