"""Queue priority: who a free agent should help next.

    score = stakes points                      (bereavement 30 ... none 0)
          + frustration_points x frustration_level           (0..1)
          + deadline_points x nearness                        (1 today or past, 0 at horizon)
          + reason points                      (e.g. a safety incident +30)
          + waiting_points_per_minute x minutes waited        (never capped)

Higher is served first; ties go to whoever has waited longest, then by conversation id, so
the order is total and deterministic. Because waiting points grow without limit and every
other part is bounded (``PriorityWeights.max_static_points``), nothing starves: an entry
that has waited ``max_static_points / waiting_points_per_minute`` minutes longer than a
newcomer is ahead of it whatever the newcomer's stakes. Weights live in
settings/escalation.yml (``priority:``); docs/escalation.md works through examples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from handoff.escalation.decision import EscalationDecision, deadline_days_left
from handoff.escalation.policy import PriorityWeights
from handoff.escalation.tracker_view import TrackerView, parse_tracker


@dataclass(frozen=True)
class PriorityInputs:
    """What the score depends on, apart from time; JSON-safe so a queue row can store it."""

    stakes: str | None = None
    frustration_level: float = 0.0
    deadline: str | None = None  # ISO date
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriorityInputs:
        """Reads what ``to_dict`` wrote; unknown or wrongly typed values fall back to defaults
        so an old queue row can always be ranked."""
        level = data.get("frustration_level")
        stakes = data.get("stakes")
        deadline = data.get("deadline")
        reasons = data.get("reasons")
        return cls(
            stakes=stakes if isinstance(stakes, str) else None,
            frustration_level=_clamp(float(level)) if isinstance(level, (int, float)) else 0.0,
            deadline=deadline if isinstance(deadline, str) else None,
            reasons=tuple(r for r in reasons if isinstance(r, str)) if isinstance(reasons, list) else (),
        )

    @classmethod
    def from_tracker(
        cls, tracker: Mapping[str, Any] | TrackerView, decision: EscalationDecision
    ) -> PriorityInputs:
        view = tracker if isinstance(tracker, TrackerView) else parse_tracker(tracker)
        level = view.slot("frustration_level")
        if not isinstance(level, (int, float)) or isinstance(level, bool):
            latest = view.latest_turn
            level = latest.feelings.frustration_level if latest else None
        stakes = view.slot("stakes")
        deadline = view.slot("deadline")
        return cls(
            stakes=stakes.lower() if isinstance(stakes, str) and stakes.strip() else None,
            frustration_level=_clamp(float(level or 0.0)),
            deadline=deadline if isinstance(deadline, str) and deadline.strip() else None,
            reasons=tuple(code.value for code in decision.codes),
        )


@dataclass(frozen=True)
class PriorityScore:
    total: float
    stakes: float
    frustration: float
    deadline: float
    reasons: float
    waiting: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class QueueItem:
    conversation_id: str
    inputs: PriorityInputs
    queued_at: datetime


@dataclass(frozen=True)
class RankedItem:
    position: int
    item: QueueItem
    score: PriorityScore


def score(
    inputs: PriorityInputs, weights: PriorityWeights, now: datetime, waiting_seconds: float
) -> PriorityScore:
    """The priority of one queued conversation at ``now``."""
    stakes = weights.stakes_points.get(inputs.stakes or "", 0.0)
    frustration = weights.frustration_points * _clamp(inputs.frustration_level)
    deadline = weights.deadline_points * _nearness(inputs.deadline, weights.deadline_horizon_days, now)
    reasons = sum(weights.reason_points.get(code, 0.0) for code in set(inputs.reasons))
    waiting = weights.waiting_points_per_minute * max(0.0, waiting_seconds) / 60.0
    return PriorityScore(
        total=stakes + frustration + deadline + reasons + waiting,
        stakes=stakes,
        frustration=frustration,
        deadline=deadline,
        reasons=reasons,
        waiting=waiting,
    )


def rank(items: Sequence[QueueItem], weights: PriorityWeights, now: datetime) -> list[RankedItem]:
    """The queue in serving order: highest score, then longest wait, then conversation id."""
    scored = [
        (score(item.inputs, weights, now, (now - item.queued_at).total_seconds()), item) for item in items
    ]
    scored.sort(key=lambda pair: (-pair[0].total, pair[1].queued_at, pair[1].conversation_id))
    return [RankedItem(position=i + 1, item=item, score=s) for i, (s, item) in enumerate(scored)]


def _nearness(deadline: str | None, horizon_days: int, now: datetime) -> float:
    """1.0 when the deadline is today or past, falling linearly to 0.0 at the horizon."""
    days = deadline_days_left(deadline, now)
    if days is None:
        return 0.0
    if days <= 0:
        return 1.0
    return max(0.0, 1.0 - days / horizon_days)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
