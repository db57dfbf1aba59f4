"""Make it right from the console (docs/console-needs.md §4): the real gateway (fake Rasa,
every gateway database test on SQLite and PostgreSQL) on a real seeded demo store.

The store's "today" is the demo's fixed Wednesday 18 March 2026 (tests/store/demo_store.py),
so refund and delivery dates in the customer's messages are exact.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from handoff.customers.session_ids import session_hash
from handoff.persistence import queries
from shop import StoreService
from tests.handoff.clients import Agent, Customer
from tests.handoff.conftest import PASSWORD, Running, StartGateway
from tests.handoff.test_handoff_flow import escalate
from tests.store.conftest import seeded_template, store_path  # noqa: F401 (fixtures: a seeded store)
from tests.store.demo_store import store_on

# Seeded orders (tests/store/demo_store.py, shop/seed.py) and their customers.
DELAYED = ("ORD-10003", "CUS-0003")  # a 199.00 EUR watch, paid by Mastercard ending 5100
TV = ("ORD-10015", "CUS-0015")  # a delivered 899.00 EUR TV: over an agent's budget
LOST_VACUUM = ("ORD-10016", "CUS-0016")  # a lost 449.00 EUR robot vacuum


@pytest.fixture
def shop(store_path: Path) -> StoreService:  # noqa: F811 (the fixture imported above)
    return store_on(store_path)


@pytest.fixture
async def gws(start_gateway: StartGateway, shop: StoreService) -> Running:
    """The gateway on the seeded store."""
    return await start_gateway(shop=shop)


async def case_with_agent(gw: Running, order: tuple[str, str] | None) -> tuple[Agent, Customer, str]:
    """A customer who verified `order` (order_id, customer_id) escalates; the agent claims."""
    agent = await gw.logged_in_agent("ana", "Ana Agent")
    customer = gw.customer()
    await customer.connect()
    await customer.say("hello")
    await customer.bot_text(lambda t: t.startswith("You said"))
    assert customer.session_id is not None
    conversation = await gw.gateway.database.run(
        queries.conversation_for_session, session_hash(customer.session_id)
    )
    assert conversation is not None
    if order is not None:
        order_id, customer_id = order
        gw.rasa.trackers[conversation.id].slots.update(order_id=order_id, customer_id=customer_id)
    conversation_id = await escalate(gw, customer)
    assert conversation_id == conversation.id
    code, body = await agent.api("POST", f"/conversations/{conversation_id}/claim")
    assert code == 200, body
    return agent, customer, conversation_id


async def supervisor(gw: Running, username: str = "sam", name: str = "Sam Supervisor") -> Agent:
    await gw.create_agent(username, name, role="supervisor")
    client = gw.agent()
    await client.login(username, PASSWORD)
    return client


def by_kind(overview: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {option["kind"]: option for option in overview["options"]}


def system_texts(customer: Customer) -> list[str]:
    return [
        m.get("text") or ""
        for m in customer.seen.events["bot_uttered"]
        if m["metadata"]["sender"]["role"] == "system"
    ]


async def test_lists_the_options_for_the_order_within_the_agents_budget(
    gws: Running, shop: StoreService
) -> None:
    agent, _, conversation_id = await case_with_agent(gws, LOST_VACUUM)
    path = f"/conversations/{conversation_id}/remedies"

    code, overview = await agent.api("GET", path)
    assert code == 200, overview
    assert overview["order_id"] == "ORD-10016"
    assert overview["order_state"] == "lost"
    assert overview["currency"] == "EUR"
    assert overview["budget"] == {
        "max_refund": 300.0,
        "max_replacement_value": 600.0,
        "max_store_credit": 100.0,
        "approval_limit": 500.0,
    }
    options = by_kind(overview)
    # A lost parcel: send it again or refund it, or credit; nothing to "replace".
    assert [o["kind"] for o in overview["options"]] == ["reship", "refund", "credit"]
    assert options["reship"] == {
        "kind": "reship",
        "label": "Send Sweepo robot vacuum again by express",
        "amount": 449.0,
        "within_budget": True,
        "why_not": None,
    }
    assert options["refund"]["amount"] == 449.0 and options["refund"]["within_budget"] is False
    assert options["refund"]["why_not"] == "over your refund limit of 300.00 EUR; a supervisor can approve it"
    # The bot's goodwill credit: 20 % of the goods, capped at 50.00.
    assert options["credit"]["amount"] == 50.0 and options["credit"]["within_budget"] is True
    assert overview["approvals"] == []

    # What the bot prepared over its own budget in this conversation is listed, and blocks
    # the same remedy so nobody gives it twice.
    prepared = await asyncio.to_thread(
        shop.create_approval_request,
        "ORD-10016",
        remedy="reship",
        amount_cents=44900,
        reason="not received: reship of 449.00 EUR is over max_replacement_value (400.00 EUR)",
        conversation_id=conversation_id,
    )
    code, overview = await agent.api("GET", path)
    assert overview["approvals"] == [
        {
            "id": str(prepared.approval_id),
            "reference": prepared.reference,
            "kind": "reship",
            "amount": 449.0,
            "currency": "EUR",
            "reason": prepared.reason,
            "status": "pending",
            "created_at": "2026-03-18T10:00:00",
            "decided_at": None,
            "decided_by": None,
            "note": None,
            "can_decide": True,
        }
    ]
    assert by_kind(overview)["reship"]["within_budget"] is False
    assert prepared.reference in by_kind(overview)["reship"]["why_not"]

    # Someone else's conversation is not theirs to act on.
    other = await gws.logged_in_agent("ben", "Ben", connect=False)
    code, body = await other.api("GET", path)
    assert (code, body["error"]["code"]) == (403, "not_owner")


async def test_a_refund_within_budget_is_done_once_and_the_customer_is_told(
    gws: Running, shop: StoreService
) -> None:
    agent, customer, conversation_id = await case_with_agent(gws, DELAYED)
    path = f"/conversations/{conversation_id}/remedies"
    before = customer.seen.count("bot_uttered")

    # A double click: two requests with one client_id at the same moment.
    click = {"kind": "refund", "amount": 50, "client_id": "click-1"}
    (code_a, first), (code_b, second) = await asyncio.gather(
        agent.api("POST", path, click), agent.api("POST", path, click)
    )
    assert sorted([code_a, code_b]) == [200, 201]
    assert first == second
    result = first["result"]
    refunds = (await asyncio.to_thread(shop.order_facts, "ORD-10003")).refunds
    assert [(str(r.amount), r.status) for r in refunds] == [("50.00 EUR", "pending")]
    assert result == {
        "kind": "refund",
        "amount": 50.0,
        "currency": "EUR",
        "reference": f"REF-{refunds[0].refund_id:05d}",
        "summary": (
            "Refunded 50.00 EUR on ORD-10003 to Mastercard ending 5100; expected by Wednesday 25 March "
            f"(REF-{refunds[0].refund_id:05d}). The customer has been told in the chat."
        ),
    }

    # The customer hears exactly once, specifically: amount, order, card, and when.
    told = await customer.bot_text(lambda t: "refunded" in t, start=before)
    assert told["metadata"]["sender"] == {"role": "system", "name": None}
    assert told["text"] == (
        "Ana Agent has refunded 50.00 EUR for order ORD-10003 to your Mastercard ending 5100. "
        "It should reach you by Wednesday 25 March; banks can take a few days to show it."
    )
    # The agent's console sees it in the transcript like any message.
    shown = await agent.seen.wait_for("message", lambda m: "refunded" in (m["message"]["text"] or ""))
    assert shown["message"]["payload"]["remedy"] == {"kind": "refund", "reference": result["reference"]}
    await gws.settle()
    assert sum("refunded" in t for t in system_texts(customer)) == 1

    # A late retry of the same click still changes nothing; a new click is a new refund.
    code, again = await agent.api("POST", path, click)
    assert (code, again) == (200, first)
    code, rest = await agent.api("POST", path, {"kind": "refund", "amount": None, "client_id": "click-2"})
    assert code == 201 and rest["result"]["amount"] == 149.0
    code, overview = await agent.api("GET", path)
    assert by_kind(overview)["refund"]["why_not"] == "nothing is left to refund on this order"
    code, body = await agent.api("POST", path, {"kind": "refund", "amount": None, "client_id": "click-3"})
    assert (code, body["error"]["code"]) == (409, "wrong_state")
    assert len((await asyncio.to_thread(shop.order_facts, "ORD-10003")).refunds) == 2


async def test_over_the_agents_budget_is_refused_with_the_limit(gws: Running, shop: StoreService) -> None:
    agent, customer, conversation_id = await case_with_agent(gws, TV)
    path = f"/conversations/{conversation_id}/remedies"

    code, body = await agent.api("POST", path, {"kind": "refund", "amount": None, "client_id": "a"})
    assert code == 409
    assert body["error"] == {
        "code": "over_budget",
        "message": "899.00 EUR is over your refund limit of 300.00 EUR; ask a supervisor to approve it",
    }
    code, body = await agent.api("POST", path, {"kind": "replacement", "amount": None, "client_id": "b"})
    assert (code, body["error"]["code"]) == (409, "over_budget")
    assert "600.00 EUR" in body["error"]["message"]
    assert (await asyncio.to_thread(shop.order_facts, "ORD-10015")).refunds == ()

    # A partial refund within the budget is the agent's to give.
    code, body = await agent.api("POST", path, {"kind": "refund", "amount": 250, "client_id": "c"})
    assert code == 201 and body["result"]["amount"] == 250.0
    await customer.bot_text(lambda t: "has refunded 250.00 EUR for order ORD-10015 to your PayPal" in t)


async def test_a_supervisor_approves_what_the_bot_prepared_and_the_customer_hears(
    gws: Running, shop: StoreService
) -> None:
    agent, customer, conversation_id = await case_with_agent(gws, TV)
    prepared = await asyncio.to_thread(
        shop.create_approval_request,
        "ORD-10015",
        remedy="replacement",
        amount_cents=89900,
        reason="damaged on delivery: replacement of 899.00 EUR is over max_replacement_value (400.00 EUR)",
        conversation_id=conversation_id,
    )
    decide = f"/approvals/{prepared.approval_id}"

    # 899.00 is above an agent's approval limit (500.00): not theirs to decide.
    code, overview = await agent.api("GET", f"/conversations/{conversation_id}/remedies")
    assert overview["approvals"][0]["can_decide"] is False
    code, body = await agent.api("POST", decide, {"decision": "approve"})
    assert (code, body["error"]["code"]) == (403, "forbidden")
    assert "supervisor" in body["error"]["message"] and "500.00 EUR" in body["error"]["message"]
    assert (await asyncio.to_thread(shop.approval, prepared.approval_id)).status == "pending"

    boss = await supervisor(gws)
    code, body = await boss.api("POST", decide, {"decision": "approve", "note": "Loyal customer."})
    assert code == 200, body
    approval = body["approval"]
    assert (approval["status"], approval["decided_by"], approval["note"]) == (
        "approved",
        "Sam Supervisor",
        "Loyal customer.",
    )
    assert approval["can_decide"] is False
    assert body["customer_told"] is True
    assert body["result"]["kind"] == "replacement" and body["result"]["amount"] == 899.0
    told = await customer.bot_text(lambda t: t.startswith("Good news"))
    assert told["text"] == (
        f"Good news about a replacement worth 899.00 EUR for order ORD-10015 (reference {prepared.reference}): "
        "it has been approved. Our team has arranged a replacement Vista 55-inch 4K TV for order ORD-10015. "
        "It's going out by express to "
        f"{(await asyncio.to_thread(shop.order_facts, 'ORD-10015')).shipping_address} and should arrive by "
        "Thursday 19 March; you'll get the tracking number as soon as the carrier picks it up."
    )
    overview_after = await asyncio.to_thread(shop.customer_overview, "CUS-0015")
    assert [(r.kind, r.actor) for r in overview_after.recent_resolutions] == [("replacement", "agent")]

    # Decided once: a second approval changes nothing.
    code, body = await boss.api("POST", decide, {"decision": "approve"})
    assert (code, body["error"]["code"]) == (409, "wrong_state")
    assert len((await asyncio.to_thread(shop.customer_overview, "CUS-0015")).recent_resolutions) == 1


async def test_rejecting_tells_the_customer_honestly_what_happens_instead(
    gws: Running, shop: StoreService
) -> None:
    agent, customer, conversation_id = await case_with_agent(gws, DELAYED)
    prepared = await asyncio.to_thread(
        shop.create_approval_request,
        "ORD-10003",
        remedy="refund",
        amount_cents=19900,
        reason="late or lost delivery: customer already had 2 remedies in the last 30 days",
        conversation_id=conversation_id,
    )
    # 199.00 is within an agent's approval limit, so the owner may decide it.
    code, body = await agent.api(
        "POST",
        f"/approvals/{prepared.approval_id}",
        {"decision": "reject", "note": "  The parcel is out for delivery today.  "},
    )
    assert code == 200, body
    assert body["approval"]["status"] == "rejected"
    assert body["approval"]["note"] == "The parcel is out for delivery today."
    assert body["result"] is None and body["customer_told"] is True
    told = await customer.bot_text(lambda t: "couldn't approve" in t)
    assert told["text"] == (
        f"About a refund of 199.00 EUR for order ORD-10003 (reference {prepared.reference}): a person on "
        "our team looked at it and couldn't approve it, so nothing has been refunded. Their note: The "
        "parcel is out for delivery today. Ana Agent is here in the chat and will go through what we can "
        "do instead."
    )
    assert (await asyncio.to_thread(shop.order_facts, "ORD-10003")).refunds == ()
    code, body = await agent.api("POST", f"/approvals/{prepared.approval_id}", {"decision": "approve"})
    assert (code, body["error"]["code"]) == (409, "wrong_state")


BAD_REMEDIES: list[tuple[dict[str, Any], str]] = [
    ({}, "'kind'"),
    ({"kind": "voucher", "client_id": "x"}, "'kind'"),
    ({"kind": "credit"}, "'client_id'"),
    ({"kind": "credit", "client_id": "x" * 65}, "'client_id'"),
    ({"kind": "credit", "client_id": "x", "amount": "ten"}, "'amount'"),
    ({"kind": "credit", "client_id": "x", "amount": True}, "'amount'"),
    ({"kind": "credit", "client_id": "x", "amount": -5}, "'amount'"),
    ({"kind": "credit", "client_id": "x", "amount": 0}, "'amount'"),
    ({"kind": "credit", "client_id": "x", "amount": 1.234}, "'amount'"),
    ({"kind": "reship", "client_id": "x", "amount": 10}, "worth the goods sent again"),
    ({"kind": "refund", "client_id": "x", "amount": 500}, "at most 199.00 EUR is left to refund"),
]


async def test_bad_remedy_input_is_a_clear_400(gws: Running, shop: StoreService) -> None:
    agent, _, conversation_id = await case_with_agent(gws, DELAYED)
    for body, field in BAD_REMEDIES:
        code, answer = await agent.api("POST", f"/conversations/{conversation_id}/remedies", body)
        assert (code, answer["error"]["code"]) == (400, "invalid_input"), (body, answer)
        assert field in answer["error"]["message"], (body, answer)
    assert (await asyncio.to_thread(shop.order_facts, "ORD-10003")).refunds == ()
    assert (await asyncio.to_thread(shop.customer_overview, "CUS-0003")).recent_resolutions == ()


async def test_what_does_not_fit_and_bad_approval_input_are_refused(gws: Running, shop: StoreService) -> None:
    agent, _, conversation_id = await case_with_agent(gws, DELAYED)
    path = f"/conversations/{conversation_id}/remedies"
    # A replacement needs a delivered order.
    code, body = await agent.api("POST", path, {"kind": "replacement", "client_id": "x"})
    assert (code, body["error"]["code"]) == (409, "wrong_state")
    assert body["error"]["message"] == (
        "a replacement does not fit order ORD-10003, which is delayed; possible: reship, refund, credit"
    )
    async with agent.http.post(
        f"{agent.url}/api/agent{path}",
        data="{not json",
        headers={"Authorization": f"Bearer {agent.token}", "Content-Type": "application/json"},
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "invalid_input"

    prepared = await asyncio.to_thread(
        shop.create_approval_request,
        "ORD-10003",
        remedy="credit",
        amount_cents=2000,
        reason="r",
        conversation_id="c",
    )
    decide = f"/approvals/{prepared.approval_id}"
    for raw_id, payload, expected in [
        ("abc", {"decision": "approve"}, (400, "invalid_input")),
        ("0", {"decision": "approve"}, (400, "invalid_input")),
        (str(prepared.approval_id), {"decision": "maybe"}, (400, "invalid_input")),
        (str(prepared.approval_id), {}, (400, "invalid_input")),
        (str(prepared.approval_id), {"decision": "reject", "note": 5}, (400, "invalid_input")),
        (str(prepared.approval_id), {"decision": "reject", "note": "x" * 1001}, (400, "invalid_input")),
        ("999999", {"decision": "approve"}, (404, "not_found")),
    ]:
        code, body = await agent.api("POST", f"/approvals/{raw_id}", payload)
        assert (code, body["error"]["code"]) == expected, (raw_id, payload, body)
    assert (await asyncio.to_thread(shop.approval, prepared.approval_id)).status == "pending"
    # Logged out: nothing at all.
    agent.token = None
    code, body = await agent.api("POST", decide, {"decision": "approve"})
    assert (code, body["error"]["code"]) == (401, "not_authenticated")


async def test_without_a_verified_order_the_console_is_told_why(gws: Running, shop: StoreService) -> None:
    agent, _, conversation_id = await case_with_agent(gws, None)
    path = f"/conversations/{conversation_id}/remedies"
    code, overview = await agent.api("GET", path)
    assert code == 200
    assert overview["order_id"] is None and overview["options"] == [] and overview["approvals"] == []
    assert "No order has been verified" in overview["note"]
    code, body = await agent.api("POST", path, {"kind": "credit", "client_id": "x"})
    assert (code, body["error"]["code"]) == (409, "wrong_state")

    # A request the bot prepared in this conversation names the order.
    await asyncio.to_thread(
        shop.create_approval_request,
        "ORD-10003",
        remedy="refund",
        amount_cents=19900,
        reason="r",
        conversation_id=conversation_id,
    )
    code, overview = await agent.api("GET", path)
    assert overview["order_id"] == "ORD-10003" and overview["approvals"][0]["status"] == "pending"


async def test_a_gateway_without_a_store_says_so(gw: Running) -> None:
    agent, _, conversation_id = await case_with_agent(gw, DELAYED)
    path = f"/conversations/{conversation_id}/remedies"
    code, body = await agent.api("GET", path)
    assert (code, body["error"]["code"]) == (503, "store_unavailable")
    assert "STORE_DATABASE_URL" in body["error"]["message"]
    code, body = await agent.api("POST", path, {"kind": "credit", "client_id": "x"})
    assert (code, body["error"]["code"]) == (503, "store_unavailable")
