"""Rasa's NLG endpoint: `python -m nlg.server` (loopback, port NLG_PORT=5056).

Point Rasa at it in endpoints.yml: `nlg: {url: "${NLG_SERVER_URL}"}` with
NLG_SERVER_URL=http://127.0.0.1:5056/nlg. Rasa POSTs {response, arguments, tracker,
channel} for every message and sends the customer what we return.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from aiohttp import web

from empathy.content import ContentError
from empathy.responses import ResponseError
from empathy.service import NlgRequest, NlgService, RequestError
from empathy.settings import EmpathySettings, SettingsError

logger = logging.getLogger(__name__)

SERVICE_KEY = web.AppKey("empathy_nlg_service", NlgService)


def create_app(settings: EmpathySettings, service: NlgService | None = None) -> web.Application:
    """The NLG app. Loads domain responses and content now, so bad content fails at start."""
    app = web.Application(client_max_size=8 * 1024 * 1024)  # trackers of long chats are big
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


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = EmpathySettings.from_env()
        app = create_app(settings)
    except (SettingsError, ContentError, ResponseError) as error:
        logger.error("empathy NLG server cannot start: %s", error)
        return 2
    logger.info("empathy NLG server on http://%s:%s/nlg", settings.host, settings.port)
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
