"""`python -m actions.server [--port 5055]`: the action server, answering Rasa only.

rasa-sdk's stock server (`rasa run actions`) runs any action for anyone who can reach its
port, and its error handler echoes the whole request (the tracker: the customer's words,
email, orders) into the log and the reply. This is the same server (rasa_sdk.endpoint's
app, every action of this package) with two changes:

- every call but `GET /health` needs `Authorization: Bearer <ACTION_SERVER_TOKEN>`, the
  header Rasa sends from endpoints.yml; without it the answer is 401 `unauthorized`;
- an unexpected error is logged by type and action name only, and answered with a JSON
  error and a code, never with the request.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from rasa_sdk import utils
from rasa_sdk.constants import DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
OPEN_PATHS = frozenset({"/health"})
MIN_TOKEN_CHARS = 16


class ServerSettingsError(ValueError):
    """The action server cannot start as configured; the message says what to set."""


@dataclass(frozen=True)
class ActionServerSettings:
    """Where the action server listens and the token its caller must send.

    SANIC_HOST (rasa-sdk's own variable; 127.0.0.1 here, not rasa-sdk's 0.0.0.0),
    --port (5055), ACTION_SERVER_TOKEN (required; `make run` generates one into var/).
    """

    host: str
    port: int
    token: str

    @classmethod
    def from_env(cls, port: int, env: Mapping[str, str] | None = None) -> ActionServerSettings:
        source = os.environ if env is None else env
        token = source.get(TOKEN_VARIABLE, "")
        if len(token) < MIN_TOKEN_CHARS:
            raise ServerSettingsError(
                f"{TOKEN_VARIABLE} must be set to a secret of at least {MIN_TOKEN_CHARS} characters: "
                "Rasa sends it (endpoints.yml) and the server refuses every call without it "
                "(`make run` generates one into var/action_server_token)"
            )
        return cls(host=source.get("SANIC_HOST") or "127.0.0.1", port=port, token=token)


def caller_is_rasa(authorization: str | None, token: str) -> bool:
    """True when the Authorization header carries the shared token (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's app for `actions_package`, behind the caller check and a quiet error handler."""
    app = create_sdk_app(actions_package, cors_origins=None)

    @app.middleware("request")
    async def require_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or caller_is_rasa(request.headers.get("Authorization"), token):
            return None
        logger.warning(
            "refused a call to %s %s without the action server token", request.method, request.path
        )
        return _error(
            401, "unauthorized", f"send 'Authorization: Bearer <{TOKEN_VARIABLE}>' (endpoints.yml headers)"
        )

    # Registered after rasa-sdk's handler for Exception, so it replaces it.
    @app.exception(Exception)
    async def quiet_errors(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            status = int(exception.status_code)
            return _error(status, "bad_request" if status < 500 else "internal", str(exception))
        # The type and where, not the message: a database error's message carries its query
        # parameters (an email, an order), and the log is no place for customer data.
        logger.error(
            "action server error %s in %s %s:\n%s",
            type(exception).__name__,
            request.method,
            request.path,
            "".join(traceback.format_tb(exception.__traceback__)).rstrip(),
        )
        return _error(500, "internal", "the action server failed; see its log")

    return app


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": message, "code": code}, status=status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_SERVER_PORT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    utils.update_sanic_log_level()
    try:
        settings = ActionServerSettings.from_env(args.port)
    except ServerSettingsError as error:
        logger.error("action server cannot start: %s", error)
        return 2
    app = create_app(settings.token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("action server on http://%s:%d/webhook", settings.host, settings.port)
    app.run(settings.host, settings.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
