"""The widget in real headless Chromium against the real gateway process.

Rasa is deliberately unreachable here, so each customer turn gets the gateway's honest
"trouble answering" reply at once; conversations with the trained bot are in
test_widget_live_bot.py.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from playwright.async_api import BrowserContext, Page, expect

from tests.handoff.clients import Agent
from tests.widget.journeys import agent_says, reach_agent, transcript
from tests.widget.support import DroppableProxy, GatewayProcess
from tests.widget.widget_page import WidgetPage

TROUBLE = "trouble answering"


async def test_chat_survives_reload_and_is_shared_with_a_second_tab(
    page: Page, browser: BrowserContext, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    await widget.send("Hello, where is my order?")
    await widget.wait_for_message("system", TROUBLE)
    await widget.send("Second question")
    await page.wait_for_function(
        "() => document.querySelectorAll('.sc-from-system').length === 2 && StoreChat.instance().state().outbox === 0"
    )
    before = await widget.sent_messages()
    session_id = (await widget.state())["sessionId"]
    assert [role for role, _ in before] == ["customer", "system", "customer", "system"]

    # Forget the last two messages locally: the reload must get them back from the server
    # (resync after the last seen seq) and show nothing twice.
    await page.evaluate(
        """() => { const k = 'store-chat'; const s = JSON.parse(localStorage.getItem(k));
                   s.messages = s.messages.slice(0, 2); localStorage.setItem(k, JSON.stringify(s)); }"""
    )
    await widget.goto()
    await expect(page.locator(".sc-panel")).to_be_visible()  # it was open, it stays open
    await widget.wait_online()
    await page.wait_for_function("() => document.querySelectorAll('.sc-log > li').length === 4")
    assert await widget.sent_messages() == before
    assert (await widget.state())["sessionId"] == session_id

    second = WidgetPage(await browser.new_page(), gateway.url)
    await second.goto()
    await second.wait_online()
    assert await second.sent_messages() == before
    await second.open()
    await second.send("Sent from the second tab")
    await widget.wait_for_message("customer", "Sent from the second tab")
    await second.wait_for_message("system", TROUBLE)
    await widget.page.wait_for_function("() => document.querySelectorAll('.sc-log > li').length === 6")
    assert await widget.sent_messages() == await second.sent_messages()
    await widget.screenshot("reload-and-second-tab")


async def test_handoff_drop_offline_outbox_unread_and_rating(
    page: Page, gateway: GatewayProcess, proxy: DroppableProxy, agent: Agent
) -> None:
    widget = WidgetPage(page, proxy.url)
    await widget.goto()
    marker = secrets.token_hex(3)
    conversation_id = await reach_agent(widget, agent, marker)
    await widget.screenshot("queued-then-joined")

    await agent_says(agent, conversation_id, "Hi, I'm Anna. I can see your order; let me check the courier.")
    await widget.wait_for_message("agent", "I'm Anna")
    receipt = await agent.seen.wait_for("receipt", lambda r: r.get("conversation_id") == conversation_id)
    assert receipt, receipt
    agent_item = page.locator(".sc-from-agent").first
    await expect(agent_item.locator(".sc-who")).to_have_text("Anna (support team)")
    await agent.emit("typing", {"conversation_id": conversation_id, "typing": True})
    await expect(page.locator(".sc-typing")).to_have_text("Anna is typing\u2026")
    await page.wait_for_timeout(600)  # let the "joined" divider finish its entrance
    await widget.screenshot("agent-joined")

    # The connection dies: the agent keeps writing, the customer keeps typing.
    proxy.drop()
    await expect(page.locator(".sc-root")).to_have_attribute("data-conn", "offline")
    await expect(page.locator(".sc-conn")).to_contain_text("retrying in")
    for n in (1, 2, 3):
        await agent_says(agent, conversation_id, f"While you were away {n}")
    await widget.send("Typed offline 1")
    await widget.send("Typed offline 2")
    pending = page.locator(".sc-pending")
    await expect(pending).to_have_count(2)
    await expect(pending.first).to_contain_text("Waiting for connection")
    await widget.screenshot("offline-outbox")

    proxy.restore()
    await page.evaluate("() => window.dispatchEvent(new Event('online'))")
    await widget.wait_online()
    await widget.wait_outbox_empty()
    await widget.wait_for_message("agent", "While you were away 3")
    shown = await widget.sent_messages()
    agent_lines = [text for role, text in shown if role == "agent"]
    assert agent_lines == [
        "Hi, I'm Anna. I can see your order; let me check the courier.",
        "While you were away 1",
        "While you were away 2",
        "While you were away 3",
    ]
    customer_lines = [text for role, text in shown if role == "customer"]
    assert customer_lines[-2:] == ["Typed offline 1", "Typed offline 2"]
    assert len(customer_lines) == len(set(customer_lines))
    stored = [m["text"] for m in await transcript(agent, conversation_id) if m["role"] == "customer"]
    assert stored[-2:] == ["Typed offline 1", "Typed offline 2"]
    assert stored.count("Typed offline 1") == 1 and stored.count("Typed offline 2") == 1

    # Collapsed: a new agent message shows as unread on the launcher.
    await page.keyboard.press("Escape")
    await expect(page.locator(".sc-panel")).to_be_hidden()
    await agent_says(agent, conversation_id, "Good news: it's out for delivery today.")
    badge = page.locator(".sc-badge")
    await expect(badge).to_have_text("1")
    await expect(page.locator(".sc-launcher")).to_have_attribute("aria-label", "Chat with us, 1 unread")
    await widget.screenshot("unread-badge")
    await page.click(".sc-launcher")
    await expect(badge).to_be_hidden()

    # The agent closes: the customer is asked for a rating and a comment.
    ack = await agent.emit("close", {"conversation_id": conversation_id})
    assert ack["ok"], ack
    await expect(page.locator(".sc-rating")).to_contain_text("How did we do?")
    await expect(page.locator(".sc-chip")).to_have_count(0)  # the stars replace the 1-5 chips
    await page.click("button[aria-label='Rate 5 out of 5']")
    await page.fill(".sc-rate-form textarea", "Anna was lovely")
    await page.click(".sc-rate-form button")
    await expect(page.locator(".sc-rating")).to_contain_text("Thank you for your feedback")
    await widget.screenshot("rating")
    detail = await agent.emit("watch", {"conversation_id": conversation_id})
    assert detail["rating"]["score"] == 5
    assert detail["rating"]["comment"] == "Anna was lovely"


async def test_markup_is_shown_as_text_and_only_safe_links_are_links(
    page: Page, gateway: GatewayProcess, agent: Agent
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    conversation_id = await reach_agent(widget, agent, secrets.token_hex(3))
    hostile = (
        '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
        " [click me](javascript:window.__pwned=3) see https://shop.example/track?id=1."
    )
    await agent_says(agent, conversation_id, hostile)
    await widget.send("<b>bold?</b><iframe src=javascript:alert(1)></iframe>")
    await widget.wait_for_message("agent", "<script>")
    await widget.wait_for_message("customer", "<iframe")
    log = page.locator(".sc-log")
    assert await log.locator("img, script, iframe, b").count() == 0
    assert await page.evaluate("() => window.__pwned") is None
    bubble = page.locator(".sc-from-agent .sc-bubble").last
    assert await bubble.text_content() == hostile
    links = bubble.locator("a")
    await expect(links).to_have_count(1)
    await expect(links).to_have_attribute("href", "https://shop.example/track?id=1")
    await expect(links).to_have_attribute("rel", "noopener noreferrer nofollow")
    await expect(links).to_have_attribute("target", "_blank")
    await widget.screenshot("markup-as-text")


async def test_proactive_signal_opens_the_widget_with_an_offer(page: Page, gateway: GatewayProcess) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.wait_online()
    await expect(page.locator(".sc-panel")).to_be_hidden()
    await page.click("#pay-form button")
    await expect(page.locator(".sc-panel")).to_be_visible()
    offer = page.locator(".sc-offer .sc-bubble")
    await expect(offer).to_contain_text("payment didn't go through")
    # Opened for the customer, but focus stays where they were (the shop's form).
    assert await page.evaluate("() => !document.activeElement.closest('.sc-root')")
    await widget.screenshot("proactive-offer")

    await page.click("#pay-form button")  # a second failure does not repeat the offer
    await expect(page.locator(".sc-offer")).to_have_count(1)
    bad = await page.evaluate("() => StoreChat.signal('not a valid name!', {})")
    assert bad == {"ok": False, "reason": "bad_name"}
    unconfigured = await page.evaluate("() => StoreChat.signal('cart_abandoned', {items: 2})")
    assert unconfigured == {"ok": True, "offered": False}

    await page.get_by_role("button", name="Yes, help with my payment").click()
    # The payload goes to the bot; the customer sees the words they chose.
    await widget.wait_for_message("customer", "Yes, help with my payment")
    await widget.wait_for_message("system", TROUBLE)


async def test_keyboard_only(page: Page, gateway: GatewayProcess) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.wait_online()
    launcher = page.locator(".sc-launcher")
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await launcher.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the launcher is not reachable with Tab")
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    await page.keyboard.press("Enter")
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    await expect(page.locator(".sc-input")).to_be_focused()
    await page.keyboard.type("Hello from the keyboard")
    await page.keyboard.press("Enter")
    await widget.wait_for_message("system", TROUBLE)
    await page.keyboard.press("Shift+Tab")  # back from the text box to the suggested reply
    chip = page.locator(".sc-chip", has_text="Talk to a person")
    await expect(chip).to_be_focused()
    await widget.screenshot("keyboard-focus")
    await page.keyboard.press("Enter")
    await widget.wait_for_message("customer", "Talk to a person")
    await page.keyboard.press("Escape")
    await expect(page.locator(".sc-panel")).to_be_hidden()
    await expect(launcher).to_be_focused()
    await launcher.click()
    await widget.screenshot("keyboard-reopened")
    contrast = (Path(__file__).parent / "contrast.js").read_text()
    text_elements = [
        ".sc-title",
        ".sc-subtitle",
        ".sc-conn",
        ".sc-banner",
        ".sc-bubble",
        ".sc-meta time",
        ".sc-who",
        ".sc-chip",
        ".sc-send",
        ".sc-launcher-label",
    ]
    ratios = [r for sel in text_elements for r in await page.evaluate(contrast, sel)]
    assert ratios and all(r["ratio"] >= 4.5 for r in ratios), [r for r in ratios if r["ratio"] < 4.5]
    assert await page.get_attribute(".sc-log", "role") == "log"
    assert await page.get_attribute(".sc-log", "aria-live") == "polite"


async def test_phone_width(page: Page, gateway: GatewayProcess) -> None:
    await page.set_viewport_size({"width": 375, "height": 740})
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    await widget.send("Hi from my phone")
    await widget.wait_for_message("system", TROUBLE)
    box = await page.locator(".sc-panel").bounding_box()
    assert box is not None and box["width"] == 375 and box["height"] == 740
    await widget.screenshot("phone")


async def test_too_long_message_is_refused_and_kept(page: Page, gateway: GatewayProcess) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    too_long = "x" * 4001
    # maxlength stops typing past the limit; a paste by script must still be refused clearly.
    await page.evaluate("t => { const i = document.querySelector('.sc-input'); i.value = t; }", too_long)
    await page.press(".sc-input", "Enter")
    await expect(page.locator(".sc-alert")).to_contain_text("too long (4001 characters, the limit is 4000)")
    assert await page.input_value(".sc-input") == too_long
    assert (await widget.state())["outbox"] == 0
    assert await widget.sent_messages() == []
    await expect(page.locator(".sc-greeting")).to_contain_text("What can I do for you?")


async def test_storage_is_injectable(page: Page, gateway: GatewayProcess) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    writes = await page.evaluate(
        """() => new Promise(resolve => {
             const data = {}, keys = [];
             const storage = { getItem: k => data[k] ?? null, removeItem: k => { delete data[k]; },
                               setItem: (k, v) => { keys.push(k); data[k] = v; } };
             const chat = StoreChat.init({ storage, storageKey: 'custom-key' });
             chat.on('connection', e => { if (e.state === 'online') setTimeout(() =>
               resolve({ keys: [...new Set(keys)], stored: JSON.parse(data['custom-key']) }), 500); });
           })"""
    )
    assert writes["keys"] == ["custom-key"]
    assert len(writes["stored"]["sessionId"]) == 64
    assert json.loads(await page.evaluate("() => JSON.stringify(Object.keys(localStorage))")) in (
        [],
        ["store-chat"],
    )


async def test_a_message_the_server_refuses_stays_visible_with_the_reason(
    page: Page, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    # A page configured with a higher limit than the gateway's: the server has the last word.
    await page.evaluate("() => StoreChat.init({ maxChars: 10000 })")
    await widget.open()
    await widget.wait_online()
    text = "y" * 4500
    await page.evaluate("t => { document.querySelector('.sc-input').value = t; }", text)
    await page.press(".sc-input", "Enter")
    failed = page.locator(".sc-failed")
    await expect(failed).to_contain_text("longer than 4000 characters")
    await expect(page.locator(".sc-alert")).to_contain_text("Not sent:")
    await failed.get_by_role("button", name="Edit and resend").click()
    assert await page.input_value(".sc-input") == text
    await expect(failed).to_have_count(0)
    await widget.send("A shorter one")
    await widget.wait_for_message("system", TROUBLE)


async def test_a_session_the_server_never_issued_is_refused_visibly(
    page: Page, gateway: GatewayProcess
) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    # Stop this page's widget first, or its own late save could overwrite the forgery.
    await widget.wait_online()
    forged = "0" * 64
    await page.evaluate(
        """f => StoreChat.instance().destroy() || localStorage.setItem('store-chat', JSON.stringify({ sessionId: f, open: true,
             messages: [{ key: 'x', seq: 1, role: 'bot', text: 'someone else\\'s chat', ts: 1 }],
             outbox: [{ clientId: 'c-kept', text: 'typed before the reload', ts: 2 }] }))""",
        forged,
    )
    await widget.goto()
    await widget.wait_online()
    await expect(page.locator(".sc-alert")).to_contain_text("couldn't restore your earlier conversation")
    state = await widget.state()
    assert state["sessionId"] != forged and len(state["sessionId"]) == 64
    await widget.wait_for_message("customer", "typed before the reload")  # the outbox survives
    assert "someone else" not in await page.inner_text(".sc-log")
