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

from shop.customer_records import CustomerRecords
from shop.order_commands import OrderCommands
from shop.reads import StoreReads
from shop.remedy_commands import RemedyCommands
from shop.service_base import (
    PASSWORD_RESET_VALID_MINUTES,
    REFUND_BUSINESS_DAYS,
    Clock,
    add_business_days,
)

__all__ = [
    "PASSWORD_RESET_VALID_MINUTES",
    "REFUND_BUSINESS_DAYS",
    "Clock",
    "StoreService",
    "add_business_days",
]


class StoreService(RemedyCommands, OrderCommands, CustomerRecords, StoreReads):
    """Queries and commands on the store database: reads (shop/reads.py), order commands
    (shop/order_commands.py), remedies and approvals (shop/remedy_commands.py) and customer
    records (shop/customer_records.py), over the shared session and helpers of
    shop/service_base.py."""
