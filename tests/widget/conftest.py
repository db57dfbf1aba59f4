"""Fixtures for the widget's browser tests: one real gateway per module (its Rasa URL points
at a closed port, so the bot is honestly "unavailable" and every turn is fast), a droppable
proxy and a fresh headless Chromium per test, and agents on their own sockets."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, async_playwright

from tests.handoff.clients import Agent
from tests.support.teardown import bounded
from tests.widget.support import (
    AGENT_PASSWORD,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DroppableProxy,
    GatewayProcess,
    create_agent,
    free_port,
    run_gateway,
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    workdir: Path = tmp_path_factory.mktemp("widget-gateway")
    with run_gateway(workdir, rasa_url=f"http://127.0.0.1:{free_port()}") as process:
        yield process


@pytest_asyncio.fixture
async def proxy(gateway: GatewayProcess) -> AsyncIterator[DroppableProxy]:
    relay = DroppableProxy(int(gateway.url.rsplit(":", 1)[1]))
    await relay.start()
    yield relay
    await relay.close()


# What Chromium logs while the proxy is cut: expected, and not the widget's fault.
NETWORK_NOISE = ("net::ERR_", "WebSocket connection to")


@pytest_asyncio.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1100, "height": 800},
        )
        try:
            yield context
        finally:
            await context.close()


@pytest_asyncio.fixture
async def page(browser: BrowserContext) -> AsyncIterator[Page]:
    page = browser.pages[0] if browser.pages else await browser.new_page()
    # Uncaught page errors and console errors: every test expects none.
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error" and not any(net in msg.text for net in NETWORK_NOISE)
            else None
        ),
    )
    page.set_default_timeout(15000)
    yield page
    assert not errors, errors


@pytest_asyncio.fixture
async def agent(gateway: GatewayProcess) -> AsyncIterator[Agent]:
    username = f"agent_{secrets.token_hex(4)}"
    create_agent(gateway.env, username, "Anna")
    async with aiohttp.ClientSession() as http:
        person = Agent(gateway.url, http)
        await person.login(username, AGENT_PASSWORD)
        await person.connect()
        try:
            yield person
        finally:
            await bounded(person.disconnect(), "agent disconnect")
