"""What `make run` starts: one ServiceSpec per process, in start order."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from dataclasses import dataclass, field

import jwt

from launcher.settings import REPO_ROOT, LauncherSettings

# Rasa's HTTP API takes a JWT signed with RASA_TOKEN (launcher/rasa_server.py).
RASA_JWT_METHOD = "HS256"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: list[str]
    port: int
    # A URL that answers 200 once the service can do real work (Rasa: model loaded).
    ready_url: str
    public_urls: dict[str, str] = field(default_factory=dict)
    # Sent with the readiness check (Rasa's /status wants a signed JWT); never in argv or URLs.
    ready_headers: dict[str, str] = field(default_factory=dict)


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
            # Rasa sends these to the action and NLG servers (endpoints.yml `headers:`), which
            # refuse any call without them.
            "ACTION_SERVER_TOKEN": settings.action_server_token,
            "NLG_SERVER_TOKEN": settings.nlg_server_token,
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


def rasa_api_headers(secret: str, lifetime_s: float = 300.0) -> dict[str, str]:
    """Headers for Rasa's HTTP API: a short-lived admin JWT signed with `secret`."""
    now = int(time.time())
    claims = {"user": {"username": "launcher", "role": "admin"}, "iat": now, "exp": now + int(lifetime_s)}
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm=RASA_JWT_METHOD)}"}


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def build_services(settings: LauncherSettings) -> list[ServiceSpec]:
    """Every process in start order. Secrets travel in the environment only: a command line
    is readable by every local user (`ps`), so no argv here holds one."""
    host = settings.host
    services = [
        ServiceSpec(
            name="actions",
            argv=[sys.executable, "-m", "actions.server", "--port", str(settings.actions_port)],
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
                sys.executable,
                "-m",
                "launcher.rasa_server",
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
            ],
            port=settings.rasa_port,
            ready_url=f"http://{host}:{settings.rasa_port}/status",
            ready_headers=rasa_api_headers(settings.rasa_token, lifetime_s=settings.startup_timeout_s + 60),
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
