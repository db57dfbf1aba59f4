"""The widget's session over time, in real headless Chromium against a gateway whose ids rotate
after 2 s (the old one working 1 s more) and expire after 4 s idle: a rotated id is stored and
the conversation goes on, in every tab; an expired one starts a new conversation and says so
plainly, "Forget this conversation" clears
the device and ends the session on the server, and the local cache holds at most 30 messages
(none when the shop says so)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.handoff.clients import TRANSPORTS, WAIT, Customer
from tests.widget.support import DroppableProxy, GatewayProcess
from tests.widget.tuned_gateway import tuned_gateway
from tests.widget.widget_page import WidgetPage

ROTATE_SECONDS = 2
GRACE_SECONDS = 1
IDLE_SECONDS = 4
TROUBLE = "trouble answering"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    settings = {
        "HANDOFF_SESSION_ROTATE_SECONDS": str(ROTATE_SECONDS),
        "HANDOFF_SESSION_ROTATION_GRACE_SECONDS": str(GRACE_SECONDS),
        "HANDOFF_SESSION_IDLE_SECONDS": str(IDLE_SECONDS),
        "HANDOFF_CONNECTION_MESSAGES_BURST": "100",
        "HANDOFF_CONVERSATION_MESSAGES_BURST": "100",
    }
    with tuned_gateway(tmp_path_factory.mktemp("widget-sessions"), settings) as process:
        yield process


async def stored(page: Page, key: str = "store-chat") -> dict[str, Any]:
    raw = await page.evaluate("k => localStorage.getItem(k)", key)
    value: dict[str, Any] = json.loads(raw) if raw else {}
    return value


async def chat(widget: WidgetPage, text: str) -> None:
    await widget.send(text)
    await widget.wait_for_message("customer", text)
    await widget.page.wait_for_function(
        f"() => document.querySelectorAll('.sc-from-system').length >= {await widget.page.locator('.sc-from-customer').count()}"
    )


async def test_a_rotated_id_is_stored_and_the_conversation_goes_on(
    page: Page, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    await chat(widget, "Where is my parcel?")
    before = await widget.sent_messages()
    first_id = (await widget.state())["sessionId"]
    await asyncio.sleep(ROTATE_SECONDS + 0.5)
    await widget.goto()
    await widget.wait_online()
    await page.wait_for_function("id => StoreChat.instance().state().sessionId !== id", arg=first_id)
    after = await stored(page)
    assert after["sessionId"] != first_id and len(after["sessionId"]) == 64
    assert after["rotatedFrom"] == first_id
    assert await widget.sent_messages() == before  # the same conversation, nothing twice
    await expect(page.locator(".sc-notice")).to_be_hidden()
    await expect(page.locator(".sc-alert")).to_be_hidden()
    await chat(widget, "Still me")
    assert [t for r, t in await widget.sent_messages() if r == "customer"] == [
        "Where is my parcel?",
        "Still me",
    ]


async def test_a_tab_that_missed_the_rotation_follows_the_new_id_from_storage(
    page: Page, browser: BrowserContext, proxy: DroppableProxy
) -> None:
    first = WidgetPage(page, proxy.url)
    await first.goto()
    await first.open()
    await first.wait_online()
    await chat(first, "Two tabs, one conversation")
    second = WidgetPage(await browser.new_page(), proxy.url)
    await second.goto()
    await second.wait_online()
    old_id = (await second.state())["sessionId"]
    await asyncio.sleep(ROTATE_SECONDS + 0.5)
    await first.goto()  # this tab's reconnect rotates the id; the other tab keeps the old one
    await first.wait_online()
    await first.page.wait_for_function("id => StoreChat.instance().state().sessionId !== id", arg=old_id)
    await asyncio.sleep(GRACE_SECONDS + 0.5)  # the old id is now refused by the gateway
    proxy.drop()
    await expect(second.page.locator(".sc-root")).to_have_attribute("data-conn", "offline")
    proxy.restore()
    await second.page.evaluate("() => window.dispatchEvent(new Event('online'))")
    await second.wait_online()
    # The second tab took the new id from storage: same conversation, nothing lost or doubled.
    assert (await second.state())["sessionId"] != old_id
    await expect(second.page.locator(".sc-notice")).to_be_hidden()
    await expect(second.page.locator(".sc-alert")).to_be_hidden()
    await second.open()
    await chat(second, "Written in the second tab")
    await first.wait_for_message("customer", "Written in the second tab")
    assert [t for r, t in await second.sent_messages() if r == "customer"] == [
        "Two tabs, one conversation",
        "Written in the second tab",
    ]


async def test_an_expired_id_starts_a_new_conversation_and_says_so(
    page: Page, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    await chat(widget, "My card was charged twice")
    old_id = (await widget.state())["sessionId"]
    await page.goto("about:blank")  # the customer leaves; the gateway notes when
    await asyncio.sleep(IDLE_SECONDS + 1)
    await widget.goto()
    await widget.wait_online()
    notice = page.locator(".sc-notice")
    await expect(notice).to_contain_text("inactive for a long time, so for your privacy it was closed")
    await expect(notice).to_contain_text("This is a new conversation.")
    assert (await widget.state())["sessionId"] != old_id
    assert await widget.sent_messages() == []
    await expect(page.locator(".sc-greeting")).to_be_visible()
    await widget.screenshot("session-expired")


async def test_forget_this_conversation_clears_the_device_and_ends_the_session(
    page: Page, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    await chat(widget, "My address is 12 Elm Street")
    old_id = (await widget.state())["sessionId"]
    assert "12 Elm Street" in json.dumps(await stored(page))

    await page.get_by_role("button", name="Forget this conversation").click()
    await expect(page.locator(".sc-footer")).to_contain_text(
        "Remove this conversation from this device and end it?"
    )
    keep = page.get_by_role("button", name="Keep it")
    await expect(keep).to_be_focused()  # the safe choice first
    await widget.screenshot("forget-confirm")
    await page.get_by_role("button", name="Forget it").click()

    await expect(page.locator(".sc-notice")).to_contain_text("removed from this device and ended")
    await widget.wait_online()
    assert await widget.sent_messages() == []
    await expect(page.locator(".sc-greeting")).to_be_visible()
    saved = await stored(page)
    assert saved.get("sessionId") != old_id and "12 Elm Street" not in json.dumps(saved)
    await widget.screenshot("forgotten")

    # On the server the old id opens nothing any more.
    customer = Customer(gateway.url)
    try:
        await customer.sio.connect(gateway.url, transports=TRANSPORTS, wait_timeout=WAIT)
        ack = await customer.sio.call("session_request", {"session_id": old_id, "last_seq": 0}, timeout=WAIT)
        assert ack["refused"] is True and ack["reason"] == "session_ended"
    finally:
        await customer.disconnect()
    # And the widget goes on in its new conversation.
    await chat(widget, "A new question")


async def test_the_local_cache_keeps_30_messages_and_the_reload_shows_them_all(
    page: Page, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    for n in range(16):  # each gets the gateway's "trouble answering": 32 messages
        await chat(widget, f"Question {n}")
    shown = await widget.sent_messages()
    assert len(shown) == 32
    cached = (await stored(page))["messages"]
    assert len(cached) == 30
    assert [m["seq"] for m in cached] == list(range(3, 33))
    await widget.goto()
    await widget.wait_online()
    await page.wait_for_function("() => document.querySelectorAll('.sc-log > li').length === 32")
    assert await widget.sent_messages() == shown


# The demo page as a shop that sets `cacheMessages: 0` would serve it: every init gets it.
NO_CACHE_SHOP = """Object.defineProperty(window, "StoreChat", { configurable: true,
  get() { return this.__storeChat; },
  set(chat) { const init = chat.init; chat.init = o => init(Object.assign({}, o, { cacheMessages: 0 }));
              this.__storeChat = chat; } });"""


async def test_a_shop_can_turn_the_message_cache_off(page: Page, gateway: GatewayProcess) -> None:
    await page.add_init_script(NO_CACHE_SHOP)
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    await chat(widget, "Nothing of this on the device, please")
    saved = await stored(page)
    assert saved["messages"] == [] and saved["sessionId"]
    assert "Nothing of this" not in json.dumps(saved)
    # The conversation still comes back after a reload, from the server, and stays off the device.
    await widget.goto()
    await widget.wait_online()
    await widget.wait_for_message("customer", "Nothing of this on the device, please")
    await widget.wait_for_message("system", TROUBLE)
    assert (await stored(page))["messages"] == []
