"""High-emotion routing: a hard conversation is offered first to the agent who has carried the
fewest hard ones recently; everyone else hears after a head start (issue 7 §5)."""

from __future__ import annotations

import copy
import functools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import Connection

from handoff.agents.load import EmotionalLoad
from handoff.agents.routing import Candidate, HighEmotion, choose
from handoff.app import create_app
from handoff.customers.session_ids import session_hash
from handoff.escalation.policy import PolicyError, load_policy, policy_from_dict
from handoff.persistence import queries
from handoff.persistence.records import Handoff
from handoff.settings import Settings, load_settings
from tests.handoff import conftest
from tests.handoff.clients import Agent, Customer
from tests.handoff.conftest import Running, StartGateway
from tests.handoff.test_handoff_flow import escalate

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"
HEAD_START = Settings().offer_head_start_seconds


# --- choosing the agent ------------------------------------------------------------------------


def candidate(
    name: str,
    heavy: int = 0,
    active: int = 0,
    last_heavy_at: float | None = None,
    presence: str = "available",
    max_chats: int = 3,
) -> Candidate:
    load = EmotionalLoad(
        active_chats=active,
        max_chats=max_chats,
        high_emotion_recent=heavy,
        handled_recent=heavy,
        window_hours=8.0,
    )
    return Candidate(name, name, presence, load, last_heavy_at)


@pytest.mark.parametrize(
    ("team", "chosen"),
    [
        # Fewest high-emotion conversations recently wins, whatever the rest.
        ([candidate("ana", heavy=2), candidate("bo", heavy=1, active=2)], "bo"),
        # Tie on load: fewest open chats.
        ([candidate("ana", heavy=1, active=2), candidate("bo", heavy=1, active=1)], "bo"),
        # Tie on both: the one whose last hard case is longest ago (none in the window beats any).
        (
            [candidate("ana", heavy=1, last_heavy_at=500.0), candidate("bo", heavy=1, last_heavy_at=100.0)],
            "bo",
        ),
        ([candidate("ana", last_heavy_at=100.0), candidate("bo")], "bo"),
        # Complete tie: a stable order (by username), so the same team always gives the same answer.
        ([candidate("bo"), candidate("ana")], "ana"),
        # Only agents who could take it now: available and under their cap.
        ([candidate("ana", presence="away"), candidate("bo", heavy=5)], "bo"),
        ([candidate("ana", presence="online"), candidate("bo", heavy=5)], "bo"),
        ([candidate("ana", active=3), candidate("bo", heavy=5, active=2)], "bo"),
        # Nobody qualifies: no offer (everyone is told at once).
        ([candidate("ana", presence="away"), candidate("bo", active=3)], None),
        ([], None),
    ],
)
def test_the_least_loaded_available_agent_is_chosen(team: list[Candidate], chosen: str | None) -> None:
    best = choose(team)
    assert (best.agent_id if best else None) == chosen


# --- telling a high-emotion escalation from a routine one ------------------------------------


def handoff(
    reasons: list[str] | None = None,
    inputs: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
) -> Handoff:
    return Handoff(
        id="h1",
        conversation_id="c1",
        status="queued",
        priority=0.0,
        reasons=reasons or ["request_human"],
        evidence=[],
        decision={"priority_inputs": inputs or {}},
        summary=summary or {},
        follow_up_email=None,
        queued_at=0.0,
        claimed_at=None,
        agent_id=None,
        ended_at=None,
        next_step=None,
    )


def feeling(emotion: str | None, frustration: float | None, level: float | None = None) -> dict[str, Any]:
    return {
        "turn": 1,
        "emotion": emotion,
        "frustration": frustration,
        "frustration_level": level,
        "words": [],
    }


@pytest.mark.parametrize(
    ("escalation", "high"),
    [
        (handoff(), False),
        (handoff(["frustration", "request_human"]), True),
        (handoff(["high_stakes"]), True),
        (handoff(["risk_safety"]), True),
        (handoff(["risk_legal"]), False),
        (handoff(["failed_understanding"]), False),
        # The conversation level over the policy's frustration threshold (0.7)...
        (handoff(inputs={"frustration_level": 0.75}), True),
        (handoff(inputs={"frustration_level": 0.6}), False),
        # ...bereavement or health stakes, from the priority inputs or the summary...
        (handoff(inputs={"stakes": "bereavement"}), True),
        (handoff(summary={"stakes": {"stakes": "health"}}), True),
        (handoff(inputs={"stakes": "gift"}), False),
        # ...or a negative feeling at high intensity, the latest feeling being what counts.
        (handoff(summary={"feelings": [feeling("sad", 0.8)]}), True),
        (handoff(summary={"feelings": [feeling("anxious", 0.1, 0.68)]}), True),
        (handoff(summary={"feelings": [feeling("sad", 0.3, 0.4)]}), False),
        (handoff(summary={"feelings": [feeling("sad", 0.9), feeling("neutral", 0.0)]}), False),
        (handoff(summary={"feelings": [feeling("sad", 0.9), feeling(None, None)]}), True),
        (handoff(summary={"feelings": [feeling("positive", 0.9)]}), False),
        # A partial summary (Rasa was down) has no feelings: the reasons decide.
        (handoff(summary={"feelings": None, "partial": True}), False),
    ],
)
def test_what_counts_as_high_emotion(escalation: Handoff, high: bool) -> None:
    assert HighEmotion.from_policy(load_policy(POLICY_FILE))(escalation) is high


def test_the_high_emotion_rule_is_designer_editable_and_checked() -> None:
    raw = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    policy = policy_from_dict(raw)
    assert policy.high_emotion.stakes == {"bereavement", "health"}
    assert policy.high_emotion.min_intensity == 0.67

    calmer = copy.deepcopy(raw)
    calmer["high_emotion"].update(reasons=[], emotions=[])
    rule = HighEmotion.from_policy(policy_from_dict(calmer))
    assert not rule(handoff(["frustration"], summary={"feelings": [feeling("sad", 0.9)]}))

    for mutate, message in [
        (lambda d: d["high_emotion"].update(reasons=["angry"]), "high_emotion.reasons has unknown reason(s)"),
        (lambda d: d["high_emotion"].update(min_intensity=2), "high_emotion.min_intensity must be a number"),
        (lambda d: d["high_emotion"].update(stake=["health"]), "unknown key(s) high_emotion.stake"),
        (lambda d: d.pop("high_emotion"), "missing required key high_emotion"),
    ]:
        broken = copy.deepcopy(raw)
        mutate(broken)
        with pytest.raises(PolicyError, match=re.escape(message)):
            policy_from_dict(broken, source="escalation.yml")


def test_the_head_start_is_a_setting(tmp_path: Path) -> None:
    secret = {"HANDOFF_SECRET": "x" * 32}
    assert load_settings(secret, tmp_path).offer_head_start_seconds == 30.0
    env = {**secret, "HANDOFF_OFFER_HEAD_START_SECONDS": "45"}
    assert load_settings(env, tmp_path).offer_head_start_seconds == 45.0


# --- through the real gateway ------------------------------------------------------------------


@dataclass
class ManualTimer:
    due: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class ManualScheduler:
    """Offer timers that fire only when a test moves time on: nobody sleeps for 30 s."""

    now: float = 0.0
    timers: list[ManualTimer] = field(default_factory=list)

    def call_later(self, delay: float, callback: Callable[[], None]) -> ManualTimer:
        timer = ManualTimer(self.now + delay, callback)
        self.timers.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [t for t in self.timers if not t.cancelled and t.due <= self.now]
        self.timers = [t for t in self.timers if t not in due]
        for timer in due:
            timer.callback()

    @property
    def live(self) -> int:
        return sum(not t.cancelled for t in self.timers)


@pytest.fixture
def scheduler(monkeypatch: pytest.MonkeyPatch) -> ManualScheduler:
    manual = ManualScheduler()
    # start_gateway builds its app with conftest's create_app: give that app our timers.
    monkeypatch.setattr(conftest, "create_app", functools.partial(create_app, scheduler=manual))
    return manual


async def carried_before(gw: Running, agent_id: str, reasons: list[str]) -> None:
    """Record that `agent_id` took a conversation with these reasons five minutes ago."""
    now = time.time()

    def work(conn: Connection) -> None:
        conversation = queries.create_conversation(conn, secrets.token_hex(32), now - 600)
        past = queries.insert_handoff(
            conn,
            conversation.id,
            status="resolved",
            priority=0.0,
            reasons=reasons,
            evidence=[],
            decision={},
            summary={},
            now=now - 600,
        )
        queries.update_handoff(conn, past.id, agent_id=agent_id, claimed_at=now - 300, ended_at=now - 60)

    await gw.gateway.database.run(work)


async def escalate_upset(gw: Running, customer: Customer) -> str:
    """A customer at frustration 0.9 asks for a person: a high-emotion escalation."""
    await customer.connect()
    assert customer.session_id is not None
    conversation = await gw.gateway.database.run(
        queries.conversation_for_session, session_hash(customer.session_id)
    )
    assert conversation is not None
    gw.rasa.trackers[conversation.id].slots.update(emotion="frustrated", frustration_level=0.9)
    return await escalate(gw, customer)


async def escalate_calm(gw: Running, customer: Customer) -> str:
    await customer.connect()
    return await escalate(gw, customer)


async def team(gw: Running, heavier: str = "bo") -> tuple[Agent, Agent, dict[str, str]]:
    """Ana and Bo online; `heavier` has carried two hard conversations in the window."""
    ana = await gw.logged_in_agent("ana", "Ana")
    bo = await gw.logged_in_agent("bo", "Bo")
    ids = {"ana": ana.info["id"], "bo": bo.info["id"]}
    for _ in range(2):
        await carried_before(gw, ids[heavier], ["frustration"])
    await carried_before(gw, ids["ana" if heavier == "bo" else "bo"], ["request_human"])
    return ana, bo, ids


async def queue_row(agent: Agent, conversation_id: str, offered: bool = True) -> dict[str, Any]:
    """The conversation's row in the latest `queue_updated` that has it (with or without an offer)."""

    def row(body: dict[str, Any]) -> dict[str, Any] | None:
        return next((e for e in body["queue"] if e["conversation_id"] == conversation_id), None)

    def matches(body: dict[str, Any]) -> bool:
        found = row(body)
        return found is not None and (found["offered_to"] is not None) is offered

    found = row(await agent.seen.wait_for("queue_updated", matches))
    assert found is not None
    return found


async def test_high_emotion_goes_first_to_the_lower_load_agent_then_to_the_rest(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway()
    ana, bo, ids = await team(gw)
    code, body = await ana.api("GET", "/agents")
    loads = {a["username"]: a["load"]["high_emotion_recent"] for a in body["agents"]}
    assert code == 200 and loads == {"ana": 0, "bo": 2}

    before = time.time()
    conversation_id = await escalate_upset(gw, gw.customer())

    offered = await ana.seen.wait_for("escalation")
    assert offered["conversation_id"] == conversation_id
    assert offered["offered_to_you"] is True and offered["offered_to"] == ids["ana"]
    assert before + HEAD_START <= offered["offer_expires_at"] <= time.time() + HEAD_START
    # Bo sees the row (anyone may claim) marked as Ana's, but is not alerted yet.
    row = await queue_row(bo, conversation_id)
    assert row["offered_to"] == ids["ana"] and row["offer_expires_at"] == offered["offer_expires_at"]
    assert bo.seen.count("escalation") == 0
    code, listed = await bo.api("GET", "/queue")
    assert code == 200 and listed["queue"][0]["offered_to"] == ids["ana"]

    scheduler.advance(HEAD_START - 1)
    assert scheduler.live == 1 and bo.seen.count("escalation") == 0
    scheduler.advance(1)
    late = await bo.seen.wait_for("escalation")
    assert late["conversation_id"] == conversation_id and late["offered_to_you"] is False
    assert late["offered_to"] is None
    await gw.gateway.escalator.router.drain()
    # The offer is over in everyone's queue; Ana is not told a second time.
    cleared = await queue_row(ana, conversation_id, offered=False)
    assert cleared["offer_expires_at"] is None
    assert ana.seen.count("escalation") == 1 and scheduler.live == 0


async def test_the_offer_follows_the_load_not_the_name(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway()
    ana, bo, _ = await team(gw, heavier="ana")
    conversation_id = await escalate_upset(gw, gw.customer())
    offered = await bo.seen.wait_for("escalation")
    assert offered["conversation_id"] == conversation_id and offered["offered_to_you"] is True
    await queue_row(ana, conversation_id)
    assert ana.seen.count("escalation") == 0


async def test_a_routine_escalation_reaches_everyone_at_once(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway()
    ana, bo, _ = await team(gw)
    conversation_id = await escalate_calm(gw, gw.customer())
    for agent in (ana, bo):
        pushed = await agent.seen.wait_for("escalation")
        assert pushed["conversation_id"] == conversation_id
        assert pushed["offered_to_you"] is False and pushed["offered_to"] is None
    assert scheduler.timers == []


async def test_when_the_offered_agent_claims_nobody_else_needs_telling(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway()
    ana, bo, _ = await team(gw)
    conversation_id = await escalate_upset(gw, gw.customer())
    await ana.seen.wait_for("escalation")
    assert scheduler.live == 1

    code, _ = await ana.api("POST", f"/conversations/{conversation_id}/claim")
    assert code == 200
    await bo.seen.wait_for("conversation_state", lambda s: s["conversation_id"] == conversation_id)
    # The timer went with the claim; even if time passes, nobody is told about a taken chat.
    assert scheduler.live == 0
    assert gw.gateway.escalator.router.offer_of(conversation_id) is None
    scheduler.advance(HEAD_START)
    await gw.gateway.escalator.router.drain()
    await gw.settle()
    assert bo.seen.count("escalation") == 0


async def test_anyone_may_claim_during_the_head_start(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway()
    ana, bo, _ = await team(gw)
    conversation_id = await escalate_upset(gw, gw.customer())
    await ana.seen.wait_for("escalation")

    code, body = await bo.api("POST", f"/conversations/{conversation_id}/claim")
    assert code == 200, body
    assert scheduler.live == 0
    code, listed = await ana.api("GET", "/queue")
    assert code == 200 and listed["queue"] == []


async def test_when_nobody_qualifies_everyone_is_told_at_once(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway(max_chats_per_agent=1)
    ana, bo, _ = await team(gw)
    for agent in (ana, bo):
        busy = await escalate_calm(gw, gw.customer())
        code, _ = await agent.api("POST", f"/conversations/{busy}/claim")
        assert code == 200

    # Both are available but at their cap: the hard one cannot wait for either of them alone.
    conversation_id = await escalate_upset(gw, gw.customer())
    for agent in (ana, bo):
        pushed = await agent.seen.wait_for("escalation", lambda e: e["conversation_id"] == conversation_id)
        assert pushed["offered_to_you"] is False
    assert scheduler.live == 0


async def test_when_the_offered_agent_steps_away_the_rest_hear_at_once(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway()
    ana, bo, _ = await team(gw)
    conversation_id = await escalate_upset(gw, gw.customer())
    await ana.seen.wait_for("escalation")

    ack = await ana.emit("presence", {"presence": "away"})
    assert ack["ok"] is True
    pushed = await bo.seen.wait_for("escalation")
    assert pushed["conversation_id"] == conversation_id and pushed["offered_to_you"] is False
    assert scheduler.live == 0


async def test_the_offered_agent_can_pass(start_gateway: StartGateway, scheduler: ManualScheduler) -> None:
    gw = await start_gateway()
    ana, bo, _ = await team(gw)
    conversation_id = await escalate_upset(gw, gw.customer())
    await ana.seen.wait_for("escalation")

    # Only the agent it was offered to can pass on it.
    assert (await bo.emit("decline_offer", {"conversation_id": conversation_id})) == {
        "ok": True,
        "declined": False,
    }
    assert scheduler.live == 1
    assert (await ana.emit("decline_offer", {"conversation_id": conversation_id})) == {
        "ok": True,
        "declined": True,
    }
    pushed = await bo.seen.wait_for("escalation")
    assert pushed["conversation_id"] == conversation_id
    assert scheduler.live == 0
    # Passing is not refusing: Ana may still take it.
    code, _ = await ana.api("POST", f"/conversations/{conversation_id}/claim")
    assert code == 200


async def test_shutdown_cancels_pending_offers(
    start_gateway: StartGateway, scheduler: ManualScheduler
) -> None:
    gw = await start_gateway()
    ana, _, _ = await team(gw)
    conversation_id = await escalate_upset(gw, gw.customer())
    await ana.seen.wait_for("escalation")
    assert gw.gateway.escalator.router.offer_of(conversation_id) is not None

    for client in gw.clients:
        await client.disconnect()
    await gw.server.close()

    assert scheduler.live == 0
    assert gw.gateway.escalator.router.offer_of(conversation_id) is None
