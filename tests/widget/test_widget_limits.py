"""The widget against a gateway with tight limits, in real headless Chromium: a message the
gateway refuses with `rate_limited` stays in the outbox, the customer sees a calm notice, and
it is sent by itself after `retry_after`; a page that cannot start a conversation yet (too many
new ones from one address) waits and connects."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from tests.widget.support import GatewayProcess
from tests.widget.tuned_gateway import tuned_gateway
from tests.widget.widget_page import WidgetPage

MESSAGE_SECONDS = 3  # one message every 3 s once the burst of 2 is spent
WINDOW_SECONDS = 6
SESSIONS_PER_WINDOW = 2


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    settings = {
        "HANDOFF_CONNECTION_MESSAGES_BURST": "2",
        "HANDOFF_CONNECTION_MESSAGES_PER_MINUTE": str(60 // MESSAGE_SECONDS),
        "HANDOFF_NEW_SESSIONS_PER_ADDRESS": str(SESSIONS_PER_WINDOW),
        "HANDOFF_NEW_SESSIONS_WINDOW_SECONDS": str(WINDOW_SECONDS),
    }
    with tuned_gateway(tmp_path_factory.mktemp("widget-limits"), settings) as process:
        yield process


async def test_a_rate_limited_message_waits_calmly_in_the_outbox_and_is_sent_after_retry_after(
    page: Page, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    texts = ["My order is late", "It was due on Monday", "The number is ORD-10003", "Can you check?"]
    for text in texts:
        await widget.send(text)
    notice = page.locator(".sc-notice")
    await expect(notice).to_contain_text("faster than we can take them")
    await expect(notice).to_contain_text(f"in {MESSAGE_SECONDS} s; nothing is lost")
    await expect(notice).to_have_attribute("role", "status")
    held = page.locator(".sc-pending").first
    await expect(held).to_contain_text("Will send in a moment")
    await expect(page.locator(".sc-alert")).to_be_hidden()  # a pause, not an error
    assert (await widget.state())["outbox"] >= 1
    await widget.screenshot("rate-limited")

    # Nothing is lost and nothing doubles: every message is sent, in order, by itself.
    await page.wait_for_function(
        "() => StoreChat.instance().state().outbox === 0", timeout=4 * MESSAGE_SECONDS * 1000
    )
    await expect(notice).to_be_hidden()
    sent = [text for role, text in await widget.sent_messages() if role == "customer"]
    assert sent == texts
    await expect(page.locator(".sc-failed")).to_have_count(0)


async def test_a_page_that_may_not_start_a_conversation_yet_waits_and_connects(
    page: Page, gateway: GatewayProcess
) -> None:
    await asyncio.sleep(WINDOW_SECONDS)  # an empty window, whatever ran before
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.wait_online()
    # More visitors from the same address: a widget with its own storage key has no session
    # to resume, so each one starts a conversation.
    for n in range(1, SESSIONS_PER_WINDOW + 1):
        await page.evaluate("key => StoreChat.init({ storageKey: key, startOpen: true })", f"visitor-{n}")
        if n < SESSIONS_PER_WINDOW:
            await widget.wait_online()
    notice = page.locator(".sc-notice")
    await expect(notice).to_contain_text("Many chats are starting from your network")
    await expect(notice).to_contain_text("connect you in")
    assert (await widget.state())["sessionId"] is None
    await widget.send("Hello, is anyone there?")  # kept meanwhile, sent once connected
    await widget.screenshot("new-sessions-capped")
    await page.wait_for_function(
        "() => StoreChat.instance().state().sessionId !== null", timeout=2 * WINDOW_SECONDS * 1000
    )
    await widget.wait_outbox_empty()
    await expect(notice).to_be_hidden()
    assert [t for r, t in await widget.sent_messages() if r == "customer"] == ["Hello, is anyone there?"]
