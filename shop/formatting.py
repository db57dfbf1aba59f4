"""Parsing what customers type and formatting facts the way people read them."""

from __future__ import annotations

import re
from datetime import date, datetime

# "ORD-10234", "ord10234", "ORD 10234", "#10234", "order 10234", "10234"
_ORDER_ID = re.compile(
    r"^\s*(?:order\s*(?:number|no\.?|nr\.?)?\s*)?(?:ord)?\s*[-#\s]?\s*(\d{5})\s*$", re.IGNORECASE
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")


def normalise_order_id(raw: object) -> str | None:
    """`ORD-12345` for any spelling customers use, or None when it is not an order id."""
    if not isinstance(raw, str):
        return None
    match = _ORDER_ID.match(raw.replace("#", " "))
    return f"ORD-{match.group(1)}" if match else None


def normalise_email(raw: object) -> str | None:
    """The email lowercased and trimmed, or None when it does not look like an address."""
    if not isinstance(raw, str):
        return None
    email = raw.strip().strip("<>.,;").lower()
    return email if _EMAIL.match(email) else None


def mask_email(email: str) -> str:
    """`em***@example.com`: enough for the customer to recognise it, not to harvest it."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"


def day(value: date) -> str:
    """`Friday 20 November`."""
    return f"{value:%A} {value.day} {value:%B}"


def moment(value: datetime) -> str:
    """`Friday 20 November at 14:05`."""
    return f"{day(value.date())} at {value:%H:%M}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
