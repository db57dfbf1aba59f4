"""Fixtures for the gateway tests: a real gateway on a real port, a fake Rasa on another,
real socket.io clients, and every database test on SQLite AND PostgreSQL.

PostgreSQL: 127.0.0.1:5432, user postgres, trust auth, database `test` (override with
HANDOFF_TEST_POSTGRES_URL). Each test gets a fresh schema, dropped afterwards. A missing
server fails the tests rather than skipping them.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import sqlalchemy
from aiohttp.test_utils import TestServer

from handoff.app import GATEWAY, Gateway, create_app
from handoff.persistence import queries
from handoff.settings import Settings
from shop import StoreService
from tests.handoff.clients import Agent, Customer
from tests.handoff.fake_rasa import TOKEN, FakeRasa
from tests.support.teardown import bounded

POSTGRES_URL = os.environ.get("HANDOFF_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'handoff.db'}"
        return
    schema = f"handoff_test_{secrets.token_hex(6)}"
    admin = sqlalchemy.create_engine(POSTGRES_URL, future=True)
    with admin.begin() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in POSTGRES_URL else "?"
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest_asyncio.fixture
async def fake_rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def base_settings(database_url: str, rasa_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret=secrets.token_hex(32).encode(),
        rasa_url=rasa_url,
        rasa_token=TOKEN,
        rasa_timeout=2.0,
        # Long-polling clients hold a request open up to one ping interval; keep teardown fast.
        ping_interval=1.0,
        ping_timeout=1.0,
        store_database_url=None,
        widget_dir=tmp_path / "no-widget",
        console_dir=tmp_path / "no-console",
    )


@dataclass
class Running:
    url: str
    gateway: Gateway
    rasa: FakeRasa
    http: aiohttp.ClientSession
    server: TestServer
    clients: list[Any] = field(default_factory=list)

    def customer(self) -> Customer:
        client = Customer(self.url)
        self.clients.append(client)
        return client

    def agent(self) -> Agent:
        client = Agent(self.url, self.http)
        self.clients.append(client)
        return client

    async def create_agent(
        self, username: str, name: str, presence: str = "offline", role: str = "agent"
    ) -> str:
        auth = self.gateway.auth
        password_hash = auth.hasher.hash(PASSWORD)
        agent = await self.gateway.database.run(
            queries.insert_agent, username, name, password_hash, role=role, now=time.time()
        )
        if presence != "offline":
            await self.gateway.database.run(queries.set_presence, agent.id, presence)
        return agent.id

    async def logged_in_agent(self, username: str, name: str, connect: bool = True) -> Agent:
        await self.create_agent(username, name)
        client = self.agent()
        await client.login(username, PASSWORD)
        if connect:
            await client.connect()
        return client

    async def settle(self) -> None:
        """Wait until background turns (bot replies, Rasa bookkeeping) have finished."""
        await self.gateway.customers.drain()
        await self.gateway.agents.drain()


StartGateway = Callable[..., Awaitable[Running]]


@pytest_asyncio.fixture
async def start_gateway(
    database_url: str, fake_rasa: tuple[FakeRasa, str], tmp_path: Path
) -> AsyncIterator[StartGateway]:
    fake, rasa_url = fake_rasa
    running: list[Running] = []

    async def start(shop: StoreService | None = None, **overrides: Any) -> Running:
        """A gateway with these settings overrides, on `shop` (the store) when given."""
        settings = replace(base_settings(database_url, rasa_url, tmp_path), **overrides)
        app = create_app(settings, shop=shop)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        http = aiohttp.ClientSession()
        instance = Running(str(server.make_url("")).rstrip("/"), app[GATEWAY], fake, http, server)
        running.append(instance)
        return instance

    yield start
    for instance in running:
        clients = asyncio.gather(*(client.disconnect() for client in instance.clients))
        await bounded(clients, "client disconnects")
        await bounded(instance.settle(), "gateway settle")
        await bounded(instance.http.close(), "http session close")
        await bounded(instance.server.close(), "gateway server close")


@pytest_asyncio.fixture
async def gw(start_gateway: StartGateway) -> Running:
    return await start_gateway()
