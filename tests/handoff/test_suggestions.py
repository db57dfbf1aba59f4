"""Suggested empathetic phrasings for the agent, from the bot's phrase bank."""

from __future__ import annotations

from empathy.content import load_content
from handoff.agents.suggestions import Suggester
from handoff.settings import Settings
from tests.handoff.conftest import Running
from tests.handoff.test_handoff_flow import escalate

BANK = load_content(Settings().empathy_content_dir).phrases


def bank_texts(family: str) -> set[str]:
    return {v.text for variants in BANK.validations[family].values() for v in variants}


async def test_owner_gets_two_or_three_bank_phrasings_for_the_latest_message(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    other = await gw.logged_in_agent("bo", "Bo")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    code, body = await agent.api("GET", f"/conversations/{conversation_id}/suggestions")
    assert code == 409 and body["error"]["code"] == "wrong_state"  # nobody owns it yet
    await agent.api("POST", f"/conversations/{conversation_id}/claim")
    await customer.say("this is ridiculous, still nothing")
    await gw.settle()

    code, body = await agent.api("GET", f"/conversations/{conversation_id}/suggestions")
    assert code == 200, body
    assert 2 <= len(body["suggestions"]) <= 3
    assert all(s["text"] in bank_texts(s["family"]) for s in body["suggestions"])
    detail = (await agent.api("GET", f"/conversations/{conversation_id}"))[1]
    customer_seqs = [m["seq"] for m in detail["transcript"] if m["role"] == "customer"]
    assert body["for_seq"] == max(customer_seqs)
    code, body = await other.api("GET", f"/conversations/{conversation_id}/suggestions")
    assert code == 403


async def test_a_sentence_already_said_is_never_suggested_again(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.api("POST", f"/conversations/{conversation_id}/claim")
    code, first = await agent.api("GET", f"/conversations/{conversation_id}/suggestions")
    used = first["suggestions"][0]["text"]
    await agent.api("POST", f"/conversations/{conversation_id}/messages", {"text": used + " Let me look."})
    code, second = await agent.api("GET", f"/conversations/{conversation_id}/suggestions")
    assert code == 200 and used not in [s["text"] for s in second["suggestions"]]


def test_feelings_from_the_tracker_choose_family_and_intensity() -> None:
    suggester = Suggester(load_content(Settings().empathy_content_dir))
    tracker = {
        "sender_id": "c1",
        "slots": {"emotion": "sadness", "stakes": "bereavement", "frustration_level": 0.2},
        "events": [{"event": "user", "text": "the flowers were for my dad's funeral"}],
    }
    chosen = suggester.suggest(tracker, [])
    assert 2 <= len(chosen) <= 3
    assert {s.family for s in chosen} == {chosen[0].family}
    assert all(s.text in bank_texts(s.family) for s in chosen)
    # A malformed tracker still yields the bank's phrasings rather than an error.
    assert len(suggester.suggest({"events": "broken"}, [])) == 3
