"""Make it right from the agent console (docs/console-needs.md §4, docs/agent-api.md).

`RemedyDesk` is what the REST views call. It lists what the agent who owns a conversation
may do for its order within their own budget (settings/make_it_right.yml, `agents:`),
carries a chosen remedy out through the store once per click (`client_id`), decides the
approval requests the bot prepared over its own budget, and tells the customer what was
done in specific words (the item, the amount, when it arrives or when the money shows)
through the messenger. Store errors become the gateway's domain errors here; the REST edge
turns those into HTTP answers.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from actions.formatting import day
from actions.make_it_right import remedy_amount
from actions.settings_files import MakeItRightBudget
from actions.store import (
    ApprovalAlreadyDecided,
    ApprovalFacts,
    ApprovalNotFound,
    Money,
    NothingToRefund,
    OrderFacts,
    OrderNotFound,
    OrderState,
    OrderStateConflict,
    RemedyFacts,
    StoreService,
    StoreUnavailable,
)
from actions.store.service import add_business_days
from handoff import store
from handoff.db import Database
from handoff.errors import Forbidden, InvalidInput, NotFound, OverBudget, StoreNotAvailable, WrongState
from handoff.messenger import KeyedLocks, Messenger
from handoff.records import Agent, Conversation, Handoff
from handoff.settings import AgentBudget

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The remedies, in the order the console lists them.
KINDS = ("replacement", "reship", "refund", "credit")
# Which remedies make sense for an order in each state. Before dispatch the fix is to cancel
# or change the order (the bot does both), so only goodwill credit is offered; a delivered
# order with missing items may also be sent again (see `sensible_kinds`).
SENSIBLE: dict[OrderState, tuple[str, ...]] = {
    OrderState.PROCESSING: ("credit",),
    OrderState.IN_TRANSIT: ("credit",),
    OrderState.DELAYED: ("reship", "refund", "credit"),
    OrderState.LOST: ("reship", "refund", "credit"),
    OrderState.DELIVERED: ("replacement", "refund", "credit"),
    OrderState.CANCELLED: ("credit",),
}
# Business days until goods sent again arrive: the bot promises the same (actions/offers.py).
EXPRESS_DAYS, STANDARD_DAYS = 1, 3
MAX_CLIENT_ID_CHARS = 64
MAX_NOTE_CHARS = 1000
# A sanity bound on amounts typed into the console (the budgets are far below it).
MAX_AMOUNT_CENTS = 100_000_000
AGREED = "agreed in the support chat"
NO_ORDER = (
    "No order has been verified in this conversation, so there is nothing to act on here. "
    "Ask the customer for the order number and the email they ordered with."
)


@dataclass(frozen=True)
class RemedyOption:
    """One thing the agent may do for the order, with its suggested amount."""

    kind: str
    label: str
    amount: Money
    # False with `why_not` when this agent cannot do it from the console.
    within_budget: bool
    why_not: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "amount": self.amount.cents / 100,
            "within_budget": self.within_budget,
            "why_not": self.why_not,
        }


@dataclass(frozen=True)
class RemedyRequest:
    """The body of `POST /conversations/{id}/remedies`."""

    kind: str
    amount_cents: int | None
    client_id: str

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> RemedyRequest:
        kind = body.get("kind")
        if kind not in KINDS:
            raise InvalidInput(f"'kind' must be one of {', '.join(KINDS)}")
        client_id = body.get("client_id")
        if not isinstance(client_id, str) or not 0 < len(client_id.strip()) <= MAX_CLIENT_ID_CHARS:
            raise InvalidInput(
                f"'client_id' must be a string of 1-{MAX_CLIENT_ID_CHARS} characters, one per click "
                "(send the same one again on a retry)"
            )
        return cls(str(kind), parse_amount(body.get("amount")), client_id.strip())


@dataclass(frozen=True)
class ApprovalDecision:
    """The body of `POST /approvals/{id}`, with the id from the path."""

    approval_id: int
    approve: bool
    note: str | None

    @classmethod
    def parse(cls, raw_id: str, body: Mapping[str, Any]) -> ApprovalDecision:
        if not raw_id.isdigit() or int(raw_id) <= 0:
            raise InvalidInput(
                f"{raw_id!r} is not an approval id (a whole number, as GET .../remedies lists)"
            )
        decision = body.get("decision")
        if decision not in ("approve", "reject"):
            raise InvalidInput("'decision' must be 'approve' or 'reject'")
        note = body.get("note")
        if note is not None and not isinstance(note, str):
            raise InvalidInput("'note' must be a string or null")
        if note is not None and len(note) > MAX_NOTE_CHARS:
            raise InvalidInput(f"'note' is longer than {MAX_NOTE_CHARS} characters")
        return cls(int(raw_id), decision == "approve", (note or "").strip() or None)


@dataclass(frozen=True)
class RemedyResult:
    """What the agent's console shows once a remedy is done."""

    kind: str
    amount: Money
    reference: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "amount": self.amount.cents / 100,
            "currency": self.amount.currency,
            "reference": self.reference,
            "summary": self.summary,
        }


def parse_amount(raw: Any) -> int | None:
    """A JSON amount (45.9) in cents; None means "the suggested amount"."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise InvalidInput("'amount' must be a number like 45.90, or null for the suggested amount")
    cents = Decimal(str(raw)) * 100
    if cents != cents.to_integral_value():
        raise InvalidInput("'amount' must have at most 2 decimals")
    if not 0 < cents <= MAX_AMOUNT_CENTS:
        raise InvalidInput("'amount' must be more than 0 (and a realistic amount)")
    return int(cents)


def sensible_kinds(order: OrderFacts) -> tuple[str, ...]:
    """The remedies that fit the order's state, in the console's order."""
    kinds = set(SENSIBLE[order.state])
    if order.state is OrderState.DELIVERED and "missing" in order.reported_issues:
        kinds.add("reship")
    return tuple(kind for kind in KINDS if kind in kinds)


def remedy_options(
    order: OrderFacts,
    bot: MakeItRightBudget,
    agents: AgentBudget,
    approvals: tuple[ApprovalFacts, ...],
) -> list[RemedyOption]:
    """What an agent may offer for `order`: the bot's amounts (actions/make_it_right.py),
    checked against the agent's budget and the approvals still waiting for a person."""
    options = []
    for kind in sensible_kinds(order):
        amount = remedy_amount(bot, order, kind, None)
        why_not = _why_not(order, kind, amount, agents, approvals)
        options.append(
            RemedyOption(kind, _label(order, kind, bot.express_reship_allowed), amount, not why_not, why_not)
        )
    return options


def _why_not(
    order: OrderFacts, kind: str, amount: Money, agents: AgentBudget, approvals: tuple[ApprovalFacts, ...]
) -> str | None:
    waiting = _waiting_approval(approvals, kind)
    if waiting is not None:
        return f"waiting for approval ({waiting.reference}): approve or reject that request instead"
    if amount.cents <= 0:
        return (
            "nothing is left to refund on this order"
            if kind == "refund"
            else "the order has no value to base it on"
        )
    name, limit = agents.limit_for(kind)
    if amount.cents > limit:
        return f"over your {name} limit of {Money(limit, amount.currency)}; a supervisor can approve it"
    return None


def _waiting_approval(approvals: tuple[ApprovalFacts, ...], kind: str) -> ApprovalFacts | None:
    return next((a for a in approvals if a.remedy == kind and a.status == "pending"), None)


def _label(order: OrderFacts, kind: str, express: bool) -> str:
    by = " by express" if express else ""
    return {
        "replacement": f"Send a replacement of {order.item_names}{by}",
        "reship": f"Send {order.item_names} again{by}",
        "refund": f"Refund to {order.payment_method}",
        "credit": "Store credit on the customer's account",
    }[kind]


def arrival(remedy: RemedyFacts, express: bool) -> date:
    """When goods sent again arrive, counted from the day they were sent."""
    return add_business_days(remedy.created_at.date(), EXPRESS_DAYS if express else STANDARD_DAYS)


def customer_text(remedy: RemedyFacts, order: OrderFacts, who: str, express: bool) -> str:
    """What the customer is told was done: the item, the amount, and when it arrives or when
    the money shows."""
    shipping = "by express" if express else "by standard shipping"
    if remedy.refund is not None:
        return (
            f"{who} has refunded {remedy.amount} for order {order.order_id} to your {order.payment_method}. "
            f"It should reach you by {day(remedy.refund.expected_by)}; banks can take a few days to show it."
        )
    if remedy.kind == "credit":
        return (
            f"{who} has added {remedy.amount} store credit to your account ({order.email}) for order "
            f"{order.order_id}. It's applied automatically at your next checkout."
        )
    arrives = day(arrival(remedy, express))
    if remedy.kind == "replacement":
        return (
            f"{who} has arranged a replacement {order.item_names} for order {order.order_id}. It's going out "
            f"{shipping} to {order.shipping_address} and should arrive by {arrives}; you'll get the "
            "tracking number as soon as the carrier picks it up."
        )
    return (
        f"{who} is sending {order.item_names} from order {order.order_id} again, {shipping} and at our "
        f"cost, to {order.shipping_address}. It should arrive by {arrives}; you'll get the tracking "
        "number as soon as the carrier picks it up."
    )


def agent_summary(remedy: RemedyFacts, order: OrderFacts, express: bool) -> str:
    """The one line the console shows once it is done."""
    ref = remedy.reference
    if remedy.refund is not None:
        done = (
            f"Refunded {remedy.amount} on {order.order_id} to {order.payment_method}; "
            f"expected by {day(remedy.refund.expected_by)} ({ref})."
        )
    elif remedy.kind == "credit":
        done = f"Added {remedy.amount} store credit for {order.email} on {order.order_id} ({ref})."
    else:
        what = "Replacement of" if remedy.kind == "replacement" else "Sent again:"
        shipping = "by express" if express else "by standard shipping"
        done = (
            f"{what} {order.item_names} ({remedy.amount}) {shipping}; "
            f"arrives by {day(arrival(remedy, express))} ({ref})."
        )
    return f"{done} The customer has been told in the chat."


def _what_was_asked(approval: ApprovalFacts) -> str:
    return {
        "refund": f"a refund of {approval.amount}",
        "replacement": f"a replacement worth {approval.amount}",
        "reship": f"sending the order again (worth {approval.amount})",
        "credit": f"{approval.amount} in store credit",
    }.get(approval.remedy, f"{approval.remedy} of {approval.amount}")


def approved_text(approval: ApprovalFacts, remedy: RemedyFacts, order: OrderFacts, express: bool) -> str:
    return (
        f"Good news about {_what_was_asked(approval)} for order {order.order_id} "
        f"(reference {approval.reference}): it has been approved. "
        + customer_text(remedy, order, "Our team", express)
    )


def rejected_text(approval: ApprovalFacts, owner_name: str | None) -> str:
    """Honest about the answer, and about what happens instead."""
    nothing = {
        "refund": "nothing has been refunded",
        "replacement": "no replacement is being sent",
        "reship": "nothing is being sent again",
        "credit": "no store credit has been added",
    }.get(approval.remedy, "nothing has been changed")
    order = f" for order {approval.order_id}" if approval.order_id else ""
    text = (
        f"About {_what_was_asked(approval)}{order} (reference {approval.reference}): a person on our "
        f"team looked at it and couldn't approve it, so {nothing}."
    )
    if approval.decision_note:
        text += f" Their note: {approval.decision_note}"
    if owner_name:
        return f"{text} {owner_name} is here in the chat and will go through what we can do instead."
    return f"{text} If you'd like to talk about what we can do instead, reply here and ask for a person."


def order_in_summary(summary: Mapping[str, Any]) -> str | None:
    """The order the context summary verified for this customer (handoff/summary.py only
    includes an order that belongs to the verified customer)."""
    order = summary.get("order")
    order_id = order.get("order_id") if isinstance(order, dict) else None
    return order_id if isinstance(order_id, str) and order_id else None


class RemedyDesk:
    """Make-it-right for people: options, one-click remedies, approval decisions."""

    def __init__(
        self,
        database: Database,
        messenger: Messenger,
        shop: StoreService | None,
        agents: AgentBudget,
        bot: MakeItRightBudget,
    ) -> None:
        self.db = database
        self.messenger = messenger
        self.shop = shop
        self.agents = agents
        self.bot = bot
        # Serialises one click's retries in this process; the store's unique request key
        # covers replicas.
        self._clicks = KeyedLocks()

    # --- reading ---------------------------------------------------------------------------

    async def overview(self, agent: Agent, conversation_id: str) -> dict[str, Any]:
        """`GET /conversations/{id}/remedies`: the order, the budget, options and approvals."""
        conversation = await self.db.run(store.require_owner, conversation_id, agent.id)
        shop = self._shop()
        order_id = await self._order_id(shop, conversation)
        budget = self.agents.to_dict()
        if order_id is None:
            return {
                "order_id": None,
                "currency": self.bot.currency,
                "budget": budget,
                "options": [],
                "approvals": [],
                "note": NO_ORDER,
            }
        order = await self._call(shop.order_facts, order_id)
        approvals = await self._call(shop.approval_requests, order_id=order_id)
        options = remedy_options(order, self.bot, self.agents, approvals)
        return {
            "order_id": order_id,
            "order_state": order.state.value,
            "currency": order.total.currency,
            "budget": budget,
            "options": [option.to_dict() for option in options],
            "approvals": [self._approval_dict(approval, agent) for approval in approvals],
        }

    # --- a remedy from the console ---------------------------------------------------------

    async def carry_out(
        self, agent: Agent, conversation_id: str, body: Mapping[str, Any]
    ) -> tuple[RemedyResult, bool]:
        """`POST /conversations/{id}/remedies`: (result, True) when done now, (the first
        result, False) for a repeated `client_id`, which changes nothing."""
        request = RemedyRequest.parse(body)
        conversation = await self.db.run(store.require_owner, conversation_id, agent.id)
        shop = self._shop()
        key = f"console:{conversation_id}:{request.client_id}"
        async with self._clicks.get(key):
            # A repeat is answered before any check: the order has changed since (it was
            # refunded), and the answer must still be the first one.
            done = await self._call(shop.remedy_for_request, key)
            if done is not None:
                return self._result(done, await self._call(shop.order_facts, done.order_id)), False
            order_id = await self._order_id(shop, conversation)
            if order_id is None:
                raise WrongState(NO_ORDER)
            order = await self._call(shop.order_facts, order_id)
            approvals = await self._call(shop.approval_requests, order_id=order_id)
            amount_cents = self._checked_amount(order, approvals, request)
            express = request.kind in ("replacement", "reship") and self.bot.express_reship_allowed
            remedy, created = await self._call(
                shop.carry_out_remedy,
                order_id,
                kind=request.kind,
                amount_cents=amount_cents,
                reason=f"{AGREED}, by express" if express else AGREED,
                decided_by=agent.display_name,
                conversation_id=conversation_id,
                request_key=key,
            )
            if created:
                logger.info("%s gave %s %s on %s", agent.username, remedy.kind, remedy.amount, order_id)
                await self.messenger.system(
                    conversation,
                    customer_text(remedy, order, agent.display_name, self.bot.express_reship_allowed),
                    {"remedy": {"kind": remedy.kind, "reference": remedy.reference}},
                )
            return self._result(remedy, order), created

    def _checked_amount(
        self, order: OrderFacts, approvals: tuple[ApprovalFacts, ...], request: RemedyRequest
    ) -> int:
        """The amount to give, once the remedy fits the order and the agent's budget."""
        kind, order_id = request.kind, order.order_id
        fitting = sensible_kinds(order)
        if kind not in fitting:
            raise WrongState(
                f"a {kind} does not fit order {order_id}, which is {order.state.value.replace('_', ' ')}; "
                f"possible: {', '.join(fitting)}"
            )
        waiting = _waiting_approval(approvals, kind)
        if waiting is not None:
            raise WrongState(
                f"a {kind} on {order_id} is waiting for approval ({waiting.reference}); decide that"
            )
        suggested = remedy_amount(self.bot, order, kind, None)
        if suggested.cents <= 0 and kind == "refund":
            raise WrongState(f"nothing is left to refund on order {order_id}")
        if kind in ("replacement", "reship"):
            # Their value is what is sent again; there is nothing to choose.
            if request.amount_cents not in (None, suggested.cents):
                raise InvalidInput(
                    f"a {kind} is worth the goods sent again ({suggested}); send 'amount' null or "
                    f"{suggested.cents / 100:.2f}"
                )
        elif kind == "refund" and (request.amount_cents or 0) > suggested.cents:
            raise InvalidInput(f"at most {suggested} is left to refund on order {order_id}")
        amount = request.amount_cents or suggested.cents
        if amount <= 0:
            raise WrongState(f"order {order_id} has no value to base a {kind} on")
        name, limit = self.agents.limit_for(kind)
        if amount > limit:
            currency = order.total.currency
            raise OverBudget(
                f"{Money(amount, currency)} is over your {name} limit of {Money(limit, currency)}; "
                "ask a supervisor to approve it"
            )
        return amount

    def _result(self, remedy: RemedyFacts, order: OrderFacts) -> RemedyResult:
        summary = agent_summary(remedy, order, self.bot.express_reship_allowed)
        return RemedyResult(remedy.kind, remedy.amount, remedy.reference, summary)

    # --- approvals -------------------------------------------------------------------------

    async def decide(self, agent: Agent, raw_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /approvals/{id}`: approve (and carry out) or reject, then tell the customer."""
        decision = ApprovalDecision.parse(raw_id, body)
        shop = self._shop()
        approval = await self._call(shop.approval, decision.approval_id)
        self._check_may_decide(agent, approval)
        result: RemedyResult | None = None
        if decision.approve:
            outcome = await self._call(
                shop.approve_request, approval.approval_id, decided_by=agent.display_name, note=decision.note
            )
            decided, remedy = outcome.approval, outcome.remedy
            order = await self._call(shop.order_facts, remedy.order_id)
            result = self._result(remedy, order)
            express = self.bot.express_reship_allowed
            told = await self._tell(decided, lambda _owner: approved_text(decided, remedy, order, express))
        else:
            decided = await self._call(
                shop.decline_request, approval.approval_id, decided_by=agent.display_name, note=decision.note
            )
            told = await self._tell(decided, lambda owner: rejected_text(decided, owner))
        logger.info("%s %s approval %s", agent.username, decided.status, decided.reference)
        return {
            "approval": self._approval_dict(decided, agent),
            "result": result.to_dict() if result else None,
            "customer_told": told,
        }

    def _may_decide(self, agent: Agent, approval: ApprovalFacts) -> bool:
        return agent.role == "supervisor" or approval.amount.cents <= self.agents.approval_limit_cents

    def _check_may_decide(self, agent: Agent, approval: ApprovalFacts) -> None:
        if not self._may_decide(agent, approval):
            limit = Money(self.agents.approval_limit_cents, approval.amount.currency)
            raise Forbidden(
                f"deciding {approval.amount} needs a supervisor: agents decide approval requests up to {limit}"
            )

    async def _tell(self, approval: ApprovalFacts, text: Callable[[str | None], str]) -> bool:
        """Tell the customer of the conversation the request came from, if it is one of ours."""
        if not approval.conversation_id:
            return False
        found = await self.db.run(_conversation_and_owner, approval.conversation_id)
        if found is None:
            return False
        conversation, owner_name = found
        await self.messenger.system(
            conversation,
            text(owner_name),
            {"approval": {"reference": approval.reference, "status": approval.status}},
        )
        return True

    def _approval_dict(self, approval: ApprovalFacts, agent: Agent) -> dict[str, Any]:
        return {
            "id": str(approval.approval_id),
            "reference": approval.reference,
            "kind": approval.remedy,
            "amount": approval.amount.cents / 100,
            "currency": approval.amount.currency,
            "reason": approval.reason,
            "status": approval.status,
            "created_at": approval.created_at.isoformat(),
            "decided_at": approval.decided_at.isoformat() if approval.decided_at else None,
            "decided_by": approval.decided_by,
            "note": approval.decision_note,
            "can_decide": approval.status == "pending" and self._may_decide(agent, approval),
        }

    # --- plumbing --------------------------------------------------------------------------

    def _shop(self) -> StoreService:
        if self.shop is None:
            raise StoreNotAvailable("this gateway has no store database (STORE_DATABASE_URL is empty)")
        return self.shop

    async def _order_id(self, shop: StoreService, conversation: Conversation) -> str | None:
        """The summary's verified order, else the order of a request the bot prepared here."""
        handoff = await self.db.run(_latest_handoff, conversation)
        order_id = order_in_summary(handoff.summary) if handoff else None
        if order_id:
            return order_id
        prepared = await self._call(shop.approval_requests, conversation_id=conversation.id)
        return next((a.order_id for a in reversed(prepared) if a.order_id), None)

    async def _call(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (blocking) store call off the event loop; its errors become ours."""
        try:
            return await asyncio.to_thread(work, *args, **kwargs)
        except OrderNotFound as exc:
            raise NotFound(f"order {exc.order_id} is not in the store's database") from exc
        except ApprovalNotFound as exc:
            raise NotFound(f"no approval request {exc.approval_id}") from exc
        except (ApprovalAlreadyDecided, NothingToRefund, OrderStateConflict) as exc:
            raise WrongState(str(exc)) from exc
        except StoreUnavailable as exc:
            logger.warning("store unavailable for a remedy: %s", exc)
            raise StoreNotAvailable("the store's database did not answer; try again in a moment") from exc


def _latest_handoff(conn: Connection, conversation: Conversation) -> Handoff | None:
    if conversation.handoff_id is None:
        return None
    return store.get_handoff(conn, conversation.handoff_id)


def _conversation_and_owner(conn: Connection, conversation_id: str) -> tuple[Conversation, str | None] | None:
    try:
        conversation = store.get_conversation(conn, conversation_id)
    except NotFound:
        return None
    if conversation.state != "agent" or conversation.agent_id is None:
        return conversation, None
    return conversation, store.get_agent(conn, conversation.agent_id).display_name
