"""Should this conversation go to a person now, and why?

``decide(tracker, policy, now)`` reads a Rasa tracker dump and applies the designer's
policy (settings/escalation.yml, see docs/escalation.md). Any one trigger escalates:

- the customer asked for a person (intent, accepting the bot's offer, or a clear phrase);
- risk: a legal threat or a safety incident, in words not negated;
- the conversation's frustration level reached the threshold (or one message was extreme),
  unless the customer's latest message closes the matter (thanks, goodbye);
- the bot failed to understand N messages in a row;
- high stakes with an open problem: bereavement/health always; gift/event/work/travel when
  the deadline is near or the item is damaged or late.

Only the current episode counts: messages since the conversation started, restarted or was
last handed back by a person, so a reason a person already dealt with does not fire again.
Every reason carries its evidence: the message text and its event index and turn.

The function is pure (no I/O, ``now`` injected) so the gateway can call it after every bot
turn and tests can pin the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from handoff.escalation.policy import EscalationPolicy, ReasonCode
from handoff.escalation.text import TermMatcher
from handoff.escalation.tracker_view import TrackerView, Turn, parse_tracker

__all__ = ["EscalationDecision", "EscalationReason", "ReasonCode", "deadline_days_left", "decide"]


@dataclass(frozen=True)
class EscalationReason:
    code: ReasonCode
    detail: str
    evidence_text: str | None = None
    event_index: int | None = None
    turn: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["code"] = self.code.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EscalationReason:
        """Reads what ``to_dict`` wrote (e.g. from a queue row); raises ValueError naming
        the problem for anything else."""
        try:
            code = ReasonCode(data["code"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an escalation reason (bad or missing 'code'): {data!r}") from error
        detail = data.get("detail")
        evidence, index, turn = data.get("evidence_text"), data.get("event_index"), data.get("turn")
        if not isinstance(detail, str):
            raise ValueError(f"escalation reason {code.value} has no 'detail' text: {data!r}")
        return cls(
            code=code,
            detail=detail,
            evidence_text=evidence if isinstance(evidence, str) else None,
            event_index=index if isinstance(index, int) and not isinstance(index, bool) else None,
            turn=turn if isinstance(turn, int) and not isinstance(turn, bool) else None,
        )


@dataclass(frozen=True)
class EscalationDecision:
    escalate: bool
    reasons: list[EscalationReason] = field(default_factory=list)

    @property
    def codes(self) -> list[ReasonCode]:
        return [reason.code for reason in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {"escalate": self.escalate, "reasons": [r.to_dict() for r in self.reasons]}


def decide(
    tracker: Mapping[str, Any] | TrackerView, policy: EscalationPolicy, now: datetime
) -> EscalationDecision:
    """Applies ``policy`` to a tracker dump (or an already parsed view) at time ``now``."""
    view = tracker if isinstance(tracker, TrackerView) else parse_tracker(tracker)
    checks = _Checks(view, policy, now)
    reasons = [
        reason
        for reason in (
            checks.request_human(),
            checks.risk(ReasonCode.RISK_SAFETY, policy.risk.safety, "safety incident"),
            checks.risk(ReasonCode.RISK_LEGAL, policy.risk.legal, "legal or chargeback threat"),
            checks.high_stakes(),
            checks.frustration(),
            checks.failed_understanding(),
        )
        if reason is not None
    ]
    return EscalationDecision(escalate=bool(reasons), reasons=reasons)


def deadline_days_left(deadline: Any, now: datetime) -> int | None:
    """Whole days from ``now``'s date to an ISO deadline (negative when past); None if unparsable."""
    if not isinstance(deadline, str) or not deadline.strip():
        return None
    text = deadline.strip()
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return (day - now.date()).days


class _Checks:
    def __init__(self, view: TrackerView, policy: EscalationPolicy, now: datetime) -> None:
        self.view = view
        self.policy = policy
        self.now = now
        self.episode = view.episode
        negation = policy.negation
        self.phrases = negation.matcher(policy.request_human.phrases)
        self.late_terms = negation.matcher(policy.stakes.late_terms)
        self.damaged_terms = negation.matcher(policy.stakes.damaged_terms)

    # --- explicit request ---------------------------------------------------------------
    def request_human(self) -> EscalationReason | None:
        rule = self.policy.request_human
        for turn in reversed(self.episode):
            if turn.intent in rule.intents and (
                turn.confidence is None or turn.confidence >= rule.min_confidence
            ):
                return _reason(ReasonCode.REQUEST_HUMAN, "asked for a person", turn)
            offered = turn.slots_before.get("pending_offer")
            if rule.offer_value and offered == rule.offer_value and turn.intent in rule.accept_intents:
                return _reason(ReasonCode.REQUEST_HUMAN, "accepted the bot's offer of a person", turn)
            if turn.intent not in rule.phrases_ignored_for_intents:
                match = self.phrases.first_affirmed(turn.text)
                if match is not None:
                    return _reason(
                        ReasonCode.REQUEST_HUMAN, f'asked for a person ("{match.matched_text}")', turn
                    )
        return None

    # --- risk -----------------------------------------------------------------------------
    def risk(self, code: ReasonCode, terms: tuple[str, ...], label: str) -> EscalationReason | None:
        matcher = self.policy.negation.matcher(terms)
        for turn in reversed(self.episode):
            match = matcher.first_affirmed(turn.text)
            if match is not None:
                return _reason(code, f'{label}: "{match.matched_text}"', turn)
        return None

    # --- frustration ------------------------------------------------------------------------
    def frustration(self) -> EscalationReason | None:
        rule = self.policy.frustration
        latest = self.episode[-1] if self.episode else None
        if latest is None or latest.intent in rule.resolved_intents:
            return None
        level = _number(self.view.slot("frustration_level"))
        if level is None:
            level = latest.feelings.frustration_level
        if level is not None and level >= rule.level_threshold and level > self._level_at_handback():
            peak = max(self.episode, key=lambda t: t.feelings.frustration or 0.0)
            evidence = peak if (peak.feelings.frustration or 0.0) > 0 else latest
            return _reason(
                ReasonCode.FRUSTRATION,
                f"conversation frustration {level:.2f} ≥ {rule.level_threshold:.2f}",
                evidence,
            )
        message = latest.feelings.frustration
        if rule.message_threshold is not None and message is not None and message >= rule.message_threshold:
            return _reason(
                ReasonCode.FRUSTRATION,
                f"this message's frustration {message:.2f} ≥ {rule.message_threshold:.2f}",
                latest,
            )
        return None

    def _level_at_handback(self) -> float:
        """After a person handed back, frustration must rise past where they left it, or a
        conversation still carrying its old level would bounce straight back to the queue."""
        if self.view.episode_boundary != "resume" or not self.episode:
            return -1.0
        return _number(self.episode[0].slots_before.get("frustration_level")) or -1.0

    # --- not understood -------------------------------------------------------------------------
    def failed_understanding(self) -> EscalationReason | None:
        rule = self.policy.failed_understanding
        streak: list[Turn] = []
        for turn in reversed(self.episode):
            clarified = any(action.name in rule.clarify_actions for action in turn.actions)
            if turn.intent in rule.fallback_intents or clarified:
                streak.append(turn)
            else:
                break
        if len(streak) < rule.consecutive:
            return None
        texts = " / ".join(f'"{t.text}"' for t in reversed(streak))
        return EscalationReason(
            code=ReasonCode.FAILED_UNDERSTANDING,
            detail=f"the bot did not understand {len(streak)} messages in a row",
            evidence_text=texts,
            event_index=streak[0].event_index,
            turn=streak[0].number,
        )

    # --- high stakes with an open problem -----------------------------------------------------
    def high_stakes(self) -> EscalationReason | None:
        rule = self.policy.stakes
        stakes = self._stakes()
        if stakes is None or (stakes not in rule.always and stakes not in rule.time_sensitive):
            return None
        problem = self._open_problem()
        if problem is None:
            return None
        stated = next((t for t in self.view.turns if t.feelings.stakes == stakes), problem)
        if stakes in rule.always:
            detail = f"{stakes} with an open problem ({self._problem_label(problem)})"
            return _reason(ReasonCode.HIGH_STAKES, detail, stated)
        why = self._time_pressure()
        if not why:
            return None
        detail = f"{stakes} with an open problem ({self._problem_label(problem)}): {', '.join(why)}"
        return _reason(ReasonCode.HIGH_STAKES, detail, stated)

    def _stakes(self) -> str | None:
        value = self.view.slot("stakes")
        if not isinstance(value, str) or not value.strip():
            value = next((t.feelings.stakes for t in reversed(self.view.turns) if t.feelings.stakes), None)
        return value.strip().lower() if isinstance(value, str) and value.strip() else None

    def _open_problem(self) -> Turn | None:
        """The latest message that opened a problem, unless a later one closed it."""
        rule = self.policy.open_problem
        closing = self.policy.frustration.resolved_intents
        for turn in reversed(self.episode):
            if turn.intent in closing:
                return None
            if turn.intent in rule.intents:
                return turn
            if rule.late_turns_open and self.late_terms.first_affirmed(turn.text) is not None:
                return turn
            if self.damaged_terms.first_affirmed(turn.text) is not None:
                return turn
        goal = self.view.slot("goal")
        if self.episode and goal in rule.intents:
            return self.episode[-1]
        return None

    def _problem_label(self, turn: Turn) -> str:
        if turn.intent and turn.intent in self.policy.open_problem.intents:
            return turn.intent
        goal = self.view.slot("goal")
        return str(goal) if goal else f'"{turn.text}"'

    def _time_pressure(self) -> list[str]:
        """Why a time-sensitive occasion needs a person: deadline near, damaged, late."""
        rule = self.policy.stakes
        why: list[str] = []
        days = deadline_days_left(self.view.slot("deadline") or self._latest_feeling("deadline"), self.now)
        if days is not None and days <= rule.deadline_near_days:
            why.append("deadline passed" if days < 0 else f"deadline in {days} day(s)")
        elif self.view.slot("urgent") is True or self._latest_feeling("urgent") is True:
            why.append("marked urgent")
        if self._any_turn(rule.damaged_intents, self.damaged_terms):
            why.append("item damaged")
        if self._any_turn(rule.late_intents, self.late_terms):
            why.append("item late")
        return why

    def _latest_feeling(self, name: str) -> Any:
        return next(
            (
                getattr(t.feelings, name)
                for t in reversed(self.view.turns)
                if getattr(t.feelings, name) is not None
            ),
            None,
        )

    def _any_turn(self, intents: frozenset[str], terms: TermMatcher) -> bool:
        return any(t.intent in intents or terms.first_affirmed(t.text) is not None for t in self.episode)


def _reason(code: ReasonCode, detail: str, turn: Turn) -> EscalationReason:
    return EscalationReason(
        code=code, detail=detail, evidence_text=turn.text, event_index=turn.event_index, turn=turn.number
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def reason_codes(reasons: Sequence[EscalationReason]) -> list[str]:
    """Reason codes as plain strings (for queue rows and priority)."""
    return [reason.code.value for reason in reasons]
