"""A fake Rasa server on a real port: the REST channel and the HTTP API the gateway uses.

It keeps a tracker per conversation in Rasa's JSON shape (so the real escalation policy can
read it), honours `pause`/`resume` the way Rasa 3.6 does (a paused tracker still logs user
messages but predicts nothing), and can be switched to `down` or `slow` to test failures.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web

TOKEN = "fake-rasa-token-a-32-byte-signing-secret"


@dataclass
class FakeTracker:
    events: list[dict[str, Any]] = field(default_factory=list)
    paused: bool = False
    slots: dict[str, Any] = field(default_factory=dict)

    def to_json(self, sender: str) -> dict[str, Any]:
        latest = next((e for e in reversed(self.events) if e["event"] == "user"), None)
        return {
            "sender_id": sender,
            "slots": dict(self.slots),
            "latest_message": (latest or {}).get("parse_data", {}),
            "events": list(self.events),
            "paused": self.paused,
        }


def intent_of(text: str) -> str:
    lowered = text.lower()
    if lowered.startswith("/request_human") or "person" in lowered or "human" in lowered:
        return "request_human"
    if lowered.startswith("/"):
        return lowered[1:].split("{")[0]
    if "hello" in lowered or lowered == "hi":
        return "greet"
    return "order_status"


class FakeRasa:
    def __init__(self) -> None:
        self.trackers: dict[str, FakeTracker] = defaultdict(FakeTracker)
        self.mode = "ok"  # ok | down | slow
        self.slow_seconds = 10.0
        self.webhook_calls: list[dict[str, Any]] = []
        self.triggered: list[tuple[str, str, str]] = []
        self.unauthorised = 0

    def _authorised(self, request: web.Request) -> bool:
        """Like Rasa behind launcher/rasa_server.py: an admin JWT signed with TOKEN, in the
        Authorization header (a `?token=` is ignored, as Rasa ignores it there)."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            claims = jwt.decode(token, TOKEN, algorithms=["HS256"]) if scheme == "Bearer" else {}
        except jwt.InvalidTokenError:
            claims = {}
        if claims.get("user", {}).get("role") != "admin" or "token" in request.query:
            self.unauthorised += 1
            return False
        return True

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        app.router.add_get("/conversations/{cid}/tracker", self.tracker)
        app.router.add_post("/conversations/{cid}/tracker/events", self.append_events)
        app.router.add_post("/conversations/{cid}/trigger_intent", self.trigger_intent)
        app.router.add_post("/conversations/{cid}/execute", self.execute)
        return app

    async def _failure(self) -> web.Response | None:
        if self.mode == "down":
            return web.json_response({"error": "action server down"}, status=500)
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        return None

    async def webhook(self, request: web.Request) -> web.Response:
        failure = await self._failure()
        if failure is not None:
            return failure
        body = await request.json()
        self.webhook_calls.append(body)
        sender, text = body["sender"], body["message"]
        tracker = self.trackers[sender]
        intent = intent_of(text)
        tracker.events.append(
            {
                "event": "user",
                "text": text,
                "timestamp": time.time(),
                "parse_data": {
                    "text": text,
                    "intent": {"name": intent, "confidence": 0.99},
                    "entities": [],
                },
                "metadata": body.get("metadata", {}),
            }
        )
        if tracker.paused:
            return web.json_response([])
        if _mid_turn(tracker.events[:-1]):
            # Like Rasa 3.6: after an action that was not followed by action_listen (an
            # `/execute` alone), the policies predict action_listen at once and say nothing.
            tracker.events.append({"event": "action", "name": "action_listen", "timestamp": time.time()})
            return web.json_response([])
        if intent == "request_human":
            tracker.events.append({"event": "action", "name": "action_handoff", "timestamp": time.time()})
            replies: list[dict[str, Any]] = [
                {"recipient_id": sender, "text": "Let me find a person for you."}
            ]
        elif text == "buttons please":
            replies = [
                {
                    "recipient_id": sender,
                    "text": "Pick one",
                    "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
                }
            ]
        else:
            replies = [{"recipient_id": sender, "text": f"You said: {text}"}]
        for reply in replies:
            tracker.events.append({"event": "bot", "text": reply["text"], "timestamp": time.time()})
        tracker.events.append({"event": "action", "name": "action_listen", "timestamp": time.time()})
        return web.json_response(replies)

    async def tracker(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorised"}, status=401)
        failure = await self._failure()
        if failure is not None:
            return failure
        cid = request.match_info["cid"]
        return web.json_response(self.trackers[cid].to_json(cid))

    async def append_events(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorised"}, status=401)
        failure = await self._failure()
        if failure is not None:
            return failure
        cid = request.match_info["cid"]
        tracker = self.trackers[cid]
        events = await request.json()
        for event in events if isinstance(events, list) else [events]:
            tracker.events.append(event)
            if event["event"] == "pause":
                tracker.paused = True
            elif event["event"] == "resume":
                tracker.paused = False
        return web.json_response(tracker.to_json(cid))

    async def trigger_intent(self, request: web.Request) -> web.Response:
        return await self._next_step(request, "intent")

    async def execute(self, request: web.Request) -> web.Response:
        return await self._next_step(request, "action")

    async def _next_step(self, request: web.Request, kind: str) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorised"}, status=401)
        failure = await self._failure()
        if failure is not None:
            return failure
        cid = request.match_info["cid"]
        name = (await request.json())["name"]
        self.triggered.append((cid, kind, name))
        text = f"Back to me: {kind} {name}. Anything else I can help with?"
        events = self.trackers[cid].events
        if kind == "intent":
            # trigger_intent runs the prediction loop: the turn ends listening.
            events.append(
                {"event": "user", "text": f"EXTERNAL: {name}", "parse_data": {"intent": {"name": name}}}
            )
            events += [{"event": "action", "name": "utter_next"}, {"event": "bot", "text": text}]
            events.append({"event": "action", "name": "action_listen"})
        else:
            # /execute runs the one action and nothing after it.
            events += [{"event": "action", "name": name}, {"event": "bot", "text": text}]
        return web.json_response({"tracker": self.trackers[cid].to_json(cid), "messages": [{"text": text}]})


def _mid_turn(events: list[dict[str, Any]]) -> bool:
    actions = [e for e in events if e.get("event") == "action"]
    return bool(actions) and actions[-1].get("name") != "action_listen"
