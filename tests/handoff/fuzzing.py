"""What the socket fuzz tests of both namespaces share: the hypothesis strategies for the
values a hostile or broken client sends, how many examples a run draws, and the property
every event must meet (answered, with `ok` or a documented code, never `internal_error`).

A CI run draws `HANDOFF_FUZZ_EXAMPLES` examples (default 300, derandomized so a failure
reproduces); `make bench-fuzz` draws 10,000 at random and prints the tallies.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.handoff.clients import WAIT

# The gateway settings a socket fuzz test runs with. One connection lives across all
# examples, and the event loop (which runs the gateway and the client alike) stands still
# while hypothesis draws or shrinks the next example: with the suite's 1 s ping, a pause of
# 2 s on a busy machine dropped the session and every later example failed. A benchmark run
# also starts thousands of sessions and messages from one address. Neither heartbeats nor
# rate limits are what these tests are about.
FUZZ_GATEWAY: dict[str, Any] = {
    "ping_interval": 60.0,
    "ping_timeout": 60.0,
    "customer_events_burst": 10**6,
    "connection_messages_burst": 10**6,
    "conversation_messages_burst": 10**6,
    "new_sessions_per_address": 10**6,
}
DEFAULT_EXAMPLES = 300
EXAMPLES = int(os.environ.get("HANDOFF_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=EXAMPLES <= DEFAULT_EXAMPLES,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Characters that have broken chat systems: NUL, lone surrogates, controls, invisible ones,
# right-to-left marks, emoji (two UTF-16 units), combining marks.
TRICKY = st.sampled_from(
    ["\x00", "\ud800", "\udfff", "\x07", "\x1b", "\u200b", "\u2060", "\u202e", "\u00a0", "😀", "\u0301"]
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(TRICKY, st.sampled_from(["a", " ", "\n", "\t", "é"])), max_size=40).map("".join),
    st.sampled_from(["", " ", "   \n\t ", "hi", "/request_human", "4 stars"]),
    st.integers(1, 6000).map(lambda n: "x" * n),
    st.integers(1, 3000).map(lambda n: "word " * n),
)
INTEGER = st.one_of(
    st.integers(-5, 50),
    st.sampled_from([2**31 - 1, 2**31, 2**53, 2**53 + 1, 2**63, 10**30, -(10**30), 10**99]),
    st.integers(-(10**40), 10**40),
)
LEAF = st.one_of(st.none(), st.booleans(), INTEGER, st.floats(allow_nan=True, allow_infinity=True), TEXT)
JSON = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), TRICKY), inner, max_size=4),
    ),
    max_leaves=20,
)


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


DEEP = st.integers(1, 60).map(_nested)
VALUE = st.one_of(LEAF, JSON, DEEP)


@dataclass
class SocketFuzz:
    """One fuzz test's tally, and the check of each event's acknowledgement."""

    name: str
    namespace: str
    documented_codes: frozenset[str]
    tally: Counter[str] = field(default_factory=Counter)

    async def answered(self, sio: socketio.AsyncClient, event: str, args: tuple[Any, ...]) -> dict[str, Any]:
        """Send `event` with `args`; its ack, once checked against the property."""
        self.tally["events"] += 1
        data: Any = args if len(args) > 1 else (args[0] if args else None)
        try:
            ack = await sio.call(event, data, namespace=self.namespace, timeout=WAIT)
        except socketio.exceptions.TimeoutError:
            self.tally["unanswered"] += 1
            raise AssertionError(f"no acknowledgement for {event!r} {args!r}") from None
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (event, args, ack)
        code = "ok" if ack["ok"] else ack["error"]["code"]
        self.tally[code] += 1
        assert code != "internal_error", (event, args, ack)
        assert code == "ok" or code in self.documented_codes, (event, args, ack)
        return ack

    def summary(self) -> str:
        answers = ", ".join(
            f"{code} {n}" for code, n in self.tally.most_common() if code not in ("events", "examples")
        )
        return (
            f"{self.name}: {self.tally['examples']} examples, {self.tally['events']} events, "
            f"{self.tally['internal_error']} crashes, {self.tally['unanswered']} unanswered; answers: {answers}"
        )


def arguments(draw: st.DrawFn, body: Any, counts: list[str]) -> tuple[Any, ...]:
    """The event's arguments: none, the body, or the body and a stray second value, drawn
    from `counts` ("none", "one", "two"; repeat one to weigh it)."""
    count = draw(st.sampled_from(counts))
    if count == "none":
        return ()
    if count == "two":
        return (body, draw(VALUE))
    return (body,)


def tally_report(fuzz: SocketFuzz) -> Callable[[], Iterator[None]]:
    """A module fixture that prints the fuzz test's tally when the module is done."""

    @pytest.fixture(scope="module", autouse=True)
    def report() -> Iterator[None]:
        yield
        if fuzz.tally:
            print("\n" + fuzz.summary())

    return report
