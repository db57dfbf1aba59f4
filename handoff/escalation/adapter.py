"""The real `EscalationPolicy` for the gateway: the escalation decision, the queue priority and
the context summary behind the small protocol in handoff.escalation.port."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from handoff.escalation import decision as escalation
from handoff.escalation import priority
from handoff.escalation.decision import EscalationReason
from handoff.escalation.policy import EscalationPolicy as PolicyFile
from handoff.escalation.policy import ReasonCode
from handoff.escalation.port import Verdict, transcript_summary
from handoff.persistence.records import Message
from handoff.summary import build as summary
from handoff.summary.facts import StoreReader

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


def reason_from_evidence(item: dict[str, Any]) -> EscalationReason | None:
    """Rebuild an EscalationReason from its stored `to_dict()` form (None if unrecognised)."""
    try:
        code = ReasonCode(item.get("code"))
    except ValueError:
        return None
    return EscalationReason(
        code=code,
        detail=str(item.get("detail") or ""),
        evidence_text=item.get("evidence_text"),
        event_index=item.get("event_index"),
        turn=item.get("turn"),
    )


class ModulePolicy:
    def __init__(
        self, policy: PolicyFile, store: StoreReader | None = None, clock: Clock = time.time
    ) -> None:
        self.policy = policy
        # The shop's data for the summary (customer, order facts); None → tracker facts only.
        self.store = store
        self.clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    def decide(self, tracker: dict[str, Any], latest_message: str) -> Verdict:
        decision = escalation.decide(tracker, self.policy, self._now())
        inputs = priority.PriorityInputs.from_tracker(tracker, decision)
        return Verdict(
            escalate=decision.escalate,
            reasons=escalation.reason_codes(decision.reasons),
            evidence=[reason.to_dict() for reason in decision.reasons],
            detail={"decision": decision.to_dict(), "priority_inputs": inputs.to_dict()},
        )

    def priority(self, verdict: Verdict, waiting_seconds: float) -> float:
        raw_inputs = verdict.detail.get("priority_inputs") or {"reasons": verdict.reasons}
        inputs = priority.PriorityInputs.from_dict(raw_inputs)
        scored = priority.score(inputs, self.policy.priority, self._now(), waiting_seconds)
        return round(scored.total, 3)

    def summarize(
        self, tracker: dict[str, Any] | None, verdict: Verdict, transcript: Sequence[Message]
    ) -> dict[str, Any]:
        """The context summary's ContextSummary as JSON; the gateway transcript when Rasa is down."""
        if tracker is None:
            built = transcript_summary(transcript, verdict)
        else:
            reasons = [r for r in map(reason_from_evidence, verdict.evidence) if r is not None]
            built = summary.build_summary(tracker, self.store, reasons, self._now()).to_dict()
        # The console's emotion chart draws the line the customer crossed.
        built["frustration_threshold"] = self.policy.frustration.level_threshold
        return built
