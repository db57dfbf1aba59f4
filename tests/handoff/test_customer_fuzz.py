"""Property-based fuzzing of every customer socket event, through a real socket.io client
against the real gateway (SQLite and PostgreSQL).

Each example sends one event (a known one, a reserved or unknown name) with a body drawn from
near-valid shapes (the right fields with wrong, huge, empty, nested, NaN, surrogate or NUL
values) and from arbitrary JSON, with zero, one or two arguments. The properties: every event
is acknowledged (none is left unanswered), with `ok: true` or an error whose code is one of
the documented ones (never `internal_error`: no handler crashed), and the connection answers
the next event.

How many examples a run draws: tests/handoff/fuzzing.py.
"""

from __future__ import annotations

from typing import Any

import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from tests.handoff.clients import Customer
from tests.handoff.conftest import Running, StartGateway
from tests.handoff.fuzzing import (
    DEEP,
    FUZZ_GATEWAY,
    FUZZ_SETTINGS,
    INTEGER,
    JSON,
    TEXT,
    VALUE,
    SocketFuzz,
    arguments,
    tally_report,
)

CUSTOMER_EVENTS = (
    "session_request",
    "user_uttered",
    "resync",
    "message_receipt",
    "typing",
    "rating",
    "identify",
    "end_session",
)
OTHER_EVENTS = ("connect", "disconnect", "message", "bot_uttered", "handoff_error", "", "on_connect")
FUZZ = SocketFuzz(
    "customer fuzz",
    "/",
    frozenset(
        {"invalid_input", "session_required", "unknown_event", "invalid_identity", "identity_not_enabled"}
    ),
)


def near_valid(event: str) -> st.SearchStrategy[dict[str, Any]]:
    """The event's own fields, each with a fuzzed value (or left out)."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "session_request": {
            "session_id": st.one_of(st.none(), TEXT, VALUE),
            "last_seq": VALUE,
            "identity": VALUE,
        },
        "user_uttered": {
            "message": st.one_of(TEXT, VALUE),
            "message_id": st.one_of(TEXT, VALUE),
            "metadata": st.one_of(JSON, DEEP, TEXT),
            "session_id": VALUE,
        },
        "resync": {"last_seq": st.one_of(INTEGER, VALUE)},
        "message_receipt": {
            "seq": st.one_of(INTEGER, VALUE),
            "state": st.one_of(st.sampled_from(["delivered", "read"]), VALUE),
        },
        "typing": {"typing": VALUE},
        "rating": {"score": st.one_of(INTEGER, VALUE), "comment": st.one_of(TEXT, VALUE)},
        "identify": {
            "customer_id": st.one_of(TEXT, VALUE),
            "hmac": st.one_of(TEXT, st.just("é" * 64), VALUE),
        },
        "end_session": {"session_id": st.one_of(TEXT, VALUE)},
    }.get(event, {"x": VALUE})
    return st.fixed_dictionaries({}, optional=fields)


@st.composite
def events(draw: st.DrawFn) -> tuple[str, tuple[Any, ...]]:
    # Mostly the events a customer may send; now and then a reserved, unknown or random name.
    names = st.sampled_from(CUSTOMER_EVENTS * 5 + OTHER_EVENTS)
    event = draw(st.text(max_size=20) if draw(st.integers(0, 9)) == 0 else names)
    body = draw(st.one_of(near_valid(event), VALUE))
    return event, arguments(draw, body, ["one", "one", "one", "none", "two"])


report = tally_report(FUZZ)


@pytest_asyncio.fixture
async def customer(start_gateway: StartGateway) -> Customer:
    gw: Running = await start_gateway(
        **FUZZ_GATEWAY, identity_secret=b"the shop's identity secret, 32+ bytes"
    )
    client = gw.customer()
    await client.connect()
    return client


@FUZZ_SETTINGS
@given(sent=events())
async def test_every_customer_event_is_answered_and_never_crashes(
    customer: Customer, sent: tuple[str, tuple[Any, ...]]
) -> None:
    FUZZ.tally["examples"] += 1
    event, args = sent
    if event == "user_uttered" and args and isinstance(args[0], dict) and "session_id" not in args[0]:
        args = ({**args[0], "session_id": customer.session_id}, *args[1:])
    ack = await FUZZ.answered(customer.sio, event, args)
    if event == "session_request" and ack["ok"]:
        customer.session_id = ack["session_id"]
    assert customer.sio.connected
    # The connection still answers; a fuzzed session_request or end_session may have
    # changed or ended its session, and then the next example starts from a fresh one.
    probe = await FUZZ.answered(customer.sio, "typing", ({"typing": False},))
    if not probe["ok"]:
        assert probe["error"]["code"] == "session_required"
        await customer.request_session(None)
