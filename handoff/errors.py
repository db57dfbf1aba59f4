"""Domain errors raised by the model layer; the HTTP and socket edges turn them into responses.

Each error carries a stable machine `code` (documented in docs/agent-api.md and
docs/socket-protocol.md) and the HTTP status the REST edge uses for it.
"""

from __future__ import annotations

import math
from typing import Any


class HandoffError(Exception):
    """Base class: a request the gateway understood but must refuse."""

    code = "error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        """The `error` object both edges answer with (REST body, socket ack)."""
        return {"code": self.code, "message": self.message}


class InvalidInput(HandoffError):
    code = "invalid_input"
    status = 400


class UnknownEvent(HandoffError):
    """A socket event no handler of the namespace answers to."""

    code = "unknown_event"
    status = 400


class InternalError(HandoffError):
    """A handler failed unexpectedly; the client still gets an answer (and the log the trace)."""

    code = "internal_error"
    status = 500


class NotAuthenticated(HandoffError):
    code = "not_authenticated"
    status = 401


class Forbidden(HandoffError):
    code = "forbidden"
    status = 403


class NotFound(HandoffError):
    code = "not_found"
    status = 404


class AlreadyClaimed(HandoffError):
    code = "already_claimed"
    status = 409


class WrongState(HandoffError):
    """The conversation is not in a state that allows this (e.g. resolving a queued one)."""

    code = "wrong_state"
    status = 409


class NotOwner(HandoffError):
    code = "not_owner"
    status = 403


class AgentAtCapacity(HandoffError):
    code = "agent_at_capacity"
    status = 409


class AgentExists(HandoffError):
    code = "agent_exists"
    status = 409


class OverBudget(HandoffError):
    """A remedy above what this agent may give on their own (settings/make_it_right.yml)."""

    code = "over_budget"
    status = 409


class StoreNotAvailable(HandoffError):
    """The shop's database is not configured or did not answer."""

    code = "store_unavailable"
    status = 503


class InvalidIdentity(HandoffError):
    """An `identify` claim that is malformed or not signed with the shop's secret."""

    code = "invalid_identity"
    status = 400


class IdentityNotEnabled(HandoffError):
    """`identify` on a gateway whose shop has not configured signed identity."""

    code = "identity_not_enabled"
    status = 400


class RateLimited(HandoffError):
    """Too many attempts: refused before any work is done. `retry_after` is whole seconds
    (the REST edge also sends it as the Retry-After header)."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "retry_after": self.retry_after}


class TokenInQuery(HandoffError):
    """A bearer token in a URL's query string, where access logs, proxies and browser
    history keep it; tokens go in the Authorization header or socket.io `auth`."""

    code = "token_in_query"
    status = 400


class OriginNotAllowed(HandoffError):
    """A browser page from an origin the gateway does not serve or trust (HANDOFF_CORS_ORIGINS)."""

    code = "origin_not_allowed"
    status = 403
