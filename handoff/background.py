"""Background work the gateway starts and must finish before it shuts down."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


class BackgroundTasks:
    """Keeps a reference to every task it starts (asyncio only keeps weak ones) so none is
    garbage-collected mid-flight, and lets shutdown and tests wait for all of them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait until no task is left, including tasks started by the ones awaited."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
