"""A small typed client for the Rasa server: the REST channel and the HTTP API.

Why the REST channel keeps receiving customer messages while a person owns the
conversation: Rasa 3.6's `MessageProcessor.handle_message` always parses the message and
logs the `UserUttered` (and runs `action_extract_slots`) before `_run_prediction_loop`,
which stops at once when the tracker is paused. So after a `pause` event the tracker still
records every customer message with its NLU (emotion, entities, slots) and the bot predicts
nothing; `resume` hands the conversation back with the whole story.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

logger = logging.getLogger(__name__)

# Seconds a signed Rasa API token is valid: minutes, so a leaked one is soon useless.
TOKEN_LIFETIME_S = 300


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer in time or answered with an error."""


@dataclass(frozen=True)
class BotReply:
    """One message from Rasa, in the shape the customer's widget receives it."""

    text: str | None
    payload: dict[str, Any]


def reply_from_rasa(raw: dict[str, Any]) -> BotReply:
    """Rasa's REST/collector message → Rasa socket.io channel keys (quick_replies, attachment)."""
    payload: dict[str, Any] = {}
    buttons = raw.get("buttons") or raw.get("quick_replies")
    if buttons:
        payload["quick_replies"] = [
            {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in buttons
            if isinstance(b, dict)
        ]
    if raw.get("image"):
        payload["attachment"] = {"type": "image", "payload": {"src": raw["image"]}}
    elif raw.get("attachment"):
        payload["attachment"] = raw["attachment"]
    if raw.get("custom") is not None:
        payload["custom"] = raw["custom"]
    text = raw.get("text")
    return BotReply(text=text if isinstance(text, str) else None, payload=payload)


class RasaClient:
    """Talks to one Rasa server over loopback; every call is bounded by `timeout` seconds."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, token: str | None, timeout: float
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    def _headers(self) -> dict[str, str]:
        """Rasa's JWT auth (launcher/rasa_server.py): a short-lived admin token signed with
        RASA_TOKEN, in a header. The secret itself never travels, and no URL carries it."""
        if not self._token:
            return {}
        now = int(time.time())
        claims = {"user": {"username": "handoff", "role": "admin"}, "iat": now, "exp": now + TOKEN_LIFETIME_S}
        return {"Authorization": f"Bearer {jwt.encode(claims, self._token, algorithm='HS256')}"}

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self._base_url}{path}"
        try:
            async with self._session.request(
                method, url, json=body, headers=self._headers(), timeout=self._timeout
            ) as response:
                if response.status >= 400:
                    detail = (await response.text())[:300]
                    raise RasaUnavailable(f"{method} {path} → HTTP {response.status}: {detail}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaUnavailable(f"{method} {path} failed: {exc!r}") from exc

    async def send_message(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        raw = await self._request("POST", "/webhooks/rest/webhook", body)
        if not isinstance(raw, list):
            raise RasaUnavailable(f"unexpected REST channel answer: {str(raw)[:200]}")
        return [reply_from_rasa(item) for item in raw if isinstance(item, dict)]

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        raw = await self._request("GET", f"/conversations/{conversation_id}/tracker")
        if not isinstance(raw, dict):
            raise RasaUnavailable("unexpected tracker answer")
        return raw

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        await self._request("POST", f"/conversations/{conversation_id}/tracker/events", events)

    async def pause(self, conversation_id: str) -> None:
        await self.append_events(conversation_id, [{"event": "pause"}])

    async def resume(self, conversation_id: str) -> None:
        await self.append_events(conversation_id, [{"event": "resume"}])

    async def record_agent_message(self, conversation_id: str, text: str, agent_name: str) -> None:
        """Log what a person said as a bot utterance so the bot knows it after resuming."""
        event = {"event": "bot", "text": text, "metadata": {"handoff_agent": agent_name}}
        await self.append_events(conversation_id, [event])

    async def trigger_intent(self, conversation_id: str, intent: str) -> list[BotReply]:
        raw = await self._request(
            "POST", f"/conversations/{conversation_id}/trigger_intent", {"name": intent}
        )
        return [reply_from_rasa(m) for m in (raw or {}).get("messages", []) if isinstance(m, dict)]

    async def execute_action(self, conversation_id: str, action: str) -> list[BotReply]:
        """Run one action, then put the bot back to listening.

        Rasa's `/execute` runs the action without a prediction loop, so no `action_listen`
        follows it. Left like that, the policies see the customer's next message as coming in
        mid-turn and predict `action_listen` at once: the customer would get no answer.
        """
        raw = await self._request("POST", f"/conversations/{conversation_id}/execute", {"name": action})
        await self.append_events(conversation_id, [{"event": "action", "name": "action_listen"}])
        return [reply_from_rasa(m) for m in (raw or {}).get("messages", []) if isinstance(m, dict)]
