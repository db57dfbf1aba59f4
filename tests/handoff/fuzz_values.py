"""Hypothesis strategies for the values a hostile or broken client sends over a socket:
the socket fuzz tests of both namespaces draw their payloads from here."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

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
