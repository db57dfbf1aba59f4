"""A stock Rasa web widget (the rasa-webchat package, unmodified UMD build) holds a
conversation with our gateway: session handshake, user_uttered, bot_uttered with quick
replies, and the same session after a reload."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from tests.widget.support import ARTIFACTS, STOCK_WEBCHAT, GatewayProcess, serve_stock_webchat


# rasa-webchat 1.0.1 renders a bot_uttered only when its keys are exactly {text} or
# {text, quick_replies|buttons} once it strips `metadata`: this guards the gateway keeping its
# extras under `metadata`.
async def test_stock_rasa_webchat_talks_to_the_gateway(
    browser: BrowserContext, gateway: GatewayProcess
) -> None:
    if not STOCK_WEBCHAT.exists():
        pytest.fail(f"{STOCK_WEBCHAT} is missing: run `npm ci` at the repository root")
    page = browser.pages[0] if browser.pages else await browser.new_page()
    async with serve_stock_webchat(gateway.url) as url:
        await page.goto(url)
        box = page.locator(".rw-new-message")
        await expect(box).to_be_visible(timeout=15000)
        await box.fill("Hello from a stock widget")
        await box.press("Enter")
        await expect(page.locator(".rw-client").last).to_contain_text("Hello from a stock widget")
        # Rasa is unreachable in this module: the gateway's honest reply and its quick reply.
        await expect(page.locator(".rw-response").last).to_contain_text("trouble answering", timeout=15000)
        await expect(page.locator(".rw-reply", has_text="Talk to a person")).to_be_visible()
        session = await page.evaluate("() => JSON.parse(localStorage.getItem('chat_session')).session_id")
        assert isinstance(session, str) and len(session) == 64
        await page.screenshot(path=str(ARTIFACTS / "stock-rasa-webchat.png"))

        await page.reload()
        await expect(page.locator(".rw-client").last).to_contain_text("Hello from a stock widget")
        await box.fill("Still the same conversation?")
        await box.press("Enter")
        await expect(page.locator(".rw-response")).to_have_count(2, timeout=15000)
        again = await page.evaluate("() => JSON.parse(localStorage.getItem('chat_session')).session_id")
        assert again == session
