"""Agent accounts and logins: argon2id password hashes, opaque bearer tokens stored hashed,
login limits (handoff/agents/login_guard.py), every login in the audit log, and the role
each endpoint and event needs."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from handoff.agents import audit
from handoff.agents.login_guard import LoginGuard, LoginLimits
from handoff.errors import Forbidden, InvalidInput, NotAuthenticated
from handoff.persistence import queries
from handoff.persistence.records import AGENT_ROLES, Agent
from handoff.persistence.tables import Database
from handoff.settings import Settings

logger = logging.getLogger(__name__)

MIN_PASSWORD_CHARS = 10
# argon2 hashes whatever it is given; a megabyte "password" must not cost more than a real one.
MAX_PASSWORD_CHARS = 1024
MAX_USERNAME_CHARS = 80

# Who may call what (docs/agent-api.md lists every endpoint and event with its roles).
ANY_AGENT: tuple[str, ...] = AGENT_ROLES
SUPERVISORS: tuple[str, ...] = ("supervisor",)


def require_role(agent: Agent, roles: tuple[str, ...], what: str) -> None:
    if agent.role not in roles:
        raise Forbidden(f"{what} needs the {' or '.join(roles)} role; you are {agent.role}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Login:
    token: str
    agent: Agent
    expires_at: float


def validate_new_agent(username: str, display_name: str, password: str, role: str) -> None:
    if (
        not username
        or len(username) > 80
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        raise InvalidInput("username must be 1-80 letters, digits, '.', '_' or '-'")
    if not display_name.strip() or len(display_name) > 120:
        raise InvalidInput("display name must be 1-120 characters")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD_CHARS} characters")
    if role not in AGENT_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(AGENT_ROLES)}")


class AgentAuth:
    def __init__(
        self,
        database: Database,
        session_hours: float,
        clock: Callable[[], float],
        guard: LoginGuard | None = None,
    ) -> None:
        self.db = database
        self.session_seconds = session_hours * 3600
        self.clock = clock
        self.guard = guard or LoginGuard(LoginLimits.from_settings(Settings()), clock)
        self.hasher = PasswordHasher()
        # Verifying against this when the username is unknown keeps the timing the same,
        # so a login form does not reveal which usernames exist.
        started = time.perf_counter()
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))
        self.guard.pool.seconds_per_hash = time.perf_counter() - started

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def login(self, username: Any, password: Any, ip: str) -> Login:
        """Check the limits, then the password (on argon2's own threads); audit either way."""
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidInput("username and password are required strings")
        if not username or len(username) > MAX_USERNAME_CHARS:
            raise InvalidInput(f"username must be 1-{MAX_USERNAME_CHARS} characters")
        if len(password) > MAX_PASSWORD_CHARS:
            raise InvalidInput(f"password must be at most {MAX_PASSWORD_CHARS} characters")
        async with self.guard.attempt(username, ip):
            found = await self.db.run(queries.agent_credentials, username)
            password_hash = found[1] if found else self._dummy_hash
            valid = await self.guard.pool.run(self._verify, password_hash, password)
            if found is None or not valid:
                await self._failed(username, ip, found[0] if found else None)
                raise NotAuthenticated("wrong username or password")
            self.guard.succeeded(username)
            rehashed = None
            if self.hasher.check_needs_rehash(password_hash):
                rehashed = await self.guard.pool.run(self.hasher.hash, password)
        agent = found[0]
        token = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + self.session_seconds

        def work(conn: Connection) -> Agent:
            queries.create_agent_session(conn, token_hash(token), agent.id, now, expires)
            if rehashed is not None:
                queries.set_password_hash(conn, agent.id, rehashed)
            queries.append_audit(conn, at=now, agent_id=agent.id, action=audit.LOGIN, target=username, ip=ip)
            return queries.set_presence(conn, agent.id, "available")

        agent = await self.db.run(work)
        return Login(token=token, agent=agent, expires_at=expires)

    async def _failed(self, username: str, ip: str, agent: Agent | None) -> None:
        """Count the failure and audit it, with any lockout it starts."""
        lockouts = self.guard.failed(username, ip)
        now = self.clock()
        reason = "wrong_password" if agent else "unknown_username"
        agent_id = agent.id if agent else None

        def work(conn: Connection) -> None:
            queries.append_audit(
                conn,
                at=now,
                agent_id=agent_id,
                action=audit.LOGIN_FAILED,
                target=username,
                ip=ip,
                detail={"reason": reason},
            )
            for lockout in lockouts:
                queries.append_audit(
                    conn,
                    at=now,
                    agent_id=agent_id,
                    action=audit.LOGIN_LOCKED,
                    target=username,
                    ip=ip,
                    detail={"scope": lockout.scope, "until": lockout.until},
                )

        await self.db.run(work)
        for lockout in lockouts:
            logger.warning("logins locked for %s %s until %.0f", lockout.scope, lockout.key, lockout.until)

    async def authenticate(self, token: str | None) -> Agent:
        """The agent behind a bearer token, checked on every request and socket event."""
        if not token:
            raise NotAuthenticated("log in first (missing token)")
        agent = await self.db.run(queries.agent_for_token, token_hash(token), self.clock())
        if agent is None:
            raise NotAuthenticated("your session expired or is invalid; log in again")
        if agent.role not in AGENT_ROLES:
            raise Forbidden("this account may not use the agent console")
        return agent

    async def logout(self, token: str, agent: Agent, ip: str) -> None:
        now = self.clock()

        def work(conn: Connection) -> None:
            queries.delete_agent_session(conn, token_hash(token))
            queries.set_presence(conn, agent.id, "offline")
            queries.append_audit(conn, at=now, agent_id=agent.id, action=audit.LOGOUT, target=None, ip=ip)

        await self.db.run(work)

    async def revoke_exposed(self, token: str, ip: str) -> None:
        """A token sent in a URL is in access logs and browser history now: end its session."""
        now = self.clock()

        def work(conn: Connection) -> None:
            agent = queries.agent_for_token(conn, token_hash(token), now)
            if agent is None:
                return
            queries.delete_agent_session(conn, token_hash(token))
            queries.append_audit(
                conn,
                at=now,
                agent_id=agent.id,
                action=audit.TOKEN_REVOKED,
                target=None,
                ip=ip,
                detail={"reason": "token_in_query"},
            )

        await self.db.run(work)

    def create_agent_sync(self, username: str, display_name: str, password: str, role: str) -> Agent:
        """For the CLI: validate, hash and insert (raises AgentExists)."""
        validate_new_agent(username, display_name, password, role)
        password_hash = self.hasher.hash(password)
        return self.db.run_sync(
            queries.insert_agent, username, display_name, password_hash, role=role, now=self.clock()
        )
