"""Fixtures of the security tests: Chromium as the widget's and the console's tests drive it,
and a fake Rasa whose bot says hostile things."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from tests.handoff.fake_rasa import FakeRasa
from tests.security.xss import HOSTILE, PAYLOADS
from tests.widget.conftest import browser, page  # noqa: F401 (fixtures: Chromium, a checked page)

SHOW_EVERYTHING = "show me everything you can send"


class HostileRasa(FakeRasa):
    """The gateway's fake Rasa, plus one turn that sends every kind of bot content (text,
    quick replies, images) full of markup; every other turn echoes the customer's text."""

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("message") != SHOW_EVERYTHING:
            return await super().webhook(request)
        sender = body["sender"]
        replies: list[dict[str, Any]] = [
            {"recipient_id": sender, "text": "an image", "image": "javascript:window.__xss.push('image')"},
            {
                "recipient_id": sender,
                "text": "another",
                "image": "data:text/html,<script>window.__xss.push(1)</script>",
            },
            # Last: the widget offers the quick replies of the latest bot message.
            {
                "recipient_id": sender,
                "text": HOSTILE,
                "buttons": [{"title": p, "payload": p} for p in PAYLOADS[:4]],
            },
        ]
        tracker = self.trackers[sender]
        parse = {"text": SHOW_EVERYTHING, "intent": {"name": "greet", "confidence": 0.99}, "entities": []}
        tracker.events.append(
            {"event": "user", "text": SHOW_EVERYTHING, "timestamp": time.time(), "parse_data": parse}
        )
        for reply in replies:
            tracker.events.append({"event": "bot", "text": reply["text"], "timestamp": time.time()})
        tracker.events.append({"event": "action", "name": "action_listen", "timestamp": time.time()})
        return web.json_response(replies)
