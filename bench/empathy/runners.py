"""How a scripted conversation reaches a bot: the real one over HTTP, or the NLG layer alone.

- `RasaRunner`: the real bot (Rasa server + action server + NLG server, as the launcher
  starts them), through Rasa's REST channel: what a customer's widget sends.
- `SyntheticRunner`: the scripted NLU result and bot responses of each turn, sent to the
  NLG server (a URL, or the service in this process) as Rasa-shaped requests. For
  developing the scorer and the content before a trained model exists.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiohttp

from bench.empathy.scoring import Reply
from bench.empathy.script import Conversation, Turn
from bench.empathy.synthetic import SyntheticConversation

RELATIVE_DAYS = re.compile(r"^\+(\d+)d?$")
REQUEST_TIMEOUT_S = 120


class Runner(Protocol):
    def start(self, conversation: Conversation, sender_id: str) -> None: ...

    async def send(self, turn: Turn) -> Reply: ...


class RasaRunner:
    """Talks to a running Rasa server through its REST channel."""

    def __init__(self, session: aiohttp.ClientSession, rasa_url: str) -> None:
        self._session = session
        self._url = rasa_url.rstrip("/") + "/webhooks/rest/webhook"
        self._sender_id = ""
        self._metadata: dict[str, Any] = {}

    def start(self, conversation: Conversation, sender_id: str) -> None:
        self._sender_id = sender_id
        self._metadata = conversation.metadata

    async def send(self, turn: Turn) -> Reply:
        body = {"sender": self._sender_id, "message": turn.user, "metadata": self._metadata}
        try:
            async with self._session.post(
                self._url, json=body, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
            ) as response:
                if response.status != 200:
                    return Reply((), error=f"HTTP {response.status}: {(await response.text())[:200]}")
                messages = await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            return Reply((), error=f"{type(error).__name__}: {error}")
        texts = tuple(str(m.get("text") or "") for m in messages if isinstance(m, dict))
        buttons = tuple(
            str(b.get("title", "")) for m in messages if isinstance(m, dict) for b in m.get("buttons") or []
        )
        return Reply(texts, buttons)


NlgCall = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class SyntheticRunner:
    """Plays the script's NLU results and bot responses against the NLG layer."""

    def __init__(
        self, new_conversation: Callable[[str], SyntheticConversation], nlg: NlgCall, today: datetime
    ) -> None:
        self._new_conversation = new_conversation
        self._nlg = nlg
        self._today = today
        self._chat: SyntheticConversation | None = None

    def start(self, conversation: Conversation, sender_id: str) -> None:
        self._chat = self._new_conversation(sender_id)

    async def send(self, turn: Turn) -> Reply:
        if self._chat is None:
            raise RuntimeError("start() a conversation first")
        if not turn.bot:
            return Reply((), error="the script gives no synthetic bot responses for this turn")
        self._chat.user(turn.user, turn.intent, {k: self._resolve(v) for k, v in turn.slots.items()})
        texts: list[str] = []
        buttons: list[str] = []
        for call in turn.bot:
            try:
                reply = await self._nlg(self._chat.request_body(call.response, call.arguments))
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                return Reply(tuple(texts), tuple(buttons), error=f"{type(error).__name__}: {error}")
            self._chat.record_bot(reply, call.response)
            texts.append(str(reply.get("text") or ""))
            # As Rasa does: an action's own `buttons` value is appended after the NLG reply's.
            shown = [*(reply.get("buttons") or []), *(call.arguments.get("buttons") or [])]
            buttons += [str(b.get("title", "")) for b in shown if isinstance(b, dict)]
        return Reply(tuple(texts), tuple(buttons))

    def _resolve(self, value: Any) -> Any:
        # "+1d" in a script means "one day after the benchmark's today", as an ISO date.
        if isinstance(value, str) and (match := RELATIVE_DAYS.match(value)):
            return (self._today + timedelta(days=int(match.group(1)))).date().isoformat()
        return value


def http_nlg(session: aiohttp.ClientSession, nlg_url: str) -> NlgCall:
    async def call(body: dict[str, Any]) -> dict[str, Any]:
        async with session.post(nlg_url, json=body, timeout=aiohttp.ClientTimeout(total=30)) as response:
            if response.status != 200:
                raise ValueError(
                    f"NLG server answered HTTP {response.status}: {(await response.text())[:200]}"
                )
            result: dict[str, Any] = await response.json()
            return result

    return call
