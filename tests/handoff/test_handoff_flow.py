"""Bot → queued → agent → bot | closed, end to end with a customer socket and an agent."""

from __future__ import annotations

import asyncio
import os
import secrets

from handoff.escalation.hours import OpeningHours
from handoff.persistence import queries
from tests.handoff.clients import Agent, Customer
from tests.handoff.conftest import Running

REDIS_URL = os.environ.get("HANDOFF_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def escalate(gw: Running, customer: Customer) -> str:
    """Ask for a person; returns the conversation id once it is queued."""
    await customer.say("I want to talk to a person")
    status = await customer.seen.wait_for("handoff_status", lambda s: s["state"] == "queued")
    assert status["position"] >= 1
    await gw.settle()
    queued = await gw.gateway.escalator.queue()
    return queued[-1].handoff.conversation_id


async def test_request_for_a_person_queues_at_once_with_honest_wait(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)

    told = await customer.bot_text(lambda t: "bringing in a person" in t)
    assert told["metadata"]["sender"]["role"] == "system"
    assert "next in line" in told["text"] and "about 3 minutes" in told["text"]
    status = await customer.seen.wait_for("handoff_status", lambda s: s["state"] == "queued")
    assert status == {"state": "queued", "position": 1, "estimated_wait_seconds": 180}

    # The agent sees it live and through the API, with reasons, evidence and a summary.
    pushed = await agent.seen.wait_for("escalation")
    assert pushed["conversation_id"] == conversation_id
    code, body = await agent.api("GET", "/queue")
    assert code == 200
    [entry] = body["queue"]
    assert entry["conversation_id"] == conversation_id
    assert "request_human" in entry["reasons"]
    assert entry["evidence"] and entry["summary"]["transcript"]
    # Rasa's tracker is paused so the bot predicts nothing while a person owns it.
    assert gw.rasa.trackers[conversation_id].paused


async def test_full_handoff_claim_talk_note_and_hand_back(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana Lopez")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)

    code, body = await agent.api("POST", f"/conversations/{conversation_id}/claim")
    assert code == 200 and body["conversation"]["state"] == "agent"
    code, body = await agent.api("GET", "/conversations/mine")
    assert [row["conversation"]["id"] for row in body["conversations"]] == [conversation_id]
    assert body["conversations"][0]["handoff"]["status"] == "claimed"
    code, body = await agent.api("GET", "/me")
    assert body["agent"]["display_name"] == "Ana Lopez" and body["max_chats_per_agent"] == 3
    joined = await customer.bot_text(lambda t: "Ana Lopez from our team has joined" in t)
    assert joined["metadata"]["sender"]["role"] == "system"
    status = await customer.seen.wait_for("handoff_status", lambda s: s["state"] == "agent")
    assert status["agent_name"] == "Ana Lopez"

    # The customer's messages reach the agent and Rasa's (paused) tracker, and the bot stays silent.
    bot_messages_before = customer.seen.count("bot_uttered")
    await customer.say("my flowers for the funeral never came")
    live = await agent.seen.wait_for(
        "message", lambda m: m["message"]["text"] == "my flowers for the funeral never came"
    )
    assert live["conversation_id"] == conversation_id
    await gw.settle()
    assert customer.seen.count("bot_uttered") == bot_messages_before
    logged = [
        e
        for e in gw.rasa.trackers[conversation_id].events
        if e.get("text") == "my flowers for the funeral never came"
    ]
    assert logged and logged[0]["event"] == "user"

    # The agent replies; the customer sees the agent's name.
    code, body = await agent.api(
        "POST", f"/conversations/{conversation_id}/messages", {"text": "I'm so sorry. Let me fix this now."}
    )
    assert code == 201
    reply = await customer.bot_text(lambda t: t == "I'm so sorry. Let me fix this now.")
    assert reply["metadata"]["sender"] == {"role": "agent", "name": "Ana Lopez"}
    await gw.settle()
    assert any(
        e.get("event") == "bot" and e.get("metadata", {}).get("handoff_agent") == "Ana Lopez"
        for e in gw.rasa.trackers[conversation_id].events
    )

    # A private note is for agents only.
    code, body = await agent.api(
        "POST", f"/conversations/{conversation_id}/notes", {"text": "VIP, refund approved"}
    )
    assert code == 201
    await agent.seen.wait_for("note")
    await gw.settle()
    assert not any("VIP" in (m.get("text") or "") for m in customer.seen.events["bot_uttered"])

    code, detail = await agent.api("GET", f"/conversations/{conversation_id}")
    assert code == 200
    assert [n["text"] for n in detail["notes"]] == ["VIP, refund approved"]
    texts = [m["text"] for m in detail["transcript"]]
    assert "my flowers for the funeral never came" in texts and "I'm so sorry. Let me fix this now." in texts

    # Hand back with a next step: Rasa resumes and the bot carries on.
    code, body = await agent.api(
        "POST",
        f"/conversations/{conversation_id}/resolve",
        {"next_step": {"type": "intent", "name": "greet"}},
    )
    assert code == 200, body
    await customer.bot_text(lambda t: "handed you back to the assistant" in t)
    back = await customer.bot_text(lambda t: t.startswith("Back to me: intent greet"))
    assert back["metadata"]["sender"]["role"] == "bot"
    assert not gw.rasa.trackers[conversation_id].paused
    assert gw.rasa.triggered == [(conversation_id, "intent", "greet")]
    await customer.say("thanks")
    await customer.bot_text(lambda t: t == "You said: thanks")


async def test_close_asks_for_a_rating_and_stores_it(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.emit("claim", {"conversation_id": conversation_id})
    ack = await agent.emit("close", {"conversation_id": conversation_id})
    assert ack["ok"] and ack["conversation"]["state"] == "closed"
    prompt = await customer.bot_text(lambda t: "rate it" in t)
    assert [q["payload"] for q in prompt["quick_replies"]] == ["1", "2", "3", "4", "5"]
    await customer.seen.wait_for("rating_request")

    await customer.say("4")
    await customer.bot_text(lambda t: "anything you'd like to tell us" in t)
    await customer.say("Ana was kind and quick")
    await customer.bot_text(lambda t: "Thank you for your feedback" in t)
    rating = await gw.gateway.database.run(queries.latest_rating, conversation_id)
    assert rating is not None and rating.score == 4 and rating.comment == "Ana was kind and quick"
    assert rating.agent_id == agent.info["id"]

    # Writing again afterwards hands the conversation back to the bot.
    await customer.say("one more question")
    await customer.bot_text(lambda t: t == "You said: one more question")
    conversation = await gw.gateway.database.run(queries.get_conversation, conversation_id)
    assert conversation.state == "bot"


async def test_rating_socket_event_validates_the_score(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.emit("claim", {"conversation_id": conversation_id})
    await agent.emit("close", {"conversation_id": conversation_id})
    bad = await customer.sio.call("rating", {"score": 9})
    assert bad["ok"] is False and bad["error"]["code"] == "invalid_input"
    good = await customer.sio.call("rating", {"score": 5, "comment": "great"})
    assert good["ok"]
    rating = await gw.gateway.database.run(queries.latest_rating, conversation_id)
    assert rating is not None and (rating.score, rating.comment) == (5, "great")


async def test_transfer_to_another_agent_and_back_to_the_queue(gw: Running) -> None:
    ana = await gw.logged_in_agent("ana", "Ana")
    ben = await gw.logged_in_agent("ben", "Ben")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await ana.api("POST", f"/conversations/{conversation_id}/claim")
    code, body = await ana.api(
        "POST", f"/conversations/{conversation_id}/transfer", {"to_agent_id": ben.info["id"]}
    )
    assert code == 200 and body["conversation"]["agent_id"] == ben.info["id"]
    await ben.seen.wait_for("transferred_to_you")
    await customer.bot_text(lambda t: "Ben from our team is taking over from Ana" in t)
    # Ana no longer owns it.
    code, body = await ana.api("POST", f"/conversations/{conversation_id}/messages", {"text": "hello"})
    assert code == 403 and body["error"]["code"] == "not_owner"
    code, body = await ben.api("POST", f"/conversations/{conversation_id}/transfer", {"to_agent_id": None})
    assert code == 200 and body["conversation"]["state"] == "queued"
    code, body = await ben.api("GET", "/queue")
    assert [e["conversation_id"] for e in body["queue"]] == [conversation_id]


async def test_state_machine_refuses_impossible_moves(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    await customer.say("hello")
    await customer.bot_text(lambda t: t == "You said: hello")
    conversation_id = gw.rasa.webhook_calls[-1]["sender"]
    code, body = await agent.api("POST", "/conversations/nope/claim")
    assert code == 404 and body["error"]["code"] == "not_found"
    # A conversation the bot owns cannot be claimed, resolved or closed.
    for action in ("claim", "resolve", "close"):
        code, body = await agent.api("POST", f"/conversations/{conversation_id}/{action}", {})
        assert code == 409 and body["error"]["code"] == "wrong_state", (action, body)
    moved = await gw.gateway.database.run(
        lambda conn: queries.transition(conn, conversation_id, ("queued",), "agent", now=0.0)
    )
    assert moved is False
    conversation = await gw.gateway.database.run(queries.get_conversation, conversation_id)
    assert conversation.state == "bot" and conversation.agent_id is None


async def test_no_agent_available_means_an_email_follow_up(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    await customer.say("I want to talk to a person")
    told = await customer.bot_text(lambda t: "Nobody from our team is available" in t)
    assert "best address" in told["text"]
    status = await customer.seen.wait_for("handoff_status", lambda s: s.get("follow_up"))
    assert status["state"] == "bot"
    await customer.say("jo@example.com")
    await customer.bot_text(lambda t: "will write to jo@example.com" in t)
    await gw.settle()
    conversation_id = gw.rasa.webhook_calls[-1]["sender"]
    [handoff] = await gw.gateway.database.run(queries.handoffs_for_conversation, conversation_id)
    assert handoff.status == "follow_up" and handoff.follow_up_email == "jo@example.com"
    # The bot keeps helping.
    await customer.say("where is my parcel")
    await customer.bot_text(lambda t: t == "You said: where is my parcel")
    # Asking again gets the same honest answer, and no second follow-up.
    await customer.say("can I talk to a human please")
    await customer.bot_text(lambda t: "write to you at jo@example.com" in t)
    await gw.settle()
    assert len(await gw.gateway.database.run(queries.handoffs_for_conversation, conversation_id)) == 1


async def test_one_address_serves_the_follow_up_and_the_bot_that_asked_for_it(gw: Running) -> None:
    """The bot's order form asked for the email in the same turn that found nobody online:
    the customer is asked once, and the one answer reaches both the follow-up and the bot."""
    customer = gw.customer()
    await customer.connect()
    await customer.say("hello")
    await customer.bot_text(lambda t: t == "You said: hello")
    conversation_id = gw.rasa.webhook_calls[-1]["sender"]
    gw.rasa.trackers[conversation_id].slots["requested_slot"] = "email"
    await customer.say("I want to talk to a person")
    told = await customer.bot_text(lambda t: "Nobody from our team is available" in t)
    assert "the address you give me for the order" in told["text"]
    assert "best address" not in told["text"]
    await customer.say("jo@example.com")
    await customer.bot_text(lambda t: "will write to jo@example.com" in t)
    await customer.bot_text(lambda t: t == "You said: jo@example.com")
    await gw.settle()
    [handoff] = await gw.gateway.database.run(queries.handoffs_for_conversation, conversation_id)
    assert handoff.follow_up_email == "jo@example.com"


async def test_outside_opening_hours_means_an_email_follow_up(start_gateway: object) -> None:
    closed_always = OpeningHours.parse("sun 00:00-00:01", "UTC")
    gw: Running = await start_gateway(opening_hours=closed_always)  # type: ignore[operator]
    await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    await customer.say("I want to talk to a person")
    told = await customer.bot_text(lambda t: "Nobody from our team is available" in t)
    assert "we're open sun 00:00-00:01 (UTC)" in told["text"]


async def test_agent_typing_reaches_the_customer_and_customer_typing_the_agent(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.emit("claim", {"conversation_id": conversation_id})
    ack = await agent.emit("typing", {"conversation_id": conversation_id, "typing": True})
    assert ack["ok"]
    seen = await customer.seen.wait_for("typing", lambda t: t["role"] == "agent")
    assert seen == {"role": "agent", "name": "Ana", "typing": True}
    await customer.sio.call("typing", {"typing": True})
    got = await agent.seen.wait_for("typing", lambda t: t.get("role") == "customer")
    assert got["conversation_id"] == conversation_id


async def test_agent_socket_sends_and_watches(gw: Running) -> None:
    agent: Agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    watched = await agent.emit("watch", {"conversation_id": conversation_id})
    assert watched["ok"] and watched["conversation"]["state"] == "queued"
    await agent.emit("claim", {"conversation_id": conversation_id})
    sent = await agent.emit(
        "send_message", {"conversation_id": conversation_id, "text": "Hi, I'm Ana", "client_id": "a-1"}
    )
    assert sent["ok"] and sent["message"]["role"] == "agent"
    got = await customer.bot_text(lambda t: t == "Hi, I'm Ana")
    assert got["metadata"]["seq"] == sent["message"]["seq"]
    empty = await agent.emit("send_message", {"conversation_id": conversation_id, "text": ""})
    assert empty["ok"] is False and empty["error"]["code"] == "invalid_input"
    await asyncio.sleep(0)


async def test_handback_offers_and_checks_the_bots_next_steps(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    code, body = await agent.api("GET", "/next-steps")
    assert code == 200
    steps = body["next_steps"]
    default = gw.gateway.agents.next_steps.default()
    assert steps[0] == default.to_dict() and default.type == "action"
    assert {"type": "intent", "name": "greet"} in [{"type": s["type"], "name": s["name"]} for s in steps]
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.api("POST", f"/conversations/{conversation_id}/claim")
    code, body = await agent.api(
        "POST",
        f"/conversations/{conversation_id}/resolve",
        {"next_step": {"type": "intent", "name": "dance"}},
    )
    assert code == 400 and "no intent 'dance'" in body["error"]["message"]
    conversation = await gw.gateway.database.run(queries.get_conversation, conversation_id)
    assert conversation.state == "agent"  # nothing changed hands
    code, body = await agent.api("POST", f"/conversations/{conversation_id}/resolve", {})
    assert code == 200
    assert gw.rasa.triggered == [(conversation_id, "action", default.name)]
    # The bot is listening again: the customer's next message gets the bot's answer.
    await customer.say("what payment methods do you accept?")
    await customer.bot_text(lambda t: t == "You said: what payment methods do you accept?")


async def test_delivered_and_read_receipts_reach_the_agent(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await agent.api("POST", f"/conversations/{conversation_id}/claim")
    _, body = await agent.api(
        "POST", f"/conversations/{conversation_id}/messages", {"text": "Hello, Ana here"}
    )
    seq = body["message"]["seq"]
    await customer.bot_text(lambda t: t == "Hello, Ana here")
    assert (await customer.sio.call("message_receipt", {"seq": seq, "state": "delivered"}))["ok"]
    got = await agent.seen.wait_for("receipt")
    assert got == {"conversation_id": conversation_id, "delivered_seq": seq, "read_seq": 0}
    await customer.sio.call(
        "message_receipt", {"seq": seq + 50, "state": "read"}
    )  # clamped to the last message
    got = await agent.seen.wait_for("receipt", lambda r: r["read_seq"] > 0)
    assert got["read_seq"] == seq and got["delivered_seq"] == seq
    await customer.sio.call("message_receipt", {"seq": 1, "state": "read"})  # never goes back
    bad = await customer.sio.call("message_receipt", {"seq": "x"})
    assert bad["error"]["code"] == "invalid_input"
    _, detail = await agent.api("GET", f"/conversations/{conversation_id}")
    assert (detail["conversation"]["delivered_seq"], detail["conversation"]["read_seq"]) == (seq, seq)
    assert agent.seen.count("receipt") == 2


async def test_two_replicas_share_rooms_through_redis(start_gateway: object) -> None:
    """Scale-out: the customer on one gateway, the agent on another, one database, Redis fan-out."""
    shared = {
        "secret": secrets.token_hex(32).encode(),
        "redis_url": REDIS_URL,
        "redis_channel": f"handoff-test-{secrets.token_hex(4)}",
    }
    front: Running = await start_gateway(**shared)  # type: ignore[operator]
    back: Running = await start_gateway(**shared)  # type: ignore[operator]
    agent = await back.logged_in_agent("ana", "Ana")
    customer = front.customer()
    await customer.connect()
    await customer.say("I want to talk to a person")
    pushed = await agent.seen.wait_for("escalation")
    conversation_id = pushed["conversation_id"]
    code, _ = await agent.api("POST", f"/conversations/{conversation_id}/claim")
    assert code == 200
    await customer.bot_text(lambda t: "Ana from our team has joined" in t)
    await agent.api("POST", f"/conversations/{conversation_id}/messages", {"text": "Hello across replicas"})
    reply = await customer.bot_text(lambda t: t == "Hello across replicas")
    assert reply["metadata"]["sender"] == {"role": "agent", "name": "Ana"}
    # A returning widget may land on the other replica and still resume its conversation.
    ack = await back.customer().connect(session_id=customer.session_id)
    assert ack["resumed"] is True


async def test_a_turn_rasa_leaves_silent_still_gets_an_answer(gw: Running) -> None:
    customer = gw.customer()
    await customer.connect()
    await customer.say("hello")
    await customer.bot_text(lambda t: t == "You said: hello")
    (conversation_id,) = gw.rasa.trackers
    # A tracker left mid-turn makes Rasa predict action_listen at once and send nothing.
    gw.rasa.trackers[conversation_id].events.append({"event": "action", "name": "utter_greet"})
    await customer.say("are you there?")
    told = await customer.bot_text(lambda t: "bring in a person" in t)
    assert told["metadata"]["sender"]["role"] == "system"
    assert told["quick_replies"][0]["payload"].startswith("/request_human")
    conversation = await gw.gateway.database.run(queries.get_conversation, conversation_id)
    assert conversation.state == "bot"  # offered, not forced
