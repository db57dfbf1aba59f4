"""What the widget's browser tests run against: the real gateway process, a TCP proxy that
can cut the customer's connection, headless Chromium, and agent accounts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from launcher.settings import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts" / "widget"
AGENT_PASSWORD = "widget tests correct horse"
STARTUP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Where the stock-webchat page is served (chosen once, so the gateways can allow its origin).
STOCK_PAGE_PORT = free_port()
STOCK_PAGE_ORIGIN = f"http://127.0.0.1:{STOCK_PAGE_PORT}"


@dataclass(frozen=True)
class GatewayProcess:
    url: str
    env: dict[str, str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()[-6000:]


def gateway_env(
    workdir: Path, rasa_url: str, rasa_token: str, port: int, rasa_timeout_s: float
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HANDOFF_HOST": "127.0.0.1",
            "HANDOFF_PORT": str(port),
            "HANDOFF_SECRET": secrets.token_hex(32),
            "HANDOFF_DATABASE_URL": f"sqlite:///{workdir / 'handoff.db'}",
            "HANDOFF_VAR_DIR": str(workdir),
            "RASA_URL": rasa_url,
            "RASA_TOKEN": rasa_token,
            "HANDOFF_RASA_TIMEOUT": str(rasa_timeout_s),
            # The stock-webchat page is served from its own origin, as a shop's page is: the
            # gateway allows it explicitly (the default allows only the gateway's own origin).
            "HANDOFF_CORS_ORIGINS": STOCK_PAGE_ORIGIN,
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def wait_http_ok(url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        with contextlib.suppress(urllib.error.URLError, OSError), urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout:.0f} s:\n{log_path.read_text()[-4000:]}")


@contextlib.contextmanager
def run_gateway(
    workdir: Path, rasa_url: str, rasa_token: str = "unused", rasa_timeout_s: float = 3.0
) -> Iterator[GatewayProcess]:
    """`python -m handoff` exactly as `make run` starts it, on a free port."""
    port = free_port()
    env = gateway_env(workdir, rasa_url, rasa_token, port, rasa_timeout_s)
    log_path = workdir / "gateway.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "handoff"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http_ok(f"{url}/health", process, log_path, STARTUP_TIMEOUT_S)
        yield GatewayProcess(url=url, env=env, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def create_agent(env: dict[str, str], username: str, display_name: str) -> None:
    """An agent account through the real CLI (the way an operator creates one)."""
    subprocess.run(
        [sys.executable, "-m", "handoff.cli", "create-agent", username, "--name", display_name],
        cwd=REPO_ROOT,
        env={**env, "HANDOFF_AGENT_PASSWORD": AGENT_PASSWORD},
        check=True,
        capture_output=True,
    )


class DroppableProxy:
    """A loopback TCP proxy in front of the gateway. `drop()` resets every open connection and
    refuses new ones, as a dead Wi-Fi or a train tunnel would; `restore()` lets them through."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.down = False
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(sink)
            sink.transport.abort()

    def drop(self) -> None:
        self.down = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.down = False

    async def close(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


NODE_MODULES = REPO_ROOT / "node_modules"
STOCK_WEBCHAT = NODE_MODULES / "rasa-webchat" / "lib" / "index.js"
STOCK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stock rasa-webchat against our gateway</title>
<link rel="icon" href="data:,"></head>
<body><h1>Stock rasa-webchat {version}</h1>
<script src="/rasa-webchat/index.js"></script>
<script>
  WebChat.default({{
    socketUrl: {gateway!r},
    socketPath: "/socket.io/",
    title: "Stock rasa-webchat",
    embedded: true,
    showFullScreenButton: false,
    params: {{ storage: "local" }},
    customData: {{ language: "en" }}
  }}, null);
</script></body></html>"""


@contextlib.asynccontextmanager
async def serve_stock_webchat(gateway_url: str) -> AsyncIterator[str]:
    """A page on its own origin that loads rasa-webchat's bundled UMD build from node_modules
    (installed from package-lock.json by `npm ci`) and points it at the gateway."""
    version = json.loads((NODE_MODULES / "rasa-webchat" / "package.json").read_text())["version"]
    html = STOCK_PAGE.format(version=version, gateway=gateway_url)

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    async def bundle(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STOCK_WEBCHAT)

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/rasa-webchat/index.js", bundle)
    server = TestServer(app, host="127.0.0.1", port=STOCK_PAGE_PORT)
    await server.start_server()
    try:
        yield str(server.make_url("/"))
    finally:
        await server.close()
