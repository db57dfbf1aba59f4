"""Who the customer is, when the shop's own server says so: a signed identity claim.

A shop whose customer is logged in can tell the chat who they are without the customer being
able to pick someone else: its server computes ``HMAC-SHA256(secret, customer_id)`` with the
secret it shares with this product (``SHOP_IDENTITY_SECRET``) and hands the widget the id and
the tag (``StoreChat.identify(customerId, hmac)``). The gateway checks the tag before it
forwards the claim to Rasa, and the actions check it again before they trust it, so neither a
browser nor anything else that can reach Rasa can assert an identity without the secret.

Anything else a browser puts in message metadata (an email, a name) is never proof.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The metadata key under which the gateway forwards a checked claim to Rasa.
IDENTITY_KEY = "identity"
MAX_CUSTOMER_ID_CHARS = 128


class IdentityError(ValueError):
    """A claim that is malformed, unsigned or signed with another secret."""


def identity_tag(secret: bytes, customer_id: str) -> str:
    """The tag a shop's server sends with `customer_id` (lowercase hex HMAC-SHA256)."""
    return hmac.new(secret, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedIdentity:
    """A customer id with the tag the shop's server made for it."""

    customer_id: str
    tag: str

    @classmethod
    def parse(cls, raw: Any) -> SignedIdentity:
        """Read ``{"customer_id": ..., "hmac": ...}``; every problem is a clear IdentityError."""
        if not isinstance(raw, Mapping):
            raise IdentityError("identity must be an object with 'customer_id' and 'hmac'")
        customer_id, tag = raw.get("customer_id"), raw.get("hmac")
        if not isinstance(customer_id, str) or not 0 < len(customer_id) <= MAX_CUSTOMER_ID_CHARS:
            raise IdentityError(f"'customer_id' must be a string of 1-{MAX_CUSTOMER_ID_CHARS} characters")
        if not isinstance(tag, str) or len(tag) != 64:
            raise IdentityError("'hmac' must be the 64-character hex HMAC-SHA256 of the customer id")
        return cls(customer_id, tag.lower())

    def verified(self, secret: bytes | None) -> bool:
        """True only when signed identity is enabled and the tag is the secret's."""
        return bool(secret) and hmac.compare_digest(identity_tag(secret or b"", self.customer_id), self.tag)

    def to_metadata(self) -> dict[str, str]:
        return {"customer_id": self.customer_id, "hmac": self.tag}


def verified_customer_id(metadata: Any, secret: bytes | None) -> str | None:
    """The customer id in message metadata if its claim checks out with `secret`, else None."""
    if not secret or not isinstance(metadata, Mapping) or IDENTITY_KEY not in metadata:
        return None
    try:
        claim = SignedIdentity.parse(metadata[IDENTITY_KEY])
    except IdentityError:
        return None
    return claim.customer_id if claim.verified(secret) else None
