"""Property-based fuzzing of every agent console socket event (namespace `/agent`), through a
real socket.io client against the real gateway (SQLite and PostgreSQL).

The agent is logged in and owns a live conversation with a connected customer, so fuzzed
events reach the service code (sending, notes, transfers, hand-backs), not only the checks
in front of it. Each example sends one event (a known one, a customer-side, reserved or
unknown name) with a near-valid body (the real conversation id, another agent's id, missing
or hostile ids, fuzzed text) or arbitrary JSON, with zero, one or two arguments. The
properties: every event is acknowledged, with `ok: true` or a documented error code (never
`internal_error`), and the socket answers the next event.

How many examples a run draws: tests/handoff/fuzzing.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from handoff.agents.namespace import EVENT_ROLES
from tests.handoff.clients import Agent, Customer
from tests.handoff.conftest import Running, StartGateway
from tests.handoff.fuzzing import (
    FUZZ_GATEWAY,
    FUZZ_SETTINGS,
    TEXT,
    VALUE,
    SocketFuzz,
    arguments,
    tally_report,
)
from tests.handoff.test_handoff_flow import escalate

AGENT_EVENTS = tuple(sorted(EVENT_ROLES))
OTHER_EVENTS = ("connect", "disconnect", "message", "user_uttered", "session_request", "", "on_queue")
# docs/agent-api.md, "Errors": every code an event may answer with except `internal_error`.
FUZZ = SocketFuzz(
    "agent fuzz",
    "/agent",
    frozenset(
        {
            "invalid_input",
            "not_authenticated",
            "forbidden",
            "not_owner",
            "not_found",
            "already_claimed",
            "wrong_state",
            "agent_at_capacity",
            "over_budget",
            "unknown_event",
        }
    ),
)


@dataclass
class Console:
    gw: Running
    agent: Agent
    other_agent_id: str
    conversation_id: str = ""
    customer: Customer | None = None

    async def own_a_fresh_conversation(self) -> None:
        """A new customer asks for a person and the agent claims them."""
        if self.customer is not None:
            await self.customer.disconnect()
        self.customer = customer = self.gw.customer()
        await customer.connect()
        self.conversation_id = await escalate(self.gw, customer)
        claimed = await self.agent.emit("claim", {"conversation_id": self.conversation_id})
        assert claimed["ok"], claimed


report = tally_report(FUZZ)


@pytest_asyncio.fixture
async def console(start_gateway: StartGateway) -> Console:
    gw: Running = await start_gateway(**FUZZ_GATEWAY)
    other_agent_id = await gw.create_agent("bea", "Bea", presence="available")
    agent = await gw.logged_in_agent("ana", "Ana")
    console = Console(gw, agent, other_agent_id)
    await console.own_a_fresh_conversation()
    return console


def near_valid(event: str, console: Console) -> st.SearchStrategy[dict[str, Any]]:
    """The event's own fields, each real, hostile or fuzzed (or left out)."""
    real = st.just(console.conversation_id)
    conversation_id = st.one_of(
        real,
        real,
        real,
        st.just(console.conversation_id.upper()),
        st.sampled_from(["", "no-such-conversation", "../../etc/passwd", "' OR 1=1 --"]),
        TEXT,
        VALUE,
    )
    fields: dict[str, st.SearchStrategy[Any]] = {
        "conversation_id": conversation_id,
        "text": st.one_of(TEXT, st.just("<script>alert(1)</script>"), VALUE),
        "client_id": st.one_of(TEXT, VALUE),
        "typing": VALUE,
        "to_agent_id": st.one_of(
            st.just(console.other_agent_id), st.just(console.agent.info["id"]), TEXT, VALUE
        ),
        "next_step": st.one_of(st.sampled_from(["order_status", "none", ""]), TEXT, VALUE),
        "presence": st.one_of(st.sampled_from(["available", "away", "offline", "busy"]), VALUE),
    }
    wanted = {
        "queue": (),
        "watch": ("conversation_id",),
        "unwatch": ("conversation_id",),
        "claim": ("conversation_id",),
        "decline_offer": ("conversation_id",),
        "send_message": ("conversation_id", "text", "client_id"),
        "typing": ("conversation_id", "typing"),
        "note": ("conversation_id", "text"),
        "transfer": ("conversation_id", "to_agent_id"),
        "resolve": ("conversation_id", "next_step"),
        "close": ("conversation_id",),
        "presence": ("presence",),
    }.get(event, tuple(fields))
    # The conversation id is nearly always there (and most often the real one), so the
    # fuzzed fields behind it reach the service; bodies without it come from VALUE.
    required = {"conversation_id": conversation_id} if "conversation_id" in wanted else {}
    optional = {name: fields[name] for name in wanted if name not in required}
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def events(draw: st.DrawFn, console: Console) -> tuple[str, tuple[Any, ...]]:
    # Mostly the console's events; now and then a reserved, customer-side or random name.
    names = st.sampled_from(AGENT_EVENTS * 4 + OTHER_EVENTS)
    event = draw(st.text(max_size=20) if draw(st.integers(0, 9)) == 0 else names)
    body = draw(
        st.one_of(near_valid(event, console), VALUE)
        if draw(st.integers(0, 4)) == 0
        else near_valid(event, console)
    )
    return event, arguments(draw, body, ["one"] * 8 + ["none", "two"])


@FUZZ_SETTINGS
@given(data=st.data())
async def test_every_agent_event_is_answered_and_never_crashes(console: Console, data: st.DataObject) -> None:
    FUZZ.tally["examples"] += 1
    event, args = data.draw(events(console))
    ack = await FUZZ.answered(console.agent.sio, event, args)
    assert console.agent.sio.connected
    if ack["ok"] and event in ("transfer", "close", "resolve"):
        # The agent gave the conversation away: the next examples get one of their own.
        await console.own_a_fresh_conversation()
    # The socket still answers (a fuzzed close, transfer or presence may have changed what
    # the agent owns, not whether the console works).
    probe = await FUZZ.answered(console.agent.sio, "queue", ())
    assert probe["ok"], probe
