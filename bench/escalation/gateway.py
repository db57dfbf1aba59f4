"""The real gateway for the benchmark: in process, on a free port, in front of the live stack.

`handoff.app.create_app` with the escalation policy of settings/escalation.yml exactly as
shipped; only the plumbing differs from `make run` (a SQLite database in a temporary
folder, the live stack's Rasa and store, a longer Rasa deadline, no cap on new
conversations from one address). One agent is marked available and never answers, so an
escalation takes the path a customer meets in opening hours (queued for a person) and the
conversation leaves bot state; nobody claims it, so the bot's judgment is all that is
measured.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from handoff.app import GATEWAY, Gateway, create_app
from handoff.persistence import queries
from handoff.settings import Settings
from launcher.live_stack import LiveStack, free_port
from shop import utc_now
from shop.database import make_engine
from shop.seed import seed_store

HOST = "127.0.0.1"
# The real bot runs NLU, the feelings components, actions and the NLG server on a shared
# 2-core machine; the product's 6 s deadline would measure the machine's load, not judgment.
RASA_TIMEOUT_S = 30.0
# Long-polling clients answer pings on their next request: on a busy machine 1 s (the
# tests' value) can drop a customer mid-conversation.
PING_INTERVAL_S = 5.0
PING_TIMEOUT_S = 20.0
# Every customer of the benchmark comes from 127.0.0.1, one new conversation every few
# seconds: the per-address cap on new conversations guards the internet edge, not this.
NEW_SESSIONS_PER_ADDRESS = 100_000


@dataclass(frozen=True)
class BenchGateway:
    """A running gateway: its URL for the customers, its insides for settling and reading rows."""

    url: str
    gateway: Gateway


@asynccontextmanager
async def running_gateway(
    stack: LiveStack, workdir: Path, rasa_timeout_s: float = RASA_TIMEOUT_S
) -> AsyncIterator[BenchGateway]:
    """The gateway, pointed at `stack`'s Rasa and store, with one available agent."""
    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'handoff.db'}",
        secret=secrets.token_hex(32).encode(),
        host=HOST,
        rasa_url=stack.rasa_url,
        rasa_token=stack.rasa_token,
        rasa_timeout=rasa_timeout_s,
        store_database_url=stack.store_database_url,
        ping_interval=PING_INTERVAL_S,
        ping_timeout=PING_TIMEOUT_S,
        new_sessions_per_address=NEW_SESSIONS_PER_ADDRESS,
        widget_dir=workdir / "no-widget",
        console_dir=workdir / "no-console",
    )
    app = create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    try:
        await web.TCPSite(runner, HOST, port).start()
        gateway = app[GATEWAY]
        await _available_agent(gateway)
        yield BenchGateway(f"http://{HOST}:{port}", gateway)
    finally:
        await runner.cleanup()


async def _available_agent(gateway: Gateway) -> None:
    password_hash = gateway.auth.hasher.hash(secrets.token_urlsafe(16))
    agent = await gateway.database.run(
        queries.insert_agent, "bench-agent", "Bench Agent", password_hash, role="agent", now=time.time()
    )
    await gateway.database.run(queries.set_presence, agent.id, "available")


class StoreReseeder:
    """Puts the live stack's shop back to its seeded state, so one conversation's refund or
    cancellation never changes what the next one is told."""

    def __init__(self, store_database_url: str) -> None:
        self._engine = make_engine(store_database_url)

    async def reseed(self) -> None:
        # The same data `python -m shop.seed` writes (dates relative to today), off the loop.
        await asyncio.to_thread(seed_store, self._engine, utc_now().date())

    def close(self) -> None:
        self._engine.dispose()
