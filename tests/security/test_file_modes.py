"""Secret and database files are owner-only (0600, folders 0700) from the moment they exist.

Each test runs under the umask most shells have (022, which makes new files 0644), forbids
chmod (a file chmod-ed after writing was readable by others until then), creates the file
the way the product does, and checks its mode right away.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handoff.settings import load_settings
from launcher.__main__ import _run_setup_step
from launcher.settings import REPO_ROOT, LauncherSettings, tighten_private_files
from tests.widget.support import free_port, wait_http_ok

LAUNCHER_SECRETS = {
    "rasa_token": "RASA_TOKEN",
    "handoff_secret": "HANDOFF_SECRET",
    "action_server_token": "ACTION_SERVER_TOKEN",
    "nlg_server_token": "NLG_SERVER_TOKEN",
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def ordinary_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def no_chmod(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"chmod{args}: the file existed with looser permissions before it")

    monkeypatch.setattr(os, "chmod", refuse)
    monkeypatch.setattr(Path, "chmod", refuse)


def test_the_launchers_secrets_are_created_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ordinary_umask: None, no_chmod: None
) -> None:
    var_dir = tmp_path / "var"
    monkeypatch.setenv("VAR_DIR", str(var_dir))
    for variable in LAUNCHER_SECRETS.values():
        monkeypatch.delenv(variable, raising=False)

    settings = LauncherSettings.from_env()

    assert mode(var_dir) == 0o700
    for name, variable in LAUNCHER_SECRETS.items():
        path = var_dir / name
        assert mode(path) == 0o600, f"{name} is {oct(mode(path))}"
        assert path.read_text() == getattr(settings, name)
        assert len(path.read_text()) >= 32, f"{variable} is too short to be a secret"
    # A restart reads the same secrets (sessions stay valid) and creates nothing new.
    assert LauncherSettings.from_env() == settings


def test_the_gateways_dev_secret_is_created_owner_only(
    tmp_path: Path, ordinary_umask: None, no_chmod: None
) -> None:
    var_dir = tmp_path / "var"
    settings = load_settings(env={}, var_dir=var_dir)
    assert mode(var_dir) == 0o700
    assert mode(var_dir / "handoff_secret") == 0o600
    assert load_settings(env={}, var_dir=var_dir).secret == settings.secret


def test_the_gateway_process_creates_its_database_and_secret_owner_only(
    tmp_path: Path, ordinary_umask: None
) -> None:
    """`python -m handoff` as `make run` starts it, under a 022 umask inherited from here."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "HANDOFF_SECRET"},
        "HANDOFF_HOST": "127.0.0.1",
        "HANDOFF_PORT": str(port),
        "HANDOFF_VAR_DIR": str(var_dir),
        "HANDOFF_DATABASE_URL": f"sqlite:///{var_dir / 'handoff.db'}",
        "STORE_DATABASE_URL": "",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "handoff"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/health", process, log_path, timeout=60)
        created = sorted(p.name for p in var_dir.iterdir())
        assert {"handoff.db", "handoff_secret"} <= set(created), created
        # The database and anything SQLite made beside it (journal, WAL, shared memory).
        assert {name: oct(mode(var_dir / name)) for name in created} == {name: oct(0o600) for name in created}
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_launchers_seed_step_creates_the_store_owner_only(tmp_path: Path, ordinary_umask: None) -> None:
    store = tmp_path / "store.db"
    env = {**os.environ, "STORE_DATABASE_URL": f"sqlite:///{store}"}
    _run_setup_step("Seeding the demo store", "shop.seed", [], env)
    assert mode(store) == 0o600


def test_files_an_older_version_left_readable_are_tightened_at_start(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir(mode=0o755)
    (var_dir / "store.db").write_bytes(b"")
    (var_dir / "store.db").chmod(0o644)
    (var_dir / "rasa_token").write_text("x" * 43)
    (var_dir / "rasa_token").chmod(0o600)

    assert tighten_private_files(var_dir) == [var_dir / "store.db"]
    assert mode(var_dir / "store.db") == 0o600
    assert mode(var_dir) == 0o700
    assert tighten_private_files(var_dir) == []
