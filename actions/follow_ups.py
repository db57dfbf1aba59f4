"""What the check-in needs from the store, as a small Protocol (faked in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class CheckIn:
    """A resolution to ask the customer about."""

    resolution_id: int
    kind: str
    order_id: str | None
    item: str | None
    amount: str | None
    detail: str


class FollowUps(Protocol):
    """What the check-in needs from the store."""

    def due_check_in(self, customer_id: str, as_of: date) -> CheckIn | None: ...

    def mark_checked_in(self, resolution_id: int, at: datetime) -> None: ...
