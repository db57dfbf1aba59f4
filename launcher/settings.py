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


def _persistent_secret(var_dir: Path, name: str) -> str:
    """A random secret created once and kept in var/, so restarts keep sessions valid."""
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


@dataclass(frozen=True)
class LauncherSettings:
    host: str
    rasa_port: int
    actions_port: int
    nlg_port: int
    gateway_port: int
    rasa_token: str
    handoff_secret: str
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
            model_path=Path(os.environ.get("RASA_MODEL", REPO_ROOT / "models" / "store-bot.tar.gz")),
            var_dir=var_dir,
            tracker_store_url=os.environ.get(
                "RASA_TRACKER_STORE_URL", f"sqlite:///{var_dir / 'rasa_tracker.db'}"
            ),
            startup_timeout_s=float(os.environ.get("STARTUP_TIMEOUT", "300")),
        )
