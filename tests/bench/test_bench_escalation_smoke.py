"""The escalation benchmark, in small: two of its frozen scenarios (one explicit request,
one routine conversation) through the real stack with the benchmark's own code.

Slow: uses the session's live stack (tests/conftest.py `live_bot`, so CI pays no second
start-up), which needs models/store-bot.tar.gz (`make train`). Like the benchmark it reseeds
that stack's store before each conversation, i.e. puts it back to `shop.seed`'s state.
It checks that the figures are produced and the results are kept, not that the product
meets the targets: that is what `make bench-escalation` measures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.escalation.__main__ import SCENARIOS
from bench.escalation.reasons import unmapped_codes
from bench.escalation.report import render, write_results
from bench.escalation.run import now_iso, play_all, run_info
from bench.escalation.scenarios import load_scenarios, select
from launcher.live_stack import MODEL, LiveStack

SMOKE = ("must_escalate-002", "must_not-004")


def test_every_reason_code_the_gateway_records_has_a_benchmark_reason() -> None:
    assert unmapped_codes() == []


@pytest.mark.slow
@pytest.mark.skipif(not MODEL.exists(), reason=f"no trained model at {MODEL} (run `make train`)")
async def test_the_benchmark_measures_real_conversations_and_keeps_them(
    live_bot: LiveStack, tmp_path: Path
) -> None:
    scenarios = select(load_scenarios(SCENARIOS), SMOKE)
    assert [s.reason for s in scenarios] == ["request", None]

    result = await play_all(live_bot, scenarios, tmp_path / "gateway")

    figures = result.figures
    assert (figures.must_escalate, figures.must_not) == (1, 1)
    assert figures.errors == 0, ([o.errors for o in result.outcomes], live_bot.logs())
    assert figures.recall is not None and figures.false_escalation_rate is not None
    for outcome in result.outcomes:
        assert outcome.turns, outcome
        assert outcome.turns[0].replies, outcome.turns[0]  # the customer's socket got the bot's answer
        assert outcome.escalated == (outcome.turn is not None)

    info = run_info(now_iso(), MODEL, "smoke test", 0.0, result)
    printed = render(figures, result.outcomes, info)
    for line in ("recall (escalated at all)", "false escalations (must_not)", "request ", "must_not "):
        assert line in printed, printed

    results, misses = write_results(tmp_path / "out", figures, result.outcomes, info)
    kept = json.loads(results.read_text(encoding="utf-8"))
    assert [c["id"] for c in kept["conversations"]] == list(SMOKE)
    assert kept["figures"]["recall"] == round(figures.recall, 4)
    first = kept["conversations"][0]
    assert first["turns"][0]["customer"] == scenarios[0].turns[0]
    assert first["turns"][0]["replies"][0]["text"]
    assert misses.read_text(encoding="utf-8").startswith("# Escalation benchmark: misses")
