"""The agent console in real headless Chromium against the real gateway.

Each test is what an agent does in a shift: log in, hear about a new escalation, claim it,
read the case, talk to the customer (whose socket is a real python-socketio client), write
a private note, and hand back, transfer or close. Screenshots of the main screens go to
tests/artifacts/console/; with CONSOLE_UPDATE_README_SHOT=1 the case screen also
replaces docs/img/agent-console.png (the README's).
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any

from playwright.async_api import Page, Response, expect

from handoff.customers.session_ids import session_hash
from handoff.persistence import queries
from handoff.settings import REPO_ROOT
from tests.console.conftest import ARTIFACTS, PASSWORD, VIEWPORT, Browsers, Stack, login
from tests.handoff.clients import Customer

OPTIONAL_ENDPOINTS = re.compile(r"/api/agent/conversations/[^/]+/(suggestions|remedies)$")
README_SHOT = REPO_ROOT / "docs" / "img" / "agent-console.png"


def watch_404s(page: Page) -> list[str]:
    """404s other than the optional endpoints of docs/console-needs.md (none expected)."""
    unexpected: list[str] = []

    def check(response: Response) -> None:
        if response.status == 404 and not OPTIONAL_ENDPOINTS.search(response.url.split("?")[0]):
            unexpected.append(response.url)

    page.on("response", check)
    return unexpected


async def escalate(stack: Stack) -> Customer:
    customer = stack.customer()
    await customer.connect()
    await customer.say("hello, where is my order")
    await customer.bot_text(lambda t: t.startswith("You said"))
    await customer.say("I want to talk to a person please")
    await customer.seen.wait_for("handoff_status", lambda s: s.get("state") == "queued")
    return customer


async def fully_visible(page: Page, selector: str) -> bool:
    box = await page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]


async def test_agent_picks_up_an_escalation_replies_notes_and_hands_back(
    stack: Stack, browsers: Browsers
) -> None:
    await stack.create_agent("alice", "Alice Agent")
    page = await browsers.agent_page("alice")
    unexpected_404s = watch_404s(page)
    await login(page, "alice")
    await expect(page.locator("#queue-list")).to_contain_text("Nobody is waiting.")
    await expect(page.locator("#team-list")).to_contain_text("Alice Agent (you) — available")

    # A new escalation: a queue row with reason, stakes, deadline and waiting time; a toast,
    # a tab badge, a desktop notification and a chime.
    customer = await escalate(stack)
    row = page.locator(".queue-row").first
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("Maria Lopez")
    await expect(row.locator(".chip.reason").first).to_contain_text("asked for a person")
    await expect(row.locator(".chip.stakes")).to_contain_text("bereavement")
    await expect(row.locator(".chip.deadline")).to_contain_text("tomorrow")
    await expect(row.locator(".wait")).to_have_text(re.compile(r"^\d+ s$"))
    await expect(page).to_have_title("(1) Agent console")
    await expect(page.locator(".toast")).to_contain_text("New escalation")
    alerts: dict[str, Any] = await page.evaluate("window.__alerts")
    assert [n["title"] for n in alerts["notifications"]] == ["New escalation"]
    assert "Maria Lopez" in alerts["notifications"][0]["body"]
    assert alerts["chimes"] >= 1
    await page.screenshot(path=str(ARTIFACTS / "01-queue-new-escalation.png"))

    # Claim with the keyboard only: Alt+Q jumps to the queue, Tab to Claim, Enter.
    await page.keyboard.press("Alt+q")
    await expect(row.locator("[data-role=preview]")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(row.locator("[data-role=claim]")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#case-state")).to_have_text("with you")
    await customer.seen.wait_for("handoff_status", lambda s: s.get("agent_name") == "Alice Agent")
    await expect(page.locator("#composer-text")).to_be_focused()
    await expect(page).to_have_title("Agent console")

    # The whole case on one screen at 1280x720, beside the live transcript.
    await expect(page.locator("#case-problem")).to_contain_text("Funeral flowers")
    await expect(page.locator(".trajectory svg circle.point")).to_have_count(3)
    await expect(page.locator("#next-step")).to_contain_text("express reship")
    await expect(page.locator("#opening-line")).to_contain_text("Maria, I'm so sorry")
    await expect(page.locator("#summary")).to_contain_text("Started an express reship")
    await expect(page.locator("#summary")).to_contain_text("ORD-10234")
    for part in (
        "#case-problem",
        "#case-chips",
        ".trajectory svg",
        "#next-step",
        "#opening-line",
        "#composer-text",
    ):
        assert await fully_visible(page, part), f"{part} is not visible without scrolling at 1280x720"
    await expect(page.locator("#transcript")).to_contain_text("I want to talk to a person please")
    await page.screenshot(path=str(ARTIFACTS / "02-case-claimed.png"))
    if os.environ.get("CONSOLE_UPDATE_README_SHOT") == "1":
        # Opt-in, so an ordinary test run does not leave a changed image in the work tree.
        await page.screenshot(path=str(README_SHOT))

    # The customer types: the agent sees it.
    await customer.sio.emit("typing", {"typing": True})
    await expect(page.locator("#customer-typing")).to_have_text("The customer is typing…")

    # The suggested opening line goes into the reply box to be edited, then Enter sends it;
    # the customer sees it with the agent's name, and saw the agent typing first.
    # The summary's opening line leads, then phrasings from the bot's phrase bank.
    await expect(page.locator(".suggestions .suggestion")).to_have_count(3)
    await page.locator(".suggestions .suggestion").first.click()
    await expect(page.locator("#composer-text")).to_have_value(re.compile(r"^Maria, I'm so sorry"))
    await page.locator("#composer-text").press("End")
    await page.keyboard.type(" I've checked: the express reship arrives tomorrow by 10:00.")
    await customer.seen.wait_for("typing", lambda t: t.get("role") == "agent" and t.get("typing") is True)
    await page.keyboard.press("Enter")
    reply = await customer.bot_text(lambda t: t.startswith("Maria, I'm so sorry"))
    assert reply["text"].endswith("arrives tomorrow by 10:00.")
    assert reply["metadata"]["sender"] == {"role": "agent", "name": "Alice Agent"}
    await expect(page.locator("#composer-text")).to_have_value("")
    agent_bubble = page.locator("#transcript .msg.agent").last
    await expect(agent_bubble).to_contain_text("arrives tomorrow by 10:00.")
    await expect(agent_bubble.locator(".ticks")).to_have_text("✓ sent")
    # The customer's widget reports what it showed, then what was read.
    await customer.sio.call("message_receipt", {"seq": reply["metadata"]["seq"], "state": "delivered"})
    await expect(agent_bubble.locator(".ticks")).to_have_text("✓✓ delivered")
    await customer.sio.call("message_receipt", {"seq": reply["metadata"]["seq"], "state": "read"})
    await expect(agent_bubble.locator(".ticks.read")).to_have_text("✓✓ read")

    # Customer text is shown as text, never as markup.
    hostile = '<img src=x onerror="window.__pwned=1"><b>bold?</b>'
    await customer.say(hostile)
    last = page.locator("#transcript .msg.customer").last
    await expect(last.locator(".text")).to_have_text(hostile)
    assert await page.locator("#transcript img, #transcript b").count() == 0
    assert await page.evaluate("window.__pwned") is None
    await expect(page.locator("#customer-typing")).to_be_hidden()

    # A private note: on the agent's screen, never sent to the customer.
    await page.keyboard.press("Alt+n")
    await expect(page.locator("#note-text")).to_be_focused()
    await page.keyboard.type("Customer is grieving; keep it short and warm. Refund delivery if late.")
    await page.locator("#note-add").click()
    await expect(page.locator("#notes-list")).to_contain_text("Customer is grieving")
    await stack.settle()
    assert all("grieving" not in (m.get("text") or "") for m in customer.seen.events["bot_uttered"])

    # Make it right: the remedies for the case's order (carrying one out has its own test).
    await page.locator("#remedy-button").click()
    await expect(page.locator("#dialog")).to_contain_text("Order ORD-10234 (delayed)")
    await expect(page.locator("#dialog [data-remedy=refund]")).to_be_enabled()
    await page.keyboard.press("Escape")
    await expect(page.locator("#dialog")).to_be_hidden()

    # Resolve and hand back to the bot with a chosen next step.
    await page.locator("#resolve-button").click()
    await expect(page.locator("#next-step-select")).to_be_focused()
    await page.select_option("#next-step-select", label="Bot action: order status")
    await page.screenshot(path=str(ARTIFACTS / "03-hand-back.png"))
    await page.locator("#dialog-confirm").click()
    await customer.seen.wait_for("handoff_status", lambda s: s.get("state") == "bot")
    await customer.bot_text(lambda t: t.startswith("Back to me: action action_order_status"))
    await expect(page.locator("#case-state")).to_have_text("bot")
    await expect(page.locator("#mine-list")).to_contain_text("None yet.")
    await expect(page.locator("#send-button")).to_be_disabled()
    await page.screenshot(path=str(ARTIFACTS / "04-handed-back.png"))

    assert unexpected_404s == []
    assert browsers.console_errors == [] or all("404" in e for e in browsers.console_errors)


async def test_agent_makes_it_right_in_one_click_and_the_customer_is_told(
    stack: Stack, browsers: Browsers
) -> None:
    await stack.create_agent("alice", "Alice Agent")
    page = await browsers.agent_page("alice")
    await login(page, "alice")
    customer = await escalate(stack)
    await page.locator(".queue-row [data-role=claim]").first.click()
    await expect(page.locator("#case-state")).to_have_text("with you")

    # The dialog lists what fits the late order, within Alice's budget, amounts included.
    await page.locator("#remedy-button").click()
    dialog = page.locator("#dialog")
    await expect(dialog).to_contain_text("Order ORD-10234 (delayed). Your budget: refunds up to 300.00 EUR")
    refund = dialog.locator("[data-remedy=refund]")
    await expect(refund).to_have_text("Refund to Visa ending 4242 64.90 EUR")
    await expect(dialog.locator("[data-remedy=reship]")).to_have_text(
        "Send White lily funeral wreath again by express 64.90 EUR"
    )
    await expect(dialog.locator("[data-remedy=credit]")).to_contain_text("12.98 EUR")

    # From the keyboard: focus the refund and press Enter; the result shows in the dialog.
    await refund.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#remedy-result")).to_contain_text(
        "Refunded 64.90 EUR on ORD-10234 to Visa ending 4242; expected by Wednesday 25 March"
    )
    told = await customer.bot_text(lambda t: "has refunded" in t)
    assert told["metadata"]["sender"] == {"role": "system", "name": None}
    assert told["text"] == (
        "Alice Agent has refunded 64.90 EUR for order ORD-10234 to your Visa ending 4242. "
        "It should reach you by Wednesday 25 March; banks can take a few days to show it."
    )
    # Refunded in full: the option now says why it is not there any more.
    await expect(dialog.locator("[data-remedy=refund]")).to_be_disabled()
    await expect(dialog).to_contain_text("nothing is left to refund on this order")
    await page.screenshot(path=str(ARTIFACTS / "05-make-it-right.png"))
    await page.keyboard.press("Escape")
    await expect(page.locator("#transcript .msg.system").last).to_contain_text("has refunded 64.90 EUR")
    refunds = (await asyncio.to_thread(stack.shop.order_facts, "ORD-10234")).refunds
    assert [(str(r.amount), r.status) for r in refunds] == [("64.90 EUR", "pending")]
    assert browsers.console_errors == []


async def _claimed_by(stack: Stack, session_id: str, timeout: float = 10.0) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        conversation = await stack.gateway.database.run(
            queries.conversation_for_session, session_hash(session_id)
        )
        if conversation is not None and conversation.agent_id is not None:
            return conversation.agent_id
        assert loop.time() < deadline, f"nobody owns the conversation after {timeout}s: {conversation}"
        await asyncio.sleep(0.05)


async def test_only_one_of_two_agents_claims_then_transfer_and_close(
    stack: Stack, browsers: Browsers
) -> None:
    await stack.create_agent("alice", "Alice Agent")
    await stack.create_agent("bob", "Bob Agent")
    alice = await browsers.agent_page("alice")
    bob = await browsers.agent_page("bob")
    await login(alice, "alice")
    await login(bob, "bob")
    await expect(alice.locator("#team-list")).to_contain_text("Bob Agent — available")

    customer = await escalate(stack)
    for page in (alice, bob):
        await expect(page.locator(".queue-row [data-role=claim]")).to_be_enabled()

    # Both click Claim at the same moment: exactly one wins, the other is told plainly.
    await asyncio.gather(
        alice.locator(".queue-row [data-role=claim]").click(),
        bob.locator(".queue-row [data-role=claim]").click(),
    )
    # A click returns once dispatched, not once the gateway has decided: wait for the owner.
    owner_id = await _claimed_by(stack, customer.session_id)
    owner = await stack.gateway.database.run(queries.get_agent, owner_id)
    winner, loser = (alice, bob) if owner.username == "alice" else (bob, alice)
    await expect(winner.locator("#case-state")).to_have_text("with you")
    await expect(loser.locator(".toast.error")).to_contain_text(
        "Someone else claimed that conversation first."
    )
    await expect(loser.locator("#queue-list")).to_contain_text("Nobody is waiting.")
    await expect(loser.locator("#mine-list")).to_contain_text("None yet.")
    await loser.screenshot(path=str(ARTIFACTS / "05-claim-lost.png"))

    # The winner transfers to the other agent, who is told and gets the conversation.
    await winner.locator("#transfer-button").click()
    loser_name = "Bob Agent" if loser is bob else "Alice Agent"
    await winner.get_by_label(loser_name).check()
    await winner.locator("#dialog-confirm").click()
    await expect(loser.locator(".toast").filter(has_text="passed you a conversation")).to_be_visible()
    await expect(loser.locator("#mine-list")).to_contain_text("Maria Lopez")
    await customer.seen.wait_for("handoff_status", lambda s: s.get("agent_name") == loser_name)
    await expect(winner.locator("#mine-list")).to_contain_text("None yet.")

    # The new owner closes: the customer is asked for a rating.
    await loser.locator("#mine-list button").first.click()
    await expect(loser.locator("#case-state")).to_have_text("with you")
    await loser.locator("#close-button").click()
    await loser.locator("#dialog-confirm").click()
    await customer.seen.wait_for("rating_request")
    await expect(loser.locator("#case-state")).to_have_text("closed")


async def test_wrong_password_is_refused_and_logout_goes_offline(stack: Stack, browsers: Browsers) -> None:
    await stack.create_agent("alice", "Alice Agent")
    page = await browsers.agent_page("alice")
    await page.fill("#login-username", "alice")
    await page.fill("#login-password", PASSWORD + "x")
    await page.press("#login-password", "Enter")
    await expect(page.locator("#login-error")).to_have_text("Wrong username or password.")
    await expect(page.locator("#login-password")).to_be_focused()

    await login(page, "alice")
    await page.select_option("#presence-select", "away")
    await expect(page.locator("#team-list")).to_contain_text("Alice Agent (you) — away")
    await page.locator("#logout-button").click()
    await expect(page.locator("#login-view")).to_be_visible()
    agents = await stack.gateway.database.run(queries.list_agents)
    assert [a.presence for a in agents] == ["offline"]
    # The old token is gone from the tab: a reload shows the login form, not the console.
    await page.reload()
    await expect(page.locator("#login-view")).to_be_visible()


async def test_claims_stop_at_the_concurrent_chat_cap(stack: Stack, browsers: Browsers) -> None:
    """The fixture's gateway allows 2 chats per agent: the console counts them against the
    cap the gateway reports and stops offering Claim at the cap."""
    await stack.create_agent("alice", "Alice Agent")
    page = await browsers.agent_page("alice")
    await login(page, "alice")
    for _ in range(3):
        await escalate(stack)
    await expect(page.locator(".queue-row")).to_have_count(3)
    await expect(page).to_have_title("(3) Agent console")
    for remaining in (2, 1):
        await page.locator(".queue-row [data-role=claim]").first.click()
        await expect(page.locator(".queue-row")).to_have_count(remaining)
    await expect(page.locator("#my-load")).to_have_text("2 of 2 chats")
    await expect(page.locator("#mine-list li")).to_have_count(2)
    # At the cap the last Claim is disabled, and says why.
    claim = page.locator(".queue-row [data-role=claim]")
    await expect(claim).to_be_disabled()
    await expect(claim).to_have_attribute("title", "You are at your cap of concurrent chats")
    await expect(page.locator(".queue-row")).to_have_count(1)
    await page.screenshot(path=str(ARTIFACTS / "06-at-cap.png"))


async def test_a_dropped_connection_catches_up_without_losing_messages(
    stack: Stack, browsers: Browsers
) -> None:
    await stack.create_agent("alice", "Alice Agent")
    page = await browsers.agent_page("alice")
    await login(page, "alice")
    customer = await escalate(stack)
    await page.locator(".queue-row [data-role=claim]").first.click()
    await expect(page.locator("#case-state")).to_have_text("with you")

    # A reload keeps the login (this tab's session) and what the agent owns.
    await page.reload()
    await expect(page.locator("#connection")).to_have_text("Live")
    await expect(page.locator("#mine-list")).to_contain_text("Maria Lopez")
    await page.locator("#mine-list button").first.click()
    await expect(page.locator("#case-state")).to_have_text("with you")

    await page.context.set_offline(True)
    await expect(page.locator("#connection")).to_have_text("Reconnecting…", timeout=30000)
    await customer.say("are you still there? this matters so much")
    await stack.settle()
    # Typed while offline: kept on screen as not sent, with a Retry.
    await page.locator("#composer-text").fill("Yes, I'm here with you.")
    await page.keyboard.press("Enter")
    await expect(page.locator("#transcript .msg.failed")).to_contain_text("Yes, I'm here with you.")

    await page.context.set_offline(False)
    await expect(page.locator("#connection")).to_have_text("Live", timeout=30000)
    await expect(page.locator("#transcript")).to_contain_text("are you still there? this matters so much")
    await page.locator("#transcript .msg.failed .retry").click()
    reply = await customer.bot_text(lambda t: t == "Yes, I'm here with you.")
    assert reply["metadata"]["sender"]["name"] == "Alice Agent"
    await expect(page.locator("#transcript .msg.failed")).to_have_count(0)
    await expect(page.locator("#transcript .msg.agent")).to_have_count(1)
