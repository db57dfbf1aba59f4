"""`python -m bench.empathy`: scripted conversations through the bot, every reply scored.

    python -m bench.empathy --rasa-url http://127.0.0.1:5005          # the real bot (default mode)
    python -m bench.empathy --mode synthetic                          # NLG layer only, in process
    python -m bench.empathy --mode synthetic --nlg-url http://127.0.0.1:5056/nlg

The real mode changes the demo store (it cancels, refunds, records returns), so run it on a
freshly seeded store (`python -m shop.seed`); each conversation uses its own orders.

Exit code 0 when the targets are met (no banned phrase, >= 95% of replies to negative
messages acknowledge + name the issue + act, no errors), 1 when not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp

from bench.empathy.report import render, totals
from bench.empathy.runners import RasaRunner, Runner, SyntheticRunner, http_nlg
from bench.empathy.scoring import ConversationScorer, Lexicon, TurnScore
from bench.empathy.script import Conversation, ScriptError, load_conversations
from bench.empathy.synthetic import SyntheticConversation, load_domain
from empathy.service import NlgRequest, NlgService
from empathy.settings import EmpathySettings

HERE = Path(__file__).resolve().parent
SYNTHETIC_TODAY = datetime(2026, 3, 13, 10, 0, tzinfo=timezone.utc)

logger = logging.getLogger("bench.empathy")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.empathy", description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("real", "synthetic"), default="real")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--nlg-url", default=None, help="synthetic mode: an NLG server; default: in process")
    parser.add_argument("--conversations", type=Path, default=HERE / "conversations")
    parser.add_argument("--only", default=None, help="run only conversations whose id contains this")
    parser.add_argument("--json", type=Path, default=None, help="also write every score to this JSON file")
    parser.add_argument("--verbose", action="store_true", help="print every reply, not only failures")
    return parser.parse_args(argv)


async def run_all(
    conversations: list[Conversation], runner: Runner, lexicon: Lexicon, sender_prefix: str
) -> list[TurnScore]:
    scores: list[TurnScore] = []
    for conversation in conversations:
        runner.start(conversation, f"{sender_prefix}-{conversation.id}")
        scorer = ConversationScorer(lexicon, conversation.id)
        for turn in conversation.turns:
            scores.append(scorer.score(turn, await runner.send(turn)))
    return scores


async def run(args: argparse.Namespace) -> int:
    try:
        conversations = [
            c for c in load_conversations(args.conversations) if not args.only or args.only in c.id
        ]
        lexicon = Lexicon.load(HERE / "scoring.yml")
    except (ScriptError, OSError, KeyError) as error:
        print(f"bench.empathy: {error}", file=sys.stderr)
        return 2
    async with aiohttp.ClientSession() as session:
        runner: Runner
        if args.mode == "real":
            runner = RasaRunner(session, args.rasa_url)
        else:
            runner = _synthetic_runner(session, args.nlg_url)
        started = time.perf_counter()
        # Real bot: a fresh sender id per run, so every conversation starts from scratch.
        # Synthetic: a stable one, so the same content gives the same words (seeded choice).
        prefix = f"bench-{int(time.time())}" if args.mode == "real" else "bench"
        scores = await run_all(conversations, runner, lexicon, prefix)
        elapsed = time.perf_counter() - started
    print(f"mode: {args.mode}; {len(conversations)} conversations; {elapsed:.1f} s\n")
    print(render(scores, verbose=args.verbose))
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], indent=2))
    return 0 if totals(scores).targets_met else 1


def _synthetic_runner(session: aiohttp.ClientSession, nlg_url: str | None) -> SyntheticRunner:
    settings = EmpathySettings.from_env()
    domain = load_domain(settings.domain_path)
    if nlg_url:
        nlg = http_nlg(session, nlg_url)
    else:
        service = NlgService.from_settings(settings)

        async def nlg(body: dict[str, Any]) -> dict[str, Any]:
            return service.generate(NlgRequest.parse(body)).to_json()

    return SyntheticRunner(
        lambda sender: SyntheticConversation(domain, sender, SYNTHETIC_TODAY), nlg, SYNTHETIC_TODAY
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
