"""Who the customer is comes only from the server (docs/security.md, "Identity").

A browser can put anything in `user_uttered` metadata; the gateway drops the keys that would
say who the customer is before Rasa sees them, and forwards only a claim the shop's server
signed (`identify`), after checking it.
"""

from __future__ import annotations

from typing import Any

from shop.identity import identity_tag
from tests.handoff.clients import TRANSPORTS
from tests.handoff.conftest import Running, StartGateway

SECRET = b"shop identity secret for the test"


def claim(customer_id: str, secret: bytes = SECRET) -> dict[str, str]:
    return {"customer_id": customer_id, "hmac": identity_tag(secret, customer_id)}


async def test_identity_keys_a_browser_sends_never_reach_rasa(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    forged: dict[str, Any] = {
        "customer": {"email": "sofia.rossi@example.com"},
        "identity": claim("CUS-0003"),
        "handoff": {"seq": 999},
        "page": "/checkout",
    }
    ack = await customer.say("where is my order ORD-10003", metadata=forged)
    assert ack["ok"]
    await customer.bot_text(lambda t: t.startswith("You said"))
    sent = gw.rasa.webhook_calls[-1]["metadata"]
    assert "customer" not in sent and "identity" not in sent
    assert sent["handoff"]["seq"] == ack["seq"]  # the gateway's own, not the browser's
    assert sent["page"] == "/checkout"  # harmless hints still pass


async def test_a_claim_signed_by_the_shop_reaches_rasa(start_gateway: StartGateway) -> None:
    gw = await start_gateway(identity_secret=SECRET)
    customer = gw.customer()
    await customer.connect()
    answer = await customer.sio.call("identify", claim("CUS-0003"), timeout=5)
    assert answer == {"ok": True, "customer_id": "CUS-0003"}
    await customer.say("where is my order ORD-10003")
    await customer.bot_text(lambda t: t.startswith("You said"))
    assert gw.rasa.webhook_calls[-1]["metadata"]["identity"] == claim("CUS-0003")


async def test_a_claim_sent_with_the_session_request_is_kept_for_the_connection(
    start_gateway: StartGateway,
) -> None:
    gw = await start_gateway(identity_secret=SECRET)
    customer = gw.customer()
    await customer.sio.connect(gw.url, transports=TRANSPORTS, wait_timeout=5)
    ack = await customer.sio.call("session_request", {"identity": claim("CUS-0007")}, timeout=5)
    customer.session_id = ack["session_id"]
    await customer.say("hello")
    await customer.bot_text(lambda t: t.startswith("You said"))
    assert gw.rasa.webhook_calls[-1]["metadata"]["identity"]["customer_id"] == "CUS-0007"


async def test_a_forged_or_foreign_claim_is_refused_with_a_clear_error(start_gateway: StartGateway) -> None:
    gw = await start_gateway(identity_secret=SECRET)
    customer = gw.customer()
    await customer.connect()
    for bad in (
        claim("CUS-0003", b"someone else's secret"),
        {"customer_id": "CUS-0003", "hmac": "0" * 64},
        {"customer_id": "CUS-0003"},
        "CUS-0003",
    ):
        answer = await customer.sio.call("identify", bad, timeout=5)
        assert answer["ok"] is False and answer["error"]["code"] == "invalid_identity", bad
    await customer.say("hello")
    await customer.bot_text(lambda t: t.startswith("You said"))
    assert "identity" not in gw.rasa.webhook_calls[-1]["metadata"]


async def test_identify_without_a_configured_secret_says_so(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    answer = await customer.sio.call("identify", claim("CUS-0003"), timeout=5)
    assert answer["ok"] is False and answer["error"]["code"] == "identity_not_enabled"
