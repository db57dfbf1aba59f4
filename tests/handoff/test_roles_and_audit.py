"""Roles on every endpoint and agent event, the append-only audit log (who did what, when,
from where) and the agent's id on every message they send, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.exc import DBAPIError

from handoff.agents.api import ROUTES
from handoff.agents.auth import ANY_AGENT, SUPERVISORS
from handoff.agents.namespace import EVENT_ROLES, AgentNamespace
from handoff.persistence import queries
from handoff.persistence.tables import Database, make_engine
from shop import StoreService
from tests.handoff.clients import Agent
from tests.handoff.conftest import PASSWORD, Running
from tests.handoff.test_handoff_flow import escalate
from tests.handoff.test_remedies import DELAYED, TV, case_with_agent, gws, shop, supervisor
from tests.store.conftest import seeded_template, store_path

__all__ = ["gws", "seeded_template", "shop", "store_path"]  # fixtures used below

DOCS = Path(__file__).resolve().parents[2] / "docs" / "agent-api.md"


async def audit(boss: Agent, **query: Any) -> list[dict[str, Any]]:
    path = "/audit" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    code, body = await boss.api("GET", path)
    assert code == 200, body
    return list(reversed(body["entries"]))  # oldest first, to read like a story


def story(entries: list[dict[str, Any]]) -> list[tuple[str, str | None, str]]:
    return [(e["action"], e["target"], e["detail"].get("via", "")) for e in entries]


# --- roles -------------------------------------------------------------------------------------


def roles_table() -> dict[str, tuple[set[str], set[str]]]:
    """docs/agent-api.md's Roles table: who → (REST routes, socket events)."""
    rows = {}
    for line in DOCS.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in (
            "anyone (no token)",
            "`agent` or `supervisor`",
            "`supervisor` only",
        ):
            rows[cells[0]] = tuple(set(re.findall(r"`([^`]+)`", cell)) for cell in cells[1:])
    return rows  # type: ignore[return-value]


def test_every_endpoint_and_event_declares_its_roles_and_the_docs_list_them() -> None:
    documented = roles_table()
    who = {(): "anyone (no token)", ANY_AGENT: "`agent` or `supervisor`", SUPERVISORS: "`supervisor` only"}
    for route in ROUTES:
        assert (route.roles == ()) == (route.view == "login"), route
        path = route.path.replace("{conversation_id}", "{id}").replace("{approval_id}", "{id}")
        assert f"{route.method} {path}" in documented[who[route.roles]][0], route
    assert sum(len(rest) for rest, _ in documented.values()) == len(ROUTES)
    handlers = {
        name[3:]
        for name, _ in inspect.getmembers(AgentNamespace, inspect.iscoroutinefunction)
        if name.startswith("on_") and name not in ("on_connect", "on_disconnect")
    }
    assert set(EVENT_ROLES) == handlers
    for event, roles in EVENT_ROLES.items():
        assert event in documented[who[roles]][1], event


async def test_only_supervisors_read_the_audit_log_and_a_refusal_is_recorded(gw: Running) -> None:
    ana = await gw.logged_in_agent("ana", "Ana", connect=False)
    code, body = await ana.api("GET", "/audit")
    assert (code, body["error"]["code"]) == (403, "forbidden")
    assert "supervisor" in body["error"]["message"]
    boss = await supervisor(gw)
    # Supervisors may do everything agents may.
    assert (await boss.api("GET", "/queue"))[0] == 200
    [refused] = await audit(boss, action="forbidden")
    assert refused["agent_id"] == ana.info["id"] and refused["agent_username"] == "ana"
    assert refused["target"] == "GET /audit" and refused["detail"]["needs"] == ["supervisor"]


async def test_a_socket_event_refused_for_its_role_answers_forbidden(
    gw: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await gw.logged_in_agent("ana", "Ana")
    monkeypatch.setitem(EVENT_ROLES, "queue", SUPERVISORS)
    answer = await ana.emit("queue", {})
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    boss = await supervisor(gw)
    [refused] = await audit(boss, action="forbidden")
    assert (refused["target"], refused["detail"]["via"]) == ("queue", "socket")


# --- the audit log --------------------------------------------------------------------------------


async def test_every_agent_action_is_recorded_with_who_what_when_and_where(gw: Running) -> None:
    ana = await gw.logged_in_agent("ana", "Ana")
    ben = await gw.logged_in_agent("ben", "Ben", connect=False)
    customer = gw.customer()
    await customer.connect()
    first = await escalate(gw, customer)

    assert (await ana.api("GET", f"/conversations/{first}"))[0] == 200
    assert (await ana.emit("watch", {"conversation_id": first}))["ok"]
    assert (await ana.emit("claim", {"conversation_id": first}))["ok"]
    assert (await ana.emit("send_message", {"conversation_id": first, "text": "Hello, I'm Ana."}))["ok"]
    assert (await ana.api("POST", f"/conversations/{first}/messages", {"text": "Let me look."}))[0] == 201
    assert (await ana.emit("note", {"conversation_id": first, "text": "Customer is upset."}))["ok"]
    await gw.gateway.database.run(queries.set_presence, ben.info["id"], "available")
    body = {"to_agent_id": ben.info["id"]}
    assert (await ana.api("POST", f"/conversations/{first}/transfer", body))[0] == 200
    assert (await ben.api("POST", f"/conversations/{first}/resolve", {}))[0] == 200

    other = gw.customer()
    await other.connect()
    second = await escalate(gw, other)
    assert (await ana.api("POST", f"/conversations/{second}/claim"))[0] == 200
    assert (await ana.emit("close", {"conversation_id": second}))["ok"]
    assert (await ana.api("POST", "/logout"))[0] == 200
    await gw.settle()

    boss = await supervisor(gw)
    entries = await audit(boss, agent_id=ana.info["id"])
    assert story(entries) == [
        ("login", "ana", ""),
        ("conversation_read", first, "rest"),
        ("conversation_read", first, "socket"),
        ("claim", first, "socket"),
        ("reply", first, "socket"),
        ("reply", first, "rest"),
        ("note", first, "socket"),
        ("transfer", first, "rest"),
        ("claim", second, "rest"),
        ("close", second, "socket"),
        ("logout", None, ""),
    ]
    assert {e["ip"] for e in entries} == {"127.0.0.1"}
    assert all(e["agent_username"] == "ana" for e in entries)
    times = [e["at"] for e in entries]
    assert times == sorted(times)
    assert entries[7]["detail"]["to_agent_id"] == ben.info["id"]
    replies = [e["detail"]["message_id"] for e in entries if e["action"] == "reply"]
    transcript = await gw.gateway.database.run(queries.messages_after, first, 0, 100)
    assert replies == [m.id for m in transcript if m.role == "agent"]
    [resolved] = await audit(boss, action="resolve")
    assert (resolved["agent_username"], resolved["target"]) == ("ben", first)
    # Reading the log is itself recorded (this read after it is answered).
    assert [e["agent_username"] for e in await audit(boss, action="audit_read")] == ["sam"] * 2


async def test_remedies_and_approvals_are_recorded(gws: Running, shop: StoreService) -> None:
    agent, _, conversation_id = await case_with_agent(gws, DELAYED)
    path = f"/conversations/{conversation_id}/remedies"
    click = {"kind": "refund", "amount": 20, "client_id": "click-1"}
    assert (await agent.api("POST", path, click))[0] == 201
    assert (await agent.api("POST", path, click))[0] == 200  # the repeat changes nothing
    prepared = await asyncio.to_thread(
        shop.create_approval_request,
        TV[0],
        remedy="replacement",
        amount_cents=89900,
        reason="over the bot's budget",
        conversation_id=conversation_id,
    )
    boss = await supervisor(gws)
    decide = {"decision": "reject", "note": "Send it to the carrier first."}
    assert (await boss.api("POST", f"/approvals/{prepared.approval_id}", decide))[0] == 200

    remedies = await audit(boss, action="remedy")
    assert [
        (e["target"], e["detail"]["kind"], e["detail"]["amount"], e["detail"]["repeat"]) for e in remedies
    ] == [
        (conversation_id, "refund", 20.0, False),
        (conversation_id, "refund", 20.0, True),
    ]
    assert remedies[0]["detail"]["reference"].startswith("REF-")
    [approval] = await audit(boss, action="approval")
    assert approval["target"] == str(prepared.approval_id) and approval["agent_username"] == "sam"
    assert approval["detail"]["status"] == "rejected" and approval["detail"]["result"] is None


async def test_the_audit_log_filters_and_pages(gw: Running) -> None:
    boss = await supervisor(gw)
    ana = await gw.logged_in_agent("ana", "Ana", connect=False)
    for _ in range(4):
        assert (await ana.api("GET", "/conversations/nope"))[0] == 404  # refused reads: not logged
        await ana.api("POST", "/logout")
        await ana.login("ana", PASSWORD)
    code, page = await boss.api("GET", f"/audit?agent_id={ana.info['id']}&action=login&limit=3")
    assert code == 200 and len(page["entries"]) == 3 and page["next_before"] is not None
    code, rest = await boss.api(
        "GET", f"/audit?agent_id={ana.info['id']}&action=login&before={page['next_before']}"
    )
    assert [e["action"] for e in rest["entries"]] == ["login", "login"] and rest["next_before"] is None
    ids = [e["id"] for e in page["entries"] + rest["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5
    newest = page["entries"][0]["at"]
    code, later = await boss.api("GET", f"/audit?since={newest}&action=login")
    assert [e["id"] for e in later["entries"]] == [ids[0]]
    code, earlier = await boss.api("GET", f"/audit?until={newest}&action=login&agent_id={ana.info['id']}")
    assert [e["id"] for e in earlier["entries"]] == ids[1:]
    for bad, named in (
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("since=yesterday", "since"),
        ("action=hack", "action"),
        ("colour=red", "colour"),
    ):
        code, body = await boss.api("GET", f"/audit?{bad}")
        assert (code, body["error"]["code"]) == (400, "invalid_input") and named in body["error"]["message"]


async def test_the_audit_log_is_append_only_in_the_database(gw: Running) -> None:
    await gw.logged_in_agent("ana", "Ana", connect=False)
    engine = gw.gateway.database.engine
    statements = ["UPDATE handoff_audit_log SET action = 'nothing'", "DELETE FROM handoff_audit_log"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE handoff_audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sqlalchemy.text(statement))
    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text("SELECT action FROM handoff_audit_log")).scalars().all()
    assert rows == ["login"]


# --- the agent's id on their messages ------------------------------------------------------------


async def test_every_message_an_agent_sends_carries_their_id(gw: Running) -> None:
    ana = await gw.logged_in_agent("ana", "Ana")
    customer = gw.customer()
    await customer.connect()
    conversation_id = await escalate(gw, customer)
    await ana.emit("watch", {"conversation_id": conversation_id})
    await ana.api("POST", f"/conversations/{conversation_id}/claim")
    code, body = await ana.api(
        "POST", f"/conversations/{conversation_id}/messages", {"text": "Hi, Ana here."}
    )
    assert code == 201 and body["message"]["agent_id"] == ana.info["id"]
    ack = await ana.emit("send_message", {"conversation_id": conversation_id, "text": "Still here."})
    assert ack["message"]["agent_id"] == ana.info["id"]
    pushed = await ana.seen.wait_for("message", lambda m: m["message"]["text"] == "Still here.")
    assert pushed["message"]["agent_id"] == ana.info["id"]

    stored = await gw.gateway.database.run(queries.messages_after, conversation_id, 0, 100)
    by_role = {(m.role, m.agent_id) for m in stored}
    assert ("agent", ana.info["id"]) in by_role
    assert ("system", ana.info["id"]) in by_role  # "Ana from our team has joined..."
    assert all(m.agent_id is None for m in stored if m.role in ("customer", "bot"))
    assert all(m.agent_id == ana.info["id"] for m in stored if m.role == "agent")
    code, detail = await ana.api("GET", f"/conversations/{conversation_id}")
    assert [m["agent_id"] for m in detail["transcript"] if m["role"] == "agent"] == [ana.info["id"]] * 2

    # The customer's widget never gets staff identifiers.
    await customer.sio.call("resync", {"last_seq": 0}, timeout=5)
    replay = await customer.seen.wait_for("resync")
    assert replay["messages"] and all("agent_id" not in m for m in replay["messages"])
    said = await customer.bot_text(lambda t: t == "Still here.")
    assert "agent_id" not in str(said)


async def test_an_existing_database_gains_the_new_column(gw: Running, database_url: str) -> None:
    if database_url.startswith("sqlite") and sqlite3.sqlite_version_info < (3, 35):
        pytest.fail("SQLite 3.35+ is needed to drop a column in this test")
    with gw.gateway.database.engine.begin() as conn:
        conn.execute(sqlalchemy.text("ALTER TABLE handoff_messages DROP COLUMN agent_id"))
    database = Database(make_engine(database_url))
    try:
        database.create_schema()  # what a gateway starting on the old database does
        columns = {c["name"] for c in sqlalchemy.inspect(database.engine).get_columns("handoff_messages")}
        assert "agent_id" in columns
        database.create_schema()  # and again: nothing to add, nothing fails
    finally:
        database.close()
