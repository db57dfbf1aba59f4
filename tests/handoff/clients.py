"""Real python-socketio clients for a customer and an agent, recording every event."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import aiohttp
import socketio

# python-engineio's long-polling client waits, after sending its close packet, for the poll
# it has in flight to come back: up to the server's ping interval (25 s) per client. The
# close has been sent and the server drops the session on it, so stop waiting after a moment.
CLOSE_WAIT_S = 2.0


async def close_client(sio: socketio.AsyncClient) -> None:
    """Disconnect a test client without waiting out its pending long-poll."""
    if not sio.connected:
        return
    try:
        await asyncio.wait_for(sio.disconnect(), CLOSE_WAIT_S)
    except asyncio.TimeoutError:
        await sio.eio.disconnect(abort=True)


WAIT = 10.0
# python-engineio 4.15's *client* websocket transport needs aiohttp >= 3.11 (ClientWSTimeout)
# while Rasa pins aiohttp 3.9, so the Python test clients long-poll. The server's websocket
# transport (what browsers use) is tested at the wire level in test_customer_protocol.py.
TRANSPORTS = ["polling"]

CUSTOMER_EVENTS = (
    "session_confirm",
    "session_refused",
    "session_rotated",
    "session_ended",
    "bot_uttered",
    "user_message",
    "message_ack",
    "handoff_status",
    "typing",
    "resync",
    "rating_request",
    "handoff_error",
)
AGENT_EVENTS = (
    "escalation",
    "follow_up",
    "queue_updated",
    "message",
    "note",
    "typing",
    "conversation_state",
    "presence",
    "transferred_to_you",
    "receipt",
    "summary_updated",
)


class Recorder:
    """Every event received, and a way to wait for the next one matching a condition."""

    def __init__(self) -> None:
        self.events: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Event()

    def record(self, name: str, data: Any) -> None:
        self.events[name].append(data)
        self._changed.set()

    async def wait_for(
        self, name: str, where: Callable[[Any], bool] = lambda _d: True, timeout: float = WAIT, start: int = 0
    ) -> Any:
        async def poll() -> Any:
            while True:
                for item in self.events[name][start:]:
                    if where(item):
                        return item
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(poll(), timeout)

    def count(self, name: str) -> int:
        return len(self.events[name])


def _client(recorder: Recorder, names: tuple[str, ...], namespace: str) -> socketio.AsyncClient:
    sio = socketio.AsyncClient(reconnection=False)
    for name in names:

        def handler(data: Any = None, _name: str = name) -> None:
            recorder.record(_name, data)

        sio.on(name, handler, namespace=namespace)
    return sio


class Customer:
    def __init__(self, url: str) -> None:
        self.url = url
        self.seen = Recorder()
        self.sio = _client(self.seen, CUSTOMER_EVENTS, "/")
        self.session_id: str | None = None

    async def connect(self, session_id: str | None = None, last_seq: int | None = None) -> dict[str, Any]:
        await self.sio.connect(self.url, transports=TRANSPORTS, wait_timeout=WAIT)
        return await self.request_session(session_id, last_seq)

    async def request_session(
        self, session_id: str | None = None, last_seq: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"session_id": session_id}
        if last_seq is not None:
            body["last_seq"] = last_seq
        ack = await self.sio.call("session_request", body, timeout=WAIT)
        self.session_id = ack["session_id"]
        return ack

    async def say(self, text: str, message_id: str | None = None, **extra: Any) -> dict[str, Any]:
        body = {"message": text, "session_id": self.session_id, **extra}
        if message_id:
            body["message_id"] = message_id
        return await self.sio.call("user_uttered", body, timeout=WAIT)

    async def bot_text(self, where: Callable[[str], bool], start: int = 0) -> dict[str, Any]:
        return await self.seen.wait_for("bot_uttered", lambda m: where(m.get("text") or ""), start=start)

    async def disconnect(self) -> None:
        await close_client(self.sio)


class Agent:
    def __init__(self, url: str, http: aiohttp.ClientSession) -> None:
        self.url = url.rstrip("/")
        self.http = http
        self.token: str | None = None
        self.seen = Recorder()
        self.sio = _client(self.seen, AGENT_EVENTS, "/agent")
        self.info: dict[str, Any] = {}

    async def login(self, username: str, password: str) -> None:
        async with self.http.post(
            f"{self.url}/api/agent/login", json={"username": username, "password": password}
        ) as response:
            assert response.status == 200, await response.text()
            body = await response.json()
        self.token, self.info = body["token"], body["agent"]

    async def connect(self) -> None:
        await self.sio.connect(
            self.url,
            namespaces=["/agent"],
            auth={"token": self.token},
            transports=TRANSPORTS,
            wait_timeout=WAIT,
        )

    async def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.http.request(
            method, f"{self.url}/api/agent{path}", json=body, headers=headers
        ) as response:
            return response.status, await response.json()

    async def emit(self, event: str, body: Any) -> Any:
        return await self.sio.call(event, body, namespace="/agent", timeout=WAIT)

    async def disconnect(self) -> None:
        await close_client(self.sio)
