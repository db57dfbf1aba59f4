"""Steps several browser tests share: reaching a person through the widget."""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import expect

from tests.handoff.clients import Agent
from tests.widget.widget_page import WidgetPage


async def reach_agent(widget: WidgetPage, agent: Agent, marker: str) -> str:
    """Ask for a person from the widget, see the queue, and let `agent` claim the
    conversation. Returns the conversation id."""
    await widget.open()
    await widget.wait_online()
    await widget.send(f"My parcel {marker} never came, I want to talk to a person please")
    entry: Any = await agent.seen.wait_for("escalation", lambda e: marker in json.dumps(e), timeout=20)
    banner = widget.page.locator(".sc-banner")
    await expect(banner).to_contain_text("Waiting for a person")
    await expect(banner).to_contain_text("in the queue")
    await expect(banner).to_contain_text("Expected wait")
    conversation_id = str(entry["conversation_id"])
    ack = await agent.emit("claim", {"conversation_id": conversation_id})
    assert ack["ok"], ack
    await expect(widget.page.locator(".sc-join")).to_contain_text("Anna has joined the conversation")
    await expect(widget.page.locator(".sc-subtitle")).to_have_text("You're chatting with Anna")
    return conversation_id


async def agent_says(agent: Agent, conversation_id: str, text: str) -> None:
    ack = await agent.emit("send_message", {"conversation_id": conversation_id, "text": text})
    assert ack["ok"], ack


async def transcript(agent: Agent, conversation_id: str) -> list[dict[str, Any]]:
    detail = await agent.emit("watch", {"conversation_id": conversation_id})
    assert detail["ok"], detail
    messages: list[dict[str, Any]] = detail["transcript"]
    return messages
