"""Benchmark (not a test): handoff latencies through the real gateway, p50/p95 over N runs.

    python -m bench.handoff [--runs 50] [--database-url URL] [--rasa-url URL --rasa-token T]

1. escalation → queue: from the customer's "I want to talk to a person" (user_uttered) to
   the agent API listing that conversation in GET /api/agent/queue (polled every 2 ms);
2. agent → customer: from POST .../messages to the customer's socket receiving it.

The gateway runs in-process on a free port with its own database (a temporary SQLite file
unless --database-url is given). Without --rasa-url a minimal stand-in answers the REST
channel and HTTP API instantly, so the figures are the gateway's own cost; with --rasa-url
they include the real bot's NLU and actions. The Python socket.io client long-polls (its
websocket transport needs a newer aiohttp than Rasa's pin), which adds a little latency
that browsers on websockets do not pay.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

from handoff.app import GATEWAY, create_app
from handoff.persistence import queries
from handoff.settings import Settings

logger = logging.getLogger("bench.handoff")
PASSWORD = secrets.token_urlsafe(16)
STUB_TOKEN = "bench-token"


def stand_in_rasa() -> web.Application:
    """The smallest Rasa look-alike: every message asks for a person; the API just accepts."""
    trackers: dict[str, list[dict[str, Any]]] = {}

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        events = trackers.setdefault(body["sender"], [])
        events.append(
            {
                "event": "user",
                "text": body["message"],
                "parse_data": {"intent": {"name": "request_human", "confidence": 1.0}},
            }
        )
        events.append({"event": "action", "name": "action_handoff"})
        return web.json_response([{"text": "Let me find a person for you."}])

    async def tracker(request: web.Request) -> web.Response:
        events = trackers.get(request.match_info["cid"], [])
        latest: dict[str, Any] = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
        return web.json_response(
            {"sender_id": request.match_info["cid"], "events": events, "slots": {}, "latest_message": latest}
        )

    async def accept(request: web.Request) -> web.Response:
        return web.json_response({"messages": []})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{cid}/tracker", tracker)
    app.router.add_post("/conversations/{cid}/tracker/events", accept)
    app.router.add_post("/conversations/{cid}/trigger_intent", accept)
    app.router.add_post("/conversations/{cid}/execute", accept)
    return app


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Bench:
    def __init__(self, url: str, http: aiohttp.ClientSession, token: str) -> None:
        # Long-polling clients take a ping interval to hang up; do it beside the next run.
        self.hangups: list[asyncio.Task[None]] = []
        self.url = url
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(
            method, f"{self.url}/api/agent{path}", json=body, headers=self.headers
        ) as response:
            payload = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {payload}")
            return payload

    async def one_run(self, index: int) -> tuple[float, float]:
        customer = socketio.AsyncClient(reconnection=False)
        received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        customer.on("bot_uttered", received.put_nowait)
        await customer.connect(self.url, transports=["polling"])
        try:
            await customer.call("session_request", {"session_id": None})
            known = {e["conversation_id"] for e in (await self.api("GET", "/queue"))["queue"]}
            started = time.perf_counter()
            await customer.emit(
                "user_uttered", {"message": "I want to talk to a person", "message_id": f"bench-{index}"}
            )
            conversation_id = None
            while conversation_id is None:
                queue = (await self.api("GET", "/queue"))["queue"]
                conversation_id = next(
                    (e["conversation_id"] for e in queue if e["conversation_id"] not in known), None
                )
                if conversation_id is None:
                    await asyncio.sleep(0.002)
            escalation = time.perf_counter() - started
            await self.api("POST", f"/conversations/{conversation_id}/claim")
            text = f"Hello from a person ({index})"
            started = time.perf_counter()
            await self.api("POST", f"/conversations/{conversation_id}/messages", {"text": text})
            while (await asyncio.wait_for(received.get(), 10)).get("text") != text:
                pass
            delivery = time.perf_counter() - started
            await self.api("POST", f"/conversations/{conversation_id}/close")
            return escalation, delivery
        finally:
            self.hangups.append(asyncio.create_task(customer.disconnect()))


async def run(runs: int, database_url: str | None, rasa_url: str | None, rasa_token: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    async with serving(stand_in_rasa()) as stub_url:
        settings = Settings(
            database_url=database_url or f"sqlite:///{workdir / 'handoff.db'}",
            secret=secrets.token_hex(32).encode(),
            rasa_url=rasa_url or stub_url,
            rasa_token=rasa_token if rasa_url else STUB_TOKEN,
            store_database_url=None,
            max_chats_per_agent=runs + 1,
            ping_interval=1.0,
            ping_timeout=1.0,
            widget_dir=workdir / "none",
            console_dir=workdir / "none",
        )
        app = create_app(settings)
        async with serving(app) as url, aiohttp.ClientSession() as http:
            gateway = app[GATEWAY]
            username = f"bench{secrets.token_hex(3)}"
            await gateway.database.run(
                queries.insert_agent,
                username,
                "Bench Agent",
                gateway.auth.hasher.hash(PASSWORD),
                role="agent",
                now=time.time(),
            )
            async with http.post(
                f"{url}/api/agent/login", json={"username": username, "password": PASSWORD}
            ) as response:
                token = (await response.json())["token"]
            bench = Bench(url, http, token)
            await bench.one_run(-1)  # warm-up: connections, schema caches
            results = [await bench.one_run(i) for i in range(runs)]
            await asyncio.gather(*bench.hangups)
    report(results, settings.database_url.split(":")[0], "real Rasa" if rasa_url else "stand-in Rasa")


def report(results: list[tuple[float, float]], database: str, rasa: str) -> None:
    lines = [f"handoff bench: {len(results)} runs, database {database}, {rasa}"]
    for name, values in (
        ("escalating message -> agent API lists it", [r[0] for r in results]),
        ("agent message -> customer socket", [r[1] for r in results]),
    ):
        ms = [v * 1000 for v in values]
        lines.append(
            f"  {name:<42} p50 {percentile(ms, 0.5):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms   "
            f"max {max(ms):7.1f} ms   mean {statistics.fmean(ms):7.1f} ms"
        )
    # The benchmark's output is its result table.
    sys.stdout.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m bench.handoff", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", help="gateway database (default: a temporary SQLite file)")
    parser.add_argument("--rasa-url", help="a running Rasa server (default: an instant stand-in)")
    parser.add_argument("--rasa-token")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    asyncio.run(run(args.runs, args.database_url, args.rasa_url, args.rasa_token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
