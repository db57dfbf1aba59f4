"""Which of the benchmark's five reasons each reason code the gateway records stands for.

The scenarios speak of five reasons in plain words; the policy (handoff/escalation/policy.py
`ReasonCode`) records six codes, risk being split into safety and legal. The table is
explicit so a reader sees exactly what is counted as what. A code missing from it is
counted as `other` and shows up in the per-reason table, never silently as a match;
`unmapped_codes` lets the smoke test fail as soon as the policy gains a code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from handoff.escalation.policy import ReasonCode

OTHER = "other"

BENCHMARK_REASON: Mapping[str, str] = {
    ReasonCode.REQUEST_HUMAN.value: "request",
    ReasonCode.FRUSTRATION.value: "frustration",
    ReasonCode.HIGH_STAKES.value: "stakes",
    ReasonCode.FAILED_UNDERSTANDING.value: "repeated_failure",
    ReasonCode.RISK_SAFETY.value: "risk",
    ReasonCode.RISK_LEGAL.value: "risk",
}


def benchmark_reasons(codes: Iterable[str]) -> tuple[str, ...]:
    """The benchmark reasons of recorded codes, in the order recorded, without repeats."""
    mapped = (BENCHMARK_REASON.get(code, OTHER) for code in codes)
    return tuple(dict.fromkeys(mapped))


def unmapped_codes() -> list[str]:
    """Reason codes the policy knows and this table does not (should be empty)."""
    return [code.value for code in ReasonCode if code.value not in BENCHMARK_REASON]
