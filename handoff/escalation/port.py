"""The gateway's view of the escalation policy, queue priority and context summary.

Those three are pure modules owned by another engineer (handoff/escalation/decision.py,
handoff/escalation/priority.py, handoff/summary/build.py). The gateway talks to them only through the
`EscalationPolicy` protocol below, so tests can inject a fake and the service never
depends on their internals; `handoff.escalation.adapter.ModulePolicy` is the real one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from handoff.persistence.records import Message

EXPLICIT_REQUEST = "request_human"


@dataclass(frozen=True)
class Verdict:
    """Whether to escalate now, why, and the evidence (which message, which signal)."""

    escalate: bool
    reasons: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # Everything else the policy decided (stakes, frustration, deadline...), as JSON.
    detail: dict[str, Any] = field(default_factory=dict)


class EscalationPolicy(Protocol):
    def decide(self, tracker: dict[str, Any], latest_message: str) -> Verdict:
        """Judge the conversation after a bot turn."""

    def priority(self, verdict: Verdict, waiting_seconds: float) -> float:
        """Queue priority: higher is served first."""

    def summarize(
        self, tracker: dict[str, Any] | None, verdict: Verdict, transcript: Sequence[Message]
    ) -> dict[str, Any]:
        """The context summary an agent reads (JSON-serialisable)."""


def explicit_request(text: str, detail: str = "asked for a person") -> Verdict:
    """The customer asked for a person: escalate at once, no confirmation loop.

    The evidence has the shape of handoff.escalation.decision's `EscalationReason.to_dict()`.
    """
    evidence = {
        "code": EXPLICIT_REQUEST,
        "detail": detail,
        "evidence_text": text,
        "event_index": None,
        "turn": None,
    }
    return Verdict(
        escalate=True,
        reasons=[EXPLICIT_REQUEST],
        evidence=[evidence],
        detail={"explicit": True, "priority_inputs": {"reasons": [EXPLICIT_REQUEST]}},
    )


def transcript_summary(transcript: Sequence[Message], verdict: Verdict) -> dict[str, Any]:
    """The summary when the real one cannot be built (Rasa down, summary module failed):
    at least the reasons and the whole transcript, so nobody has to repeat themselves."""
    customer_lines = [m.text for m in transcript if m.role == "customer" and m.text]
    return {
        "problem": customer_lines[-1] if customer_lines else "",
        "escalation_reasons": verdict.reasons,
        "evidence": verdict.evidence,
        "transcript": [
            {"seq": m.seq, "role": m.role, "name": m.sender_name, "text": m.text} for m in transcript
        ],
        "partial": True,
    }
