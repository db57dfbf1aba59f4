"""The demo store: SQLAlchemy models, a typed read/command API and a seed.

Other services use it like this::

    from shop import open_store
    store = open_store("sqlite:///var/store.db")     # any SQLAlchemy URL
    overview = store.customer_overview("CUS-0001")   # CustomerOverview
    facts = store.order_facts("ORD-10001")           # OrderFacts

Reads (all return frozen dataclasses from `shop.facts`):

| method | returns |
|---|---|
| `find_order(order_id, email=..., customer_id=...)` | OrderFacts, ownership checked (customer-facing) |
| `order_facts(order_id)` | OrderFacts, no ownership check (trusted internal callers) |
| `customer_overview(customer_id)` | CustomerOverview: orders newest first, open approvals, remedies of the last 90 days |
| `customer_by_email(email)` / `customer(customer_id)` | CustomerFacts or None / CustomerFacts |
| `pending_approvals()` | approval requests waiting for a person |
| `approval(approval_id)` / `approval_requests(order_id=..., conversation_id=...)` | one request / every request, whatever its status |
| `remedy_for_request(request_key)` | the remedy already carried out for a request key, or None |
| `remedies_in_window(customer_id, days)` | how many remedies the customer had |
| `resolutions_due_for_follow_up(as_of)` | resolutions to check in on; `mark_followed_up(id)` |

Commands (each records a Resolution with the conversation id): `cancel_order`,
`change_address`, `start_return`, `record_issue`, `issue_refund`,
`refund_duplicate_charge`, `record_remedy`, `create_approval_request`, `send_invoice`,
`request_password_reset`, `record_complaint`, `record_handoff_request`.
A person's remedies (the handoff gateway's agent console): `carry_out_remedy` (once per
request key), `approve_request` (approves and carries the remedy out in one transaction)
and `decline_request`; a request is decided once (`ApprovalAlreadyDecided`).

Everything raised on purpose is a `StoreError` from `shop.errors`:
`OrderNotFound` (also for someone else's order), `CustomerNotFound`,
`OrderStateConflict` (e.g. it shipped), `NothingToRefund`, `ApprovalNotFound`,
`ApprovalAlreadyDecided`, and `StoreUnavailable` for any database failure.
"""

from __future__ import annotations

from datetime import datetime, timezone

from shop.database import create_schema, make_engine, make_session_factory
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
    ORDER_PROBLEMS,
    ApprovalFacts,
    ApprovalOutcome,
    CustomerFacts,
    CustomerOverview,
    Money,
    OrderFacts,
    OrderState,
    OrderSummary,
    RefundFacts,
    RemedyFacts,
    ResolutionFacts,
)
from shop.service import Clock, StoreService


def utc_now() -> datetime:
    """Naive UTC now, the store's time convention."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def open_store(url: str, clock: Clock | None = None, create: bool = True) -> StoreService:
    """A StoreService on the database at `url` (tables created if missing)."""
    engine = make_engine(url)
    if create:
        create_schema(engine)
    return StoreService(make_session_factory(engine), clock or utc_now)


__all__ = [
    "ORDER_PROBLEMS",
    "ApprovalAlreadyDecided",
    "ApprovalFacts",
    "ApprovalNotFound",
    "ApprovalOutcome",
    "Clock",
    "CustomerFacts",
    "CustomerNotFound",
    "CustomerOverview",
    "Money",
    "NothingToRefund",
    "OrderFacts",
    "OrderNotFound",
    "OrderState",
    "OrderStateConflict",
    "OrderSummary",
    "RefundFacts",
    "RemedyFacts",
    "ResolutionFacts",
    "StoreError",
    "StoreService",
    "StoreUnavailable",
    "open_store",
    "utc_now",
]
