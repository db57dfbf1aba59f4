"""One benchmark run on a live stack: the gateway in front of it, every scenario played in
turn, the figures. Shared by `python -m bench.escalation` (which starts the stack) and the
CI smoke test (which reuses the test session's), so both measure with the same code."""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bench.escalation.gateway import RASA_TIMEOUT_S, StoreReseeder, running_gateway
from bench.escalation.play import Outcome, Player
from bench.escalation.report import RunInfo
from bench.escalation.scenarios import Scenario
from bench.escalation.scoring import Figures, miss_kinds, score
from launcher.live_stack import LiveStack

logger = logging.getLogger("bench.escalation")


@dataclass(frozen=True)
class BenchResult:
    outcomes: tuple[Outcome, ...]
    figures: Figures
    play_seconds: float


async def play_all(
    stack: LiveStack, scenarios: Sequence[Scenario], workdir: Path, rasa_timeout_s: float = RASA_TIMEOUT_S
) -> BenchResult:
    """Play `scenarios` one after another through a fresh gateway in front of `stack`."""
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    reseeder = StoreReseeder(stack.store_database_url)
    try:
        async with running_gateway(stack, workdir, rasa_timeout_s) as bench:
            player = Player(bench, reseeder)
            for index, scenario in enumerate(scenarios, start=1):
                outcome = await player.play(scenario)
                outcomes.append(outcome)
                logger.info("[%d/%d] %s", index, len(scenarios), _progress_line(outcome))
    finally:
        reseeder.close()
    return BenchResult(tuple(outcomes), score(outcomes), time.perf_counter() - started)


def _progress_line(outcome: Outcome) -> str:
    got = (
        f"escalated after turn {outcome.turn} ({', '.join(outcome.codes)})"
        if outcome.escalated
        else f"stayed with the bot ({len(outcome.turns)} turns)"
    )
    kinds = miss_kinds(outcome)
    return f"{outcome.scenario.id}: {got}, {outcome.seconds:.1f} s" + (
        f"  <- {', '.join(kinds)}" if kinds else ""
    )


@dataclass(frozen=True)
class ModelFacts:
    path: str
    sha256: str
    modified_at: str

    @classmethod
    def of(cls, path: Path) -> ModelFacts:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        modified = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        return cls(str(path), digest.hexdigest(), modified.isoformat(timespec="seconds"))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_info(
    started_at: str, model: Path, command: str, startup_seconds: float, result: BenchResult
) -> RunInfo:
    """Where and how this run measured, kept with its figures."""
    facts = ModelFacts.of(model)
    return RunInfo(
        started_at=started_at,
        host=platform.node(),
        cpus=os.cpu_count(),
        model=facts.path,
        model_sha256=facts.sha256,
        model_modified_at=facts.modified_at,
        command=command,
        startup_seconds=round(startup_seconds, 1),
        play_seconds=round(result.play_seconds, 1),
    )
