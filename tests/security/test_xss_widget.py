"""The widget in real Chromium: markup in every field it shows (the customer's own words, the
bot's text, quick replies and images, a person's name and words) stays inert text."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, expect

from handoff.app import GATEWAY, Gateway, create_app
from handoff.persistence import queries
from handoff.settings import Settings
from tests.handoff.clients import Agent
from tests.handoff.fake_rasa import TOKEN
from tests.security.conftest import SHOW_EVERYTHING, HostileRasa
from tests.security.xss import HOSTILE, HOSTILE_NAME, INIT_SCRIPT, PAYLOADS, assert_inert, watch_dialogs
from tests.support.teardown import bounded
from tests.widget.widget_page import WidgetPage

PASSWORD = "xss tests correct horse battery"


@dataclass
class HostileStack:
    url: str
    gateway: Gateway

    async def agent(self, http: aiohttp.ClientSession, display_name: str) -> Agent:
        username = f"xss_{secrets.token_hex(3)}"
        password_hash = self.gateway.auth.hasher.hash(PASSWORD)
        await self.gateway.database.run(
            queries.insert_agent, username, display_name, password_hash, role="agent", now=time.time()
        )
        person = Agent(self.url, http)
        await person.login(username, PASSWORD)
        await person.connect()
        return person


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[HostileStack]:
    rasa = TestServer(HostileRasa().app(), host="127.0.0.1")
    await rasa.start_server()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'handoff.db'}",
        secret=secrets.token_hex(32).encode(),
        rasa_url=str(rasa.make_url("")).rstrip("/"),
        rasa_token=TOKEN,
        rasa_timeout=3.0,
        store_database_url=None,
    )
    app = create_app(settings)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield HostileStack(str(server.make_url("")).rstrip("/"), app[GATEWAY])
    finally:
        await bounded(app[GATEWAY].customers.drain(), "gateway drain")
        await bounded(server.close(), "gateway close")
        await bounded(rasa.close(), "fake Rasa close")


async def test_markup_in_everything_the_widget_shows_stays_text(stack: HostileStack, page: Page) -> None:
    await page.add_init_script(INIT_SCRIPT)
    dialogs = watch_dialogs(page)
    widget = WidgetPage(page, stack.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()

    # The customer's own words, and the bot repeating them.
    await widget.send(HOSTILE)
    await widget.wait_for_message("customer", HOSTILE)
    await widget.wait_for_message("bot", f"You said: {HOSTILE}")

    # The bot's text, quick replies, and images with script URLs.
    await widget.send(SHOW_EVERYTHING)
    await widget.wait_for_message("bot", "another")
    await page.wait_for_function(
        "() => document.querySelectorAll('.sc-log > li.sc-from-bot:not(.sc-greeting)').length === 4"
    )
    buttons = page.locator(".sc-quick button")
    await expect(buttons).to_have_count(4)
    assert await buttons.all_text_contents() == PAYLOADS[:4]
    await buttons.first.click()  # sends its payload as the customer's message
    await widget.wait_for_message("bot", f"You said: {PAYLOADS[0]}")
    assert await page.locator(".sc-log img").count() == 0  # neither image URL was safe to show

    # A person whose display name is markup joins, types and writes markup.
    async with aiohttp.ClientSession() as http:
        agent = await stack.agent(http, HOSTILE_NAME)
        try:
            await widget.send("I want to talk to a person please")
            entry = await agent.seen.wait_for("escalation", timeout=20)
            conversation_id = entry["conversation_id"]
            assert (await agent.emit("claim", {"conversation_id": conversation_id}))["ok"]
            await expect(page.locator(".sc-join")).to_contain_text(HOSTILE_NAME)
            await expect(page.locator(".sc-subtitle")).to_contain_text(HOSTILE_NAME)
            await agent.emit("typing", {"conversation_id": conversation_id, "typing": True})
            await expect(page.locator(".sc-typing")).to_contain_text(HOSTILE_NAME)
            sent = await agent.emit("send_message", {"conversation_id": conversation_id, "text": HOSTILE})
            assert sent["ok"], sent
            await widget.wait_for_message("agent", HOSTILE)
        finally:
            await bounded(agent.disconnect(), "agent disconnect")

    shown = [text for _, text in await widget.sent_messages()]
    assert HOSTILE in shown
    assert any(HOSTILE_NAME in t for t in await page.locator(".sc-who").all_text_contents())
    await assert_inert(page, dialogs)
    # A reload renders the whole stored transcript again: still inert.
    await widget.goto()
    await widget.wait_online()
    await widget.wait_for_message("agent", HOSTILE)
    await assert_inert(page, dialogs)
    await widget.screenshot("xss-inert")
