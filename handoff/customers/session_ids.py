"""Customer session ids: server-issued, unguessable, signed.

An id is `<32 hex chars of randomness (128 bits)><32 hex chars of HMAC-SHA256 tag>`. It is a
bearer secret: whoever holds it reads that conversation, so it is never derived from
anything a customer knows, never sent to Rasa (Rasa sees the separate conversation id) and
stored only as a SHA-256 hash. The format is plain hex so stock widgets that store the
session id in a cookie or localStorage keep it intact.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

RANDOM_BYTES = 16
TAG_BYTES = 16
SESSION_ID_LENGTH = 2 * (RANDOM_BYTES + TAG_BYTES)


class SessionSigner:
    """Issues and checks signed session ids with one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the session signing secret must be at least 32 bytes")
        self._secret = secret

    def _tag(self, random_part: str) -> str:
        digest = hmac.new(self._secret, random_part.encode(), hashlib.sha256).digest()
        return digest[:TAG_BYTES].hex()

    def issue(self) -> str:
        random_part = secrets.token_hex(RANDOM_BYTES)
        return random_part + self._tag(random_part)

    def is_authentic(self, session_id: object) -> bool:
        """True only for an id this secret signed; cheap rejection of forged ids."""
        if not isinstance(session_id, str) or len(session_id) != SESSION_ID_LENGTH:
            return False
        random_part, tag = session_id[: 2 * RANDOM_BYTES], session_id[2 * RANDOM_BYTES :]
        return hmac.compare_digest(tag, self._tag(random_part))


def session_hash(session_id: str) -> str:
    """What the database stores instead of the id itself."""
    return hashlib.sha256(session_id.encode()).hexdigest()
