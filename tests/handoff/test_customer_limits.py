"""Rate limits at the customer edge, through real socket.io clients: a refused event is
`rate_limited` with `retry_after`, nothing of it is stored, and it goes through after that time.

The limits' clock is a manual one here (set on the running namespace), so "after
retry_after" is exact however slow the machine is.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy

from handoff.app import SIO
from handoff.notify import CUSTOMER_NAMESPACE
from handoff.persistence import tables
from tests.handoff.clients import TRANSPORTS, WAIT, Customer
from tests.handoff.conftest import Running, StartGateway


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def manual_limits_clock(gw: Running) -> ManualClock:
    clock = ManualClock()
    gw.server.app[SIO].namespace_handlers[CUSTOMER_NAMESPACE].limits.clock = clock
    return clock


def customer_texts(records: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in records if m["role"] == "customer"]


async def stored_customer_texts(customer: Customer) -> list[str]:
    await customer.sio.call("resync", {"last_seq": 0}, timeout=WAIT)
    resync = customer.seen.events["resync"][-1]
    return customer_texts(resync["messages"])


async def conversation_count(gw: Running) -> int:
    def count(conn: sqlalchemy.engine.Connection) -> int:
        return int(
            conn.execute(
                sqlalchemy.select(sqlalchemy.func.count()).select_from(tables.conversations)
            ).scalar_one()
        )

    return await gw.gateway.database.run(count)


async def test_a_message_over_the_connection_rate_is_refused_kept_out_and_accepted_after_retry_after(
    start_gateway: StartGateway,
) -> None:
    gw = await start_gateway(connection_messages_burst=2, connection_messages_per_minute=60)
    clock = manual_limits_clock(gw)
    customer = gw.customer()
    await customer.connect()
    assert (await customer.say("one", message_id="m-1"))["ok"]
    assert (await customer.say("two", message_id="m-2"))["ok"]
    refused = await customer.say("three", message_id="m-3")
    assert refused["ok"] is False
    assert refused["client_id"] == "m-3"
    assert refused["error"]["code"] == "rate_limited"
    assert refused["error"]["retry_after"] == 1
    assert "not stored" in refused["error"]["message"]
    # The same refusal also arrives as an event, for clients that do not read acks.
    event = await customer.seen.wait_for("handoff_error", lambda e: e["error"]["code"] == "rate_limited")
    assert event["error"]["retry_after"] == 1
    assert await stored_customer_texts(customer) == ["one", "two"]

    clock.now += 0.5
    assert (await customer.say("three", message_id="m-3"))["error"]["code"] == "rate_limited"
    clock.now += 0.5
    accepted = await customer.say("three", message_id="m-3")
    assert accepted["ok"] is True and accepted["duplicate"] is False
    assert await stored_customer_texts(customer) == ["one", "two", "three"]


async def test_the_conversation_rate_is_shared_by_every_tab(start_gateway: StartGateway) -> None:
    gw = await start_gateway(conversation_messages_burst=3, conversation_messages_per_minute=6)
    manual_limits_clock(gw)
    first = gw.customer()
    ack = await first.connect()
    second = gw.customer()
    await second.connect(session_id=ack["session_id"])
    assert (await first.say("from tab one"))["ok"]
    assert (await second.say("from tab two"))["ok"]
    assert (await first.say("tab one again"))["ok"]
    refused = await second.say("one too many")
    assert refused["error"]["code"] == "rate_limited"
    # 6 a minute: the next token is 10 s away.
    assert refused["error"]["retry_after"] == 10
    # Another conversation is not slowed down by this one.
    other = gw.customer()
    await other.connect()
    assert (await other.say("a different customer"))["ok"]


async def test_a_flood_of_any_event_is_refused_and_the_connection_recovers(
    start_gateway: StartGateway,
) -> None:
    gw = await start_gateway(customer_events_burst=4, customer_events_per_minute=60)
    clock = manual_limits_clock(gw)
    customer = gw.customer()
    await customer.connect()  # one event: session_request
    answers = [await customer.sio.call("typing", {"typing": True}, timeout=WAIT) for _ in range(4)]
    assert [a["ok"] for a in answers] == [True, True, True, False]
    assert answers[-1]["error"]["code"] == "rate_limited"
    assert answers[-1]["error"]["retry_after"] == 1
    clock.now += 1
    assert (await customer.say("still here"))["ok"]


async def test_new_conversations_per_address_are_capped_but_resuming_is_not(
    start_gateway: StartGateway,
) -> None:
    gw = await start_gateway(new_sessions_per_address=2, new_sessions_window_seconds=600)
    clock = manual_limits_clock(gw)
    first = gw.customer()
    kept = await first.connect()
    await gw.customer().connect()
    before = await conversation_count(gw)

    third = gw.customer()
    await third.sio.connect(gw.url, transports=TRANSPORTS, wait_timeout=WAIT)
    refused = await third.sio.call("session_request", {"session_id": None}, timeout=WAIT)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "rate_limited"
    assert refused["error"]["retry_after"] == 600
    # A forged id would start a conversation too, so it is capped the same way.
    forged = await third.sio.call("session_request", {"session_id": "0" * 64}, timeout=WAIT)
    assert forged["error"]["code"] == "rate_limited"
    assert third.seen.count("session_confirm") == 0
    assert await conversation_count(gw) == before

    # A customer coming back to their own conversation is never refused.
    resumed = await third.request_session(kept["session_id"])
    assert resumed["ok"] and resumed["resumed"] is True
    assert (await third.say("I'm back"))["ok"]
    # The window slides: ten minutes after the first two, there is room again.
    clock.now += 600
    assert (await gw.customer().connect())["ok"] is True


async def connect_from(gw: Running, forwarded_for: str) -> dict[str, Any]:
    customer = gw.customer()
    await customer.sio.connect(
        gw.url, transports=TRANSPORTS, wait_timeout=WAIT, headers={"X-Forwarded-For": forwarded_for}
    )
    answer: dict[str, Any] = await customer.sio.call("session_request", {"session_id": None}, timeout=WAIT)
    return answer


async def test_behind_a_trusted_proxy_the_cap_is_per_forwarded_address(start_gateway: StartGateway) -> None:
    gw = await start_gateway(new_sessions_per_address=1, trusted_proxies="127.0.0.1")
    assert (await connect_from(gw, "203.0.113.5"))["ok"] is True
    assert (await connect_from(gw, "203.0.113.5"))["error"]["code"] == "rate_limited"
    # Whatever a browser writes at the left of the header, the proxy's own entry counts.
    assert (await connect_from(gw, "198.51.100.1, 203.0.113.5"))["error"]["code"] == "rate_limited"
    assert (await connect_from(gw, "203.0.113.6"))["ok"] is True


async def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(
    start_gateway: StartGateway,
) -> None:
    gw = await start_gateway(new_sessions_per_address=1)
    assert (await connect_from(gw, "203.0.113.5"))["ok"] is True
    assert (await connect_from(gw, "203.0.113.99"))["error"]["code"] == "rate_limited"
