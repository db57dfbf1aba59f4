"""Who hears first about a new escalation: load that respects people (issue 7 §5).

A *high-emotion* escalation (settings/escalation.yml `high_emotion`) is offered first to one
agent: of those available with room for another chat, the one who has carried the fewest
high-emotion conversations recently (handoff/agents/load.py), then the one with the fewest open
chats, then the one whose last high-emotion case is longest ago. Only that agent gets the
`escalation` event at first; everyone else gets it when the head start
(`offer_head_start_seconds`) is over, or at once when that agent goes away, fills up or
passes. Routine escalations, and high-emotion ones nobody qualifies for, go to everyone at
once. Claims stay open to every agent throughout: an offer decides who is told first, never
who may help.

Offers live in the process that made them, like the presence grace timers: with several
gateway replicas, each offer is still opened by its own timer, but only its own replica's
queue rows show it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from handoff.agents.load import EmotionalLoad, IsHighEmotion, team_with_load
from handoff.background import BackgroundTasks
from handoff.escalation.policy import EscalationPolicy as PolicyFile
from handoff.escalation.policy import HighEmotionRule
from handoff.persistence import queries
from handoff.persistence.records import Handoff
from handoff.persistence.tables import Database
from handoff.settings import Settings

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


class Timer(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """Runs a callback after a delay (an asyncio event loop is one); tests pass a manual one."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer: ...


@dataclass(frozen=True)
class HighEmotion:
    """Tells a high-emotion escalation from a routine one, from what the handoff recorded."""

    rule: HighEmotionRule
    frustration_threshold: float

    @classmethod
    def from_policy(cls, policy: PolicyFile) -> HighEmotion:
        return cls(policy.high_emotion, policy.frustration.level_threshold)

    def __call__(self, handoff: Handoff) -> bool:
        if self.rule.reasons.intersection(handoff.reasons):
            return True
        inputs = handoff.decision.get("priority_inputs") or {}
        if _number(inputs.get("frustration_level")) >= self.frustration_threshold:
            return True
        if _stakes(inputs, handoff.summary) in self.rule.stakes:
            return True
        emotion, intensity = latest_feeling(handoff.summary)
        return emotion in self.rule.emotions and intensity >= self.rule.min_intensity


def latest_feeling(summary: Mapping[str, Any]) -> tuple[str | None, float]:
    """The customer's latest emotion in a context summary and how intense it was (0..1)."""
    points = summary.get("feelings")
    for point in reversed(points if isinstance(points, list) else []):
        if isinstance(point, dict) and isinstance(point.get("emotion"), str):
            intensity = max(_number(point.get("frustration")), _number(point.get("frustration_level")))
            return point["emotion"], intensity
    return None, 0.0


def _stakes(inputs: Mapping[str, Any], summary: Mapping[str, Any]) -> str | None:
    stakes = inputs.get("stakes")
    if isinstance(stakes, str):
        return stakes
    info = summary.get("stakes")
    value = info.get("stakes") if isinstance(info, dict) else None
    return value if isinstance(value, str) else None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


@dataclass(frozen=True)
class Candidate:
    """One agent as the router weighs them."""

    agent_id: str
    username: str
    presence: str
    load: EmotionalLoad
    # When they last claimed a high-emotion conversation within the load window (None: not since).
    last_high_emotion_at: float | None = None

    @property
    def can_take_one(self) -> bool:
        return self.presence == "available" and self.load.active_chats < self.load.max_chats


def choose(candidates: Sequence[Candidate]) -> Candidate | None:
    """The agent to offer a high-emotion conversation to first, or None when nobody can take it."""
    eligible = [c for c in candidates if c.can_take_one]
    if not eligible:
        return None
    return min(
        eligible,
        key=lambda c: (
            c.load.high_emotion_recent,
            c.load.active_chats,
            -math.inf if c.last_high_emotion_at is None else c.last_high_emotion_at,
            c.username,
        ),
    )


def team_candidates(
    conn: Connection, now: float, window_hours: float, max_chats: int, is_high: IsHighEmotion
) -> list[Candidate]:
    """Every agent with their load, as GET /agents shows it."""
    return [
        Candidate(agent.id, agent.username, agent.presence, load, load.last_high_emotion_at)
        for agent, load in team_with_load(conn, now, window_hours, max_chats, is_high)
    ]


@dataclass(frozen=True)
class Offer:
    conversation_id: str
    handoff_id: str
    agent_id: str
    expires_at: float


# Tells everyone else about an offer that is over (the escalator's part: it knows the queue).
OpenToAll = Callable[[Offer], Awaitable[None]]


@dataclass(frozen=True)
class _Pending:
    offer: Offer
    timer: Timer
    open_to_all: OpenToAll


class Router:
    """Makes offers, keeps their timers, and opens or withdraws them as the team changes."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        high_emotion: HighEmotion,
        clock: Clock,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.settings = settings
        self.db = database
        self.high_emotion = high_emotion
        self.clock = clock
        self._scheduler = scheduler
        self._pending: dict[str, _Pending] = {}
        self._background = BackgroundTasks()

    def offer_of(self, conversation_id: str) -> Offer | None:
        pending = self._pending.get(conversation_id)
        return pending.offer if pending else None

    async def offer(self, handoff: Handoff, open_to_all: OpenToAll) -> Offer | None:
        """Offer a new high-emotion escalation to the least-loaded agent who can take it; None
        when it is routine or nobody qualifies (then everyone is told at once)."""
        if not self.high_emotion(handoff):
            return None
        now = self.clock()
        settings = self.settings
        team = await self.db.run(
            team_candidates, now, settings.load_window_hours, settings.max_chats_per_agent, self.high_emotion
        )
        chosen = choose(team)
        if chosen is None:
            logger.info("high-emotion escalation %s: nobody available to offer it to", handoff.id)
            return None
        head_start = settings.offer_head_start_seconds
        offer = Offer(handoff.conversation_id, handoff.id, chosen.agent_id, now + head_start)
        self.withdraw(handoff.conversation_id)
        scheduler = self._scheduler or asyncio.get_running_loop()
        timer = scheduler.call_later(head_start, lambda: self._on_timer(offer))
        self._pending[handoff.conversation_id] = _Pending(offer, timer, open_to_all)
        logger.info("high-emotion escalation %s offered first to %s", handoff.id, chosen.username)
        return offer

    def _on_timer(self, offer: Offer) -> None:
        self._background.spawn(self._expire(offer))

    async def _expire(self, offer: Offer) -> None:
        try:
            await self.open(offer.conversation_id, "the head start is over", offer)
        except Exception:
            # Nobody awaits a timer: log here, or the failure would surface only at exit.
            logger.exception("could not open the offer of %s to everyone", offer.handoff_id)

    async def open(self, conversation_id: str, why: str, offer: Offer | None = None) -> None:
        """End the offer now and tell everyone else (if it is still queued: the escalator checks)."""
        pending = self._pending.get(conversation_id)
        if pending is None or (offer is not None and pending.offer != offer):
            return
        del self._pending[conversation_id]
        pending.timer.cancel()
        logger.info("offer of %s opened to everyone: %s", pending.offer.handoff_id, why)
        await pending.open_to_all(pending.offer)

    def withdraw(self, conversation_id: str) -> None:
        """End the offer without telling anyone (claimed, or no longer queued)."""
        pending = self._pending.pop(conversation_id, None)
        if pending is not None:
            pending.timer.cancel()

    async def decline(self, agent_id: str, conversation_id: str) -> bool:
        """The offered agent passes: everyone else is told at once. False if it was not theirs."""
        pending = self._pending.get(conversation_id)
        if pending is None or pending.offer.agent_id != agent_id:
            return False
        await self.open(conversation_id, "the agent passed")
        return True

    async def on_team_event(self, event: str, data: dict[str, Any]) -> None:
        """A Notifier listener: follows claims, state changes and presence."""
        if event == "conversation_state":
            if data.get("state") != "queued":
                self.withdraw(str(data.get("conversation_id")))
            owner = data.get("agent_id")
            if isinstance(owner, str):
                await self._open_if_full(owner)
        elif event == "presence" and data.get("presence") != "available":
            await self._open_offers_of(str(data.get("id")), "the agent is no longer available")

    async def _open_if_full(self, agent_id: str) -> None:
        if not self._offers_to(agent_id):
            return
        owned = await self.db.run(queries.count_owned, agent_id)
        if owned >= self.settings.max_chats_per_agent:
            await self._open_offers_of(agent_id, "the agent has no room for another chat")

    async def _open_offers_of(self, agent_id: str, why: str) -> None:
        for conversation_id in self._offers_to(agent_id):
            await self.open(conversation_id, why)

    def _offers_to(self, agent_id: str) -> list[str]:
        return [cid for cid, pending in self._pending.items() if pending.offer.agent_id == agent_id]

    def close(self) -> None:
        """Cancel every offer timer (shutdown)."""
        for pending in self._pending.values():
            pending.timer.cancel()
        self._pending.clear()

    async def drain(self) -> None:
        """Wait for offers whose timer fired to finish telling everyone."""
        await self._background.drain()
