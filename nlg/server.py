"""Rasa's NLG endpoint: `python -m nlg.server` (loopback, port NLG_PORT=5056).

Point Rasa at it in endpoints.yml: `nlg: {url: "${NLG_SERVER_URL}"}` with
NLG_SERVER_URL=http://127.0.0.1:5056/nlg. Rasa POSTs {response, arguments, tracker,
channel} for every message and sends the customer what we return.

The tracker is the whole conversation, so only Rasa may call: every route but `/health`
needs `Authorization: Bearer <NLG_SERVER_TOKEN>` (endpoints.yml `headers:`), else 401
`unauthorized`. `python -m nlg.server` refuses to start without the token.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from empathy.content import ContentError
from empathy.responses import ResponseError
from empathy.service import NlgRequest, NlgService, RequestError
from empathy.settings import EmpathySettings, SettingsError

logger = logging.getLogger(__name__)

SERVICE_KEY = web.AppKey("empathy_nlg_service", NlgService)
TOKEN_VARIABLE = "NLG_SERVER_TOKEN"
MIN_TOKEN_CHARS = 16
OPEN_PATHS = frozenset({"/health"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


def create_app(
    settings: EmpathySettings, service: NlgService | None = None, caller_token: str | None = None
) -> web.Application:
    """The NLG app. Loads domain responses and content now, so bad content fails at start.

    With `caller_token` (always, from `main`) every call but /health must carry it; without,
    the app is open, for tests and benchmarks that hold it in process."""
    middlewares = [_require_caller(caller_token)] if caller_token is not None else []
    # Trackers of long chats are big.
    app = web.Application(client_max_size=8 * 1024 * 1024, middlewares=middlewares)
    app[SERVICE_KEY] = service or NlgService.from_settings(settings)
    app.router.add_post("/nlg", handle_nlg)
    app.router.add_post("/", handle_nlg)
    app.router.add_get("/health", handle_health)
    return app


async def handle_nlg(request: web.Request) -> web.Response:
    started = time.perf_counter()
    try:
        body: Any = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return _error(400, f"the body is not valid JSON: {error}")
    try:
        nlg_request = NlgRequest.parse(body)
        reply = request.app[SERVICE_KEY].generate(nlg_request)
    except RequestError as error:
        logger.warning("empathy.bad_request %s", error)
        return _error(400, str(error))
    logger.debug(
        "empathy.reply response=%s ms=%.2f", nlg_request.response, (time.perf_counter() - started) * 1000
    )
    return web.json_response(reply.to_json())


async def handle_health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "responses": request.app[SERVICE_KEY].response_count})


def caller_is_rasa(authorization: str | None, token: str) -> bool:
    """True when the Authorization header carries the shared token (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _require_caller(token: str) -> Middleware:
    @web.middleware
    async def require_rasa(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS or caller_is_rasa(request.headers.get("Authorization"), token):
            return await handler(request)
        logger.warning("refused a call to %s %s without the NLG server token", request.method, request.path)
        return _error(
            401, f"send 'Authorization: Bearer <{TOKEN_VARIABLE}>' (endpoints.yml headers)", "unauthorized"
        )

    return require_rasa


def caller_token_from_env(env: Mapping[str, str] | None = None) -> str:
    """NLG_SERVER_TOKEN, which Rasa sends; raises SettingsError when it is missing or short."""
    token = (os.environ if env is None else env).get(TOKEN_VARIABLE, "")
    if len(token) < MIN_TOKEN_CHARS:
        raise SettingsError(
            f"{TOKEN_VARIABLE} must be set to a secret of at least {MIN_TOKEN_CHARS} characters: "
            "Rasa sends it (endpoints.yml) and the server refuses every call without it "
            "(`make run` generates one into var/nlg_server_token)"
        )
    return token


def _error(status: int, message: str, code: str = "bad_request") -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = EmpathySettings.from_env()
        app = create_app(settings, caller_token=caller_token_from_env())
    except (SettingsError, ContentError, ResponseError) as error:
        logger.error("empathy NLG server cannot start: %s", error)
        return 2
    logger.info("empathy NLG server on http://%s:%s/nlg", settings.host, settings.port)
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
