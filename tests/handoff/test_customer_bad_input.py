"""Bad input on every customer socket event, through a real socket.io client: each gets a clear
error with a stable code (in the acknowledgement and as `handoff_error`), nothing of it is
stored, and the same connection goes on working."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import pytest_asyncio

from handoff.customers.service import CustomerService
from tests.handoff.clients import WAIT, Customer
from tests.handoff.conftest import Running, StartGateway

NESTED: dict[str, Any] = {}
_level = NESTED
for _ in range(20):
    _level["deeper"] = {}
    _level = _level["deeper"]

# (event, body, expected error code, words the message must contain)
BAD_INPUT: list[tuple[str, Any, str, str]] = [
    # user_uttered: sizes, emptiness, types, characters, words, ids, metadata
    ("user_uttered", {"message": "x " * 2001}, "invalid_input", "longer than 4000"),
    ("user_uttered", {"message": ""}, "invalid_input", "empty"),
    ("user_uttered", {"message": "   \n\t  "}, "invalid_input", "empty"),
    ("user_uttered", {"message": "\u200b\u2060\u00a0"}, "invalid_input", "empty"),
    ("user_uttered", {"message": 42}, "invalid_input", "must be a string"),
    ("user_uttered", {"message": ["hi"]}, "invalid_input", "must be a string"),
    ("user_uttered", {"message": None}, "invalid_input", "must be a string"),
    ("user_uttered", {}, "invalid_input", "must be a string"),
    ("user_uttered", "just a string", "invalid_input", "needs an object"),
    ("user_uttered", [1, 2, 3], "invalid_input", "needs an object"),
    ("user_uttered", None, "invalid_input", "needs an object"),
    ("user_uttered", {"message": "half \ud83d of an emoji"}, "invalid_input", "lone surrogate"),
    ("user_uttered", {"message": "nul\x00byte"}, "invalid_input", "U+0000"),
    ("user_uttered", {"message": "bell\x07"}, "invalid_input", "control character"),
    ("user_uttered", {"message": "a" * 501}, "invalid_input", "word of 501 characters"),
    ("user_uttered", {"message": "hi", "message_id": ""}, "invalid_input", "message_id"),
    ("user_uttered", {"message": "hi", "message_id": "x" * 65}, "invalid_input", "message_id"),
    ("user_uttered", {"message": "hi", "message_id": "has space"}, "invalid_input", "message_id"),
    ("user_uttered", {"message": "hi", "message_id": ["c-1"]}, "invalid_input", "message_id"),
    ("user_uttered", {"message": "hi", "metadata": "{not json"}, "invalid_input", "not valid JSON"),
    ("user_uttered", {"message": "hi", "metadata": [1]}, "invalid_input", "must be an object"),
    ("user_uttered", {"message": "hi", "metadata": NESTED}, "invalid_input", "nested deeper than 8"),
    ("user_uttered", {"message": "hi", "metadata": {"n": 10**30}}, "invalid_input", "integer larger"),
    ("user_uttered", {"message": "hi", "metadata": {"n": float("nan")}}, "invalid_input", "not finite"),
    ("user_uttered", {"message": "hi", "metadata": {"k\ud800": 1}}, "invalid_input", "lone surrogate"),
    ("user_uttered", {"message": "hi", "metadata": {"big": "x" * 5000}}, "invalid_input", "larger than 4096"),
    ("user_uttered", {"message": "hi", "session_id": "someone else's"}, "session_required", "does not match"),
    # session_request
    ("session_request", {"session_id": None, "last_seq": 10**30}, "invalid_input", "last_seq"),
    ("session_request", {"session_id": None, "last_seq": -1}, "invalid_input", "last_seq"),
    ("session_request", {"session_id": None, "last_seq": "3"}, "invalid_input", "last_seq"),
    ("session_request", {"session_id": None, "last_seq": 2.5}, "invalid_input", "last_seq"),
    ("session_request", {"session_id": None, "last_seq": True}, "invalid_input", "last_seq"),
    ("session_request", {"session_id": 12345}, "invalid_input", "session_id"),
    ("session_request", {"session_id": "f" * 500}, "invalid_input", "session_id"),
    ("session_request", "not an object", "invalid_input", "needs an object"),
    # resync, receipts, typing
    ("resync", {"last_seq": 10**30}, "invalid_input", "last_seq"),
    ("resync", {"last_seq": "all"}, "invalid_input", "last_seq"),
    ("resync", [0], "invalid_input", "needs an object"),
    ("message_receipt", {"seq": 10**30, "state": "read"}, "invalid_input", "seq"),
    ("message_receipt", {"seq": 1, "state": "seen"}, "invalid_input", "state"),
    ("message_receipt", None, "invalid_input", "needs an object"),
    ("typing", {"typing": "yes"}, "invalid_input", "true or false"),
    ("typing", {}, "invalid_input", "true or false"),
    ("typing", True, "invalid_input", "needs an object"),
    # rating (the conversation is not closed: field errors come first, then that)
    ("rating", {"score": True}, "invalid_input", "score"),
    ("rating", {"score": 10**30}, "invalid_input", "score"),
    ("rating", {"score": 6}, "invalid_input", "score"),
    ("rating", {"comment": "nul\x00"}, "invalid_input", "U+0000"),
    ("rating", {"comment": "   "}, "invalid_input", "empty"),
    ("rating", {}, "invalid_input", "score"),
    ("rating", {"score": 4}, "invalid_input", "no closed conversation"),
    # identity, without a shop secret configured
    ("identify", {"customer_id": "c-1", "hmac": "é" * 64}, "identity_not_enabled", "SHOP_IDENTITY_SECRET"),
    # end_session
    ("end_session", {"session_id": 7}, "invalid_input", "session_id"),
    ("end_session", "now", "invalid_input", "needs an object"),
    # events nobody handles, and the socket.io names a client may not send
    ("hello", {}, "unknown_event", "no customer event 'hello'"),
    ("", {}, "unknown_event", "no customer event"),
    ("connect", {"REMOTE_ADDR": "10.0.0.1"}, "unknown_event", "no customer event 'connect'"),
    ("disconnect", {}, "unknown_event", "no customer event 'disconnect'"),
]


async def open_customer(gw: Running) -> Customer:
    customer = gw.customer()
    await customer.connect()
    return customer


@pytest_asyncio.fixture
async def roomy(start_gateway: StartGateway) -> Running:
    """A gateway whose rate limits stay out of the way of a hundred events."""
    return await start_gateway(customer_events_burst=1000, connection_messages_burst=1000)


async def test_every_bad_input_gets_a_clear_error_and_the_connection_stays_usable(
    roomy: Running, caplog: pytest.LogCaptureFixture
) -> None:
    customer = await open_customer(roomy)
    session_id = customer.session_id
    errors_before = customer.seen.count("handoff_error")
    for event, body, code, words in BAD_INPUT:
        ack = await customer.sio.call(event, body, timeout=WAIT)
        assert ack["ok"] is False, (event, body)
        assert ack["error"]["code"] == code, (event, body, ack)
        assert words in ack["error"]["message"], (event, body, ack)
    assert customer.seen.count("handoff_error") == errors_before + len(BAD_INPUT)
    # Nothing was stored, the session is the same, and the connection works as before.
    await customer.sio.call("resync", {"last_seq": 0}, timeout=WAIT)
    assert customer.seen.events["resync"][-1]["messages"] == []
    ack = await customer.say("a real question now", message_id="c-ok")
    assert ack["ok"] is True and ack["seq"] == 1
    assert customer.session_id == session_id
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_event_with_more_than_one_argument_is_refused(roomy: Running) -> None:
    customer = await open_customer(roomy)
    ack = await customer.sio.call("typing", ({"typing": True}, "and more"), timeout=WAIT)
    assert ack["error"]["code"] == "invalid_input"
    assert "one argument" in ack["error"]["message"]
    assert (await customer.say("fine"))["ok"]


async def test_a_non_string_event_name_is_an_unknown_event(roomy: Running) -> None:
    customer = await open_customer(roomy)
    ack = await customer.sio.call(12345, {"x": 1}, timeout=WAIT)  # type: ignore[arg-type]
    assert ack["error"]["code"] == "unknown_event"


async def test_events_before_session_request_say_so(roomy: Running) -> None:
    customer = roomy.customer()
    await customer.sio.connect(roomy.url, transports=["polling"], wait_timeout=WAIT)
    for event, body in (
        ("user_uttered", {"message": "hi", "message_id": "early"}),
        ("resync", {"last_seq": 0}),
        ("typing", {"typing": True}),
        ("message_receipt", {"seq": 1}),
        ("rating", {"score": 5}),
        ("end_session", {}),
    ):
        ack = await customer.sio.call(event, body, timeout=WAIT)
        assert ack["error"]["code"] == "session_required", event
    early = customer.seen.events["handoff_error"][0]
    assert early["client_id"] == "early"


async def test_an_unexpected_failure_is_answered_and_the_retry_is_stored_once(
    roomy: Running, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    customer = await open_customer(roomy)
    real_receive = CustomerService.receive
    calls = 0

    async def flaky(self: CustomerService, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database went away for a moment")
        return await real_receive(self, *args, **kwargs)

    monkeypatch.setattr(CustomerService, "receive", flaky)
    with caplog.at_level(logging.ERROR, logger="handoff.customers.namespace"):
        failed = await customer.say("is my refund on its way?", message_id="c-7")
    # An answer, not silence: the widget keeps the message and can send it again.
    assert failed["ok"] is False
    assert failed["error"]["code"] == "internal_error"
    assert failed["client_id"] == "c-7"
    assert any("customer event 'user_uttered' failed" in r.getMessage() for r in caplog.records)
    retried = await customer.say("is my refund on its way?", message_id="c-7")
    assert retried["ok"] is True and retried["duplicate"] is False
    assert (await customer.say("is my refund on its way?", message_id="c-7"))["duplicate"] is True
