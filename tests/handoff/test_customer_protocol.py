"""The customer namespace end to end: Rasa's socket.io protocol, sessions, storage, resync."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from handoff.app import SIO, close_client_connections
from handoff.customers.session_ids import SESSION_ID_LENGTH
from handoff.persistence import queries
from tests.handoff.clients import TRANSPORTS
from tests.handoff.conftest import Running


async def test_session_is_issued_signed_and_confirmed(gw: Running) -> None:
    customer = gw.customer()
    ack = await customer.connect()
    confirmed = await customer.seen.wait_for("session_confirm")
    assert confirmed == ack["session_id"]
    assert len(confirmed) == SESSION_ID_LENGTH
    assert ack["resumed"] is False and ack["refused"] is False
    status = await customer.seen.wait_for("handoff_status")
    assert status["state"] == "bot"


async def test_a_session_id_the_server_never_issued_is_refused(gw: Running) -> None:
    customer = gw.customer()
    forged = "ab" * (SESSION_ID_LENGTH // 2)
    ack = await customer.connect(session_id=forged)
    assert ack["refused"] is True
    assert ack["session_id"] != forged
    refused = await customer.seen.wait_for("session_refused")
    assert refused["reason"] == "unknown_session"
    assert await customer.seen.wait_for("session_confirm") == ack["session_id"]


async def test_user_uttered_gets_a_stored_bot_reply_with_extras(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    ack = await customer.say("where is my order", message_id="c-1")
    assert ack["ok"] and ack["seq"] == 1 and ack["duplicate"] is False
    reply = await customer.bot_text(lambda t: t.startswith("You said"))
    assert reply["text"] == "You said: where is my order"
    assert reply["metadata"]["seq"] == 2
    assert reply["metadata"]["sender"] == {"role": "bot", "name": None}
    assert reply["metadata"]["message_id"]
    typing = [e["typing"] for e in customer.seen.events["typing"]]
    assert typing[:2] == [True, False]
    # Rasa saw the conversation id, never the session id, and the stored message id.
    call = gw.rasa.webhook_calls[-1]
    assert call["sender"] != customer.session_id
    assert call["metadata"]["handoff"]["seq"] == 1


async def test_buttons_arrive_as_quick_replies(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    await customer.say("buttons please")
    reply = await customer.bot_text(lambda t: t == "Pick one")
    assert reply["quick_replies"] == [
        {"content_type": "text", "title": "Yes", "payload": "/affirm"},
        {"content_type": "text", "title": "No", "payload": "/deny"},
    ]


async def test_a_resent_message_id_is_stored_and_answered_once(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    first = await customer.say("hello there", message_id="same-id")
    second = await customer.say("hello there", message_id="same-id")
    assert second["duplicate"] is True
    assert second["message_id"] == first["message_id"] and second["seq"] == first["seq"]
    await gw.settle()
    assert len([c for c in gw.rasa.webhook_calls if c["message"] == "hello there"]) == 1
    assert customer.seen.count("bot_uttered") == 1


async def test_a_returning_widget_resumes_only_its_own_conversation(gw: Running) -> None:
    alice, bob = gw.customer(), gw.customer()
    alice_ack = await alice.connect()
    await bob.connect()
    await alice.say("my secret order")
    await alice.bot_text(lambda t: "secret" in t)
    await alice.disconnect()

    returning = gw.customer()
    ack = await returning.connect(session_id=alice_ack["session_id"], last_seq=0)
    assert ack["resumed"] is True
    resync = await returning.seen.wait_for("resync")
    assert [m["text"] for m in resync["messages"]] == ["my secret order", "You said: my secret order"]
    await gw.settle()
    assert not any("secret" in (m.get("text") or "") for m in bob.seen.events["bot_uttered"])
    assert not bob.seen.events["resync"]


async def test_reconnect_resyncs_missed_messages_in_order_without_duplicates(gw: Running) -> None:
    customer = gw.customer()
    ack = await customer.connect()
    await customer.say("one")
    seen = await customer.bot_text(lambda t: t == "You said: one")
    await customer.disconnect()

    # While the socket is down, a second tab keeps talking.
    other_tab = gw.customer()
    await other_tab.connect(session_id=ack["session_id"])
    await other_tab.say("two")
    await other_tab.bot_text(lambda t: t == "You said: two")
    await other_tab.say("three")
    await other_tab.bot_text(lambda t: t == "You said: three")

    back = gw.customer()
    await back.connect(session_id=ack["session_id"], last_seq=seen["metadata"]["seq"])
    resync = await back.seen.wait_for("resync")
    texts = [m["text"] for m in resync["messages"]]
    assert texts == ["two", "You said: two", "three", "You said: three"]
    seqs = [m["seq"] for m in resync["messages"]]
    assert seqs == list(range(seen["metadata"]["seq"] + 1, seen["metadata"]["seq"] + 5))
    assert resync["last_seq"] == seqs[-1]


async def test_other_tabs_see_the_customers_own_messages(gw: Running) -> None:
    tab1, tab2 = gw.customer(), gw.customer()
    ack = await tab1.connect()
    await tab2.connect(session_id=ack["session_id"])
    await tab1.say("from tab one")
    echoed = await tab2.seen.wait_for("user_message")
    assert echoed["text"] == "from tab one" and echoed["role"] == "customer"
    await gw.settle()
    assert tab1.seen.count("user_message") == 0


async def test_messages_are_stored_before_they_are_acknowledged(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    gw.rasa.mode = "slow"
    gw.rasa.slow_seconds = 1.0
    ack = await customer.say("stored first")
    session = await customer.sio.call("resync", {"last_seq": 0})
    assert session["ok"]
    resync = await customer.seen.wait_for("resync")
    assert resync["messages"][0]["id"] == ack["message_id"]
    conversation_id = resync["messages"][0]["conversation_id"]
    stored = await gw.gateway.database.run(queries.messages_after, conversation_id, 0)
    assert stored[0].text == "stored first"


async def test_bad_input_gets_a_clear_error_and_nothing_is_lost(gw: Running) -> None:
    customer = gw.customer()
    await customer.sio.connect(customer.url, transports=TRANSPORTS)
    before_session = await customer.sio.call("user_uttered", {"message": "hi"})
    assert before_session["error"]["code"] == "session_required"
    await customer.request_session()
    empty = await customer.say("   ")
    assert empty["ok"] is False and empty["error"]["code"] == "invalid_input"
    too_long = await customer.say("x" * 5000)
    assert too_long["error"]["code"] == "invalid_input"
    bad_meta = await customer.say("hi", metadata=["not", "an", "object"])
    assert bad_meta["error"]["code"] == "invalid_input"
    wrong_session = await customer.sio.call("user_uttered", {"message": "hi", "session_id": "nope"})
    assert wrong_session["error"]["code"] == "session_required"
    error_event = await customer.seen.wait_for("handoff_error")
    assert error_event["ok"] is False
    ok = await customer.say("still works")
    assert ok["ok"] and ok["seq"] == 1


async def test_stock_widget_flow_without_extras(gw: Running) -> None:
    """A stock Rasa widget: session_request with its stored id, then plain user_uttered."""
    customer = gw.customer()
    await customer.sio.connect(customer.url, transports=TRANSPORTS)
    await customer.sio.emit("session_request", {"session_id": None})
    session_id = await customer.seen.wait_for("session_confirm")
    await customer.sio.emit("user_uttered", {"message": "hi", "session_id": session_id})
    reply = await customer.seen.wait_for("bot_uttered")
    assert reply["text"] == "You said: hi"
    await asyncio.sleep(0)


async def test_websocket_transport_at_the_wire_level(gw: Running) -> None:
    """Browsers use the websocket transport: speak Engine.IO 4 / Socket.IO 5 frames directly."""
    async with gw.http.ws_connect(f"{gw.url}/socket.io/?EIO=4&transport=websocket") as ws:
        opened = await ws.receive_str(timeout=5)
        assert opened.startswith("0{")
        await ws.send_str("40")
        assert (await ws.receive_str(timeout=5)).startswith("40{")
        await ws.send_str('420["session_request",{"session_id":null}]')
        await ws.send_str('42["user_uttered",{"message":"over websocket"}]')
        frames: list[str] = []

        async def until_reply() -> None:
            while not any("You said: over websocket" in f for f in frames):
                frame = await ws.receive_str()
                if frame == "2":  # Engine.IO ping → pong
                    await ws.send_str("3")
                    continue
                frames.append(frame)

        await asyncio.wait_for(until_reply(), 10)
        confirm = next(f for f in frames if f.startswith('42["session_confirm"'))
        assert len(json.loads(confirm[2:])[1]) == 64
        assert any(f.startswith("430[") for f in frames)  # the session_request acknowledgement


async def test_stopping_the_gateway_closes_open_websockets_at_once(gw: Running) -> None:
    """An open browser socket must not hold up a shutdown: the gateway closes it (Engine.IO
    close packet, then the websocket itself), and the widget reconnects elsewhere."""
    async with gw.http.ws_connect(f"{gw.url}/socket.io/?EIO=4&transport=websocket") as ws:
        assert (await ws.receive_str(timeout=5)).startswith("0{")
        await ws.send_str("40")
        assert (await ws.receive_str(timeout=5)).startswith("40{")
        await asyncio.wait_for(close_client_connections(gw.server.app[SIO]), 5)
        frames = []
        while True:
            message = await ws.receive(timeout=5)
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            frames.append(message.data)
        assert "1" in frames  # Engine.IO's close packet
        assert ws.closed or message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert gw.server.app[SIO].eio.sockets == {}
