"""A whole conversation through the real product (the trained bot with its action and NLG
servers, and `python -m handoff`), then every process's log read back: the customer's
email, their words, the agent's words and note, and the services' secrets are in none of
them. Logs name conversations by id; what people said stays in the databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from launcher.live_stack import LiveStack
from tests.handoff.clients import Agent, Customer
from tests.support.teardown import bounded
from tests.widget.support import AGENT_PASSWORD, GatewayProcess, create_agent, run_gateway

pytestmark = pytest.mark.slow

EMAIL = "sofia.rossi@example.com"
FIRST = f"Hi, where is my order ORD-10003? My email is {EMAIL} and it is a present for my niece Beatrice"
SECOND = "This is not good enough, I want to talk to a person about Beatrice's present please"
AGENT_REPLY = "Hello Sofia, I am looking at the parcel for Beatrice right now"
NOTE = "Sofia is upset; the present for Beatrice is already late"
THIRD = "Thank you so much, you can call me back on +39 333 1234567"
AFTER_HANDBACK = "One more thing: can I change the address to Via Garibaldi 12, Torino?"
# Words of this conversation that no log line may carry.
PRIVATE = [
    EMAIL,
    "Beatrice",
    "+39 333 1234567",
    "Via Garibaldi",
    FIRST,
    SECOND,
    AGENT_REPLY,
    NOTE,
    THIRD,
    AFTER_HANDBACK,
]
BOT_WAIT_S = 90.0


@pytest.fixture
def gateway(live_bot: LiveStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GatewayProcess]:
    # The gateway reads the live stack's store for its summaries, as under `make run`.
    monkeypatch.setenv("STORE_DATABASE_URL", live_bot.store_database_url)
    with run_gateway(tmp_path, live_bot.rasa_url, live_bot.rasa_token, rasa_timeout_s=60.0) as process:
        yield process


def every_log(live_bot: LiveStack, gateway: GatewayProcess) -> dict[str, str]:
    logs = {p.name: p.read_text(errors="replace") for p in sorted(live_bot.log_dir.glob("*.log"))}
    logs["gateway.log"] = gateway.log_path.read_text(errors="replace")
    return logs


async def test_a_full_conversation_leaves_no_customer_data_in_any_log(
    live_bot: LiveStack, gateway: GatewayProcess
) -> None:
    create_agent(gateway.env, "logs_agent", "Ada")
    async with aiohttp.ClientSession() as http:
        agent = Agent(gateway.url, http)
        await agent.login("logs_agent", AGENT_PASSWORD)
        await agent.connect()
        customer = Customer(gateway.url)
        try:
            await customer.connect()
            assert (await customer.say(FIRST))["ok"]
            await customer.seen.wait_for(
                "bot_uttered", lambda m: "ORD-10003" in (m.get("text") or ""), BOT_WAIT_S
            )

            assert (await customer.say(SECOND))["ok"]
            entry = await agent.seen.wait_for("escalation", timeout=BOT_WAIT_S)
            conversation_id = entry["conversation_id"]
            assert (await agent.emit("claim", {"conversation_id": conversation_id}))["ok"]
            sent = await agent.emit("send_message", {"conversation_id": conversation_id, "text": AGENT_REPLY})
            assert sent["ok"], sent
            await customer.seen.wait_for("bot_uttered", lambda m: m.get("text") == AGENT_REPLY)
            noted = await agent.emit("note", {"conversation_id": conversation_id, "text": NOTE})
            assert noted["ok"], noted

            assert (await customer.say(THIRD))["ok"]
            await agent.seen.wait_for("message", lambda m: THIRD in json.dumps(m))
            resolved = await agent.emit("resolve", {"conversation_id": conversation_id})
            assert resolved["ok"], resolved
            await customer.seen.wait_for("handoff_status", lambda s: s.get("state") == "bot")

            replies_before = customer.seen.count("bot_uttered")
            assert (await customer.say(AFTER_HANDBACK))["ok"]
            await customer.seen.wait_for("bot_uttered", start=replies_before, timeout=BOT_WAIT_S)
        finally:
            await bounded(customer.disconnect(), "customer disconnect")
            await bounded(agent.disconnect(), "agent disconnect")

    logs = every_log(live_bot, gateway)
    assert set(logs) >= {"actions.log", "nlg.log", "rasa.log", "gateway.log"}
    # The logs did record this conversation (its escalation, by id): a leak would show here.
    assert entry["handoff_id"] in logs["gateway.log"]
    for name, text in logs.items():
        for private in PRIVATE:
            assert private not in text, f"{name} carries {private!r}"
        for variable in ("RASA_TOKEN", "ACTION_SERVER_TOKEN", "NLG_SERVER_TOKEN"):
            assert live_bot.env[variable] not in text, f"{name} carries {variable}"
        assert gateway.env["HANDOFF_SECRET"] not in text, f"{name} carries HANDOFF_SECRET"
