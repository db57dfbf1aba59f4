"""What a customer's socket events may carry, checked before anything is stored or sent on.

Every problem is an `InvalidInput` whose message names the field and what was wrong, so the
widget (or whoever wrote the client) can show or fix it. The checks are the ones a database,
Rasa or a browser would otherwise trip over later: lone surrogates and NUL bytes (PostgreSQL
and SQLite cannot store them), integers past what a column or JSON number holds, non-finite
numbers (not JSON), metadata nested too deep, a text that is only whitespace or invisible
characters, a "word" of thousands of characters with no space.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from handoff.errors import IdentityNotEnabled, InvalidIdentity, InvalidInput
from handoff.settings import Settings
from shop.identity import IdentityError, SignedIdentity

logger = logging.getLogger(__name__)

MAX_METADATA_BYTES = 4096
# Keys of message metadata only the server may set: who the customer is (`customer`, a
# signed `identity`) and the gateway's own (`handoff`). A browser's are dropped before
# anything reaches Rasa, so no one can claim to be another customer (docs/security.md).
SERVER_ONLY_METADATA_KEYS = frozenset({"customer", "identity", "handoff"})
MAX_CLIENT_ID_CHARS = 64
# Sequence numbers are stored as 32-bit integers.
MAX_SEQ = 2**31 - 1
# The largest integer every JSON reader (Rasa's, a browser's) holds exactly.
MAX_JSON_INTEGER = 2**53
MAX_SESSION_ID_CHARS = 128
# C0 controls other than tab, newline and carriage return; DEL; UTF-16 surrogates, which are
# only ever half of a character (a valid pair arrives as one code point).
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CLIENT_ID = re.compile(r"[\x21-\x7e]+")
_HEX_TAG = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class TextLimits:
    """HANDOFF_MAX_MESSAGE_CHARS, HANDOFF_MAX_WORD_CHARS, HANDOFF_MAX_METADATA_DEPTH."""

    max_chars: int
    max_word_chars: int
    max_metadata_depth: int

    @classmethod
    def from_settings(cls, settings: Settings) -> TextLimits:
        return cls(settings.max_message_chars, settings.max_word_chars, settings.max_metadata_depth)


DEFAULT_LIMITS = TextLimits.from_settings(Settings())


@dataclass(frozen=True)
class IncomingMessage:
    """A validated `user_uttered` from a customer."""

    text: str
    client_id: str | None
    metadata: dict[str, Any]


@dataclass(frozen=True)
class SessionRequest:
    """A validated `session_request`: the id to resume (if any), where to resync from."""

    session_id: str | None
    last_seq: int | None
    identity: Any


@dataclass(frozen=True)
class Receipt:
    seq: int
    read: bool


@dataclass(frozen=True)
class RatingInput:
    score: int | None
    comment: str | None


def _object(data: Any, event: str, shape: str, allow_none: bool = False) -> dict[str, Any]:
    if data is None and allow_none:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(f"{event} needs an object {shape}")
    return data


def check_characters(value: str, field: str) -> None:
    """No lone surrogate, NUL or other control character (tab and newlines are fine)."""
    bad = _BAD_CHARACTER.search(value)
    if bad is None:
        return
    code = ord(bad.group())
    if 0xD800 <= code <= 0xDFFF:
        raise InvalidInput(
            f"'{field}' contains half of a character (a lone surrogate, U+{code:04X}); "
            "send it as valid Unicode text"
        )
    raise InvalidInput(f"'{field}' contains the control character U+{code:04X}, which is not text")


def _blank(text: str) -> bool:
    """Only spaces or characters nobody sees (zero-width spaces, joiners, marks of direction)."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Zs", "Zl", "Zp") for ch in text)


def clean_text(value: Any, field: str, limits: TextLimits) -> str:
    """A customer's words, stripped: non-empty, not too long, no endless word, only text."""
    if not isinstance(value, str):
        raise InvalidInput(f"'{field}' must be a string")
    if len(value) > limits.max_chars:
        raise InvalidInput(f"'{field}' is longer than {limits.max_chars} characters")
    check_characters(value, field)
    text = value.strip()
    if not text or _blank(text):
        raise InvalidInput(f"'{field}' is empty: there are no words in it")
    longest = max((len(word) for word in text.split()), default=0)
    if longest > limits.max_word_chars:
        raise InvalidInput(
            f"'{field}' has a word of {longest} characters with no space in it; the limit is "
            f"{limits.max_word_chars}"
        )
    return text


def parse_int(value: Any, field: str, low: int = 0, high: int = MAX_SEQ) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"'{field}' must be a whole number from {low} to {high}")
    return value


def check_metadata(metadata: dict[str, Any], max_depth: int) -> None:
    """Depth, characters and numbers of every value, without recursion (so no depth can
    exhaust the stack); the size is checked after, on the JSON text."""
    stack: list[tuple[Any, int]] = [(metadata, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise InvalidInput(f"'metadata' is nested deeper than {max_depth} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    check_characters(key, "metadata")
                stack.append((item, depth + 1))
        elif isinstance(value, str):
            check_characters(value, "metadata")
        elif isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput("'metadata' holds a number that is not finite (NaN or Infinity)")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_JSON_INTEGER:
            raise InvalidInput(f"'metadata' holds an integer larger than {MAX_JSON_INTEGER}")


def parse_metadata(raw: Any, max_depth: int) -> dict[str, Any]:
    metadata = raw or {}
    if isinstance(metadata, str):
        # Rasa's channel accepts metadata as a JSON string too.
        if len(metadata) > MAX_METADATA_BYTES:
            raise InvalidInput(f"'metadata' is larger than {MAX_METADATA_BYTES} bytes")
        try:
            metadata = json.loads(metadata)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput("'metadata' is not valid JSON") from exc
    if not isinstance(metadata, dict):
        raise InvalidInput("'metadata' must be an object")
    check_metadata(metadata, max_depth)
    if len(json.dumps(metadata)) > MAX_METADATA_BYTES:
        raise InvalidInput(f"'metadata' is larger than {MAX_METADATA_BYTES} bytes")
    dropped = SERVER_ONLY_METADATA_KEYS & metadata.keys()
    if dropped:
        logger.warning("dropped client-supplied metadata keys %s", sorted(dropped))
    return {key: value for key, value in metadata.items() if key not in SERVER_ONLY_METADATA_KEYS}


def parse_client_id(data: dict[str, Any]) -> str | None:
    client_id = data.get("message_id", data.get("client_id"))
    if client_id is None:
        return None
    if (
        not isinstance(client_id, str)
        or not 0 < len(client_id) <= MAX_CLIENT_ID_CHARS
        or not _CLIENT_ID.fullmatch(client_id)
    ):
        raise InvalidInput(
            f"'message_id' must be 1-{MAX_CLIENT_ID_CHARS} printable ASCII characters without spaces"
        )
    return client_id


def echo_client_id(data: Any) -> str | None:
    """The client id to name in an error, when the body carries a usable one."""
    if not isinstance(data, dict):
        return None
    try:
        return parse_client_id(data)
    except InvalidInput:
        return None


def parse_user_uttered(data: Any, max_chars: int, limits: TextLimits | None = None) -> IncomingMessage:
    """Validate a `user_uttered` body; every problem is a clear InvalidInput."""
    limits = limits or TextLimits(max_chars, DEFAULT_LIMITS.max_word_chars, DEFAULT_LIMITS.max_metadata_depth)
    data = _object(data, "user_uttered", "with a 'message' field")
    text = clean_text(data.get("message"), "message", limits)
    client_id = parse_client_id(data)
    metadata = parse_metadata(data.get("metadata"), limits.max_metadata_depth)
    return IncomingMessage(text=text, client_id=client_id, metadata=metadata)


def parse_session_request(data: Any) -> SessionRequest:
    data = _object(data, "session_request", "{session_id, last_seq?}", allow_none=True)
    session_id = data.get("session_id")
    if session_id is not None and not isinstance(session_id, str):
        raise InvalidInput("'session_id' must be the string the server issued, or null")
    if session_id is not None and len(session_id) > MAX_SESSION_ID_CHARS:
        raise InvalidInput(f"'session_id' is longer than {MAX_SESSION_ID_CHARS} characters")
    last_seq = data.get("last_seq")
    return SessionRequest(
        session_id=session_id or None,
        last_seq=None if last_seq is None else parse_int(last_seq, "last_seq"),
        identity=data.get("identity"),
    )


def parse_resync(data: Any) -> int:
    data = _object(data, "resync", "{last_seq}", allow_none=True)
    return parse_int(data.get("last_seq", 0), "last_seq")


def parse_receipt(data: Any) -> Receipt:
    data = _object(data, "message_receipt", "{seq, state}")
    seq = parse_int(data.get("seq"), "seq")
    state = data.get("state", "delivered")
    if state not in ("delivered", "read"):
        raise InvalidInput("'state' must be 'delivered' or 'read'")
    return Receipt(seq=seq, read=state == "read")


def parse_typing(data: Any) -> bool:
    data = _object(data, "typing", "{typing: true | false}")
    value = data.get("typing")
    if not isinstance(value, bool):
        raise InvalidInput("'typing' must be true or false")
    return value


def parse_rating(data: Any, limits: TextLimits) -> RatingInput:
    data = _object(data, "rating", "{score, comment}")
    score, comment = data.get("score"), data.get("comment")
    if score is None and comment is None:
        raise InvalidInput("give a 'score' (1-5) and/or a 'comment'")
    return RatingInput(
        score=None if score is None else parse_int(score, "score", 1, 5),
        comment=None if comment is None else clean_text(comment, "comment", limits),
    )


def parse_end_session(data: Any) -> str | None:
    """`end_session`: the id to end (the connection's own when absent)."""
    data = _object(data, "end_session", "{session_id?}", allow_none=True)
    session_id = data.get("session_id")
    if session_id is not None and (not isinstance(session_id, str) or len(session_id) > MAX_SESSION_ID_CHARS):
        raise InvalidInput("'session_id' must be the string the server issued, or absent")
    return session_id or None


def parse_identity(raw: Any, secret: bytes | None) -> SignedIdentity:
    """A claim the shop's server signed (`identify`), checked here before Rasa ever sees it."""
    if not secret:
        raise IdentityNotEnabled("this shop does not use signed identity (SHOP_IDENTITY_SECRET is not set)")
    if isinstance(raw, dict):
        customer_id, tag = raw.get("customer_id"), raw.get("hmac")
        if isinstance(customer_id, str) and _BAD_CHARACTER.search(customer_id):
            raise InvalidIdentity("'customer_id' must be text without control characters")
        if isinstance(tag, str) and not _HEX_TAG.fullmatch(tag):
            raise InvalidIdentity("'hmac' must be the 64-character hex HMAC-SHA256 of the customer id")
    try:
        claim = SignedIdentity.parse(raw)
    except IdentityError as exc:
        raise InvalidIdentity(str(exc)) from exc
    if not claim.verified(secret):
        raise InvalidIdentity("the identity's hmac does not match: sign the customer id on the shop's server")
    return claim
