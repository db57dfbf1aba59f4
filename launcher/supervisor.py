"""Run several processes as one: a combined, prefixed log; readiness; clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass

import aiohttp

from launcher.services import ServiceSpec
from launcher.settings import PRIVATE_UMASK

log = logging.getLogger("launcher")

STOP_GRACE_S = 10.0


class LaunchError(Exception):
    """Something prevents the product from starting; the message says what to do."""


def check_ports_free(host: str, services: list[ServiceSpec]) -> None:
    taken = []
    for service in services:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, service.port))
            except OSError:
                taken.append(service)
    if taken:
        lines = [f"  port {s.port} ({s.name}) is already in use" for s in taken]
        raise LaunchError(
            "cannot start:\n"
            + "\n".join(lines)
            + "\n  Is another `make run` still running? Stop it, or choose other ports with "
            "RASA_PORT, ACTIONS_PORT, NLG_PORT and HANDOFF_PORT."
        )


@dataclass
class RunningService:
    spec: ServiceSpec
    process: asyncio.subprocess.Process
    pump: asyncio.Task[None]


class Supervisor:
    def __init__(self, services: list[ServiceSpec], env: dict[str, str], cwd: str) -> None:
        self._services = services
        self._env = env
        self._cwd = cwd
        self._running: list[RunningService] = []
        self._width = max(len(s.name) for s in services)

    async def start_all(self, timeout_s: float) -> None:
        """Start the services in order, each one ready before the next starts."""
        for spec in self._services:
            await self._start(spec)
            await self._wait_ready(spec, timeout_s)
            log.info("%s is ready on port %d", spec.name, spec.port)

    async def _start(self, spec: ServiceSpec) -> None:
        process = await asyncio.create_subprocess_exec(
            *spec.argv,
            cwd=self._cwd,
            env=self._env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Own process group: Ctrl-C reaches the launcher, which then stops the
            # children in order instead of every process dying at once.
            start_new_session=True,
            # What the children create (databases, logs) is the owner's alone.
            umask=PRIVATE_UMASK,
        )
        pump = asyncio.create_task(self._pump_output(spec.name, process))
        self._running.append(RunningService(spec, process, pump))

    async def _pump_output(self, name: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        prefix = f"{name:<{self._width}} | "
        async for raw in process.stdout:
            sys.stdout.write(prefix + raw.decode(errors="replace").rstrip() + "\n")
            sys.stdout.flush()

    async def _wait_ready(self, spec: ServiceSpec, timeout_s: float) -> None:
        running = self._running[-1]
        deadline = time.monotonic() + timeout_s
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
            while time.monotonic() < deadline:
                if running.process.returncode is not None:
                    raise LaunchError(
                        f"{spec.name} exited with code {running.process.returncode} while starting; "
                        "see its log lines above."
                    )
                try:
                    async with http.get(spec.ready_url, headers=spec.ready_headers) as response:
                        if response.status == 200:
                            return
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.5)
        raise LaunchError(f"{spec.name} did not become ready within {timeout_s:.0f} s.")

    async def wait_for_first_exit(self) -> RunningService:
        waits = {asyncio.create_task(r.process.wait()): r for r in self._running}
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return waits[next(iter(done))]

    async def stop_all(self) -> None:
        """SIGTERM every child (last started first), then SIGKILL what is left after a grace."""
        for running in reversed(self._running):
            if running.process.returncode is None:
                _signal_group(running.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for running in reversed(self._running):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                await asyncio.wait_for(running.process.wait(), remaining)
            except asyncio.TimeoutError:
                log.warning("%s did not stop within %.0f s; killing it", running.spec.name, STOP_GRACE_S)
                _signal_group(running.process.pid, signal.SIGKILL)
                await running.process.wait()
        for running in self._running:
            await running.pump


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
