"""The audit log from the agents' side: what is recorded (the actions below, each with the
agent, the target, the time and the client's IP) and how a supervisor reads it.

Rows are only ever appended (handoff/persistence/tables.py: no query changes or deletes
one, and database triggers refuse to). Logins and logouts are written in the same
transaction as the session they open or close (handoff/agents/auth.py); every other action
is written once it has succeeded, and a read is written before the data is returned.
Refused attempts are not written one by one (a flood would become a flood of rows), except
failed logins, which the login limits bound, and the lockouts they cause.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from handoff.errors import InvalidInput
from handoff.persistence import queries
from handoff.persistence.queries import AuditFilter
from handoff.persistence.records import Agent, AuditEntry
from handoff.persistence.tables import Database

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_LOCKED = "login_locked"
LOGOUT = "logout"
TOKEN_REVOKED = "token_revoked"
CONVERSATION_READ = "conversation_read"
CLAIM = "claim"
REPLY = "reply"
NOTE = "note"
REMEDY = "remedy"
APPROVAL = "approval"
TRANSFER = "transfer"
RESOLVE = "resolve"
CLOSE = "close"
FORBIDDEN = "forbidden"
AUDIT_READ = "audit_read"

ACTIONS = (
    LOGIN,
    LOGIN_FAILED,
    LOGIN_LOCKED,
    LOGOUT,
    TOKEN_REVOKED,
    CONVERSATION_READ,
    CLAIM,
    REPLY,
    NOTE,
    REMEDY,
    APPROVAL,
    TRANSFER,
    RESOLVE,
    CLOSE,
    FORBIDDEN,
    AUDIT_READ,
)

MAX_PAGE = 500
DEFAULT_PAGE = 100


class AuditTrail:
    """Writes an agent's action, and reads the log back for supervisors."""

    def __init__(self, database: Database, clock: Callable[[], float]) -> None:
        self.db = database
        self.clock = clock

    async def record(
        self, agent: Agent, action: str, target: str | None, ip: str, detail: dict[str, Any] | None = None
    ) -> None:
        await self.db.run(
            queries.append_audit,
            at=self.clock(),
            agent_id=agent.id,
            action=action,
            target=target,
            ip=ip,
            detail=detail,
        )

    async def read(self, where: AuditFilter) -> list[AuditEntry]:
        return list(await self.db.run(queries.audit_entries, where))


def parse_filter(query: Mapping[str, str]) -> AuditFilter:
    """`GET /audit`'s query: agent_id, action, target, since, until, before, limit."""
    known = {"agent_id", "action", "target", "since", "until", "before", "limit"}
    unknown = sorted(set(query) - known)
    if unknown:
        raise InvalidInput(f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    action = query.get("action") or None
    if action is not None and action not in ACTIONS:
        raise InvalidInput(f"'action' must be one of {', '.join(ACTIONS)}")
    limit = _integer(query, "limit", DEFAULT_PAGE)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"'limit' must be 1-{MAX_PAGE}")
    before = query.get("before")
    return AuditFilter(
        agent_id=query.get("agent_id") or None,
        action=action,
        target=query.get("target") or None,
        since=_seconds(query, "since"),
        until=_seconds(query, "until"),
        before_id=_integer(query, "before", 0) if before else None,
        limit=limit,
    )


def _integer(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput(f"'{name}' must be a whole number") from exc


def _seconds(query: Mapping[str, str], name: str) -> float | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise InvalidInput(f"'{name}' must be a time in Unix seconds") from exc
    if not math.isfinite(value):
        raise InvalidInput(f"'{name}' must be a time in Unix seconds")
    return value
