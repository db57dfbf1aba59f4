"""`rasa run actions --actions actions` starts, registers every action and answers from the store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from shop import utc_now
from shop.settings import REPO_ROOT
from tests.store.demo_store import seed_file, sqlite_url

RASA = REPO_ROOT / ".venv" / "bin" / "rasa"
OTHER_ENGINEERS_ACTIONS = {"action_validate_slot_mappings"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get_json(url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("action-server")
    # Seeded for today (UTC) like `make run`, because the live server's clock is real.
    seed_file(folder / "store.db", utc_now().date())
    port = free_port()
    env = {**os.environ, "STORE_DATABASE_URL": sqlite_url(folder / "store.db")}
    log = (folder / "actions.log").open("wb")
    process = subprocess.Popen(
        [str(RASA), "run", "actions", "--actions", "actions", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get_json(f"{url}/health")
                break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "actions.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_every_domain_action_is_served(action_server: str, domain: dict[str, Any]) -> None:
    served = {a["name"] for a in get_json(f"{action_server}/actions")}
    ours = set(domain["actions"]) - OTHER_ENGINEERS_ACTIONS
    assert ours <= served, sorted(ours - served)


def test_webhook_answers_a_delayed_order_from_the_store(action_server: str, domain: dict[str, Any]) -> None:
    body = {
        "next_action": "action_order_status",
        "sender_id": "live-1",
        "tracker": {
            "sender_id": "live-1",
            "slots": {"order_id": "ORD-10003", "email": "sofia.rossi@example.com"},
            "latest_message": {"intent": {"name": "order_status"}, "entities": [], "text": "where is it"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": domain,
    }
    reply = get_json(f"{action_server}/webhook", body)
    assert [r["response"] for r in reply["responses"]] == ["utter_order_delayed"]
    assert reply["responses"][0]["carrier"] == "DHL"
    assert reply["responses"][0]["days_late"].endswith("days")
    assert reply["events"] == [
        {"event": "slot", "timestamp": None, "name": "pending_offer", "value": "refund"},
        # The store's own record for the escalation policy (actions/base.py).
        {"event": "slot", "timestamp": None, "name": "order_problems", "value": ["overdue"]},
    ]
