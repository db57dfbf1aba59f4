"""The words of the context summary: the problem in one sentence, a suggested next step and
a suggested opening line for the agent.

The opening line follows the same rule as the bot's empathy layer: acknowledge the feeling,
name the specifics (item, order, date), say what happens next, and never ask the customer
to repeat anything (the agent has the whole story). No toxic positivity: no "Great news!",
no "I totally understand" boilerplate, no exclamation marks at someone who is grieving.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handoff.summary.facts import OrderRecord, StoreAction

# What the customer wants, per goal; {what} is the item or order, {order} the order id.
GOALS = {
    "report_missing_item": "{what} has not arrived",
    "report_damaged_item": "{what} arrived damaged",
    "order_status": "wants to know where {what} is",
    "cancel_order": "wants to cancel {what}",
    "change_shipping_address": "wants to change the delivery address for {what}",
    "change_order": "wants to change {what}",
    "return_item": "wants to return {what}",
    "request_refund": "wants a refund for {what}",
    "refund_status": "is waiting for a refund on {what}",
    "payment_issue": "has a payment problem with {what}",
    "invoice": "needs an invoice for {what}",
    "account_access": "cannot get into their account",
    "account_management": "wants to change their account details",
    "complaint": "has a complaint about {what}",
    "setup_help": "needs help setting up {what}",
}
# Goals whose sentence is about the thing, not the person: (plural, singular) predicate.
_THING_FIRST = {
    "report_missing_item": ("have not arrived", "has not arrived"),
    "report_damaged_item": ("arrived damaged", "arrived damaged"),
}

_STAKES = {
    "bereavement": "for a funeral",
    "health": "for health reasons",
    "gift": "as a gift",
    "event": "for an event",
    "work": "for work",
    "travel": "for a trip",
}

_ACKNOWLEDGEMENTS = {
    "bereavement": "I'm so sorry for your loss.",
    "health": "I'm sorry you're having to deal with this on top of everything with your health.",
    "frustrated": "I can see how frustrating this has been, and I'm sorry.",
    "anxious": "I understand why you're worried.",
    "sad": "I'm sorry, I know this is upsetting.",
    "confused": "I'm sorry this has been confusing.",
}


@dataclass(frozen=True)
class Situation:
    """Everything the wording depends on, already worked out by the summary builder."""

    first_name: str | None
    goal: str | None
    item: str | None
    order_id: str | None
    order: OrderRecord | None
    stakes: str | None
    deadline: date | None
    days_to_deadline: int | None
    emotion: str | None
    reason_codes: frozenset[str]
    pending_approvals: tuple[StoreAction, ...]
    last_customer_text: str | None
    misunderstood: tuple[str, ...]
    damaged: bool
    late: bool

    @property
    def thing(self) -> str:
        """The item, or the order's items, or "their order"."""
        if self.item:
            return self.item
        if self.order and self.order.items:
            return self.order.item_names
        return "their order"

    @property
    def product(self) -> str:
        """What to call the thing in advice, after "the": the item if known, else "product"."""
        return self.thing if self.thing != "their order" else "product"

    @property
    def order_ref(self) -> str:
        return self.order_id or (self.order.order_id if self.order else "")


def format_day(day: date) -> str:
    """'Saturday 28 November': what a person would say, no year for near dates."""
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B')}"


def problem_sentence(s: Situation, who: str) -> str:
    """The problem in one sentence, e.g. "Maria Lopez's flowers (ORD-10234) for a funeral on
    Saturday 28 November (in 6 days) have not arrived; it is 2 days late (...)." """
    template = GOALS.get(s.goal or "")
    if template is None:
        if s.last_customer_text:
            return f'{who} asked for help; their last words: "{_clip(s.last_customer_text)}".'
        return f"{who} asked for a person before describing a problem."
    ref = f" ({s.order_ref})" if s.order_ref else ""
    clauses: list[str] = []
    if s.goal in _THING_FIRST:
        if s.thing == "their order":
            subject = f"{who}'s order{ref}"
        else:
            subject = f"{who}'s {s.thing}{ref}" if who != "The customer" else f"The {s.thing}{ref}"
        plural, singular = _THING_FIRST[s.goal or ""]
        sentence = f"{subject}{_occasion(s)} {plural if _plural(s.thing) else singular}"
    else:
        sentence = f"{who} {template.format(what=s.thing + ref)}"
        clauses.append(_occasion_clause(s))
    clauses.append(_order_fact(s.order))
    return sentence + "".join(f"; {c}" for c in clauses if c) + "."


def next_step(s: Situation) -> str:
    """The one thing the agent should do first."""
    codes = s.reason_codes
    if "risk_safety" in codes:
        return (
            f"Safety first: check nobody is hurt and ask them to stop using the {s.product}; log a safety "
            "incident, then offer a full refund with free collection."
        )
    if s.pending_approvals:
        approval = s.pending_approvals[0]
        amount = f" ({approval.amount})" if approval.amount else ""
        return (
            f"Decide the pending approval request: {approval.detail}{amount}. The customer is waiting on it."
        )
    if s.late and s.deadline is not None and (s.days_to_deadline or 0) >= 0:
        scan = f" (last scan: {s.order.last_scan})" if s.order and s.order.last_scan else ""
        which = s.order_ref or "it"
        return (
            f"Check the courier's tracking{scan}; if {which} cannot arrive by "
            f"{format_day(s.deadline)}, send an express replacement or refund now and tell them which."
        )
    if s.damaged:
        return f"Offer a replacement or a refund for the damaged {s.product}, whichever they prefer, and arrange collection."
    if s.late:
        which = f" for {s.order_ref}" if s.order_ref else ""
        return f"Check the courier's tracking{which} and offer a reship or a refund if it is lost or too late to matter."
    if "risk_legal" in codes:
        return "Stay factual and fix the underlying problem first; give the formal complaints route if they ask for it."
    if "failed_understanding" in codes and s.misunderstood:
        quoted = " / ".join(f'"{_clip(t, 60)}"' for t in s.misunderstood)
        return f"Work out what they need: the bot did not understand {quoted}."
    if s.goal in GOALS:
        return f"Resolve it: {problem_sentence(s, 'The customer')}"
    return "Ask how you can help: they asked for a person before explaining."


def opening_line(s: Situation) -> str:
    """A warm, specific first message for the agent: acknowledge, name the specifics, act."""
    parts = [f"Hi {s.first_name}," if s.first_name else "Hi,"]
    if "risk_safety" in s.reason_codes:
        parts.append("first of all, is everyone alright?")
    else:
        acknowledgement = _ACKNOWLEDGEMENTS.get(s.stakes or "") or _ACKNOWLEDGEMENTS.get(s.emotion or "")
        if acknowledgement is None and "risk_legal" in s.reason_codes:
            acknowledgement = "I'm sorry we've let you down."
        if acknowledgement:
            parts.append(acknowledgement)
    parts.append(
        f"I'm from the support team and I've read our whole conversation, so you don't need to explain anything again.{_specifics(s)}"
    )
    parts.append(_promise(s))
    return " ".join(parts)


def _specifics(s: Situation) -> str:
    """' I know the flowers on order ORD-10234 haven't arrived and you need them by Saturday 28 November.'"""
    if not s.goal and not s.order_ref:
        return ""
    what = s.thing if s.thing != "their order" else "your order"
    on_order = (
        f" on order {s.order_ref}"
        if s.order_ref and what != "your order"
        else (f" {s.order_ref}" if s.order_ref else "")
    )
    fact = {
        "report_missing_item": "haven't arrived" if _plural(what) else "hasn't arrived",
        "report_damaged_item": "arrived damaged",
        # Without store facts a routine status question says nothing about where it is.
        "order_status": "still isn't with you" if s.late else None,
    }.get(s.goal or "")
    if fact is None:
        if s.late:
            fact = "is late"
        elif s.damaged:
            fact = "arrived damaged"
        else:
            # Naming "your order" says nothing; only name something specific.
            return f" It's about {_the(what)}{on_order}." if s.order_ref or what != "your order" else ""
    deadline = (
        f" and you need {'them' if _plural(what) else 'it'} by {format_day(s.deadline)}"
        if s.deadline and (s.days_to_deadline or 0) >= 0
        else ""
    )
    return f" I know {_the(what)}{on_order} {fact}{deadline}."


def _promise(s: Situation) -> str:
    if "risk_safety" in s.reason_codes:
        return "Please stop using it for now; I'm sorting out a full refund and collection for you."
    if s.pending_approvals:
        return "I'm reviewing what you were offered right now, and I'll confirm it in a moment."
    if s.late and s.days_to_deadline is not None and s.days_to_deadline < 0:
        return "It didn't reach you in time, so I'll sort out a refund or a replacement for you right now, whichever you prefer."
    if s.late and s.deadline is not None:
        return "I'm checking with the courier right now, and if it can't reach you in time I'll send a replacement by express or refund you, whichever you prefer."
    if s.damaged:
        return "I'll sort out a replacement or a refund for you right now, whichever you prefer."
    return "I'm looking into it right now and I'll tell you exactly what I can do."


def _occasion(s: Situation) -> str:
    """' for a funeral on Saturday 28 November (in 6 days)', after the thing it is about."""
    label = _STAKES.get(s.stakes or "")
    if label is None:
        return ""
    return f" {label}{_when(s)}"


def _occasion_clause(s: Situation) -> str:
    """'it is a gift, needed on Monday 23 November (tomorrow)', after the customer's goal."""
    label = _STAKES.get(s.stakes or "")
    if label is None:
        return ""
    clause = f"it is {label.removeprefix('as ')}"
    return f"{clause}, needed{_when(s)}" if s.deadline else clause


def _when(s: Situation) -> str:
    """' on Saturday 28 November (in 6 days)'; empty without a deadline."""
    if s.deadline is None:
        return ""
    when = format_day(s.deadline)
    days = s.days_to_deadline
    if days is None:
        return f" on {when}"
    if days < 0:
        return f" on {when} (already passed)"
    soon = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f" on {when} ({soon})"


def _order_fact(order: OrderRecord | None) -> str:
    if order is None:
        return ""
    if order.days_late > 0:
        return f"it is {order.days_late} day{'s' if order.days_late != 1 else ''} late (promised {order.promised_date}, {order.state.replace('_', ' ')})"
    if order.state in ("lost", "cancelled"):
        return f"the order is {order.state}"
    if "damaged" in order.reported_issues:
        return "damage already reported"
    return ""


def _plural(what: str) -> bool:
    words = what.lower().split()
    last = words[-1] if words else ""
    return ("," in what) or (last.endswith("s") and not last.endswith("ss"))


def _the(what: str) -> str:
    lowered = what.lower()
    if lowered.startswith(("your ", "the ", "my ", "a ", "an ")):
        return what.replace("my ", "your ", 1) if lowered.startswith("my ") else what
    return f"the {what}"


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
