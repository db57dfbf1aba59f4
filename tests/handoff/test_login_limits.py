"""Agent login limits (handoff/agents/login_guard.py): backoff and lockout per username and
per IP, answered `rate_limited` with Retry-After; argon2 on its own bounded threads; a flood
refused before hashing; every attempt in the audit log.

The limits are in memory, so these run on SQLite only; the audit log is tested on both
databases in test_audit_log.py. The guard's clock is replaced by a manual one (it is the
clock the app factory injects), so waits are exact and the tests do not sleep.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from handoff.persistence.queries import AuditFilter
from tests.handoff.conftest import PASSWORD, Running, StartGateway


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'handoff.db'}"


class ManualClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def gateway_with_clock(start_gateway: StartGateway, **overrides: Any) -> tuple[Running, ManualClock]:
    gw = await start_gateway(**overrides)
    clock = ManualClock()
    gw.gateway.auth.guard.clock = clock
    return gw, clock


async def login(
    gw: Running, username: str, password: str, forwarded_for: str | None = None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    async with gw.http.post(
        f"{gw.url}/api/agent/login", json={"username": username, "password": password}, headers=headers
    ) as response:
        return response.status, await response.json(), dict(response.headers)


def refusal(answer: tuple[int, dict[str, Any], dict[str, str]]) -> tuple[int, str, int, int]:
    """(status, code, retry_after in the body, Retry-After header)."""
    code, body, headers = answer
    return code, body["error"]["code"], body["error"]["retry_after"], int(headers["Retry-After"])


async def actions(gw: Running, target: str) -> list[tuple[str, dict[str, Any]]]:
    entries = await gw.gateway.trail.read(AuditFilter(target=target))
    return [(entry.action, entry.detail) for entry in reversed(entries)]


async def test_a_username_backs_off_then_locks_and_a_success_resets_it(start_gateway: StartGateway) -> None:
    gw, clock = await gateway_with_clock(
        start_gateway,
        login_user_backoff_after=2,
        login_user_lockout_after=4,
        login_backoff_seconds=10.0,
        login_lockout_seconds=600.0,
    )
    await gw.create_agent("ana", "Ana")
    for _ in range(2):
        assert (await login(gw, "ana", "wrong password"))[0] == 401
    # Two failures: the next try waits 10 s, even with the right password, and is not hashed.
    assert refusal(await login(gw, "ana", PASSWORD)) == (429, "rate_limited", 10, 10)
    clock.advance(10)
    assert (await login(gw, "ana", "wrong again"))[0] == 401
    status, body, _ = await login(gw, "ana", PASSWORD)
    assert refusal((status, body, _)) == (429, "rate_limited", 20, 20)  # doubled
    assert "too many failed logins for this username" in body["error"]["message"]
    clock.advance(20)
    # The fourth failure locks the username for the lockout period.
    locked_at = clock.now
    assert (await login(gw, "ana", "still wrong"))[0] == 401
    assert refusal(await login(gw, "ana", PASSWORD)) == (429, "rate_limited", 600, 600)
    clock.advance(599)
    assert refusal(await login(gw, "ana", PASSWORD))[2] == 1
    clock.advance(1)
    assert (await login(gw, "ana", PASSWORD))[0] == 200
    # A success clears the count: two more failures cost no wait yet.
    assert (await login(gw, "ana", "wrong password"))[0] == 401
    assert (await login(gw, "ana", "wrong password"))[0] == 401
    assert (await login(gw, "ana", PASSWORD))[0] == 429

    logged = await actions(gw, "ana")
    assert [action for action, _ in logged] == [
        "login_failed",
        "login_failed",
        "login_failed",
        "login_failed",
        "login_locked",
        "login",
        "login_failed",
        "login_failed",
    ]
    assert logged[0][1] == {"reason": "wrong_password"}
    assert logged[4][1] == {"scope": "username", "until": locked_at + 600}


async def test_failures_age_out_of_the_window(start_gateway: StartGateway) -> None:
    gw, clock = await gateway_with_clock(
        start_gateway, login_user_backoff_after=2, login_window_seconds=60.0, login_backoff_seconds=5.0
    )
    await gw.create_agent("ana", "Ana")
    for _ in range(2):
        assert (await login(gw, "ana", "wrong password"))[0] == 401
    assert (await login(gw, "ana", PASSWORD))[0] == 429
    clock.advance(61)
    assert (await login(gw, "ana", PASSWORD))[0] == 200


async def test_unknown_usernames_are_limited_exactly_like_real_ones(start_gateway: StartGateway) -> None:
    """Nothing in the answers says whether a username exists."""
    gw, _ = await gateway_with_clock(start_gateway, login_user_backoff_after=2, login_backoff_seconds=30.0)
    await gw.create_agent("ana", "Ana")
    answers = {}
    for username in ("ana", "ghost"):
        first = await login(gw, username, "wrong password")
        await login(gw, username, "wrong password")
        third = await login(gw, username, "wrong password")
        answers[username] = (first[0], first[1], third[0], third[1])
    assert answers["ana"] == answers["ghost"]
    assert answers["ghost"][0] == 401 and answers["ghost"][2] == 429
    assert (await actions(gw, "ghost"))[0] == ("login_failed", {"reason": "unknown_username"})


async def test_an_address_is_limited_across_usernames(start_gateway: StartGateway) -> None:
    """Behind a trusted proxy the client's address comes from X-Forwarded-For."""
    gw, clock = await gateway_with_clock(
        start_gateway,
        trusted_proxies="127.0.0.1",
        login_ip_backoff_after=10,
        login_ip_lockout_after=3,
        login_lockout_seconds=300.0,
    )
    await gw.create_agent("ana", "Ana")
    guesser = "203.0.113.7"
    for username in ("root", "admin", "ben"):
        assert (await login(gw, username, "password1234", forwarded_for=guesser))[0] == 401
    # Locked: even the right credentials from that address wait the lockout out.
    status, body, headers = await login(gw, "ana", PASSWORD, forwarded_for=f"{guesser}, 127.0.0.1")
    assert refusal((status, body, headers)) == (429, "rate_limited", 300, 300)
    assert "from your address" in body["error"]["message"]
    # Ana, from her own address, is not affected.
    assert (await login(gw, "ana", PASSWORD, forwarded_for="198.51.100.20"))[0] == 200
    entries = await gw.gateway.trail.read(AuditFilter(action="login_locked"))
    assert [(e.ip, e.detail["scope"]) for e in entries] == [(guesser, "ip")]
    clock.advance(300)
    assert (await login(gw, "ana", PASSWORD, forwarded_for=guesser))[0] == 200


async def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(start_gateway: StartGateway) -> None:
    gw, _ = await gateway_with_clock(start_gateway, login_ip_backoff_after=10, login_ip_lockout_after=2)
    for spoofed in ("198.51.100.1", "198.51.100.2"):
        assert (await login(gw, "x", "wrong password", forwarded_for=spoofed))[0] == 401
    # Both counted against the real peer, 127.0.0.1, whatever the header claimed.
    assert (await login(gw, "y", "wrong password", forwarded_for="198.51.100.3"))[0] == 429
    entries = await gw.gateway.trail.read(AuditFilter(action="login_failed"))
    assert {e.ip for e in entries} == {"127.0.0.1"}


async def test_a_login_flood_is_refused_before_hashing_and_the_gateway_stays_responsive(
    start_gateway: StartGateway,
) -> None:
    gw = await start_gateway(trusted_proxies="127.0.0.1", login_hash_workers=1, login_max_pending=2)
    auth = gw.gateway.auth
    hashed_on: list[str] = []
    real_verify = auth._verify

    def counting_verify(password_hash: str, password: str) -> bool:
        hashed_on.append(threading.current_thread().name)
        return real_verify(password_hash, password)

    auth._verify = counting_verify  # type: ignore[method-assign]
    # Fifty different usernames from fifty addresses: no per-key limit applies, only the bound.
    flood = [login(gw, f"user{i}", "wrong password", forwarded_for=f"198.51.100.{i}") for i in range(50)]
    started = time.monotonic()
    results, health_seconds = await asyncio.gather(asyncio.gather(*flood), _health_latency(gw))
    codes = [code for code, _, _ in results]
    refused = [r for r in results if r[0] == 429]
    assert refused and set(codes) == {401, 429}
    for _, body, headers in refused:
        assert body["error"]["code"] == "rate_limited"
        assert "too many logins at once" in body["error"]["message"]
        assert int(headers["Retry-After"]) == body["error"]["retry_after"] >= 1
    # Exactly the admitted logins were hashed, all on argon2's own thread.
    assert len(hashed_on) == codes.count(401)
    assert set(hashed_on) == {"handoff-argon2_0"}
    assert health_seconds < 1.0, health_seconds
    assert time.monotonic() - started < 30


async def _health_latency(gw: Running) -> float:
    await asyncio.sleep(0.05)  # while the flood is in flight
    started = time.monotonic()
    async with gw.http.get(f"{gw.url}/health") as response:
        assert response.status == 200
    return time.monotonic() - started


async def test_oversized_credentials_are_refused_without_hashing(start_gateway: StartGateway) -> None:
    gw = await start_gateway()
    for username, password, field in (("a" * 81, PASSWORD, "username"), ("ana", "x" * 1025, "password")):
        code, body, _ = await login(gw, username, password)
        assert (code, body["error"]["code"]) == (400, "invalid_input")
        assert field in body["error"]["message"]
