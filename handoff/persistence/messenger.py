"""Store-then-emit: the one path by which a message reaches the customer or an agent.

A message is written (with its id and sequence number) before anyone is told about it, so
whatever a socket missed can be replayed from the database in order.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from handoff.background import BackgroundTasks
from handoff.notify import Notifier
from handoff.persistence import queries
from handoff.persistence.records import Conversation, Message, OutgoingMessage
from handoff.persistence.tables import Database
from handoff.rasa_client import BotReply

Clock = Callable[[], float]


class KeyedLocks:
    """One asyncio.Lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def get(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock


class ExpiryTimers:
    """Runs a callback when a key is not renewed within `ttl` seconds: clears a `typing:
    true` from a closed tab, marks an agent whose console went away."""

    def __init__(self, ttl: float = 8.0) -> None:
        self._ttl = ttl
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._background = BackgroundTasks()

    def arm(self, key: str, on_expiry: Callable[[], Awaitable[None]]) -> None:
        self.disarm(key)
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(self._ttl, self._expire, key, on_expiry)

    def disarm(self, key: str) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def _expire(self, key: str, on_expiry: Callable[[], Awaitable[None]]) -> None:
        self._timers.pop(key, None)
        self._background.spawn(on_expiry())

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


class Messenger:
    def __init__(self, database: Database, notifier: Notifier, clock: Clock = time.time) -> None:
        self.db = database
        self.notifier = notifier
        self.clock = clock
        # Serialises appends per conversation so messages are numbered in arrival order.
        self._append_locks = KeyedLocks()
        # One turn at a time per conversation, in arrival order (asyncio.Lock is FIFO): a
        # customer's turn and an agent's hand-back must not reach Rasa interleaved.
        self.turn_locks = KeyedLocks()
        self.stale_typing = ExpiryTimers()

    async def store(self, conversation_id: str, outgoing: OutgoingMessage) -> tuple[Message, bool]:
        async with self._append_locks.get(conversation_id):
            return await self.db.run(queries.append_message, conversation_id, outgoing, self.clock())

    async def to_customer(
        self,
        conversation: Conversation,
        outgoing: OutgoingMessage,
    ) -> Message:
        """Store a bot/agent/system message, then emit it as `bot_uttered` and to agents."""
        message, _ = await self.store(conversation.id, outgoing)
        await self.notifier.to_customer(conversation.id, "bot_uttered", message.to_bot_uttered())
        await self.notifier.to_agents_of(
            conversation.id,
            conversation.agent_id,
            "message",
            {"conversation_id": conversation.id, "message": message.to_agent_dict()},
        )
        return message

    async def system(
        self,
        conversation: Conversation,
        text: str,
        payload: dict[str, Any] | None = None,
        *,
        agent_id: str | None = None,
    ) -> Message:
        """A gateway notice; `agent_id` is the agent whose action it reports (a claim, a remedy)."""
        return await self.to_customer(
            conversation, OutgoingMessage(role="system", text=text, payload=payload or {}, agent_id=agent_id)
        )

    async def bot_replies(self, conversation: Conversation, replies: Iterable[BotReply]) -> None:
        for reply in replies:
            await self.to_customer(
                conversation, OutgoingMessage(role="bot", text=reply.text, payload=reply.payload)
            )

    async def status(self, conversation_id: str, status: dict[str, Any]) -> None:
        """`handoff_status` to the customer's tabs."""
        await self.notifier.to_customer(conversation_id, "handoff_status", status)

    async def typing(self, conversation_id: str, role: str, name: str | None, on: bool) -> None:
        """`typing` to the customer's tabs; an agent's `true` expires if not renewed."""
        key = f"{role}:{conversation_id}"
        if on and role == "agent":
            self.stale_typing.arm(key, lambda: self.typing(conversation_id, role, name, False))
        else:
            self.stale_typing.disarm(key)
        await self.notifier.to_customer(conversation_id, "typing", {"role": role, "name": name, "typing": on})
