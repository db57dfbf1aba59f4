"""The context summary is kept current while a person owns (or is about to own) the conversation."""

from __future__ import annotations

import json

from handoff.escalation.policy import load_policy
from handoff.settings import Settings
from tests.handoff.conftest import Running
from tests.handoff.test_handoff_flow import escalate

LATE_FLOWERS = "the flowers for my mother's funeral never came"


async def test_summary_is_rebuilt_and_pushed_to_the_owner(gw: Running) -> None:
    threshold = load_policy(Settings().escalation_policy_path).frustration.level_threshold
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    code, body = await agent.api("GET", "/queue")
    assert body["queue"][0]["summary"]["frustration_threshold"] == threshold
    assert LATE_FLOWERS not in json.dumps(body["queue"][0]["summary"])
    code, _ = await agent.api("POST", f"/conversations/{conversation_id}/claim")
    assert code == 200

    await customer.say(LATE_FLOWERS)
    pushed = await agent.seen.wait_for("summary_updated")
    assert pushed["conversation_id"] == conversation_id
    assert LATE_FLOWERS in json.dumps(pushed["summary"])
    assert pushed["summary"]["frustration_threshold"] == threshold
    # Stored too: a reloaded console reads the same, current summary.
    await gw.settle()
    code, detail = await agent.api("GET", f"/conversations/{conversation_id}")
    assert code == 200 and detail["handoff"]["summary"] == pushed["summary"]


async def test_queued_summary_reaches_every_agent_and_the_queue(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)

    await customer.say(LATE_FLOWERS)
    pushed = await agent.seen.wait_for("summary_updated")
    assert pushed["conversation_id"] == conversation_id
    row = await agent.seen.wait_for(
        "queue_updated", lambda q: LATE_FLOWERS in json.dumps(q["queue"][0]["summary"])
    )
    assert row["queue"][0]["conversation_id"] == conversation_id


async def test_summary_falls_back_to_the_transcript_when_rasa_is_down(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.api("POST", f"/conversations/{conversation_id}/claim")
    gw.rasa.mode = "down"
    await customer.say(LATE_FLOWERS)
    pushed = await agent.seen.wait_for("summary_updated")
    assert pushed["summary"]["partial"] is True
    assert pushed["summary"]["problem"] == LATE_FLOWERS
