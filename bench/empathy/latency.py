"""`python -m bench.empathy.latency`: how long the NLG server takes per reply, over HTTP.

Starts the real aiohttp app on a free loopback port, replays realistic Rasa request bodies
(conversations growing to `--turns` user turns, so trackers get long) and prints p50/p95/max
of the full HTTP round trip and of the service alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import datetime, timezone
from typing import Any

import aiohttp
from aiohttp import web

from bench.empathy.synthetic import SyntheticConversation, load_domain
from empathy.service import NlgRequest
from empathy.settings import EmpathySettings
from nlg.server import SERVICE_KEY, create_app

START = datetime(2026, 3, 13, 10, 0, tzinfo=timezone.utc)
SLOTS = {
    "goal": "report_damaged_item",
    "emotion": "frustrated",
    "frustration": 0.7,
    "frustration_level": 0.7,
    "stakes": "gift",
    "deadline": "2026-03-14",
    "urgent": True,
    "order_id": "ORD-10005",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<22} n={len(values):<5} p50={statistics.median(values):6.2f} ms  "
        f"p95={percentile(values, 0.95):6.2f} ms  max={max(values):6.2f} ms"
    )


async def measure(conversations: int, turns: int) -> tuple[list[float], list[float]]:
    settings = EmpathySettings.from_env()
    app = create_app(settings)
    service = app[SERVICE_KEY]
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/nlg"
    domain = load_domain(settings.domain_path)
    http_ms: list[float] = []
    service_ms: list[float] = []
    try:
        async with aiohttp.ClientSession() as session:
            for number in range(conversations):
                chat = SyntheticConversation(domain, f"latency-{number}", START)
                for turn in range(turns):
                    chat.user(f"still broken, message {turn}", "report_damaged_item", SLOTS)
                    body: dict[str, Any] = chat.request_body("utter_ask_order_id")
                    started = time.perf_counter()
                    async with session.post(url, json=body) as response:
                        reply = await response.json()
                    http_ms.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    service.generate(NlgRequest.parse(body))
                    service_ms.append((time.perf_counter() - started) * 1000)
                    chat.record_bot(reply, "utter_ask_order_id")
    finally:
        await runner.cleanup()
    return http_ms, service_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.empathy.latency")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args(argv)
    http_ms, service_ms = asyncio.run(measure(args.conversations, args.turns))
    print(summary("HTTP round trip", http_ms))
    print(summary("service.generate", service_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
