"""`python -m handoff`: run the gateway (logs only; settings from the environment)."""

from __future__ import annotations

import logging
import os

from aiohttp import web

from handoff.app import create_app
from handoff.settings import load_settings

SHUTDOWN_GRACE_S = 1.0
# The gateway's files (var/handoff_secret, the SQLite database and its journal) hold secrets
# and customer conversations: created readable by their owner only, from the first byte.
PRIVATE_UMASK = 0o077


def main() -> None:
    os.umask(PRIVATE_UMASK)
    logging.basicConfig(
        level=os.environ.get("HANDOFF_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = load_settings()
    logging.getLogger("handoff").info(
        "handoff gateway on http://%s:%d (Rasa at %s)", settings.host, settings.port, settings.rasa_url
    )
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
        # aiohttp waits this long for running handlers at shutdown (60 s by default). The
        # app has closed every socket by then (close_client_connections); a browser slow to
        # answer that close must not hold up Ctrl-C or a rolling restart, and its widget
        # reconnects and resyncs anyway. Ordinary requests finish in milliseconds.
        shutdown_timeout=SHUTDOWN_GRACE_S,
    )


if __name__ == "__main__":
    main()
