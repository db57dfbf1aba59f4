"""What `make run` starts: one ServiceSpec per process, in start order."""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from launcher.settings import REPO_ROOT, LauncherSettings

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: list[str]
    port: int
    # A URL that answers 200 once the service can do real work (Rasa: model loaded).
    ready_url: str
    public_urls: dict[str, str] = field(default_factory=dict)


def shared_environment(settings: LauncherSettings) -> dict[str, str]:
    """The environment every child gets: the parent's, plus how to reach each other."""
    base = f"http://{settings.host}"
    env = dict(os.environ)
    env.update(
        {
            "ACTION_SERVER_URL": f"{base}:{settings.actions_port}/webhook",
            "NLG_SERVER_URL": f"{base}:{settings.nlg_port}/nlg",
            "NLG_PORT": str(settings.nlg_port),
            "RASA_URL": f"{base}:{settings.rasa_port}",
            "RASA_TOKEN": settings.rasa_token,
            "HANDOFF_PORT": str(settings.gateway_port),
            "HANDOFF_SECRET": settings.handoff_secret,
            "RASA_TRACKER_STORE_URL": settings.tracker_store_url,
            # rasa-sdk's action server binds to SANIC_HOST (0.0.0.0 unless told otherwise).
            "SANIC_HOST": settings.host,
            "PYTHONUNBUFFERED": "1",
            # Rasa's dependencies print pages of DeprecationWarnings at start; keep the
            # combined log readable (set PYTHONWARNINGS yourself to see them).
            "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning"),
            # Rasa's telemetry and error reports go to the internet; nothing here may.
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    return env


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def build_services(settings: LauncherSettings) -> list[ServiceSpec]:
    host = settings.host
    rasa = str(VENV_BIN / "rasa")
    services = [
        ServiceSpec(
            name="actions",
            argv=[rasa, "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)],
            port=settings.actions_port,
            ready_url=f"http://{host}:{settings.actions_port}/health",
        )
    ]
    if _module_exists("nlg.server"):
        services.append(
            ServiceSpec(
                name="nlg",
                argv=[sys.executable, "-m", "nlg.server"],
                port=settings.nlg_port,
                ready_url=f"http://{host}:{settings.nlg_port}/health",
            )
        )
    services.append(
        ServiceSpec(
            name="rasa",
            argv=[
                rasa,
                "run",
                "--model",
                str(settings.model_path),
                "--endpoints",
                str(REPO_ROOT / "endpoints.yml"),
                "--credentials",
                str(REPO_ROOT / "credentials.yml"),
                "--interface",
                host,
                "--port",
                str(settings.rasa_port),
                "--enable-api",
                "--auth-token",
                settings.rasa_token,
            ],
            port=settings.rasa_port,
            ready_url=f"http://{host}:{settings.rasa_port}/status?token={settings.rasa_token}",
            public_urls={"Rasa REST channel": f"http://{host}:{settings.rasa_port}/webhooks/rest/webhook"},
        )
    )
    if _module_exists("handoff.__main__"):
        gateway = f"http://{host}:{settings.gateway_port}"
        services.append(
            ServiceSpec(
                name="gateway",
                argv=[sys.executable, "-m", "handoff"],
                port=settings.gateway_port,
                ready_url=f"{gateway}/health",
                public_urls={
                    "Demo shop with the chat widget": f"{gateway}/",
                    "Agent console": f"{gateway}/agent",
                },
            )
        )
    return services
