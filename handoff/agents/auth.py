"""Agent accounts and logins: argon2id password hashes, opaque bearer tokens stored hashed."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from handoff.errors import Forbidden, InvalidInput, NotAuthenticated
from handoff.persistence import queries
from handoff.persistence.records import AGENT_ROLES, Agent
from handoff.persistence.tables import Database

MIN_PASSWORD_CHARS = 10


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
    def __init__(self, database: Database, session_hours: float, clock: Callable[[], float]) -> None:
        self.db = database
        self.session_seconds = session_hours * 3600
        self.clock = clock
        self.hasher = PasswordHasher()
        # Verifying against this when the username is unknown keeps the timing the same,
        # so a login form does not reveal which usernames exist.
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _off_loop(self, work: Callable[..., Any], *args: Any) -> Any:
        # argon2 is deliberately slow; keep it off the event loop and off the DB worker.
        return await asyncio.get_running_loop().run_in_executor(None, work, *args)

    async def login(self, username: Any, password: Any) -> Login:
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidInput("username and password are required strings")
        found = await self.db.run(queries.agent_credentials, username)
        password_hash = found[1] if found else self._dummy_hash
        valid = await self._off_loop(self._verify, password_hash, password)
        if not found or not valid:
            raise NotAuthenticated("wrong username or password")
        agent = found[0]
        token = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + self.session_seconds

        def work(conn: Any) -> Agent:
            queries.create_agent_session(conn, token_hash(token), agent.id, now, expires)
            if self.hasher.check_needs_rehash(password_hash):
                queries.set_password_hash(conn, agent.id, self.hasher.hash(password))
            return queries.set_presence(conn, agent.id, "available")

        agent = await self.db.run(work)
        return Login(token=token, agent=agent, expires_at=expires)

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

    async def logout(self, token: str, agent: Agent) -> None:
        def work(conn: Any) -> None:
            queries.delete_agent_session(conn, token_hash(token))
            queries.set_presence(conn, agent.id, "offline")

        await self.db.run(work)

    def create_agent_sync(self, username: str, display_name: str, password: str, role: str) -> Agent:
        """For the CLI: validate, hash and insert (raises AgentExists)."""
        validate_new_agent(username, display_name, password, role)
        password_hash = self.hasher.hash(password)
        return self.db.run_sync(
            queries.insert_agent, username, display_name, password_hash, role=role, now=self.clock()
        )
