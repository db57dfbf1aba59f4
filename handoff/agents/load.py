"""Each agent's recent emotional load, so the team can see who has carried the hard ones.

Which handoff is *high-emotion* is one rule, settings/escalation.yml `high_emotion`
(handoff/agents/routing.py `HighEmotion`), passed in here so the load the team sees and the load
the router weighs can never disagree. An agent's `high_emotion_recent` counts the
high-emotion handoffs they claimed within the last `window_hours`; `handled_recent` counts
all they claimed in that window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.engine import Connection

from handoff.persistence import queries
from handoff.persistence.records import Agent, Handoff

IsHighEmotion = Callable[[Handoff], bool]


@dataclass(frozen=True)
class EmotionalLoad:
    active_chats: int
    max_chats: int
    high_emotion_recent: int
    handled_recent: int
    window_hours: float
    # When they last claimed a high-emotion conversation within the window (None: not since).
    last_high_emotion_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def team_with_load(
    conn: Connection, now: float, window_hours: float, max_chats: int, is_high: IsHighEmotion
) -> list[tuple[Agent, EmotionalLoad]]:
    """Every agent with their load (one query for the window's claims)."""
    handled: dict[str, int] = {}
    heavy: dict[str, int] = {}
    latest: dict[str, float] = {}
    for handoff in queries.handoffs_claimed_since(conn, now - window_hours * 3600):
        agent_id = handoff.agent_id
        if agent_id is None:
            continue
        handled[agent_id] = handled.get(agent_id, 0) + 1
        if is_high(handoff):
            heavy[agent_id] = heavy.get(agent_id, 0) + 1
            claimed = handoff.claimed_at or 0.0
            latest[agent_id] = max(latest.get(agent_id, claimed), claimed)
    return [
        (
            agent,
            EmotionalLoad(
                active_chats=queries.count_owned(conn, agent.id),
                max_chats=max_chats,
                high_emotion_recent=heavy.get(agent.id, 0),
                handled_recent=handled.get(agent.id, 0),
                window_hours=window_hours,
                last_high_emotion_at=latest.get(agent.id),
            ),
        )
        for agent in queries.list_agents(conn)
    ]
