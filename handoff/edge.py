"""The gateway's HTTP edge: what every response carries, and what every request is checked
for before a handler sees it (docs/security.md).

- Security headers on every response (pages, static files, the API, socket.io, errors): a
  Content-Security-Policy header for each kind of page, `frame-ancestors 'none'` on all
  of them (no page of the gateway is meant to be framed), `X-Content-Type-Options:
  nosniff`, `Referrer-Policy: no-referrer`, and `Cache-Control: no-store` on the API.
- A bearer token in a query string is refused (`token_in_query`) and its session ended:
  URLs end up in access logs, proxies and browser history.
- socket.io accepts browser pages from the gateway's own origin and from the origins in
  HANDOFF_CORS_ORIGINS only (`origin_not_allowed`).
- The client's IP: the peer, or from X-Forwarded-For when the peer is a trusted proxy.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from handoff.errors import HandoffError, OriginNotAllowed, RateLimited, TokenInQuery
from handoff.settings import SettingsError

logger = logging.getLogger(__name__)

SOCKETIO_PATH = "/socket.io/"
# Query parameters a bearer token travels in when a client puts it in the URL.
TOKEN_PARAMETERS = ("token", "access_token")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def error_response(error: HandoffError) -> web.Response:
    """The JSON error every REST refusal answers with; `rate_limited` adds Retry-After."""
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return web.json_response({"error": error.to_dict()}, status=error.status, headers=headers)


def query_token(query: dict[str, str] | Any) -> str | None:
    """The bearer token a URL's query string carries, if any."""
    for name in TOKEN_PARAMETERS:
        value = query.get(name)
        if value:
            return str(value)
    return None


TOKEN_IN_QUERY = (
    "send the token in the 'Authorization: Bearer' header (or in socket.io's auth), never in "
    "the URL; this one has been in a URL, so it has been revoked: log in again"
)


# --- the client's address --------------------------------------------------------------------


class ClientAddresses:
    """Who is at the other end: the peer address, unless the peer is one of
    HANDOFF_TRUSTED_PROXIES; then the nearest X-Forwarded-For hop that is not one."""

    def __init__(self, trusted: str = "") -> None:
        self.trusted: tuple[Network, ...] = tuple(_network(item) for item in _items(trusted))

    def _is_trusted(self, address: str | None) -> bool:
        if not address or not self.trusted:
            return False
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted)

    def of(self, request: web.BaseRequest) -> str:
        peer = request.remote or "unknown"
        if not self._is_trusted(peer):
            return peer
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer

    def host(self, request: web.BaseRequest) -> str:
        """The host the browser sent the request to (X-Forwarded-Host from a trusted proxy)."""
        forwarded = request.headers.get("X-Forwarded-Host")
        if forwarded and self._is_trusted(request.remote):
            return forwarded.split(",")[0].strip()
        return request.host


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _network(item: str) -> Network:
    try:
        return ipaddress.ip_network(item, strict=False)
    except ValueError as exc:
        raise SettingsError(f"HANDOFF_TRUSTED_PROXIES: {item!r} is not an IP address or network") from exc


# --- which origins may open a socket ------------------------------------------------------------


class OriginPolicy:
    """The gateway's own origin (a page it served: the Origin names the host the request went
    to) and the origins in HANDOFF_CORS_ORIGINS (the shop's pages that embed the widget).
    "*" allows any page anywhere. Requests without an Origin are not from a browser page."""

    def __init__(self, configured: str, addresses: ClientAddresses) -> None:
        self.any = configured.strip() == "*"
        self.extra = frozenset() if self.any else frozenset(_origin(item) for item in _items(configured))
        self.addresses = addresses

    def allows(self, origin: str, host: str) -> bool:
        if self.any:
            return True
        parts = urlsplit(origin.strip().lower())
        if parts.scheme in ("http", "https") and parts.netloc == host.lower():
            return True
        return origin.strip().lower().rstrip("/") in self.extra

    def allows_request(self, request: web.BaseRequest) -> bool:
        origin = request.headers.get("Origin")
        return origin is None or self.allows(origin, self.addresses.host(request))

    def for_engineio(self, origin: str | None, environ: dict[str, Any]) -> bool:
        """python-engineio's `cors_allowed_origins` callable: the same decision."""
        request = environ.get("aiohttp.request")
        if origin is None:
            return True
        return isinstance(request, web.BaseRequest) and self.allows(origin, self.addresses.host(request))


def _origin(item: str) -> str:
    parts = urlsplit(item.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise SettingsError(f"HANDOFF_CORS_ORIGINS: {item!r} is not an origin like https://shop.example.com")
    if parts.query or parts.fragment:
        raise SettingsError(f"HANDOFF_CORS_ORIGINS: {item!r} must be scheme://host[:port] only")
    return f"{parts.scheme}://{parts.netloc}"


# --- checks before any handler --------------------------------------------------------------------


RevokeToken = Callable[[web.Request, str], Awaitable[None]]


def edge_guard(origins: OriginPolicy, revoke: RevokeToken) -> Middleware:
    """Refuse a token in a URL and a page from a foreign origin, before any handler runs.

    socket.io's own path is left to the `/agent` namespace for tokens, so a console gets a
    structured `connect_error` (handoff/agents/namespace.py); its origin is checked here,
    before python-engineio sees the request.
    """

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == SOCKETIO_PATH:
            if not origins.allows_request(request):
                logger.info("refused a socket from origin %s", request.headers.get("Origin"))
                return error_response(
                    OriginNotAllowed(
                        f"pages from {request.headers.get('Origin')} may not connect; the gateway "
                        "accepts its own pages and those in HANDOFF_CORS_ORIGINS"
                    )
                )
            return await handler(request)
        token = query_token(request.query)
        if token is not None:
            await revoke(request, token)
            return error_response(TokenInQuery(TOKEN_IN_QUERY))
        return await handler(request)

    return guard


# --- security headers ----------------------------------------------------------------------------

# The console: only its own files and the gateway (it also carries this as a <meta>, which
# cannot say frame-ancestors).
CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
# The demo shop page and the widget's files: the page's own inline script by hash, inline
# styles (the page's and the widget's injected sheet), images the bot sends over https.
SHOP_POLICY = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
# Everything else (the API, socket.io, health, errors): nothing to load, nothing to frame.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources ('sha256-...') for each inline <script> of a page, as browsers hash them."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    ]


class SecurityHeaders:
    """`on_response_prepare`: the headers above on every response, headers a handler set
    itself left alone."""

    def __init__(self, widget_dir: Path) -> None:
        self.shop_page = widget_dir / "index.html"
        self._shop_policy: tuple[float, str] | None = None

    async def __call__(self, request: web.BaseRequest, response: web.StreamResponse) -> None:
        for name, value in COMMON_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", self.policy_for(request.path))
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")

    def policy_for(self, path: str) -> str:
        if path == "/agent" or path.startswith("/agent/"):
            return CONSOLE_POLICY
        if path == "/" or path.startswith("/widget/"):
            return self._shop()
        return API_POLICY

    def _shop(self) -> str:
        """The shop page's policy, with its inline scripts' hashes (re-read when it changes)."""
        try:
            mtime = self.shop_page.stat().st_mtime
        except OSError:
            return SHOP_POLICY.format(scripts="")
        if self._shop_policy is None or self._shop_policy[0] != mtime:
            hashes = inline_script_hashes(self.shop_page.read_text(encoding="utf-8"))
            self._shop_policy = (mtime, SHOP_POLICY.format(scripts="".join(" " + h for h in hashes)))
        return self._shop_policy[1]
