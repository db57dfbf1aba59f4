"""Each agent's recent emotional load, visible to the team through GET /agents."""

from __future__ import annotations

from handoff.persistence import queries
from tests.handoff.conftest import Running
from tests.handoff.test_handoff_flow import escalate


async def test_team_rows_carry_each_agents_recent_emotional_load(gw: Running) -> None:
    ana = await gw.logged_in_agent("ana", "Ana")
    await gw.logged_in_agent("bo", "Bo")
    conversations = []
    for _ in range(2):
        customer = gw.customer()
        await customer.connect()
        conversations.append(await escalate(gw, customer))
    # The first one escalated for frustration (high-emotion), the second only on request.
    first = await gw.gateway.database.run(queries.get_conversation, conversations[0])
    assert first.handoff_id is not None
    await gw.gateway.database.run(
        queries.update_handoff, first.handoff_id, reasons=["frustration", "request_human"]
    )
    for conversation_id in conversations:
        code, _ = await ana.api("POST", f"/conversations/{conversation_id}/claim")
        assert code == 200

    code, body = await ana.api("GET", "/agents")
    assert code == 200
    loads = {a["username"]: a["load"] for a in body["agents"]}
    last = loads["ana"].pop("last_high_emotion_at")
    assert loads["ana"] == {
        "active_chats": 2,
        "max_chats": 3,
        "high_emotion_recent": 1,
        "handled_recent": 2,
        "window_hours": 8.0,
    }
    claimed = (await gw.gateway.database.run(queries.get_handoff, first.handoff_id)).claimed_at
    assert last == claimed
    assert loads["bo"]["high_emotion_recent"] == 0 and loads["bo"]["active_chats"] == 0


async def test_claims_older_than_the_window_no_longer_count(start_gateway: object) -> None:
    gw: Running = await start_gateway(load_window_hours=0.0001)  # type: ignore[operator]
    ana = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await ana.api("POST", f"/conversations/{conversation_id}/claim")
    conversation = await gw.gateway.database.run(queries.get_conversation, conversation_id)
    assert conversation.handoff_id is not None
    await gw.gateway.database.run(queries.update_handoff, conversation.handoff_id, claimed_at=1.0)
    code, body = await ana.api("GET", "/agents")
    assert code == 200
    [row] = body["agents"]
    assert row["load"]["handled_recent"] == 0 and row["load"]["active_chats"] == 1


async def test_the_load_counts_by_the_same_rule_the_router_offers_by(gw: Running) -> None:
    # Asked for a person, nothing more in the reasons; but the funeral makes it a heavy one.
    ana = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    conversation = await gw.gateway.database.run(queries.get_conversation, conversation_id)
    assert conversation.handoff_id is not None
    await gw.gateway.database.run(
        queries.update_handoff,
        conversation.handoff_id,
        reasons=["request_human"],
        decision={"priority_inputs": {"stakes": "bereavement"}},
    )
    await ana.api("POST", f"/conversations/{conversation_id}/claim")
    _, body = await ana.api("GET", "/agents")
    [row] = body["agents"]
    assert row["load"]["high_emotion_recent"] == 1 and row["load"]["handled_recent"] == 1
