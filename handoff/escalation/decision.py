"""Should this conversation go to a person now, and why?

``decide(tracker, policy, now)`` reads a Rasa tracker dump and applies the designer's
policy (settings/escalation.yml, see docs/escalation.md). Any one trigger escalates:

- the customer asked for a person (intent, accepting the bot's offer, a clear phrase, or a
  terse message of words for a person: "human", "real person pls");
- risk: a legal threat or a safety incident, in words not negated;
- frustration: the conversation's level reached the threshold (or one message was extreme);
  the whole conversation shows strain (the bot repeating itself, the customer repeating
  themselves or saying they heard it before, sarcasm, exasperation, negative turns), or
  several negative turns in a row; or a big complaint about an open problem; unless the
  customer's latest message closes the matter (thanks, goodbye) without any strain;
- the bot failed to understand N messages in a row, or N answers to one of its questions
  did not give what it asked for;
- high stakes with an open problem: bereavement/health always; gift/event/work/travel when
  the deadline is near or the item is damaged or late. The open problem may be the store's
  own record of the order (slot order_problems: overdue, lost, damaged...), not only words.

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
from handoff.escalation.text import TermMatcher, normalise, word_overlap
from handoff.escalation.tracker_view import (
    ORDER_PROBLEMS_SLOT,
    REQUESTED_SLOT,
    TrackerView,
    Turn,
    parse_tracker,
)

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


# How the store facts read in a reason's detail ("the store shows the order overdue").
FACT_WORDS = {
    "overdue": "overdue",
    "lost": "lost by the carrier",
    "damaged": "damaged",
    "refund_late": "with a refund past its date",
    "double_charge": "charged twice",
}


@dataclass(frozen=True)
class _Strain:
    """The signs of strain in one customer turn (see frustration.conversation)."""

    turn: Turn
    points: float
    signs: tuple[str, ...]
    negative: bool


class _Checks:
    def __init__(self, view: TrackerView, policy: EscalationPolicy, now: datetime) -> None:
        self.view = view
        self.policy = policy
        self.now = now
        self.episode = view.episode
        negation = policy.negation
        strain = policy.frustration.conversation
        self.phrases = negation.matcher(policy.request_human.phrases)
        self.doubtful = negation.matcher(policy.request_human.doubtful_phrases)
        self.late_terms = negation.matcher(policy.stakes.late_terms)
        self.damaged_terms = negation.matcher(policy.stakes.damaged_terms)
        self.heard_before = negation.matcher(strain.heard_before)
        self.sarcasm = negation.matcher(strain.sarcasm)
        self.exasperated = negation.matcher(strain.exasperated)
        self.big_complaint_terms = negation.matcher(policy.frustration.big_complaint.terms)
        self.corrections = negation.matcher(policy.failed_understanding.correction_terms)
        self._strain_cache: list[_Strain] | None = None

    # --- explicit request ---------------------------------------------------------------
    def request_human(self) -> EscalationReason | None:
        rule = self.policy.request_human
        for turn in reversed(self.episode):
            if rule.terse.matches(turn.text):
                return _reason(ReasonCode.REQUEST_HUMAN, f'asked for a person ("{turn.text.strip()}")', turn)
            if (
                turn.intent in rule.intents
                and (turn.confidence is None or turn.confidence >= rule.min_confidence)
                and self.doubtful.first_affirmed(turn.text) is None
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
        latest = self.episode[-1] if self.episode else None
        if latest is None or self._closes(latest):
            return None
        return (
            self._frustration_level(latest)
            or self._big_complaint()
            or self._conversation_strain()
            or self._negative_streak()
        )

    def _closes(self, turn: Turn) -> bool:
        """A thank-you or goodbye that really closes the matter: no strain in it ("thanks for
        nothing" is sarcasm) and not a negative turn ("I already gave you my email", which
        NLU may file as goodbye)."""
        if turn.intent not in self.policy.frustration.resolved_intents or self._negative(turn):
            return False
        matchers = (self.heard_before, self.sarcasm, self.exasperated, self.big_complaint_terms)
        return all(matcher.first_affirmed(turn.text) is None for matcher in matchers)

    def _frustration_level(self, latest: Turn) -> EscalationReason | None:
        rule = self.policy.frustration
        if latest.feelings.emotion in rule.satisfied_emotions and not self._strain_by_turn(latest).signs:
            return None  # loud, but happy: the level and the message score say "intense"
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

    def _big_complaint(self) -> EscalationReason | None:
        rule = self.policy.frustration.big_complaint
        for turn in reversed(self.episode):
            match = self.big_complaint_terms.first_affirmed(turn.text)
            if match is None:
                continue
            if rule.needs_open_problem and self._open_problem() is None:
                return None
            return _reason(ReasonCode.FRUSTRATION, f'a big complaint: "{match.matched_text}"', turn)
        return None

    def _conversation_strain(self) -> EscalationReason | None:
        rule = self.policy.frustration.conversation
        window = self._strains()[-rule.window_turns :]
        total = sum(strain.points for strain in window)
        if total < rule.threshold:
            return None
        marked = [strain for strain in window if strain.signs]
        signs = "; ".join(f"turn {s.turn.number}: {', '.join(s.signs)}" for s in marked)
        return _reason(
            ReasonCode.FRUSTRATION,
            f"strain over the conversation {total:g} ≥ {rule.threshold:g} ({signs})",
            marked[-1].turn,
        )

    def _negative_streak(self) -> EscalationReason | None:
        rule = self.policy.frustration.conversation
        streak: list[Turn] = []
        for strain in reversed(self._strains()):
            if not strain.negative:
                break
            streak.append(strain.turn)
        if len(streak) < rule.negative_streak:
            return None
        return _reason(ReasonCode.FRUSTRATION, f"{len(streak)} negative messages in a row", streak[0])

    def _strain_by_turn(self, turn: Turn) -> _Strain:
        return next(s for s in self._strains() if s.turn is turn)

    def _strains(self) -> list[_Strain]:
        """The signs of strain turn by turn over the episode (computed once)."""
        if self._strain_cache is None:
            self._strain_cache = self._compute_strains()
        return self._strain_cache

    def _compute_strains(self) -> list[_Strain]:
        rule = self.policy.frustration.conversation
        points = rule.points
        said: set[str] = set()
        asked: set[str] = set()
        strains: list[_Strain] = []
        for position, turn in enumerate(self.episode):
            signs: list[tuple[str, float]] = []
            if self._bot_repeated(turn, said, asked):
                signs.append(("the bot repeated itself", points.bot_repeated))
            earlier = self.episode[:position]
            if turn.intent not in rule.repeat_ignore_intents and any(
                word_overlap(turn.text, e.text, rule.repeat_ignore_words) >= rule.repeat_similarity
                for e in earlier
            ):
                signs.append(("asked the same again", points.customer_repeated))
            for matcher, weight in (
                (self.heard_before, points.heard_before),
                (self.sarcasm, points.sarcasm),
                (self.exasperated, points.exasperated),
            ):
                match = matcher.first_affirmed(turn.text)
                if match is not None:
                    signs.append((f'"{match.matched_text}"', weight))
            negative = self._negative(turn)
            if negative:
                signs.append(("negative", points.negative_turn))
            strains.append(
                _Strain(turn, sum(w for _, w in signs), tuple(name for name, _ in signs), negative)
            )
        return strains

    def _bot_repeated(self, turn: Turn, said: set[str], asked: set[str]) -> bool:
        """Whether the bot's reply to ``turn`` repeats a response it sent earlier in the
        episode or asks again for a slot it asked for before (updates ``said``/``asked``)."""
        rule = self.policy.frustration.conversation
        repeated = False
        for message in turn.bot_messages:
            if message.role != "bot" or message.response in rule.repeatable_responses:
                continue
            key = message.response or " ".join(normalise(message.text).split())
            repeated = repeated or key in said
            said.add(key)
        for slot in dict.fromkeys(v for v in turn.slot_values(REQUESTED_SLOT) if isinstance(v, str) and v):
            repeated = repeated or slot in asked
            asked.add(slot)
        for slot in list(asked):
            if _given(turn, slot):
                asked.discard(slot)  # answered: asking for it again later is a new question
        return repeated

    def _negative(self, turn: Turn) -> bool:
        rule = self.policy.frustration.conversation
        frustration = turn.feelings.frustration
        return turn.feelings.emotion in rule.negative_emotions and (
            frustration is None or frustration >= rule.negative_min_frustration
        )

    def _level_at_handback(self) -> float:
        """After a person handed back, frustration must rise past where they left it, or a
        conversation still carrying its old level would bounce straight back to the queue."""
        if self.view.episode_boundary != "resume" or not self.episode:
            return -1.0
        return _number(self.episode[0].slots_before.get("frustration_level")) or -1.0

    # --- not understood -------------------------------------------------------------------------
    def failed_understanding(self) -> EscalationReason | None:
        return self._misses_in_a_row() or self._failed_answers()

    def _failed_answers(self) -> EscalationReason | None:
        """The same question of the bot's answered without success N times (wrong, refused,
        "I don't know")."""
        rule = self.policy.failed_understanding
        failures: dict[str, list[Turn]] = {}
        questions: set[str] = set()  # every slot the bot asked for so far
        for turn in self.episode:
            asked = turn.slots_before.get(REQUESTED_SLOT)
            if isinstance(asked, str) and asked:
                questions.add(asked)
                answered = any(_given(turn, slot) for slot in questions)  # this or another one
                if not answered and (turn.intent is None or turn.intent in rule.answer_intents):
                    failures.setdefault(asked, []).append(turn)
            questions.update(v for v in turn.slot_values(REQUESTED_SLOT) if isinstance(v, str) and v)
        slot, turns = max(failures.items(), key=lambda item: len(item[1]), default=("", []))
        if len(turns) < rule.failed_answers:
            return None
        texts = " / ".join(f'"{t.text}"' for t in turns)
        return EscalationReason(
            code=ReasonCode.FAILED_UNDERSTANDING,
            detail=f"{len(turns)} answers did not give the {slot.replace('_', ' ')} the bot asked for",
            evidence_text=texts,
            event_index=turns[-1].event_index,
            turn=turns[-1].number,
        )

    def _misses_in_a_row(self) -> EscalationReason | None:
        rule = self.policy.failed_understanding
        streak: list[Turn] = []
        for turn in reversed(self.episode):
            clarified = any(action.name in rule.clarify_actions for action in turn.actions)
            if turn.intent in rule.fallback_intents or clarified:
                streak.append(turn)
            else:
                break
        troubled = (
            any(self._strain_by_turn(t).signs or self.corrections.first_affirmed(t.text) for t in streak)
            or self._open_problem() is not None
            or self._stakes() is not None
        )
        if len(streak) < (rule.consecutive if troubled else rule.calm_consecutive):
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
        """The latest message that opened a problem, unless a later one closed it. The store's
        own record of the order (slot order_problems) opens one at the turn the bot looked
        the order up."""
        rule = self.policy.open_problem
        looked_up = self._latest_lookup()
        for turn in reversed(self.episode):
            if self._closes(turn):
                return None
            if turn is looked_up and self._facts_of(turn) & rule.store_facts:
                return turn
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

    def _facts_of(self, turn: Turn) -> frozenset[str]:
        """The store facts the bot recorded while answering ``turn`` (its latest lookup)."""
        values = turn.slot_values(ORDER_PROBLEMS_SLOT)
        latest = values[-1] if values else None
        return frozenset(v for v in latest if isinstance(v, str)) if isinstance(latest, list) else frozenset()

    def _latest_lookup(self) -> Turn | None:
        """The turn of the episode whose reply last recorded the store's facts."""
        return next((t for t in reversed(self.episode) if t.slot_values(ORDER_PROBLEMS_SLOT)), None)

    def _episode_facts(self) -> frozenset[str]:
        """What the store says is wrong with the order, as of the latest lookup this episode."""
        looked_up = self._latest_lookup()
        return self._facts_of(looked_up) if looked_up is not None else frozenset()

    def _problem_label(self, turn: Turn) -> str:
        facts = self._facts_of(turn) & self.policy.open_problem.store_facts
        if facts:
            return "the store shows the order " + " and ".join(FACT_WORDS.get(f, f) for f in sorted(facts))
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
        facts = self._episode_facts()
        if self._any_turn(rule.damaged_intents, self.damaged_terms) or facts & rule.damaged_facts:
            why.append("item damaged")
        if self._any_turn(rule.late_intents, self.late_terms) or facts & rule.late_facts:
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


def _given(turn: Turn, slot: str) -> bool:
    """Whether the customer's message filled ``slot`` (and the bot kept the value)."""
    values = turn.slot_values(slot)
    return bool(values) and values[-1] not in (None, "")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def reason_codes(reasons: Sequence[EscalationReason]) -> list[str]:
    """Reason codes as plain strings (for queue rows and priority)."""
    return [reason.code.value for reason in reasons]
