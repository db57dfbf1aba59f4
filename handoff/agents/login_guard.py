"""Limits on agent logins: a password cannot be found by trying many, and a flood of logins
cannot starve the gateway.

- Failures are counted per username and per client IP over a sliding window. After
  `backoff_after` failures each further try has to wait, doubling from `backoff_seconds`
  (1 s, 2 s, 4 s ... after the last failure); `lockout_after` failures lock the key for
  `lockout_seconds`. A success clears the username's count (not the IP's). Unknown
  usernames are counted like real ones, so the answers never tell which exist.
- argon2 runs on its own small thread pool (each hash holds 64 MiB and a core for tens of
  milliseconds), never on the event loop or the default executor, and at most
  `max_pending` logins may be hashing or waiting to: beyond that a login is refused with
  `rate_limited` before any hashing.
- Every refusal here is `rate_limited` with `retry_after`, decided before any database or
  hashing work, so refused attempts cost almost nothing.

The counts live in this process (a restart forgets them; with several replicas each keeps
its own, so the limits are per replica), bounded to `MAX_TRACKED_KEYS` keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from handoff.errors import RateLimited
from handoff.persistence.messenger import KeyedLocks
from handoff.settings import Settings

T = TypeVar("T")

# Usernames and IPs remembered at once; the least recently failed are forgotten first. Enough
# for any real team and any burst, and a fixed ceiling on memory under a rotating attack.
MAX_TRACKED_KEYS = 20_000


@dataclass(frozen=True)
class FailureLimits:
    """When failed logins for one key (a username, an IP) start to cost time, then lock it."""

    backoff_after: int
    lockout_after: int
    window_seconds: float
    backoff_seconds: float
    lockout_seconds: float


@dataclass(frozen=True)
class LoginLimits:
    username: FailureLimits
    ip: FailureLimits
    hash_workers: int
    max_pending: int

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        def scope(backoff_after: int, lockout_after: int) -> FailureLimits:
            return FailureLimits(
                backoff_after=backoff_after,
                lockout_after=lockout_after,
                window_seconds=settings.login_window_seconds,
                backoff_seconds=settings.login_backoff_seconds,
                lockout_seconds=settings.login_lockout_seconds,
            )

        return cls(
            username=scope(settings.login_user_backoff_after, settings.login_user_lockout_after),
            ip=scope(settings.login_ip_backoff_after, settings.login_ip_lockout_after),
            hash_workers=settings.login_hash_workers,
            max_pending=settings.login_max_pending,
        )


@dataclass
class _Failures:
    times: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class FailureCounter:
    """Failed logins per key in a sliding window, with backoff and lockout."""

    def __init__(self, limits: FailureLimits, max_keys: int = MAX_TRACKED_KEYS) -> None:
        self.limits = limits
        self._max_keys = max_keys
        # Oldest activity first, so eviction drops what matters least.
        self._keys: OrderedDict[str, _Failures] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        """Seconds before `key` may try again (0: now)."""
        record = self._keys.get(key)
        if record is None:
            return 0.0
        if record.locked_until > now:
            return record.locked_until - now
        self._forget_old(record, now)
        if not record.times:
            del self._keys[key]
            return 0.0
        excess = len(record.times) - self.limits.backoff_after
        if excess < 0:
            return 0.0
        pause = min(self.limits.backoff_seconds * 2**excess, self.limits.lockout_seconds)
        return max(0.0, record.times[-1] + pause - now)

    def fail(self, key: str, now: float) -> float | None:
        """Count a failure; when it locks the key, until when."""
        record = self._keys.pop(key, None) or _Failures()
        self._keys[key] = record
        self._forget_old(record, now)
        record.times.append(now)
        while len(self._keys) > self._max_keys:
            self._keys.popitem(last=False)
        if len(record.times) < self.limits.lockout_after:
            return None
        record.times.clear()
        record.locked_until = now + self.limits.lockout_seconds
        return record.locked_until

    def clear(self, key: str) -> None:
        self._keys.pop(key, None)

    def _forget_old(self, record: _Failures, now: float) -> None:
        horizon = now - self.limits.window_seconds
        while record.times and record.times[0] <= horizon:
            record.times.popleft()


@dataclass(frozen=True)
class Lockout:
    """A key that has just been locked: what the audit log records."""

    scope: str  # "username" | "ip"
    key: str
    until: float


class HashPool:
    """argon2's own threads, and the bound on logins hashing or waiting to."""

    def __init__(self, workers: int, max_pending: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handoff-argon2")
        self._workers = workers
        self._max_pending = max_pending
        self._pending = 0
        # Measured on the first hash; what one takes, to say honestly when to retry.
        self.seconds_per_hash = 0.1

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a place for one login, or refuse it at once when all are taken."""
        if self._pending >= self._max_pending:
            wait = self._pending / self._workers * self.seconds_per_hash
            raise RateLimited("too many logins at once; try again in a moment", wait)
        self._pending += 1
        try:
            yield
        finally:
            self._pending -= 1

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(work, *args))

    def close(self) -> None:
        self._executor.shutdown(wait=True)


class LoginGuard:
    """Decides whether a login may be tried now, and counts how it went."""

    def __init__(self, limits: LoginLimits, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.usernames = FailureCounter(limits.username)
        self.ips = FailureCounter(limits.ip)
        self.pool = HashPool(limits.hash_workers, limits.max_pending)
        # One try per username at a time: parallel guesses queue up behind each other and
        # each sees the failures of the ones before it.
        self._one_at_a_time = KeyedLocks()

    def check(self, username: str, ip: str) -> None:
        """Raise `rate_limited` if this IP or this username must wait."""
        now = self.clock()
        ip_wait = self.ips.wait(ip, now)
        if ip_wait > 0:
            raise RateLimited(
                f"too many failed logins from your address; try again {_in_words(ip_wait)}", ip_wait
            )
        user_wait = self.usernames.wait(username, now)
        if user_wait > 0:
            raise RateLimited(
                f"too many failed logins for this username; try again {_in_words(user_wait)}", user_wait
            )

    @contextlib.asynccontextmanager
    async def attempt(self, username: str, ip: str) -> AsyncIterator[None]:
        """A place to hash in, this username's turn, then the limits checked again."""
        self.check(username, ip)
        async with self.pool.slot(), self._one_at_a_time.get(username):
            self.check(username, ip)
            yield

    def failed(self, username: str, ip: str) -> list[Lockout]:
        now = self.clock()
        locked = []
        for scope, counter, key in (("username", self.usernames, username), ("ip", self.ips, ip)):
            until = counter.fail(key, now)
            if until is not None:
                locked.append(Lockout(scope, key, until))
        return locked

    def succeeded(self, username: str) -> None:
        self.usernames.clear(username)

    def close(self) -> None:
        self.pool.close()


def _in_words(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 120:
        return f"in {whole} second{'s' if whole != 1 else ''}"
    return f"in {math.ceil(whole / 60)} minutes"
