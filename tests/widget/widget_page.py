"""The widget as a test sees it: a thin wrapper over a Playwright page on the demo shop."""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import Page, expect

from tests.widget.support import ARTIFACTS

# A message as the widget shows it: (role from its CSS class, bubble text, pending?), without
# the local greeting (shown only while the conversation is empty).
MESSAGES_JS = """() => Array.from(document.querySelectorAll('.sc-log > li:not(.sc-greeting)')).map(li => {
  const cls = Array.from(li.classList).find(c => c.startsWith('sc-from-')) || (li.classList.contains('sc-join') ? 'sc-from-join' : '');
  const bubble = li.querySelector('.sc-bubble');
  return [cls.replace('sc-from-', ''), bubble ? bubble.textContent : li.textContent,
          li.classList.contains('sc-pending')];
})"""


class WidgetPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    async def goto(self, path: str = "/") -> None:
        await self.page.goto(self.base_url + path)
        await self.page.wait_for_function("() => window.StoreChat && StoreChat.instance()")

    async def wait_online(self) -> None:
        await expect(self.page.locator(".sc-root")).to_have_attribute("data-conn", "online")
        await self.page.wait_for_function("() => StoreChat.instance().state().sessionId !== null")

    async def open(self) -> None:
        if not await self.page.locator(".sc-panel").is_visible():
            await self.page.click(".sc-launcher")
        await expect(self.page.locator(".sc-panel")).to_be_visible()

    async def send(self, text: str) -> None:
        await self.page.fill(".sc-input", text)
        await self.page.press(".sc-input", "Enter")

    async def messages(self) -> list[tuple[str, str, bool]]:
        raw = await self.page.evaluate(MESSAGES_JS)
        return [(r, t, p) for r, t, p in raw]

    async def sent_messages(self) -> list[tuple[str, str]]:
        """Delivered messages only (no pending ones), without the local greeting."""
        return [(r, t) for r, t, pending in await self.messages() if not pending]

    async def state(self) -> dict[str, Any]:
        value = await self.page.evaluate("() => StoreChat.instance().state()")
        assert isinstance(value, dict)
        return value

    async def wait_for_message(self, role: str, contains: str, timeout: float = 15000) -> None:
        await self.page.wait_for_function(
            f"""() => ({MESSAGES_JS})().some(([r, t, p]) => r === {json.dumps(role)} && !p
                                            && t.includes({json.dumps(contains)}))""",
            timeout=timeout,
        )

    async def wait_outbox_empty(self) -> None:
        await self.page.wait_for_function("() => StoreChat.instance().state().outbox === 0")

    async def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
