"""The widget with the real, trained bot behind the real gateway: the journey from issue 6's
"done means": chat about a late order, reload mid-conversation and carry on, ask for a
person and talk to an agent."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from launcher.live_stack import LiveStack
from tests.handoff.clients import Agent
from tests.widget.journeys import agent_says
from tests.widget.support import GatewayProcess, run_gateway
from tests.widget.widget_page import WidgetPage

pytestmark = pytest.mark.slow

# Seeded deterministically by shop.seed: the "delayed" demo order and its owner.
LATE_ORDER = ("ORD-10003", "sofia.rossi@example.com")


@pytest.fixture(scope="module")
def gateway(live_bot: LiveStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """Overrides the Rasa-less gateway of conftest.py: this one talks to the trained bot."""
    workdir: Path = tmp_path_factory.mktemp("widget-live-gateway")
    # A shared 2-core CI machine can take a while on the first turns; the honest "slow bot"
    # message is the gateway's business, tested in tests/handoff.
    with run_gateway(
        workdir, rasa_url=live_bot.rasa_url, rasa_token=live_bot.rasa_token, rasa_timeout_s=30.0
    ) as process:
        yield process


async def bot_replies(widget: WidgetPage) -> int:
    return sum(1 for role, _ in await widget.sent_messages() if role == "bot")


async def say_and_wait_for_bot(widget: WidgetPage, text: str) -> list[str]:
    """Send `text` and return the bot's new replies (waits for at least one)."""
    before = await bot_replies(widget)
    await widget.send(text)
    try:
        await widget.page.wait_for_function(
            f"() => document.querySelectorAll('.sc-from-bot:not(.sc-pending):not(.sc-greeting)').length > {before}",
            timeout=60000,
        )
    except PlaywrightTimeout as exc:
        await widget.screenshot("live-no-reply")
        raise AssertionError(
            f"no bot reply to {text!r}: state {await widget.state()}, shown {await widget.messages()}"
        ) from exc
    await widget.page.wait_for_timeout(1500)  # a turn may have several messages
    return [t for r, t in (await widget.sent_messages()) if r == "bot"][before:]


async def test_late_order_reload_and_a_person(page: Page, gateway: GatewayProcess, agent: Agent) -> None:
    widget = WidgetPage(page, gateway.url)
    await widget.goto()
    await widget.open()
    await widget.wait_online()
    first = await say_and_wait_for_bot(widget, "Hi, my order is late. Where is it?")
    assert first, "the bot said nothing"
    await say_and_wait_for_bot(widget, LATE_ORDER[0])
    history = await widget.sent_messages()
    session_id = (await widget.state())["sessionId"]

    await widget.goto()  # reload mid-conversation
    await widget.wait_online()
    assert (await widget.sent_messages())[: len(history)] == history
    assert (await widget.state())["sessionId"] == session_id
    answer = await say_and_wait_for_bot(widget, LATE_ORDER[1])
    assert any("10003" in line or "delay" in line.lower() for line in answer), answer
    await widget.screenshot("live-late-order")

    marker = secrets.token_hex(3)
    await widget.send(f"This is the second time ({marker}). I want to talk to a person.")
    entry = await agent.seen.wait_for("escalation", lambda e: marker in str(e), timeout=60)
    conversation_id = str(entry["conversation_id"])
    ack = await agent.emit("claim", {"conversation_id": conversation_id})
    assert ack["ok"], ack
    await expect(page.locator(".sc-join")).to_contain_text("Anna has joined the conversation", timeout=20000)
    await agent_says(agent, conversation_id, "Hi, I'm Anna. I can see ORD-10003 is delayed; I'm on it.")
    await widget.wait_for_message("agent", "I'm on it")
    await widget.send("Thank you Anna")
    await agent.seen.wait_for("message", lambda m: m["message"]["text"] == "Thank you Anna", timeout=20)
    await widget.screenshot("live-agent")
