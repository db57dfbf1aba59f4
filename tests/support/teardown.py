"""Bounded teardown for fixtures that stop servers and sockets.

A fixture's clean-up must never hang the suite: a socket.io client or an aiohttp server
that waits on a peer which already went away would otherwise stall CI until its time
limit with no hint of why. Each step gets a deadline; a step that misses it is reported
with the stacks of every pending task (what it was waiting on) and the clean-up goes on.
"""

from __future__ import annotations

import asyncio
import io
import logging
import warnings
from collections.abc import Awaitable

logger = logging.getLogger(__name__)

STEP_TIMEOUT_S = 20.0


class SlowTeardown(RuntimeWarning):
    """A clean-up step missed its deadline (the test result itself stands)."""


def _pending_tasks() -> str:
    out = io.StringIO()
    current = asyncio.current_task()
    for task in asyncio.all_tasks():
        if task is not current and not task.done():
            task.print_stack(limit=8, file=out)
    return out.getvalue()


async def bounded(step: Awaitable[object], what: str, seconds: float = STEP_TIMEOUT_S) -> None:
    """Await a clean-up step for at most ``seconds``; on timeout warn (with the pending
    tasks' stacks) instead of hanging."""
    try:
        await asyncio.wait_for(step, seconds)
    except asyncio.TimeoutError:
        stacks = _pending_tasks()
        logger.warning("teardown step %r took over %.0f s; pending tasks:\n%s", what, seconds, stacks)
        warnings.warn(f"teardown step {what!r} took over {seconds:.0f} s", SlowTeardown, stacklevel=2)
