"""What the bot/ components add to parsing: ``python -m bot.latency --with A --without B``.

Loads two trained Rasa models that differ only by the bot/ components, parses the same
messages with each through ``Agent.parse_message`` (the code path behind /model/parse)
and reports median and p95 latency per message and the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rasa.core.agent import load_agent

from bot.examples import HELDOUT_DIR, load_deadline_examples, load_emotion_examples, load_stakes_examples

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timing:
    """Latency figures of one model, in milliseconds."""

    median: float
    p95: float
    count: int


def benchmark_messages(count: int) -> list[str]:
    """``count`` support messages from our held-out files, cycled if needed."""
    texts = [e.text for e in load_emotion_examples(HELDOUT_DIR / "emotion.yml")]
    texts += [e.text for e in load_stakes_examples()]
    texts += [e.text for e in load_deadline_examples()]
    return [texts[i % len(texts)] for i in range(count)]


async def time_model(model_path: str, messages: list[str], warmup: int = 20) -> Timing:
    """Parse every message once (after a warm-up) and time each call."""
    agent = await load_agent(model_path=model_path)
    for text in messages[:warmup]:
        await agent.parse_message(text)
    timings = []
    for text in messages:
        start = time.perf_counter()
        await agent.parse_message(text)
        timings.append((time.perf_counter() - start) * 1000)
    return Timing(statistics.median(timings), float(np.percentile(timings, 95)), len(timings))


async def compare(with_model: str, without_model: str, count: int) -> str:
    """Time both models on the same messages, alternating runs to share CPU noise."""
    messages = benchmark_messages(count)
    runs: dict[str, list[Timing]] = {"with": [], "without": []}
    for _ in range(2):
        runs["without"].append(await time_model(without_model, messages))
        runs["with"].append(await time_model(with_model, messages))
    best = {name: min(timings, key=lambda t: t.p95) for name, timings in runs.items()}
    added_p95 = best["with"].p95 - best["without"].p95
    added_median = best["with"].median - best["without"].median
    return (
        f"Agent.parse_message over {count} messages (best of 2 runs each):\n"
        f"  without bot/ components: median {best['without'].median:.2f} ms, "
        f"p95 {best['without'].p95:.2f} ms\n"
        f"  with bot/ components:    median {best['with'].median:.2f} ms, "
        f"p95 {best['with'].p95:.2f} ms\n"
        f"  added: median {added_median:+.2f} ms, p95 {added_p95:+.2f} ms (target <= 5 ms)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m bot.latency", description=__doc__)
    parser.add_argument("--with", dest="with_model", required=True, help="model with the components")
    parser.add_argument("--without", dest="without_model", required=True, help="same model without them")
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    sys.stdout.write(asyncio.run(compare(args.with_model, args.without_model, args.messages)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
