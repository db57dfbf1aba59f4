"""Claim races, authentication and role checks, and Rasa being down or slow."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import socketio

from handoff.persistence import queries
from tests.handoff.clients import TRANSPORTS
from tests.handoff.conftest import PASSWORD, Running
from tests.handoff.test_handoff_flow import escalate


async def test_two_agents_claiming_at_once_exactly_one_wins(start_gateway: object) -> None:
    gw: Running = await start_gateway(max_chats_per_agent=10)  # type: ignore[operator]
    ana = await gw.logged_in_agent("ana", "Ana", connect=False)
    ben = await gw.logged_in_agent("ben", "Ben", connect=False)
    conversation_ids = []
    for _ in range(5):
        customer = gw.customer()
        await customer.connect()
        conversation_ids.append(await escalate(gw, customer))
    for conversation_id in conversation_ids:
        path = f"/conversations/{conversation_id}/claim"
        results = await asyncio.gather(ana.api("POST", path), ben.api("POST", path))
        codes = sorted(code for code, _ in results)
        assert codes == [200, 409], results
        loser = next(body for code, body in results if code == 409)
        assert loser["error"]["code"] == "already_claimed"
        winner = next(body for code, body in results if code == 200)
        conversation = await gw.gateway.database.run(queries.get_conversation, conversation_id)
        assert conversation.agent_id == winner["conversation"]["agent_id"]
        [handoff] = await gw.gateway.database.run(queries.handoffs_for_conversation, conversation_id)
        assert handoff.agent_id == conversation.agent_id and handoff.status == "claimed"


async def test_claim_race_in_the_store_itself(gw: Running) -> None:
    """Many concurrent claimers through the model layer: exactly one succeeds."""
    agent_ids = [await gw.create_agent(f"agent{i}", f"Agent {i}", presence="available") for i in range(6)]
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)

    async def claim(agent_id: str) -> str:
        try:
            await gw.gateway.database.run(queries.claim, conversation_id, agent_id, time.time(), 3)
        except Exception as error:  # the domain error is the result here
            return type(error).__name__
        return "won"

    outcomes = await asyncio.gather(*(claim(a) for a in agent_ids))
    assert outcomes.count("won") == 1
    assert set(outcomes) == {"won", "AlreadyClaimed"}


async def test_agent_capacity_is_enforced(start_gateway: object) -> None:
    gw: Running = await start_gateway(max_chats_per_agent=1)  # type: ignore[operator]
    ana = await gw.logged_in_agent("ana", "Ana", connect=False)
    ids = []
    for _ in range(2):
        customer = gw.customer()
        await customer.connect()
        ids.append(await escalate(gw, customer))
    assert (await ana.api("POST", f"/conversations/{ids[0]}/claim"))[0] == 200
    code, body = await ana.api("POST", f"/conversations/{ids[1]}/claim")
    assert code == 409 and body["error"]["code"] == "agent_at_capacity"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me"),
        ("GET", "/agents"),
        ("GET", "/queue"),
        ("GET", "/next-steps"),
        ("GET", "/conversations/mine"),
        ("PUT", "/presence"),
        ("GET", "/conversations/x"),
        ("POST", "/conversations/x/claim"),
        ("POST", "/conversations/x/messages"),
        ("POST", "/conversations/x/notes"),
        ("POST", "/conversations/x/transfer"),
        ("POST", "/conversations/x/resolve"),
        ("POST", "/conversations/x/close"),
        ("POST", "/logout"),
    ],
)
async def test_every_agent_endpoint_requires_a_valid_token(gw: Running, method: str, path: str) -> None:
    anonymous = gw.agent()
    code, body = await anonymous.api(method, path, {})
    assert code == 401 and body["error"]["code"] == "not_authenticated"
    anonymous.token = "forged-token"
    code, body = await anonymous.api(method, path, {})
    assert code == 401 and body["error"]["code"] == "not_authenticated"


async def test_login_rejects_wrong_passwords_and_logout_revokes_the_token(gw: Running) -> None:
    await gw.create_agent("ana", "Ana")
    client = gw.agent()
    async with gw.http.post(f"{gw.url}/api/agent/login", json={"username": "ana", "password": "wrong"}) as r:
        assert r.status == 401 and (await r.json())["error"]["code"] == "not_authenticated"
    async with gw.http.post(
        f"{gw.url}/api/agent/login", json={"username": "nobody", "password": PASSWORD}
    ) as r:
        assert r.status == 401
    async with gw.http.post(f"{gw.url}/api/agent/login", data="not json") as r:
        assert r.status == 400 and (await r.json())["error"]["code"] == "invalid_input"
    await client.login("ana", PASSWORD)
    assert client.info["presence"] == "available"
    await client.connect()
    assert (await client.emit("queue", {}))["ok"]
    code, _ = await client.api("POST", "/logout")
    assert code == 200
    code, _ = await client.api("GET", "/me")
    assert code == 401
    # The live socket's next event is refused too.
    ack = await client.emit("queue", {})
    assert ack["ok"] is False and ack["error"]["code"] == "not_authenticated"
    team = await gw.gateway.agents.team()
    assert [a.presence for a in team] == ["offline"]


async def test_agent_socket_refuses_connections_without_a_valid_token(gw: Running) -> None:
    for auth in (None, {"token": "forged"}):
        sio = socketio.AsyncClient(reconnection=False)
        refusals: list[Any] = []
        sio.on("connect_error", refusals.append, namespace="/agent")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await sio.connect(gw.url, namespaces=["/agent"], auth=auth, transports=TRANSPORTS, wait_timeout=5)
        if sio.connected:
            await sio.disconnect()
        # The refusal is structured: a plain message plus the code as data (what the
        # browser client exposes as error.message / error.data).
        [refusal] = refusals
        assert refusal["data"]["code"] == "not_authenticated"
        assert refusal["message"] == refusal["data"]["message"] and "{" not in refusal["message"]


async def test_a_customer_socket_cannot_use_agent_events(gw: Running) -> None:
    """Agent events live only on /agent; the customer namespace has no handler for them."""
    await gw.create_agent("ana", "Ana", presence="available")
    customer = gw.customer()
    await customer.connect()
    await customer.say("I want to talk to a person")
    await customer.seen.wait_for("handoff_status", lambda s: s["state"] == "queued")
    [entry] = await gw.gateway.escalator.queue()
    # No handler: refused as an unknown event (docs/socket-protocol.md), and nothing changes.
    result = await customer.sio.call("claim", {"conversation_id": entry.handoff.conversation_id}, timeout=5)
    assert result["ok"] is False and result["error"]["code"] == "unknown_event"
    conversation = await gw.gateway.database.run(queries.get_conversation, entry.handoff.conversation_id)
    assert conversation.state == "queued"


async def test_presence_validation(gw: Running) -> None:
    ana = await gw.logged_in_agent("ana", "Ana")
    code, body = await ana.api("PUT", "/presence", {"presence": "sleeping"})
    assert code == 400 and body["error"]["code"] == "invalid_input"
    code, body = await ana.api("PUT", "/presence", {"presence": "away"})
    assert code == 200 and body["agent"]["presence"] == "away"
    pushed = await ana.seen.wait_for("presence", lambda p: p["presence"] == "away")
    assert pushed["username"] == "ana"


async def test_rasa_down_gives_an_honest_message_and_a_person_is_still_reachable(gw: Running) -> None:
    await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    gw.rasa.mode = "down"
    started = time.monotonic()
    await customer.say("where is my order")
    sorry = await customer.bot_text(lambda t: "trouble answering" in t)
    assert time.monotonic() - started < 3
    assert sorry["quick_replies"][0]["payload"] == "/request_human"
    assert sorry["metadata"]["sender"]["role"] == "system"
    # The stock widget sends the quick reply's payload as the message.
    await customer.say("/request_human")
    status = await customer.seen.wait_for("handoff_status", lambda s: s["state"] == "queued")
    assert status["position"] == 1
    [entry] = await gw.gateway.escalator.queue()
    assert entry.handoff.reasons == ["request_human"]
    assert entry.handoff.summary["partial"] is True
    assert [line["text"] for line in entry.handoff.summary["transcript"]][:1] == ["where is my order"]


async def test_slow_rasa_times_out_within_seconds(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    gw.rasa.mode = "slow"
    gw.rasa.slow_seconds = 30
    started = time.monotonic()
    await customer.say("hello?")
    await customer.bot_text(lambda t: "trouble answering" in t)
    elapsed = time.monotonic() - started
    assert elapsed < 4, elapsed  # rasa_timeout is 2 s in the tests
    typing = [e["typing"] for e in customer.seen.events["typing"]]
    assert typing == [True, False]
    gw.rasa.mode = "ok"


async def test_plain_words_reach_a_person_when_rasa_is_down(gw: Running) -> None:
    await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    gw.rasa.mode = "down"
    await customer.say("please get me a real person")
    await customer.seen.wait_for("handoff_status", lambda s: s["state"] == "queued")


async def test_handback_when_rasa_is_down_is_honest(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.api("POST", f"/conversations/{conversation_id}/claim")
    gw.rasa.mode = "down"
    code, body = await agent.api(
        "POST",
        f"/conversations/{conversation_id}/resolve",
        {"next_step": {"type": "intent", "name": "greet"}},
    )
    assert code == 200
    assert "trouble picking up" in body["bot_messages"][0]["text"]
    await customer.bot_text(lambda t: "trouble picking up" in t)
    code, body = await agent.api(
        "POST", f"/conversations/{conversation_id}/resolve", {"next_step": {"type": "bogus"}}
    )
    assert code == 400 and body["error"]["code"] == "invalid_input"


async def test_an_agent_whose_console_closed_is_set_away_and_back(start_gateway: object) -> None:
    gw: Running = await start_gateway(presence_grace_seconds=0.3)  # type: ignore[operator]
    ana = await gw.logged_in_agent("ana", "Ana")
    await ana.disconnect()
    await asyncio.sleep(0.1)
    await ana.connect()  # a quick reload: still available
    await asyncio.sleep(0.5)
    [agent] = await gw.gateway.agents.team()
    assert agent.presence == "available"
    await ana.disconnect()
    for _ in range(50):
        [agent] = await gw.gateway.agents.team()
        if agent.presence == "away":
            break
        await asyncio.sleep(0.1)
    assert agent.presence == "away"
    # Customers are now told honestly that a person will follow up by email.
    customer = gw.customer()
    await customer.connect()
    await customer.say("I want to talk to a person")
    await customer.bot_text(lambda t: "Nobody from our team is available" in t)
    await ana.connect()
    [agent] = await gw.gateway.agents.team()
    assert agent.presence == "available"
