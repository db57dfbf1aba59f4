"""Launcher settings, read from the environment in one place.

Every service reads its own settings from the environment too; the launcher only decides
ports and the secrets shared between services, and passes them down.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SystemExit(f"error: {name}={raw!r} is not a port number") from error


# Every file the product creates holds secrets or customer data: the launcher and every
# process it starts create files readable by their owner only (0600; folders 0700).
PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> None:
    """Create `path` (and its parents) readable by the owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _persistent_secret(var_dir: Path, name: str) -> str:
    """A random secret created once and kept in var/, so restarts keep sessions valid.

    The file is created 0600 in one step (no moment where another local user could read
    it), and exclusively: of two launchers starting at once, the second reads the first's.
    """
    path = var_dir / name
    private_dir(var_dir)
    value = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = path.read_text().strip()
        if not existing:
            raise SystemExit(f"error: {path} is empty; delete it and start again") from None
        return existing
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def tighten_private_files(var_dir: Path) -> list[Path]:
    """Make files an older version left readable by others (secrets, SQLite databases)
    owner-only again; returns the ones it changed."""
    if not var_dir.is_dir():
        return []
    loose = [p for p in sorted(var_dir.iterdir()) if p.is_file() and p.stat().st_mode & 0o077]
    for path in loose:
        path.chmod(0o600)
    if var_dir.stat().st_mode & 0o077:
        var_dir.chmod(0o700)
    return loose


@dataclass(frozen=True)
class LauncherSettings:
    host: str
    rasa_port: int
    actions_port: int
    nlg_port: int
    gateway_port: int
    # The secret of Rasa's HTTP API: callers send a JWT signed with it (launcher/rasa_server.py).
    rasa_token: str
    handoff_secret: str
    # What Rasa sends the action server and the NLG server (endpoints.yml `headers:`).
    action_server_token: str
    nlg_server_token: str
    model_path: Path
    var_dir: Path
    tracker_store_url: str
    startup_timeout_s: float

    @classmethod
    def from_env(cls) -> LauncherSettings:
        var_dir = Path(os.environ.get("VAR_DIR", REPO_ROOT / "var"))
        return cls(
            # Every service listens on loopback only; the gateway is the one public door.
            host="127.0.0.1",
            rasa_port=_int("RASA_PORT", 5005),
            actions_port=_int("ACTIONS_PORT", 5055),
            nlg_port=_int("NLG_PORT", 5056),
            gateway_port=_int("HANDOFF_PORT", 8080),
            rasa_token=os.environ.get("RASA_TOKEN") or _persistent_secret(var_dir, "rasa_token"),
            handoff_secret=os.environ.get("HANDOFF_SECRET") or _persistent_secret(var_dir, "handoff_secret"),
            action_server_token=os.environ.get("ACTION_SERVER_TOKEN")
            or _persistent_secret(var_dir, "action_server_token"),
            nlg_server_token=os.environ.get("NLG_SERVER_TOKEN")
            or _persistent_secret(var_dir, "nlg_server_token"),
            model_path=Path(os.environ.get("RASA_MODEL", REPO_ROOT / "models" / "store-bot.tar.gz")),
            var_dir=var_dir,
            tracker_store_url=os.environ.get(
                "RASA_TRACKER_STORE_URL", f"sqlite:///{var_dir / 'rasa_tracker.db'}"
            ),
            startup_timeout_s=float(os.environ.get("STARTUP_TIMEOUT", "300")),
        )
