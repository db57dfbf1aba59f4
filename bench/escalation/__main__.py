"""`python -m bench.escalation`: does the product hand the right conversations to a person?

    python -m bench.escalation [--limit N] [--only ID ...] [--out results/escalation]

Plays the frozen scenarios of bench/escalation/scenarios/ (90 that must reach a person, 18
per reason, and 90 that must not) through the real product: Rasa with
models/store-bot.tar.gz, the action server and the NLG server on free loopback ports with
their own seeded store (launcher/live_stack.py), and the real gateway in process, each
conversation a socket.io customer speaking the widget's protocol. The store is reseeded
before every conversation. Prints recall, on-time recall, precision, false escalations and
the per-reason table; writes results.json and misses.md to --out.

It measures and changes nothing: the escalation policy is settings/escalation.yml as it
stands. Exit code 0 when the targets are met (recall >= 95 %, false escalations <= 5 %, no
errors), 1 when not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import sys
import tempfile
import time
from pathlib import Path

from bench.escalation.report import render, write_results
from bench.escalation.run import now_iso, play_all, run_info
from bench.escalation.scenarios import ScenarioError, load_scenarios, select
from launcher.live_stack import MODEL, run_live_stack

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"

logger = logging.getLogger("bench.escalation")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.escalation", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--limit", type=int, default=None, help="at most N conversations of each part, spread over it"
    )
    parser.add_argument("--only", nargs="+", default=[], metavar="ID", help="play only these scenario ids")
    parser.add_argument("--out", type=Path, default=Path("results/escalation"), help="results folder")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logger.setLevel(logging.INFO)
    args = parse_args(argv)
    try:
        scenarios = select(load_scenarios(SCENARIOS), args.only, args.limit)
    except ScenarioError as error:
        print(f"bench.escalation: {error}", file=sys.stderr)
        return 2
    given = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python -m bench.escalation", shlex.join(given)]).strip()
    started_at = now_iso()
    with tempfile.TemporaryDirectory(prefix="escalation-bench-") as tmp:
        workdir = Path(tmp)
        logger.info("starting the action server, the NLG server and Rasa (%s)...", MODEL.name)
        began = time.perf_counter()
        with run_live_stack(workdir / "stack") as stack:
            startup = time.perf_counter() - began
            logger.info("stack ready in %.0f s; playing %d conversations", startup, len(scenarios))
            result = asyncio.run(play_all(stack, scenarios, workdir / "gateway"))
    info = run_info(started_at, MODEL, command, startup, result)
    print(render(result.figures, result.outcomes, info))
    results, misses = write_results(args.out, result.figures, result.outcomes, info)
    print(f"\nevery conversation: {results}\nthe misses, readable: {misses}")
    return 0 if result.figures.targets_met else 1


if __name__ == "__main__":
    sys.exit(main())
