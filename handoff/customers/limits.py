"""Limits at the customer edge: how fast one connection and one conversation may send, and how
many new conversations one client address may start.

- Every event of a connection takes a token from its *events* bucket (typing, receipts,
  resyncs... a flood of anything is refused), and every `user_uttered` also one from the
  connection's and the conversation's *message* buckets (several tabs share the latter).
  A token bucket lets a person type a quick burst and then refills at a steady rate.
- A `session_request` that would create a conversation counts in a sliding window per
  client IP (the peer, or behind HANDOFF_TRUSTED_PROXIES the forwarded address, as
  handoff/edge.py reads it); resuming an existing session never counts.

A refusal is `rate_limited` with `retry_after` (whole seconds), decided before any database
work, and takes nothing: the refused message is not stored, and the widget keeps it in its
outbox and sends it again after that time. The counts live in this process (with several
replicas each keeps its own), bounded to `MAX_TRACKED_KEYS` keys each.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from handoff.errors import RateLimited
from handoff.settings import Settings

Clock = Callable[[], float]
# Connections, conversations or addresses remembered at once per limit; the least recently
# seen are forgotten first (they are the ones whose buckets have refilled).
MAX_TRACKED_KEYS = 50_000


@dataclass(frozen=True)
class Rate:
    """`burst` at once, refilled at `per_minute`."""

    per_minute: float
    burst: int


class TokenBuckets:
    """One token bucket per key."""

    def __init__(self, rate: Rate, max_keys: int = MAX_TRACKED_KEYS) -> None:
        self.rate = rate
        self._per_second = rate.per_minute / 60.0
        self._max_keys = max_keys
        # key -> (tokens, when they were counted); least recently used first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.rate.burst), now))
        return min(float(self.rate.burst), tokens + max(0.0, now - at) * self._per_second)

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` has a token (0: it has one now)."""
        missing = 1.0 - self._tokens(key, now)
        return 0.0 if missing <= 0 else missing / self._per_second

    def take(self, key: str, now: float) -> None:
        tokens = self._tokens(key, now) - 1.0
        self._buckets.pop(key, None)  # re-inserted last: the most recently used
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)


class SlidingWindow:
    """At most `limit` events per key in any `window_seconds`."""

    def __init__(self, limit: int, window_seconds: float, max_keys: int = MAX_TRACKED_KEYS) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._max_keys = max_keys
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may count one more (0: now)."""
        times = self._times.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[-self.limit] + self.window_seconds - now

    def record(self, key: str, now: float) -> None:
        times = self._times.pop(key, None) or deque()
        times.append(now)
        while len(times) > self.limit:
            times.popleft()
        self._times[key] = times
        while len(self._times) > self._max_keys:
            self._times.popitem(last=False)


@dataclass(frozen=True)
class CustomerLimitSettings:
    events: Rate
    connection_messages: Rate
    conversation_messages: Rate
    new_sessions_per_address: int
    new_sessions_window_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> CustomerLimitSettings:
        return cls(
            events=Rate(settings.customer_events_per_minute, settings.customer_events_burst),
            connection_messages=Rate(
                settings.connection_messages_per_minute, settings.connection_messages_burst
            ),
            conversation_messages=Rate(
                settings.conversation_messages_per_minute, settings.conversation_messages_burst
            ),
            new_sessions_per_address=settings.new_sessions_per_address,
            new_sessions_window_seconds=settings.new_sessions_window_seconds,
        )


class CustomerLimits:
    """Every limit of the customer namespace; each check raises `RateLimited` or passes."""

    def __init__(self, limits: CustomerLimitSettings, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._events = TokenBuckets(limits.events)
        self._connection_messages = TokenBuckets(limits.connection_messages)
        self._conversation_messages = TokenBuckets(limits.conversation_messages)
        self._new_sessions = SlidingWindow(
            limits.new_sessions_per_address, limits.new_sessions_window_seconds
        )

    def event(self, sid: str) -> None:
        now = self.clock()
        wait = self._events.wait(sid, now)
        if wait > 0:
            raise RateLimited(
                f"this connection is sending events too fast; try again in {_seconds(wait)}", wait
            )
        self._events.take(sid, now)

    def message(self, sid: str, conversation_id: str) -> None:
        """A customer message: the connection's and the conversation's rates, both or neither."""
        now = self.clock()
        wait = max(
            self._connection_messages.wait(sid, now),
            self._conversation_messages.wait(conversation_id, now),
        )
        if wait > 0:
            raise RateLimited(
                f"messages are arriving faster than we take them; this one was not stored, "
                f"send it again in {_seconds(wait)}",
                wait,
            )
        self._connection_messages.take(sid, now)
        self._conversation_messages.take(conversation_id, now)

    def new_session(self, address: str) -> None:
        """Before a conversation is created for `address`; counts it when allowed."""
        now = self.clock()
        wait = self._new_sessions.wait(address, now)
        if wait > 0:
            raise RateLimited(
                f"too many new conversations from your network; try again in {_seconds(wait)}", wait
            )
        self._new_sessions.record(address, now)

    def disconnected(self, sid: str) -> None:
        self._events.forget(sid)
        self._connection_messages.forget(sid)


def _seconds(wait: float) -> str:
    whole = max(1, int(-(-wait // 1)))
    return f"{whole} second{'s' if whole != 1 else ''}"
