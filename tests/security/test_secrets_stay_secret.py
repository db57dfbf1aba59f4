"""The services' secrets never appear on a command line (`ps` shows those to every local
user), in the start-up banner, or in a URL; the gateway authenticates to Rasa with a signed,
short-lived token in a header."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer

from handoff.rasa_client import RasaClient
from launcher.__main__ import _banner
from launcher.services import build_services, shared_environment
from launcher.settings import REPO_ROOT, LauncherSettings

SECRETS = {
    "rasa_token": "rasa-secret-7f3a9c1e5b2d4f6a8c0e",
    "handoff_secret": "handoff-secret-1b3d5f7a9c2e4a6c8e0b",
    "action_server_token": "actions-secret-2c4e6a8c0e1b3d5f7a9c",
    "nlg_server_token": "nlg-secret-3d5f7a9c1e2b4d6f8a0c",
}


def settings(tmp_path: Path) -> LauncherSettings:
    return LauncherSettings(
        host="127.0.0.1",
        rasa_port=5005,
        actions_port=5055,
        nlg_port=5056,
        gateway_port=8080,
        model_path=REPO_ROOT / "models" / "store-bot.tar.gz",
        var_dir=tmp_path / "var",
        tracker_store_url=f"sqlite:///{tmp_path / 'var' / 'rasa_tracker.db'}",
        startup_timeout_s=60.0,
        **SECRETS,
    )


def test_no_service_is_started_with_a_secret_in_its_argv_or_urls(tmp_path: Path) -> None:
    services = build_services(settings(tmp_path))
    assert {s.name for s in services} == {"actions", "nlg", "rasa", "gateway"}
    for service in services:
        visible = " ".join([*service.argv, service.ready_url, *service.public_urls.values()])
        for name, secret in SECRETS.items():
            assert secret not in visible, f"{service.name} shows {name}: {visible}"
    # They reach the children through the environment only.
    env = shared_environment(settings(tmp_path))
    assert {
        env[v] for v in ("RASA_TOKEN", "HANDOFF_SECRET", "ACTION_SERVER_TOKEN", "NLG_SERVER_TOKEN")
    } == set(SECRETS.values())


def test_rasas_readiness_check_sends_a_signed_token_not_the_secret(tmp_path: Path) -> None:
    rasa = next(s for s in build_services(settings(tmp_path)) if s.name == "rasa")
    scheme, _, token = rasa.ready_headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    assert SECRETS["rasa_token"] not in token
    claims = jwt.decode(token, SECRETS["rasa_token"], algorithms=["HS256"])
    assert claims["user"]["role"] == "admin"


def test_the_banner_shows_no_secret(tmp_path: Path) -> None:
    config = settings(tmp_path)
    banner = _banner(config, build_services(config), extra="Demo agent: demo / its password")
    assert "Rasa REST channel" in banner
    for name, secret in SECRETS.items():
        assert secret not in banner, name


def run_wrapper(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510 (the exit code is what the test reads)
        [sys.executable, "-m", "launcher.rasa_server", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_rasa_refuses_a_secret_on_its_command_line_and_starts_only_with_one_in_the_environment() -> None:
    on_the_command_line = run_wrapper(
        ["--enable-api", "--auth-token", "visible-to-everyone"], {"RASA_TOKEN": SECRETS["rasa_token"]}
    )
    assert on_the_command_line.returncode == 2
    assert "--auth-token would show the secret to every local user" in on_the_command_line.stderr

    jwt_on_the_command_line = run_wrapper(["--jwt-secret=visible"], {"RASA_TOKEN": SECRETS["rasa_token"]})
    assert jwt_on_the_command_line.returncode == 2

    missing = run_wrapper(["--enable-api"], {})
    assert missing.returncode == 2
    assert "RASA_TOKEN must be set" in missing.stderr


async def test_the_gateway_sends_rasa_a_short_lived_signed_token_in_a_header() -> None:
    seen: list[dict[str, Any]] = []

    async def tracker(request: web.Request) -> web.Response:
        seen.append({"url": request.path_qs, "headers": dict(request.headers)})
        return web.json_response({"events": []})

    app = web.Application()
    app.router.add_get("/conversations/{cid}/tracker", tracker)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            client = RasaClient(http, str(server.make_url("")), SECRETS["rasa_token"], timeout=5)
            await client.tracker("conversation-1")
    finally:
        await server.close()

    [request] = seen
    assert "token" not in request["url"]
    assert SECRETS["rasa_token"] not in json.dumps(request)
    scheme, _, token = request["headers"]["Authorization"].partition(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRETS["rasa_token"], algorithms=["HS256"])
    assert claims["user"] == {"username": "handoff", "role": "admin"}
    assert 0 < claims["exp"] - time.time() <= 300
