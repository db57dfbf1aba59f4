"""The context summary an agent reads before saying hello, so no customer repeats themselves.

``build_summary(tracker, store, reasons, now)`` combines the Rasa tracker dump (what was
said, how the customer felt turn by turn, what the bot did and offered) with the store
(who the customer is, the order's facts, refunds and approval requests) and the escalation
reasons. The result is a JSON-serialisable :class:`ContextSummary` (``to_dict()``) and a
plain-text rendering for logs and email follow-ups (``render_text()``).

It never fails because of the store: an unreachable store or a missing record is noted in
``store_note`` and the rest (transcript, feelings, reasons) is still built. Customer data
is only looked up for the identity the conversation verified (``customer_id`` slot), and an
order that does not belong to that customer is not shown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from handoff.escalation.decision import EscalationReason, deadline_days_left
from handoff.escalation.tracker_view import TrackerView, Turn, event_time, parse_tracker
from handoff.summary.facts import CustomerRecord, OrderRecord, StoreAction, StoreReader
from handoff.summary.text import GOALS, Situation, format_day, next_step, opening_line, problem_sentence
from shop.formatting import normalise_email

logger = logging.getLogger(__name__)

_ORDER_ID = re.compile(r"(?i)(?:ord)?[\s#-]*(\d{5})")

# What each value of the pending_offer slot means, in the words an agent would use.
OFFER_LABELS = {
    "cancel_order": "cancelling the order",
    "replacement_or_refund": "a replacement or a refund",
    "return": "a return",
    "reship": "reshipping the order",
    "refund": "a refund",
    "duplicate_charge_refund": "a refund of the duplicate charge",
    "handoff": "a person from the team",
}
_CLOSED_STATUSES = frozenset({"approved", "rejected", "done", "issued", "cancelled"})


@dataclass(frozen=True)
class FeelingPoint:
    turn: int
    emotion: str | None
    frustration: float | None
    frustration_level: float | None
    words: list[str]
    text: str


@dataclass(frozen=True)
class BotStep:
    turn: int | None
    kind: str  # said | did | offered | accepted | declined | store
    text: str


@dataclass(frozen=True)
class TranscriptLine:
    event_index: int
    role: str  # customer | bot | agent
    text: str
    at: str | None
    name: str | None = None  # the agent's name on a person's message


@dataclass(frozen=True)
class StakesInfo:
    stakes: str | None
    deadline: str | None
    deadline_label: str | None
    days_to_deadline: int | None
    urgent: bool | None


@dataclass
class ContextSummary:
    conversation_id: str
    built_at: str
    customer: CustomerRecord | None
    problem: str
    order: OrderRecord | None
    feelings: list[FeelingPoint]
    stakes: StakesInfo
    bot_steps: list[BotStep]
    reasons: list[EscalationReason]
    next_step: str
    opening_line: str
    transcript: list[TranscriptLine]
    # Why some store facts are missing or unverified (None when all is well).
    store_note: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = [reason.to_dict() for reason in self.reasons]
        return data

    def render_text(self) -> str:
        """A plain-text version for logs and email follow-ups."""
        return _render(self)


def build_summary(
    tracker: Mapping[str, Any] | TrackerView,
    store: StoreReader | None,
    reasons: Sequence[EscalationReason],
    now: datetime,
) -> ContextSummary:
    """Builds the summary at ``now`` (used for deadline arithmetic and ``built_at``)."""
    view = tracker if isinstance(tracker, TrackerView) else parse_tracker(tracker)
    notes: list[str] = []
    customer, order, store_note = _store_facts(view, store, notes)
    stakes = _stakes_info(view, now)
    steps = _bot_steps(view, customer, order)
    situation = _situation(view, customer=customer, order=order, stakes=stakes, reasons=reasons)
    who = customer.name if customer else "The customer"
    return ContextSummary(
        conversation_id=view.sender_id,
        built_at=now.isoformat(),
        customer=customer,
        problem=problem_sentence(situation, who),
        order=order,
        feelings=[_feeling_point(turn) for turn in view.turns],
        stakes=stakes,
        bot_steps=steps,
        reasons=list(reasons),
        next_step=next_step(situation),
        opening_line=opening_line(situation),
        transcript=[
            TranscriptLine(m.event_index, m.role, m.text, _iso(m.timestamp), m.name)
            for m in view.transcript()
        ],
        store_note=store_note,
        notes=notes,
    )


def normalise_order_id(raw: Any) -> str | None:
    """'ord10234', '#10234', 'ORD 10234' → 'ORD-10234' (docs/dialogue-contract.md)."""
    if not isinstance(raw, str):
        return None
    match = _ORDER_ID.search(raw)
    return f"ORD-{match.group(1)}" if match else None


# --- store -----------------------------------------------------------------------------------------


def _store_facts(
    view: TrackerView, store: StoreReader | None, notes: list[str]
) -> tuple[CustomerRecord | None, OrderRecord | None, str | None]:
    customer_id = view.slot("customer_id") if isinstance(view.slot("customer_id"), str) else None
    order_id = normalise_order_id(view.slot("order_id"))
    if store is None:
        return None, None, "No store connection was given; customer and order facts are not included."
    try:
        customer = store.customer(customer_id) if customer_id else None
        order = store.order(order_id) if order_id else None
        if order is not None and customer_id is None:
            # The customer gave the order number and its email, but to a paused bot (after
            # the escalation) whose lookup never ran: the same check the bot makes, here.
            owner = _owner_by_email(store, order, view.slot("email"))
            if owner is not None:
                customer, customer_id = owner, owner.customer_id
    except Exception as error:  # any store failure: the summary must still reach the agent
        logger.warning("Store unavailable while summarising %s: %s", view.sender_id, error)
        return (
            None,
            None,
            f"The store could not be reached ({type(error).__name__}); order facts are missing.",
        )
    if customer_id and customer is None:
        notes.append(f"Customer {customer_id} was not found in the store.")
    if order_id and order is None:
        notes.append(f"Order {order_id} was not found in the store.")
    if order is not None and order.customer_id != customer_id:
        if customer_id is None:
            return (
                customer,
                None,
                (
                    f"The customer mentioned {order.order_id} but has not verified it is theirs; "
                    "check their identity before discussing it."
                ),
            )
        logger.warning("Order %s does not belong to verified customer of %s", order.order_id, view.sender_id)
        return customer, None, f"{order.order_id} belongs to a different customer; it is not shown."
    return customer, order, None


def _owner_by_email(store: StoreReader, order: OrderRecord, email: Any) -> CustomerRecord | None:
    """The order's customer when `email` is theirs (the bot's own identity check)."""
    given = normalise_email(email)
    if given is None:
        return None
    owner = store.customer(order.customer_id)
    if owner is None or normalise_email(owner.email) != given:
        return None
    return owner


# --- feelings and stakes ------------------------------------------------------------------------------


def _feeling_point(turn: Turn) -> FeelingPoint:
    feelings = turn.feelings
    return FeelingPoint(
        turn=turn.number,
        emotion=feelings.emotion,
        frustration=feelings.frustration,
        frustration_level=feelings.frustration_level,
        words=list(feelings.evidence),
        text=turn.text,
    )


def _stakes_info(view: TrackerView, now: datetime) -> StakesInfo:
    stakes = _latest(view, "stakes")
    deadline = _latest(view, "deadline")
    urgent = view.slot("urgent")
    days = deadline_days_left(deadline, now)
    day = _parse_day(deadline)
    return StakesInfo(
        stakes=stakes if stakes and stakes != "none" else None,
        deadline=day.isoformat() if day else None,
        deadline_label=format_day(day) if day else None,
        days_to_deadline=days,
        urgent=urgent if isinstance(urgent, bool) else None,
    )


def _latest(view: TrackerView, name: str) -> str | None:
    value = view.slot(name)
    if isinstance(value, str) and value.strip():
        return value.strip()
    found = next((getattr(t.feelings, name) for t in reversed(view.turns) if getattr(t.feelings, name)), None)
    return str(found) if found else None


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# --- what the bot said, did and offered ------------------------------------------------------------------


def _bot_steps(
    view: TrackerView, customer: CustomerRecord | None, order: OrderRecord | None
) -> list[BotStep]:
    steps = [BotStep(None, "said", m.text) for m in view.preamble if m.role == "bot"]
    offer: str | None = None
    for turn in view.turns:
        pending = turn.slots_before.get("pending_offer")
        offer = pending if isinstance(pending, str) else None
        for action in turn.actions:
            if action.name == "action_accept_offer" and offer:
                steps.append(
                    BotStep(
                        turn.number, "accepted", f"The customer accepted {OFFER_LABELS.get(offer, offer)}."
                    )
                )
            elif action.name == "action_decline_offer" and offer:
                steps.append(
                    BotStep(
                        turn.number, "declined", f"The customer declined {OFFER_LABELS.get(offer, offer)}."
                    )
                )
            elif _is_business_action(action.name):
                steps.append(BotStep(turn.number, "did", _humanise(action.name)))
        steps.extend(BotStep(turn.number, "said", m.text) for m in turn.bot_messages if m.role == "bot")
        for change in turn.slot_changes:
            if change.name == "pending_offer" and isinstance(change.value, str) and change.value:
                steps.append(
                    BotStep(
                        turn.number, "offered", f"Offered {OFFER_LABELS.get(change.value, change.value)}."
                    )
                )
    steps.extend(
        BotStep(None, "store", _describe_action(done))
        for done in _store_actions(view.sender_id, customer, order)
    )
    return steps


def _is_business_action(name: str) -> bool:
    """Actions that do something for the customer (not responses, forms or validators)."""
    return name.startswith("action_") and not name.startswith(("action_reset", "action_validate"))


def _humanise(action_name: str) -> str:
    return action_name.removeprefix("action_").replace("_", " ").capitalize()


def _store_actions(
    conversation_id: str, customer: CustomerRecord | None, order: OrderRecord | None
) -> list[StoreAction]:
    """Store records from this conversation, each once (customer and order overlap)."""
    seen: set[tuple[str, str, str]] = set()
    actions: list[StoreAction] = []
    for action in (*(customer.actions if customer else ()), *(order.actions if order else ())):
        key = (action.kind, action.detail, action.created_at)
        if action.conversation_id == conversation_id and key not in seen:
            seen.add(key)
            actions.append(action)
    return sorted(actions, key=lambda a: a.created_at)


def _describe_action(action: StoreAction) -> str:
    amount = f" ({action.amount})" if action.amount else ""
    order = f" on {action.order_id}" if action.order_id else ""
    return f"{action.kind.replace('_', ' ').capitalize()}{amount}{order}: {action.detail} [{action.status}]"


# --- the situation the wording is built from ---------------------------------------------------------------


def _situation(
    view: TrackerView,
    *,
    customer: CustomerRecord | None,
    order: OrderRecord | None,
    stakes: StakesInfo,
    reasons: Sequence[EscalationReason],
) -> Situation:
    goal = view.slot("goal") if isinstance(view.slot("goal"), str) else None
    if goal is None:
        goal = _goal_from_intents(view)
    item = view.slot("item") if isinstance(view.slot("item"), str) and view.slot("item").strip() else None
    approvals = tuple(
        a
        for a in (*(customer.actions if customer else ()), *(order.actions if order else ()))
        if a.kind == "approval_request" and a.status not in _CLOSED_STATUSES
    )
    codes = frozenset(reason.code.value for reason in reasons)
    late = goal == "report_missing_item" or (
        order is not None and (order.days_late > 0 or order.state in ("delayed", "lost"))
    )
    late = late or any("item late" in reason.detail for reason in reasons)
    damaged = goal == "report_damaged_item" or (order is not None and "damaged" in order.reported_issues)
    damaged = damaged or any("item damaged" in reason.detail for reason in reasons)
    misunderstood = next(
        (
            tuple(r.evidence_text.strip('"').split('" / "'))
            for r in reasons
            if r.code.value == "failed_understanding" and r.evidence_text
        ),
        (),
    )
    latest = view.latest_turn
    return Situation(
        first_name=customer.first_name if customer else None,
        goal=goal,
        item=item,
        order_id=order.order_id if order else None,
        order=order,
        stakes=stakes.stakes,
        deadline=_parse_day(stakes.deadline),
        days_to_deadline=stakes.days_to_deadline,
        emotion=_prevailing_emotion(view),
        reason_codes=codes,
        pending_approvals=approvals,
        last_customer_text=latest.text if latest else None,
        misunderstood=misunderstood,
        damaged=damaged,
        late=late,
    )


def _goal_from_intents(view: TrackerView) -> str | None:
    """Without a goal slot, the latest intent that names a problem (complaint, setup...)."""
    return next((t.intent for t in reversed(view.turns) if t.intent in GOALS), None)


def _prevailing_emotion(view: TrackerView) -> str | None:
    """The latest emotion that is not neutral or positive: what the agent should acknowledge."""
    for turn in reversed(view.episode or view.turns):
        emotion = turn.feelings.emotion
        if emotion in ("positive",):
            return None
        if emotion and emotion != "neutral":
            return emotion
    return None


def _iso(timestamp: float | None) -> str | None:
    moment = event_time(timestamp)
    return moment.isoformat() if moment else None


# --- plain text ------------------------------------------------------------------------------------------


def _render(summary: ContextSummary) -> str:
    lines = [f"Conversation {summary.conversation_id} — summary at {summary.built_at}", ""]
    lines.append(f"Problem: {summary.problem}")
    lines.append(
        "Why a person: " + ("; ".join(f"{r.detail} (turn {r.turn})" for r in summary.reasons) or "—")
    )
    lines.append(f"Suggested next step: {summary.next_step}")
    lines.append(f"Suggested opening: {summary.opening_line}")
    lines.append("")
    if summary.customer:
        c = summary.customer
        lines.append(f"Customer: {c.name} <{c.email}>, customer since {c.customer_since}")
        for recent in c.recent_orders[:5]:
            late = f", {recent.days_late} days late" if recent.days_late else ""
            lines.append(
                f"  - {recent.order_id} {recent.state} placed {recent.placed_on}, {recent.total}{late}"
            )
    else:
        lines.append("Customer: not identified")
    if summary.order:
        o = summary.order
        lines.append(
            f"Order {o.order_id}: {o.state}, {o.item_names}, {o.total}, placed {o.placed_on}, promised {o.promised_date}"
        )
        if o.carrier:
            lines.append(
                f"  Shipping: {o.shipping_method} with {o.carrier} {o.tracking_number or ''}".rstrip()
            )
        if o.last_scan:
            lines.append(f"  Last scan: {o.last_scan}")
        for extra in (*o.refunds, *o.returns):
            lines.append(f"  {extra}")
    if summary.store_note:
        lines.append(f"Note: {summary.store_note}")
    lines.extend(f"Note: {note}" for note in summary.notes)
    s = summary.stakes
    if s.stakes or s.deadline:
        when = f", deadline {s.deadline_label} ({s.days_to_deadline} days)" if s.deadline else ""
        lines.append(f"Stakes: {s.stakes or 'none'}{when}")
    lines.append("")
    lines.append("How they felt, turn by turn:")
    for f in summary.feelings:
        level = f"{f.frustration_level:.2f}" if f.frustration_level is not None else "-"
        words = f" [{', '.join(f.words)}]" if f.words else ""
        lines.append(f'  {f.turn}. {f.emotion or "-"} (conversation frustration {level}){words}: "{f.text}"')
    lines.append("")
    lines.append("What the bot said, did and offered:")
    for step in summary.bot_steps:
        turn = f"{step.turn}." if step.turn is not None else "-"
        lines.append(f"  {turn} {step.kind}: {step.text}")
    lines.append("")
    lines.append("Transcript:")
    for line in summary.transcript:
        at = line.at[11:19] if line.at else ""
        who = f"{line.role} {line.name}" if line.name else line.role
        lines.append(f"  [{at}] {who}: {line.text}")
    return "\n".join(lines) + "\n"
