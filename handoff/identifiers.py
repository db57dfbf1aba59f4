"""Ids a client sends back to the gateway (conversations, agents), checked before any query.

The gateway's ids are hex strings; a client may send anything. Checking the shape first
turns a hostile id (a lone surrogate, a NUL, a megabyte of text) into a clear
`invalid_input` instead of a database driver's encoding error.
"""

from __future__ import annotations

import re
from typing import Any

from handoff.errors import InvalidInput

MAX_ID_CHARS = 128
_ID = re.compile(rf"[\x21-\x7e]{{1,{MAX_ID_CHARS}}}")


def checked_id(value: Any, field: str) -> str:
    """`value` if it can be one of our ids (printable ASCII, not too long)."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"'{field}' is required")
    if not _ID.fullmatch(value):
        raise InvalidInput(f"'{field}' is not an id: ids are up to {MAX_ID_CHARS} printable ASCII characters")
    return value
