"""What the console sends for a remedy or an approval decision, parsed and bounded."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from handoff.agents.remedies.options import KINDS
from handoff.errors import InvalidInput
from shop import (
    Money,
)

MAX_CLIENT_ID_CHARS = 64
MAX_NOTE_CHARS = 1000
# A sanity bound on amounts typed into the console (the budgets are far below it).
MAX_AMOUNT_CENTS = 100_000_000


@dataclass(frozen=True)
class RemedyRequest:
    """The body of `POST /conversations/{id}/remedies`."""

    kind: str
    amount_cents: int | None
    client_id: str

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> RemedyRequest:
        kind = body.get("kind")
        if kind not in KINDS:
            raise InvalidInput(f"'kind' must be one of {', '.join(KINDS)}")
        client_id = body.get("client_id")
        if not isinstance(client_id, str) or not 0 < len(client_id.strip()) <= MAX_CLIENT_ID_CHARS:
            raise InvalidInput(
                f"'client_id' must be a string of 1-{MAX_CLIENT_ID_CHARS} characters, one per click "
                "(send the same one again on a retry)"
            )
        return cls(str(kind), parse_amount(body.get("amount")), client_id.strip())


@dataclass(frozen=True)
class ApprovalDecision:
    """The body of `POST /approvals/{id}`, with the id from the path."""

    approval_id: int
    approve: bool
    note: str | None

    @classmethod
    def parse(cls, raw_id: str, body: Mapping[str, Any]) -> ApprovalDecision:
        if not raw_id.isdigit() or int(raw_id) <= 0:
            raise InvalidInput(
                f"{raw_id!r} is not an approval id (a whole number, as GET .../remedies lists)"
            )
        decision = body.get("decision")
        if decision not in ("approve", "reject"):
            raise InvalidInput("'decision' must be 'approve' or 'reject'")
        note = body.get("note")
        if note is not None and not isinstance(note, str):
            raise InvalidInput("'note' must be a string or null")
        if note is not None and len(note) > MAX_NOTE_CHARS:
            raise InvalidInput(f"'note' is longer than {MAX_NOTE_CHARS} characters")
        return cls(int(raw_id), decision == "approve", (note or "").strip() or None)


@dataclass(frozen=True)
class RemedyResult:
    """What the agent's console shows once a remedy is done."""

    kind: str
    amount: Money
    reference: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "amount": self.amount.cents / 100,
            "currency": self.amount.currency,
            "reference": self.reference,
            "summary": self.summary,
        }


def parse_amount(raw: Any) -> int | None:
    """A JSON amount (45.9) in cents; None means "the suggested amount"."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise InvalidInput("'amount' must be a number like 45.90, or null for the suggested amount")
    cents = Decimal(str(raw)) * 100
    if cents != cents.to_integral_value():
        raise InvalidInput("'amount' must have at most 2 decimals")
    if not 0 < cents <= MAX_AMOUNT_CENTS:
        raise InvalidInput("'amount' must be more than 0 (and a realistic amount)")
    return int(cents)
