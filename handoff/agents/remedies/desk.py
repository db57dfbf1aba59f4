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
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from handoff.agents.remedies.options import remedy_options, sensible_kinds, waiting_approval
from handoff.agents.remedies.requests import ApprovalDecision, RemedyRequest, RemedyResult
from handoff.agents.remedies.wording import AGREED, agent_summary, approved_text, customer_text, rejected_text
from handoff.errors import Forbidden, InvalidInput, NotFound, OverBudget, StoreNotAvailable, WrongState
from handoff.persistence import queries
from handoff.persistence.messenger import KeyedLocks, Messenger
from handoff.persistence.records import Agent, Conversation, Handoff
from handoff.persistence.tables import Database
from handoff.settings import AgentBudget
from shop import (
    ApprovalAlreadyDecided,
    ApprovalFacts,
    ApprovalNotFound,
    Money,
    NothingToRefund,
    OrderFacts,
    OrderNotFound,
    OrderStateConflict,
    RemedyFacts,
    StoreService,
    StoreUnavailable,
)
from shop.make_it_right import remedy_amount
from shop.settings_files import MakeItRightBudget

logger = logging.getLogger(__name__)

T = TypeVar("T")

NO_ORDER = (
    "No order has been verified in this conversation, so there is nothing to act on here. "
    "Ask the customer for the order number and the email they ordered with."
)


def order_in_summary(summary: Mapping[str, Any]) -> str | None:
    """The order the context summary verified for this customer (handoff/summary/build.py only
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
        conversation = await self.db.run(queries.require_owner, conversation_id, agent.id)
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
        conversation = await self.db.run(queries.require_owner, conversation_id, agent.id)
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
                    agent_id=agent.id,
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
        waiting = waiting_approval(approvals, kind)
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
            told = await self._tell(
                decided, agent, lambda _owner: approved_text(decided, remedy, order, express)
            )
        else:
            decided = await self._call(
                shop.decline_request, approval.approval_id, decided_by=agent.display_name, note=decision.note
            )
            told = await self._tell(decided, agent, lambda owner: rejected_text(decided, owner))
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

    async def _tell(self, approval: ApprovalFacts, decider: Agent, text: Callable[[str | None], str]) -> bool:
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
            agent_id=decider.id,
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
    return queries.get_handoff(conn, conversation.handoff_id)


def _conversation_and_owner(conn: Connection, conversation_id: str) -> tuple[Conversation, str | None] | None:
    try:
        conversation = queries.get_conversation(conn, conversation_id)
    except NotFound:
        return None
    if conversation.state != "agent" or conversation.agent_id is None:
        return conversation, None
    return conversation, queries.get_agent(conn, conversation.agent_id).display_name
