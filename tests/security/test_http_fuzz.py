"""Property-based fuzzing (hypothesis) of every agent REST endpoint and the gateway's other
HTTP routes, against `python -m handoff` as `make run` starts it (SQLite and PostgreSQL).

Each example is one request: a route of the agent API (every entry of ROUTES, so a new
endpoint is fuzzed without editing this file), a wrong method on it, an unknown path under
it, or one of the pages and static folders; with a good, a forged or no bearer token; with
ids that exist, do not, or are hostile; and with a body drawn from near-valid shapes (the
fields the endpoints read, with wrong types, huge, NaN, NUL or nested values), arbitrary
JSON, malformed JSON, invalid UTF-8, other content types, bodies nested 100,000 deep and
bodies over the size limit. The property: never a 5xx, and every 4xx is JSON with an
`error.code`. socket.io's own HTTP transport is fuzzed through its events instead
(tests/handoff/test_customer_fuzz.py).

A CI run draws HANDOFF_FUZZ_EXAMPLES examples (default 300, derandomized, so a failure
reproduces); `HANDOFF_FUZZ_EXAMPLES=10000` is the benchmark run, drawn at random.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff.agents.api import PREFIX, ROUTES
from launcher.settings import REPO_ROOT
from tests.handoff.clients import Agent, Customer
from tests.handoff.conftest import database_url  # noqa: F401 (fixture: SQLite and PostgreSQL)
from tests.widget.support import AGENT_PASSWORD, create_agent, free_port, wait_http_ok

DEFAULT_EXAMPLES = 300
EXAMPLES = int(os.environ.get("HANDOFF_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
TALLY: Counter[str] = Counter()
# Over aiohttp's default client_max_size (1 MiB).
OVERSIZED = b'{"text": "' + b"x" * (2 * 1024 * 1024) + b'"}'
DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
OTHER_ROUTES = [
    ("GET", "/health"),
    ("GET", "/"),
    ("GET", "/agent"),
    ("GET", "/widget/{file}"),
    ("GET", "/agent/{file}"),
    ("POST", "/health"),
    ("GET", "/{file}"),
    ("DELETE", "/agent"),
]
FIELDS = [
    "username",
    "password",
    "presence",
    "text",
    "client_id",
    "to_agent_id",
    "next_step",
    "kind",
    "amount",
    "decision",
    "note",
    "reason",
    "order_id",
]


@dataclass(frozen=True)
class Gateway:
    url: str
    port: int
    token: str
    agent_id: str
    conversation_id: str
    log_path: Path


@pytest.fixture
def gateway(database_url: str, tmp_path: Path) -> Iterator[Gateway]:  # noqa: F811 (imported fixture)
    store = tmp_path / "store.db"
    port = free_port()
    env = {
        **os.environ,
        "HANDOFF_HOST": "127.0.0.1",
        "HANDOFF_PORT": str(port),
        "HANDOFF_SECRET": secrets.token_hex(32),
        "HANDOFF_DATABASE_URL": database_url,
        "HANDOFF_VAR_DIR": str(tmp_path),
        "STORE_DATABASE_URL": f"sqlite:///{store}",
        # Rasa is down: every customer turn is the gateway's honest fallback, at once.
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "RASA_TOKEN": secrets.token_urlsafe(32),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "shop.seed"], cwd=REPO_ROOT, env=env, check=True, capture_output=True
    )
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "handoff"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http_ok(f"{url}/health", process, log_path, timeout=60)
        create_agent(env, "fuzz_agent", "Fuzz Agent")
        token, agent_id, conversation_id = asyncio.run(_claimed_conversation(url))
        yield Gateway(url, port, token, agent_id, conversation_id, log_path)
    finally:
        process.terminate()
        process.wait(timeout=15)
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-6000:]


async def _claimed_conversation(url: str) -> tuple[str, str, str]:
    """A logged-in agent who owns one real conversation, so requests reach past the id checks."""
    async with aiohttp.ClientSession() as http:
        agent = Agent(url, http)
        await agent.login("fuzz_agent", AGENT_PASSWORD)
        await agent.connect()
        customer = Customer(url)
        try:
            await customer.connect()
            await customer.say("my order ORD-10003 is late, I want to talk to a person")
            entry = await agent.seen.wait_for("escalation", timeout=20)
            status, claimed = await agent.api("POST", f"/conversations/{entry['conversation_id']}/claim")
            assert status == 200, claimed
        finally:
            await customer.disconnect()
            await agent.disconnect()
    assert agent.token is not None
    return agent.token, str(agent.info["id"]), str(entry["conversation_id"])


# --- what a request is made of -----------------------------------------------------------------

TRICKY = st.sampled_from(["\x00", "\ud800", "\u202e", "😀", "\u0301", "'", '"', "\\", "%", "../", "\n"])
TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(TRICKY, st.sampled_from(["a", " ", "é"])), max_size=20).map("".join),
    st.sampled_from(
        ["", " ", "refund", "reship", "credit", "approve", "deny", "available", "away", "offline"]
    ),
    st.integers(1, 20_000).map(lambda n: "x" * n),
)
NUMBER = st.one_of(
    st.integers(-5, 50),
    st.sampled_from([2**31, 2**53 + 1, 2**63, 10**30, -(10**30), 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
)
LEAF = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)
JSON = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)
NEAR_VALID = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=5)


def _encode(value: Any) -> bytes:
    # json.dumps writes NaN/Infinity, lone surrogates as escapes, and big ints: all things a
    # client can send that strict JSON parsers disagree about.
    return json.dumps(value).encode()


BODY = st.one_of(
    st.none(),
    NEAR_VALID.map(_encode),
    JSON.map(_encode),
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"{",
            b'{"text": ',
            b"null",
            b"[]",
            b'"text"',
            b"\xff\xfe\x00{",
            b'{"text": "\\ud800"}',
            b'{"a": 1, "a": 2}',
            b"1e999999",
            b"-" + b"9" * 5000,
            DEEP,
            DEEP_OBJECT,
            OVERSIZED,
        ]
    ),
)
CONTENT_TYPE = st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", None])
AUTH = st.sampled_from(["valid", "valid", "none", "forged", "malformed", "empty", "spaces"])
FILES = st.one_of(
    st.sampled_from(
        ["index.html", "widget.css", "js/main.js", "nope.js", "..%2F..%2Fetc%2Fpasswd", "%00", ".git/config"]
    ),
    st.text(min_size=1, max_size=40).map(lambda t: quote(t, safe="", errors="surrogatepass")),
)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None
    content_type: str | None
    auth: str

    def describe(self) -> str:
        shown = (self.body or b"")[:120]
        size = len(self.body or b"")
        return f"{self.method} {self.path[:200]} auth={self.auth} type={self.content_type} body[{size}]={shown!r}"


@st.composite
def calls(draw: st.DrawFn, conversation_id: str, agent_id: str) -> Call:
    ids = st.one_of(
        st.sampled_from([conversation_id, agent_id, "0", "-1", "a" * 3000, "null", "%2e%2e"]),
        TEXT.filter(bool).map(lambda t: quote(t, safe="", errors="surrogatepass")[:3000]),
    )
    kind = draw(st.sampled_from(["api", "api", "api", "wrong_method", "unknown_api", "other"]))
    if kind in ("api", "wrong_method"):
        route = draw(st.sampled_from(ROUTES))
        path = PREFIX + route.path.format(conversation_id=draw(ids), approval_id=draw(ids))
        method = route.method
        if kind == "wrong_method":
            method = draw(
                st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]).filter(lambda m: m != route.method)
            )
    elif kind == "unknown_api":
        method = draw(st.sampled_from(["GET", "POST"]))
        path = f"{PREFIX}/{draw(ids)}/{draw(ids)}"
    else:
        method, template = draw(st.sampled_from(OTHER_ROUTES))
        path = template.format(file=draw(FILES))
    return Call(method, path, draw(BODY), draw(CONTENT_TYPE), draw(AUTH))


def send(gateway: Gateway, call: Call) -> tuple[int, str, bytes]:
    headers = {"Connection": "close"}
    if call.content_type:
        headers["Content-Type"] = call.content_type
    authorization = {
        "valid": f"Bearer {gateway.token}",
        "forged": f"Bearer {secrets.token_urlsafe(32)}",
        # Well-formed HTTP, wrong credentials: a header the HTTP parser itself rejects (a
        # control character) never reaches a route, and aiohttp answers it on its own.
        "malformed": f"Basic {gateway.token}",
        "empty": "Bearer ",
        "spaces": f"Bearer {gateway.token} extra words",
    }.get(call.auth)
    if authorization is not None:
        headers["Authorization"] = authorization
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    try:
        connection.request(call.method, call.path, body=call.body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def check(gateway: Gateway, call: Call) -> None:
    status, content_type, body = send(gateway, call)
    TALLY[str(status)] += 1
    assert status < 500, f"{status} for {call.describe()}: {body[:300]!r}"
    if status < 400:
        return
    assert content_type.startswith("application/json"), (
        f"{status} {content_type} for {call.describe()}: {body[:200]!r}"
    )
    error = json.loads(body)["error"]
    assert isinstance(error, dict), body[:200]
    assert isinstance(error.get("code"), str), body[:200]
    assert error["code"], body[:200]
    TALLY[f"{status} {error['code']}"] += 1


def test_every_route_answers_nasty_bodies_with_a_json_error(gateway: Gateway) -> None:
    """The classic breakers, on every route, with a valid token (deterministic, every run)."""
    nasty = [
        None,
        b"{",
        b"[]",
        b'"x"',
        b"\xff\xfe",
        DEEP,
        DEEP_OBJECT,
        OVERSIZED,
        b"1e999999",
        b'{"text": 1}',
    ]
    for route in ROUTES:
        if route.path == "/logout":
            continue  # would end the session the rest of this test uses
        path = PREFIX + route.path.format(conversation_id=gateway.conversation_id, approval_id="A-1")
        for body in nasty:
            check(gateway, Call(route.method, path, body, "application/json", "valid"))
    for method, template in OTHER_ROUTES:
        check(gateway, Call(method, template.format(file="nope"), b"{", "application/json", "none"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= DEFAULT_EXAMPLES,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_fuzzed_requests_never_fail_and_every_error_is_json_with_a_code(
    gateway: Gateway, data: st.DataObject
) -> None:
    call = data.draw(calls(gateway.conversation_id, gateway.agent_id))
    if call.path == f"{PREFIX}/logout" and call.auth == "valid":
        call = Call(call.method, call.path, call.body, call.content_type, "forged")
    check(gateway, call)


def test_print_the_tally() -> None:
    """With -s, what the fuzzing saw (statuses and error codes)."""
    print("\nHTTP fuzz tally:", dict(sorted(TALLY.items())))
