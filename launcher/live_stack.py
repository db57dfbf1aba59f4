"""Start the real product (action server, NLG server, Rasa with the trained model) for tests
and benchmarks.

The processes are the ones `make run` starts (launcher.services), on free loopback ports,
with their own seeded store and tracker database in a temporary folder, so an end-to-end
test or a scenario benchmark (bench/escalation) exercises exactly what a customer talks to
without touching the developer's var/ or the ports of a running `make run`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from launcher.services import ServiceSpec, build_services, shared_environment
from launcher.settings import PRIVATE_UMASK, REPO_ROOT, LauncherSettings, private_dir

MODEL = REPO_ROOT / "models" / "store-bot.tar.gz"
STARTUP_TIMEOUT_S = 240.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class LiveStack:
    rasa_url: str
    rasa_token: str
    action_server_url: str
    nlg_url: str
    store_database_url: str
    env: dict[str, str]
    log_dir: Path

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} ---\n{p.read_text()[-4000:]}" for p in sorted(self.log_dir.glob("*.log"))
        )


def _wait_ready(spec: ServiceSpec, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    ready = urllib.request.Request(spec.ready_url, headers=spec.ready_headers)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{spec.name} exited with {process.returncode}:\n{log_path.read_text()[-4000:]}"
            )
        with (
            contextlib.suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(ready, timeout=3) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(
        f"{spec.name} not ready after {STARTUP_TIMEOUT_S:.0f} s:\n{log_path.read_text()[-4000:]}"
    )


@contextlib.contextmanager
def run_live_stack(workdir: Path, include_gateway: bool = False) -> Iterator[LiveStack]:
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train` (make test does it first)")
    var_dir = workdir / "var"
    private_dir(var_dir)
    settings = LauncherSettings(
        host="127.0.0.1",
        rasa_port=free_port(),
        actions_port=free_port(),
        nlg_port=free_port(),
        gateway_port=free_port(),
        rasa_token=secrets.token_urlsafe(32),
        handoff_secret=secrets.token_urlsafe(32),
        action_server_token=secrets.token_urlsafe(32),
        nlg_server_token=secrets.token_urlsafe(32),
        model_path=MODEL,
        var_dir=var_dir,
        tracker_store_url=f"sqlite:///{var_dir / 'rasa_tracker.db'}",
        startup_timeout_s=STARTUP_TIMEOUT_S,
    )
    env = shared_environment(settings)
    env["STORE_DATABASE_URL"] = f"sqlite:///{var_dir / 'store.db'}"
    env["HANDOFF_DATABASE_URL"] = f"sqlite:///{var_dir / 'handoff.db'}"
    env["VAR_DIR"] = str(var_dir)
    subprocess.run(
        [sys.executable, "-m", "shop.seed"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        umask=PRIVATE_UMASK,
    )
    services = [s for s in build_services(settings) if include_gateway or s.name != "gateway"]
    processes: list[subprocess.Popen[bytes]] = []
    log_dir = workdir / "logs"
    log_dir.mkdir(exist_ok=True)
    try:
        for spec in services:
            log_path = log_dir / f"{spec.name}.log"
            with log_path.open("wb") as log_file:
                process = subprocess.Popen(
                    spec.argv,
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    umask=PRIVATE_UMASK,
                )
            processes.append(process)
            _wait_ready(spec, process, log_path)
        yield LiveStack(
            rasa_url=env["RASA_URL"],
            rasa_token=settings.rasa_token,
            action_server_url=env["ACTION_SERVER_URL"],
            nlg_url=env["NLG_SERVER_URL"],
            store_database_url=env["STORE_DATABASE_URL"],
            env=env,
            log_dir=log_dir,
        )
    finally:
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
