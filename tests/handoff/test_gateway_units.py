"""Fast unit tests: session ids, opening hours, settings, input parsing, Rasa replies, CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from handoff.agents.next_steps import NextStepCatalog
from handoff.agents.service import NextStep
from handoff.customers.service import RATING_SCORE, asked_for_person, parse_user_uttered
from handoff.customers.session_ids import SESSION_ID_LENGTH, SessionSigner, session_hash
from handoff.errors import InvalidInput
from handoff.escalation.hours import OpeningHours, OpeningHoursError
from handoff.persistence.messenger import ExpiryTimers
from handoff.rasa_client import reply_from_rasa
from handoff.settings import SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]


def test_session_ids_are_random_signed_and_checked() -> None:
    signer = SessionSigner(b"k" * 32)
    ids = {signer.issue() for _ in range(1000)}
    assert len(ids) == 1000
    session_id = ids.pop()
    assert len(session_id) == SESSION_ID_LENGTH == 64
    assert signer.is_authentic(session_id)
    tampered = ("0" if session_id[0] != "0" else "1") + session_id[1:]
    assert not signer.is_authentic(tampered)
    assert not SessionSigner(b"x" * 32).is_authentic(session_id)
    for junk in (None, 123, "", "short", session_id + "0"):
        assert not signer.is_authentic(junk)
    assert session_hash(session_id) != session_id and len(session_hash(session_id)) == 64
    with pytest.raises(ValueError):
        SessionSigner(b"short")


def test_opening_hours() -> None:
    hours = OpeningHours.parse("mon-fri 09:00-17:00; sat 10:00-14:00", "Europe/Berlin")
    monday_noon_berlin = datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)  # 12:00 in Berlin
    sunday = datetime(2026, 11, 22, 11, 0, tzinfo=timezone.utc)
    monday_evening = datetime(2026, 11, 23, 17, 30, tzinfo=timezone.utc)
    assert hours.is_open(monday_noon_berlin)
    assert not hours.is_open(sunday)
    assert not hours.is_open(monday_evening)
    assert OpeningHours.parse("", "UTC").is_open(sunday)
    assert OpeningHours.parse("mon-sun 00:00-24:00").is_open(sunday)
    for bad in ("funday 09:00-17:00", "mon 17:00-09:00", "mon 9-5", "fri-mon 09:00-10:00"):
        with pytest.raises(OpeningHoursError):
            OpeningHours.parse(bad)
    with pytest.raises(OpeningHoursError):
        OpeningHours.parse("", "Mars/Olympus")


def test_settings_defaults_and_dev_secret(tmp_path: Path) -> None:
    settings = load_settings({}, var_dir=tmp_path)
    assert settings.database_url == "sqlite:///var/handoff.db"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.redis_url is None
    secret_file = tmp_path / "handoff_secret"
    assert secret_file.exists() and oct(secret_file.stat().st_mode)[-3:] == "600"
    # Generated once: a restart keeps issued sessions valid.
    assert load_settings({}, var_dir=tmp_path).secret == settings.secret
    configured = load_settings(
        {"HANDOFF_SECRET": "s" * 40, "RASA_URL": "http://rasa:5005/", "HANDOFF_PORT": "9000"},
        var_dir=tmp_path,
    )
    assert (
        configured.secret == b"s" * 40
        and configured.rasa_url == "http://rasa:5005"
        and configured.port == 9000
    )


@pytest.mark.parametrize(
    "env",
    [{"HANDOFF_SECRET": "too short"}, {"HANDOFF_PORT": "eighty"}, {"HANDOFF_RASA_TIMEOUT": "-1"}],
)
def test_bad_settings_are_clear_errors(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        load_settings(env, var_dir=tmp_path)


def test_user_uttered_parsing() -> None:
    parsed = parse_user_uttered({"message": " hi ", "message_id": "m1", "metadata": '{"page": "/cart"}'}, 100)
    assert (parsed.text, parsed.client_id, parsed.metadata) == ("hi", "m1", {"page": "/cart"})
    for bad in (
        None,
        "hi",
        {"message": ""},
        {"message": 5},
        {"message": "x" * 101},
        {"message": "hi", "message_id": ""},
        {"message": "hi", "metadata": "{not json"},
        {"message": "hi", "metadata": {"big": "x" * 5000}},
    ):
        with pytest.raises(InvalidInput):
            parse_user_uttered(bad, 100)


def test_rasa_replies_become_socketio_messages() -> None:
    reply = reply_from_rasa(
        {"text": "Pick", "buttons": [{"title": "Yes", "payload": "/affirm"}], "image": "http://x/i.png"}
    )
    assert reply.text == "Pick"
    assert reply.payload["quick_replies"] == [{"content_type": "text", "title": "Yes", "payload": "/affirm"}]
    assert reply.payload["attachment"] == {"type": "image", "payload": {"src": "http://x/i.png"}}
    assert reply_from_rasa({"custom": {"handoff": True}}).payload == {"custom": {"handoff": True}}


def test_explicit_request_is_recognised_from_the_tracker() -> None:
    assert asked_for_person({"latest_message": {"intent": {"name": "request_human"}}, "events": []})
    handoff_action = {
        "latest_message": {"intent": {"name": "affirm"}},
        "events": [
            {"event": "user"},
            {"event": "action", "name": "action_handoff"},
            {"event": "action", "name": "action_listen"},
        ],
    }
    assert asked_for_person(handoff_action)
    earlier = {
        "latest_message": {},
        "events": [{"event": "action", "name": "action_handoff"}, {"event": "user"}],
    }
    assert not asked_for_person(earlier)
    assert not asked_for_person(None)


def test_rating_scores_and_next_steps() -> None:
    assert [RATING_SCORE.match(t) is not None for t in ("4", " 5 ", "3/5", "2 stars", "/rate 1")] == [
        True
    ] * 5
    assert [RATING_SCORE.match(t) is None for t in ("6", "45", "great", "0")] == [True] * 4
    default = NextStep("none", None)
    assert NextStep.parse(None, default) is default
    assert NextStep.parse({"type": "intent", "name": "greet"}, default).name == "greet"
    assert NextStep.parse({"type": "none"}, default).name is None
    for bad in (
        "greet",
        {"type": "intent"},
        {"type": "intent", "name": "Bad Name"},
        {"type": "shell", "name": "x"},
    ):
        with pytest.raises(InvalidInput):
            NextStep.parse(bad, default)


def test_next_step_catalog_reads_the_domain(tmp_path: Path) -> None:
    real = NextStepCatalog.from_domain(REPO / "domain.yml")
    assert "greet" in real.intents and "action_handoff" in real.actions
    assert real.choices()[0] == real.default()
    real.check("intent", "greet")
    with pytest.raises(InvalidInput):
        real.check("action", "action_does_not_exist")
    domain = tmp_path / "domain.yml"
    domain.write_text(
        "intents:\n  - greet\n  - request_human: {use_entities: []}\nresponses:\n  utter_anything_else: []\n"
    )
    small = NextStepCatalog.from_domain(domain)
    assert small.intents == {"greet", "request_human"}
    assert small.default().name == "utter_anything_else"
    unreadable = NextStepCatalog.from_domain(tmp_path / "missing.yml")
    unreadable.check("intent", "anything")  # no domain, no check
    assert unreadable.default().type == "none"


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
        "HANDOFF_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "handoff.cli", *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_creates_agents_and_the_demo_agent_idempotently(tmp_path: Path) -> None:
    created = _cli(
        ["create-agent", "ana", "--name", "Ana Lopez"], tmp_path, HANDOFF_AGENT_PASSWORD="a long password"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout == ""  # logs only, on stderr
    again = _cli(["create-agent", "ana"], tmp_path, HANDOFF_AGENT_PASSWORD="a long password")
    assert again.returncode == 2 and "already exists" in again.stderr
    weak = _cli(["create-agent", "ben"], tmp_path, HANDOFF_AGENT_PASSWORD="short")
    assert weak.returncode == 2 and "at least 10" in weak.stderr
    first = _cli(["ensure-demo-agent"], tmp_path)
    second = _cli(["ensure-demo-agent"], tmp_path)
    assert first.returncode == 0 and first.stdout == second.stdout
    assert first.stdout.startswith("Demo agent: username demo  password ")


async def test_stale_typing_expires_unless_renewed_or_cleared() -> None:
    fired: list[str] = []
    timers = ExpiryTimers(ttl=0.05)

    async def expire(key: str) -> None:
        fired.append(key)

    timers.arm("a", lambda: expire("a"))
    timers.arm("b", lambda: expire("b"))
    timers.arm("c", lambda: expire("c"))
    timers.disarm("b")
    await asyncio.sleep(0.03)
    timers.arm("c", lambda: expire("c"))  # renewed: its clock starts again
    await asyncio.sleep(0.04)
    assert fired == ["a"]
    await asyncio.sleep(0.05)
    assert fired == ["a", "c"]
    timers.close()
