"""What the context summary needs from the store, and the small protocol it reads it through.

The summary depends on :class:`StoreReader`, not on the store's ORM or service, so tests
build it with a fake and the gateway plugs in ``handoff.summary.store_reader.StoreServiceReader``
(the real store). Records are frozen, JSON-friendly dataclasses: dates are ISO strings and
money is already formatted ("45.00 EUR"), because they go straight into the summary an
agent reads and into the gateway's database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OrderLine:
    """One of the customer's recent orders, at a glance."""

    order_id: str
    state: str
    placed_on: str
    total: str
    days_late: int = 0


@dataclass(frozen=True)
class StoreAction:
    """Something done or prepared on the customer's behalf (a refund, a replacement, an
    approval request for a person), with the conversation it came from."""

    kind: str  # refund, replacement, reship, credit, cancellation, approval_request, ...
    detail: str
    amount: str | None
    status: str  # done, pending, approved, rejected...
    order_id: str | None
    conversation_id: str | None
    created_at: str


@dataclass(frozen=True)
class CustomerRecord:
    customer_id: str
    name: str
    email: str
    customer_since: str
    recent_orders: tuple[OrderLine, ...] = ()
    actions: tuple[StoreAction, ...] = ()
    complaints_last_90_days: int = 0
    handoffs_last_90_days: int = 0

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    customer_id: str
    state: str  # processing, in_transit, delayed, delivered, lost, cancelled
    placed_on: str
    promised_date: str
    days_late: int
    items: tuple[str, ...]
    total: str
    shipping_method: str
    carrier: str | None = None
    tracking_number: str | None = None
    last_scan: str | None = None
    delivered_on: str | None = None
    reported_issues: tuple[str, ...] = ()
    refunds: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()
    actions: tuple[StoreAction, ...] = ()

    @property
    def item_names(self) -> str:
        return ", ".join(self.items)


class StoreReader(Protocol):
    """Read access to the store for the summary. ``None`` means "no such record"; any
    exception means the store could not answer (the summary says so and carries on)."""

    def customer(self, customer_id: str) -> CustomerRecord | None: ...

    def order(self, order_id: str) -> OrderRecord | None: ...
