"""The benchmark's figures from the outcomes: recall, precision, false escalations, reasons.

Conversations that hit an error or timed out are scored as they came out (a missed
escalation is a miss whatever the cause) and also counted apart, so a figure spoiled by a
slow machine is visible as such instead of hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bench.escalation.play import Outcome
from bench.escalation.reasons import OTHER
from bench.escalation.scenarios import REASONS

TARGET_RECALL = 0.95
TARGET_FALSE_ESCALATION_RATE = 0.05
# The expected-reason row of routine conversations, and the column of no escalation.
ROUTINE = "must_not"
NOT_ESCALATED = "not escalated"
COLUMNS = (*REASONS, OTHER, NOT_ESCALATED)


@dataclass(frozen=True)
class ReasonRow:
    """One expected reason (or the routine conversations): how its conversations came out."""

    reason: str
    conversations: int
    escalated: int
    on_time: int
    matched: int  # escalated with the expected reason among those recorded
    # Recorded benchmark reason -> conversations (one conversation may record several).
    recorded: dict[str, int]

    @property
    def recall(self) -> float | None:
        return self.escalated / self.conversations if self.conversations else None


@dataclass(frozen=True)
class Figures:
    must_escalate: int
    must_not: int
    escalated: int  # must_escalate conversations that escalated at all
    on_time: int  # ... no later than their by_turn
    reason_matched: int  # ... with the expected reason recorded
    false_escalations: int  # must_not conversations that escalated
    errors: int  # conversations with an error or a timeout
    timeouts: int
    rows: tuple[ReasonRow, ...]

    @property
    def recall(self) -> float | None:
        return _ratio(self.escalated, self.must_escalate)

    @property
    def on_time_recall(self) -> float | None:
        return _ratio(self.on_time, self.must_escalate)

    @property
    def precision(self) -> float | None:
        return _ratio(self.escalated, self.escalated + self.false_escalations)

    @property
    def false_escalation_rate(self) -> float | None:
        return _ratio(self.false_escalations, self.must_not)

    @property
    def reason_match_rate(self) -> float | None:
        """Of the escalations that should have happened, how many recorded the right reason."""
        return _ratio(self.reason_matched, self.escalated)

    @property
    def targets_met(self) -> bool:
        recall, false_rate = self.recall, self.false_escalation_rate
        return (
            (recall is None or recall >= TARGET_RECALL)
            and (false_rate is None or false_rate <= TARGET_FALSE_ESCALATION_RATE)
            and self.errors == 0
        )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _row(reason: str, outcomes: Sequence[Outcome]) -> ReasonRow:
    recorded: Counter[str] = Counter()
    for outcome in outcomes:
        recorded.update(outcome.reasons if outcome.escalated else (NOT_ESCALATED,))
    return ReasonRow(
        reason=reason,
        conversations=len(outcomes),
        escalated=sum(o.escalated for o in outcomes),
        on_time=sum(o.on_time for o in outcomes),
        matched=sum(o.reason_matched for o in outcomes),
        recorded={column: recorded[column] for column in COLUMNS},
    )


def score(outcomes: Sequence[Outcome]) -> Figures:
    must = [o for o in outcomes if o.scenario.must_escalate]
    routine = [o for o in outcomes if not o.scenario.must_escalate]
    rows = [_row(reason, [o for o in must if o.scenario.reason == reason]) for reason in REASONS]
    rows.append(_row(ROUTINE, routine))
    return Figures(
        must_escalate=len(must),
        must_not=len(routine),
        escalated=sum(o.escalated for o in must),
        on_time=sum(o.on_time for o in must),
        reason_matched=sum(o.reason_matched for o in must),
        false_escalations=sum(o.escalated for o in routine),
        errors=sum(bool(o.errors) or o.timed_out for o in outcomes),
        timeouts=sum(o.timed_out for o in outcomes),
        rows=tuple(row for row in rows if row.conversations),
    )


def miss_kinds(outcome: Outcome) -> tuple[str, ...]:
    """Why a conversation is listed in misses.md (empty: it came out as it should)."""
    kinds = []
    if outcome.scenario.must_escalate:
        if not outcome.escalated:
            kinds.append("missed")
        else:
            if not outcome.on_time:
                kinds.append("late")
            if not outcome.reason_matched:
                kinds.append("wrong reason")
    elif outcome.escalated:
        kinds.append("false escalation")
    if outcome.errors or outcome.timed_out:
        kinds.append("error")
    return tuple(kinds)
