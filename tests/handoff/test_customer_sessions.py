"""Customer session ids over time, through real socket.io clients: idle expiry, rotation on
resume, and ending a session from the widget ("forget this conversation").

The gateway's clock (what session timestamps are written with) is a manual one here, set on
the running messenger, so "an hour later" takes no time.
"""

from __future__ import annotations

import asyncio
import time

import sqlalchemy

from handoff.customers import session_store
from handoff.customers.session_ids import session_hash
from handoff.persistence import queries
from tests.handoff.clients import TRANSPORTS, WAIT, Customer
from tests.handoff.conftest import Running, StartGateway

HOUR = 3600.0


class ManualClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def started(start_gateway: StartGateway, **settings: float) -> tuple[Running, ManualClock]:
    gw = await start_gateway(**settings)
    clock = ManualClock()
    gw.gateway.customers.messenger.clock = clock
    return gw, clock


async def last_seen(gw: Running, session_id: str) -> float | None:
    record = await gw.gateway.database.run(session_store.find, session_hash(session_id))
    return record.last_seen_at if record else None


async def leave(gw: Running, customer: Customer, clock: ManualClock) -> None:
    """Close the tab, and wait until the gateway has written down when."""
    session_id = customer.session_id
    assert session_id
    await customer.disconnect()
    for _ in range(100):
        if await last_seen(gw, session_id) == clock.now:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the end of the connection was not recorded")


async def customer_texts(customer: Customer) -> list[str]:
    await customer.sio.call("resync", {"last_seq": 0}, timeout=WAIT)
    return [m["text"] for m in customer.seen.events["resync"][-1]["messages"] if m["role"] == "customer"]


async def test_an_id_unused_for_the_idle_time_is_refused_as_expired_and_a_new_conversation_starts(
    start_gateway: StartGateway,
) -> None:
    gw, clock = await started(start_gateway, session_idle_seconds=HOUR)
    customer = gw.customer()
    first = await customer.connect()
    await customer.say("my card was charged twice")
    await leave(gw, customer, clock)

    clock.now += HOUR + 1
    back = gw.customer()
    ack = await back.connect(session_id=first["session_id"], last_seq=0)
    assert ack["ok"] is True
    assert ack["refused"] is True and ack["resumed"] is False
    assert ack["reason"] == "session_expired"
    assert ack["session_id"] != first["session_id"]
    refused = await back.seen.wait_for("session_refused")
    assert refused["reason"] == "session_expired"
    assert "expired" in refused["message"]
    assert await back.seen.wait_for("session_confirm") == ack["session_id"]
    # The new conversation holds nothing of the old one; the old one stays for the team.
    assert await customer_texts(back) == []
    old = await gw.gateway.database.run(queries.conversation_for_session, session_hash(first["session_id"]))
    assert old is not None


async def test_idle_time_counts_from_when_the_last_tab_went_away(start_gateway: StartGateway) -> None:
    gw, clock = await started(start_gateway, session_idle_seconds=HOUR)
    customer = gw.customer()
    first = await customer.connect()
    await customer.say("hello")
    clock.now += 0.8 * HOUR  # the tab stays open, nothing said
    await leave(gw, customer, clock)
    clock.now += 0.8 * HOUR
    back = gw.customer()
    ack = await back.connect(session_id=first["session_id"])
    assert ack["resumed"] is True and ack["refused"] is False
    assert await customer_texts(back) == ["hello"]


async def test_an_old_id_is_replaced_on_resume_and_the_old_one_works_only_for_the_grace_period(
    start_gateway: StartGateway,
) -> None:
    gw, clock = await started(
        start_gateway,
        session_rotate_seconds=HOUR,
        session_rotation_grace_seconds=300,
        session_idle_seconds=24 * HOUR,
    )
    customer = gw.customer()
    id1 = (await customer.connect())["session_id"]
    await customer.say("where is my parcel")
    await leave(gw, customer, clock)

    clock.now += HOUR + 1
    tab = gw.customer()
    ack = await tab.connect(session_id=id1, last_seq=0)
    id2 = ack["session_id"]
    assert ack["resumed"] is True and ack["rotated"] is True and ack["refused"] is False
    assert id2 != id1
    rotated = await tab.seen.wait_for("session_rotated")
    assert "new session id" in rotated["message"]
    assert await tab.seen.wait_for("session_confirm") == id2
    assert tab.seen.count("session_refused") == 0
    resync = await tab.seen.wait_for("resync")
    assert [m["text"] for m in resync["messages"] if m["role"] == "customer"] == ["where is my parcel"]

    # The new id resumes as it is; a tab that missed it gets in with the old one for a while.
    again = await gw.customer().connect(session_id=id2)
    assert again["session_id"] == id2 and again["rotated"] is False
    clock.now += 100
    late = await gw.customer().connect(session_id=id1)
    assert late["resumed"] is True and late["rotated"] is True
    assert late["session_id"] not in (id1, id2)
    clock.now += 201
    too_late = await gw.customer().connect(session_id=id1)
    assert too_late["refused"] is True and too_late["reason"] == "session_expired"
    assert (await gw.customer().connect(session_id=id2))["resumed"] is True


async def test_end_session_forgets_the_conversation_for_every_tab_and_tells_the_team(gw: Running) -> None:
    tab = gw.customer()
    session_id = (await tab.connect())["session_id"]
    await tab.say("please forget me after this")
    other_tab = gw.customer()
    await other_tab.connect(session_id=session_id)
    await gw.settle()

    ack = await tab.sio.call("end_session", {}, timeout=WAIT)
    assert ack == {"ok": True, "ended": True}
    ended = await other_tab.seen.wait_for("session_ended")
    assert ended["reason"] == "ended"
    # Neither tab is in the conversation any more, and the id opens nothing.
    for client in (tab, other_tab):
        refused = await client.say("still there?")
        assert refused["error"]["code"] == "session_required"
    back = await gw.customer().connect(session_id=session_id)
    assert back["refused"] is True and back["reason"] == "session_ended"
    # The team sees why the customer went quiet.
    conversation = await gw.gateway.database.run(queries.conversation_for_session, session_hash(session_id))
    assert conversation is not None
    last = (await gw.gateway.database.run(queries.messages_after, conversation.id, 0, 100))[-1]
    assert last.role == "system" and "ended this conversation" in (last.text or "")


async def test_end_session_by_id_from_a_new_connection_as_a_widget_that_forgot_offline(gw: Running) -> None:
    tab = gw.customer()
    session_id = (await tab.connect())["session_id"]
    await tab.disconnect()
    later = gw.customer()
    await later.sio.connect(gw.url, transports=TRANSPORTS, wait_timeout=WAIT)
    assert await later.sio.call("end_session", {"session_id": session_id}, timeout=WAIT) == {
        "ok": True,
        "ended": True,
    }
    assert await later.sio.call("end_session", {"session_id": session_id}, timeout=WAIT) == {
        "ok": True,
        "ended": False,
    }
    nothing = await later.sio.call("end_session", None, timeout=WAIT)
    assert nothing["error"]["code"] == "session_required"
    assert (await gw.customer().connect(session_id=session_id))["reason"] == "session_ended"


async def test_a_conversation_from_before_session_records_still_resumes_and_can_be_ended(gw: Running) -> None:
    session_id = gw.gateway.customers.signer.issue()
    conversation = await gw.gateway.database.run(
        queries.create_conversation, session_hash(session_id), time.time()
    )

    def rows(conn: sqlalchemy.engine.Connection) -> int:
        query = sqlalchemy.select(sqlalchemy.func.count()).select_from(session_store.customer_sessions)
        return int(
            conn.execute(
                query.where(session_store.customer_sessions.c.conversation_id == conversation.id)
            ).scalar_one()
        )

    assert await gw.gateway.database.run(rows) == 0
    customer = gw.customer()
    ack = await customer.connect(session_id=session_id)
    assert ack["resumed"] is True and ack["session_id"] == session_id
    assert await gw.gateway.database.run(rows) == 1
    assert (await customer.sio.call("end_session", {}, timeout=WAIT))["ended"] is True
    assert (await gw.customer().connect(session_id=session_id))["reason"] == "session_ended"
