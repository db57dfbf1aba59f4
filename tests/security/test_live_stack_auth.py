"""The real stack (launcher.services, as `make run` starts it): each server behind the
gateway answers only the caller that holds its secret, no process shows a secret on its
command line, and what they create on disk is owner-only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import pytest

from launcher.live_stack import LiveStack
from launcher.services import rasa_api_headers
from launcher.settings import REPO_ROOT
from tests.widget.support import free_port

pytestmark = pytest.mark.slow

SECRET_VARIABLES = ("RASA_TOKEN", "HANDOFF_SECRET", "ACTION_SERVER_TOKEN", "NLG_SERVER_TOKEN")


def call(
    url: str, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_process_on_this_machine_has_a_secret_on_its_command_line(live_bot: LiveStack) -> None:
    secrets = {name: live_bot.env[name] for name in SECRET_VARIABLES}
    seen = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # the process ended meanwhile
        seen += 1
        for name, secret in secrets.items():
            assert secret not in cmdline, f"pid {entry.name} shows {name}: {cmdline}"
    assert seen > 3  # the stack's own processes were among them


def test_rasas_api_takes_only_a_signed_token_in_a_header(live_bot: LiveStack) -> None:
    status = f"{live_bot.rasa_url}/status"
    assert call(status)[0] == 401
    # The secret itself is no credential, in the URL (Rasa's --auth-token way) or a header.
    assert call(f"{status}?token={live_bot.rasa_token}")[0] == 401
    assert call(status, headers=bearer(live_bot.rasa_token))[0] == 401
    forged = jwt.encode(
        {"user": {"role": "admin"}}, "not-the-secret-but-32-bytes-long-0123456789", algorithm="HS256"
    )
    assert call(status, headers=bearer(forged))[0] == 401
    code, body = call(status, headers=rasa_api_headers(live_bot.rasa_token))
    assert code == 200
    assert body["model_file"]


def test_the_action_server_answers_only_rasa(live_bot: LiveStack) -> None:
    webhook = live_bot.action_server_url
    base = webhook.rsplit("/", 1)[0]
    body = {"next_action": "action_order_status", "sender_id": "intruder", "tracker": {}, "domain": {}}
    for headers in (
        {},
        bearer("wrong-token-0123456789abcdef"),
        {"Authorization": live_bot.env["ACTION_SERVER_TOKEN"]},
    ):
        code, answer = call(webhook, body, headers)
        assert code == 401, answer
        assert answer["code"] == "unauthorized"
        assert "ACTION_SERVER_TOKEN" in answer["error"]
    assert call(f"{base}/actions")[0] == 401
    assert call(f"{base}/health") == (200, {"status": "ok"})
    # With the token the request is Rasa's: here a malformed one, answered as such.
    code, answer = call(webhook, headers=bearer(live_bot.env["ACTION_SERVER_TOKEN"]), raw=b"{not json")
    assert code == 400
    assert answer["code"] == "bad_request"
    assert "request_body" not in answer


def test_the_nlg_server_answers_only_rasa(live_bot: LiveStack) -> None:
    body = {
        "response": "utter_greet",
        "arguments": {},
        "tracker": {"sender_id": "nlg-auth", "slots": {}, "events": []},
        "channel": {"name": "rest"},
    }
    for headers in ({}, bearer("wrong-token-0123456789abcdef")):
        code, answer = call(live_bot.nlg_url, body, headers)
        assert code == 401
        assert answer == {
            "error": "send 'Authorization: Bearer <NLG_SERVER_TOKEN>' (endpoints.yml headers)",
            "code": "unauthorized",
        }
    code, answer = call(live_bot.nlg_url, body, bearer(live_bot.env["NLG_SERVER_TOKEN"]))
    assert code == 200
    assert answer["text"]
    assert call(live_bot.nlg_url.rsplit("/", 1)[0] + "/health")[0] == 200


def test_rasa_reaches_both_servers_with_their_tokens(live_bot: LiveStack) -> None:
    """A real turn: the order form's action (action server) and its words (NLG server)."""
    code, replies = call(
        f"{live_bot.rasa_url}/webhooks/rest/webhook",
        {
            "sender": "auth-live-1",
            "message": "where is my order ORD-10003? my email is sofia.rossi@example.com",
        },
    )
    assert code == 200
    assert any("ORD-10003" in (r.get("text") or "") for r in replies), replies


def test_the_running_stacks_files_are_owner_only(live_bot: LiveStack) -> None:
    var_dir = Path(live_bot.store_database_url.removeprefix("sqlite:///")).parent
    files = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in var_dir.iterdir() if p.is_file()}
    assert {"store.db", "rasa_tracker.db"} <= set(files), files
    assert files == dict.fromkeys(files, oct(0o600))


@pytest.mark.parametrize(
    ("module", "variable"), [("actions.server", "ACTION_SERVER_TOKEN"), ("nlg.server", "NLG_SERVER_TOKEN")]
)
def test_the_servers_refuse_to_start_without_their_token(module: str, variable: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != variable}
    env.update({"NLG_PORT": str(free_port()), "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    result = subprocess.run(  # noqa: PLW1510 (the exit code is what the test reads)
        [sys.executable, "-m", module],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 2
    assert f"{variable} must be set" in result.stdout + result.stderr
