"""A customer speaking the widget's protocol (docs/socket-protocol.md) over socket.io.

python-engineio's websocket client needs a newer aiohttp than Rasa pins, so the customer
long-polls, as the Python tests do; the gateway's side of the protocol is the same.
Everything the gateway sends is kept, so a turn's replies are exactly what a widget showed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import socketio

TRANSPORTS = ["polling"]
CALL_TIMEOUT_S = 20.0
# After sending its close packet the long-polling client waits for the poll in flight (up
# to a ping interval); the server has already dropped the session, so stop waiting soon.
CLOSE_WAIT_S = 2.0


class CustomerError(RuntimeError):
    """The gateway refused or dropped the customer (the message says what it answered)."""


@dataclass(frozen=True)
class Reply:
    """One message the customer saw: from the bot, a person, or the gateway itself (system)."""

    seq: int
    message_id: str
    role: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "role": self.role, "text": self.text}


class WidgetCustomer:
    def __init__(self, url: str) -> None:
        self.url = url
        self.replies: list[Reply] = []
        self.statuses: list[dict[str, Any]] = []
        self.dropped = False
        self._changed = asyncio.Event()
        self._sio = socketio.AsyncClient(reconnection=False)
        self._sio.on("bot_uttered", self._on_bot_uttered)
        self._sio.on("handoff_status", self._on_status)
        self._sio.on("disconnect", self._on_disconnect)

    def _on_bot_uttered(self, body: Any) -> None:
        meta = body.get("metadata") or {}
        sender = meta.get("sender") or {}
        self.replies.append(
            Reply(
                int(meta.get("seq", 0)),
                str(meta.get("message_id", "")),
                str(sender.get("role", "bot")),
                str(body.get("text") or ""),
            )
        )
        self._changed.set()

    def _on_status(self, body: Any) -> None:
        self.statuses.append(dict(body or {}))
        self._changed.set()

    def _on_disconnect(self, *_args: Any) -> None:
        self.dropped = True
        self._changed.set()

    async def open(self) -> str:
        """Connect and start a new session (a widget with nothing stored); returns its id."""
        await self._sio.connect(self.url, transports=TRANSPORTS, wait_timeout=CALL_TIMEOUT_S)
        ack = await self._sio.call("session_request", {"session_id": None}, timeout=CALL_TIMEOUT_S)
        if not isinstance(ack, dict) or not ack.get("ok"):
            raise CustomerError(f"session_request refused: {ack!r}")
        return str(ack["session_id"])

    async def say(self, text: str, message_id: str) -> int:
        """Send one message; returns the sequence number the gateway stored it under."""
        ack = await self._sio.call(
            "user_uttered", {"message": text, "message_id": message_id}, timeout=CALL_TIMEOUT_S
        )
        if not isinstance(ack, dict) or not ack.get("ok"):
            raise CustomerError(f"user_uttered refused: {ack!r}")
        return int(ack["seq"])

    def replies_after(self, seq: int) -> list[Reply]:
        return sorted((r for r in self.replies if r.seq > seq), key=lambda r: r.seq)

    async def received(self, message_ids: Collection[str], timeout: float) -> bool:
        """Wait until every one of these messages has arrived; False if some never did."""
        return await self._until(lambda: set(message_ids) <= {r.message_id for r in self.replies}, timeout)

    async def told_state(self, state: str, timeout: float) -> bool:
        """Wait until the latest handoff_status names `state`; False if it never did."""
        return await self._until(
            lambda: bool(self.statuses) and self.statuses[-1].get("state") == state, timeout
        )

    async def _until(self, done: Callable[[], bool], timeout: float) -> bool:
        async def poll() -> None:
            while not done() and not self.dropped:
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(poll(), timeout)
        except asyncio.TimeoutError:
            return False
        return done()

    async def close(self) -> None:
        if not self._sio.connected:
            return
        try:
            await asyncio.wait_for(self._sio.disconnect(), CLOSE_WAIT_S)
        except asyncio.TimeoutError:
            await self._sio.eio.disconnect(abort=True)
