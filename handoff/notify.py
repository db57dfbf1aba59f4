"""Where the gateway's events go: socket.io rooms, one per conversation and per role.

Rooms (shared across replicas by AsyncRedisManager when REDIS_URL is set):
- customer namespace `/`: `conv:<conversation id>`, every tab of that customer;
- agent namespace `/agent`: `agents` (every logged-in agent), `conv:<id>` (agents who
  opened that conversation) and `agent:<agent id>` (every tab of one agent).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import socketio

logger = logging.getLogger(__name__)

CUSTOMER_NAMESPACE = "/"
AGENT_NAMESPACE = "/agent"
ALL_AGENTS_ROOM = "agents"


def conversation_room(conversation_id: str) -> str:
    return f"conv:{conversation_id}"


def agent_room(agent_id: str) -> str:
    return f"agent:{agent_id}"


# Hears every event sent to all agents (presence, conversation_state...), after it is sent.
TeamListener = Callable[[str, dict[str, Any]], Awaitable[None]]


class Notifier:
    """Emits to customers and agents; the only place that knows the room names."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio
        self._listeners: list[TeamListener] = []

    def listen(self, listener: TeamListener) -> None:
        """Call `listener(event, data)` after every event to all agents, so a part of the
        gateway can follow the team (who went away, which conversation was claimed) without
        every service having to call it."""
        self._listeners.append(listener)

    async def to_customer(
        self, conversation_id: str, event: str, data: Any, skip_sid: str | None = None
    ) -> None:
        await self._sio.emit(
            event,
            data,
            room=conversation_room(conversation_id),
            namespace=CUSTOMER_NAMESPACE,
            skip_sid=skip_sid,
        )

    async def to_agents_of(
        self, conversation_id: str, owner_id: str | None, event: str, data: dict[str, Any]
    ) -> None:
        """Agents watching a conversation and every tab of its owner (each socket once)."""
        rooms: list[str] = [conversation_room(conversation_id)]
        if owner_id:
            rooms.append(agent_room(owner_id))
        await self._sio.emit(event, data, room=rooms, namespace=AGENT_NAMESPACE)

    async def to_agent(self, agent_id: str, event: str, data: dict[str, Any]) -> None:
        await self._sio.emit(event, data, room=agent_room(agent_id), namespace=AGENT_NAMESPACE)

    async def to_agents(self, agent_ids: Iterable[str], event: str, data: dict[str, Any]) -> None:
        """Every tab of each of these agents (each socket once)."""
        rooms = [agent_room(agent_id) for agent_id in agent_ids]
        if rooms:
            await self._sio.emit(event, data, room=rooms, namespace=AGENT_NAMESPACE)

    async def to_all_agents(self, event: str, data: dict[str, Any]) -> None:
        await self._sio.emit(event, data, room=ALL_AGENTS_ROOM, namespace=AGENT_NAMESPACE)
        for listener in self._listeners:
            try:
                await listener(event, data)
            except Exception:
                # The event already went out; a listener's failure must not undo a claim or
                # a presence change that has happened.
                logger.exception("team listener failed on %s", event)
