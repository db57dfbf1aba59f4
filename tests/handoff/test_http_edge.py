"""The gateway's HTTP edge (handoff/edge.py): security headers on every response, bearer
tokens only in headers, socket.io origins, and the pages still working under their
Content-Security-Policy in real headless Chromium.

None of this depends on the database, so it runs on SQLite only.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, async_playwright

from handoff.app import create_app
from handoff.edge import ClientAddresses, OriginPolicy, inline_script_hashes
from handoff.persistence.queries import AuditFilter
from handoff.settings import REPO_ROOT, Settings, SettingsError, load_settings
from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.handoff.clients import TRANSPORTS
from tests.handoff.conftest import PASSWORD, Running, StartGateway

PAGES = {"widget_dir": REPO_ROOT / "widget", "console_dir": REPO_ROOT / "handoff" / "console"}
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'handoff.db'}"


async def fetch(gw: Running, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, str], str]:
    async with gw.http.request(method, gw.url + path, **kwargs) as response:
        return response.status, dict(response.headers), await response.text()


async def handshake(
    gw: Running, origin: str | None = None, **headers: str
) -> tuple[int, dict[str, str], str]:
    """An engine.io polling handshake, with this Origin; the session it opens is closed again
    (an open one would hold the server's shutdown for a ping timeout)."""
    if origin is not None:
        headers["Origin"] = origin
    code, answer, text = await fetch(gw, "GET", HANDSHAKE, headers=headers)
    if code == 200:
        sid = json.loads(text[1:])["sid"]
        await fetch(gw, "POST", f"{HANDSHAKE}&sid={sid}", data=b"1", headers=headers)
    return code, answer, text


def directives(policy: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in policy.split(";"))}


# --- security headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "kind"),
    [
        ("GET", "/", 200, "shop"),
        ("GET", "/widget/dist/store-chat.js", 200, "shop"),
        ("GET", "/agent", 200, "console"),
        ("GET", "/agent/js/main.js", 200, "console"),
        ("GET", "/agent/no-such-file.js", 404, "console"),
        ("GET", "/api/agent/me", 401, "api"),
        ("POST", "/api/agent/login", 400, "api"),
        ("GET", "/health", 200, "api"),
        ("GET", "/no/such/page", 404, "api"),
        ("GET", HANDSHAKE, 200, "api"),
    ],
)
async def test_every_response_carries_the_security_headers(
    start_gateway: StartGateway, method: str, path: str, status: int, kind: str
) -> None:
    gw = await start_gateway(**PAGES)
    if path == HANDSHAKE:
        code, headers, _ = await handshake(gw)
    else:
        code, headers, _ = await fetch(gw, method, path, data=b"not json" if method == "POST" else None)
    assert code == status
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    policy = directives(headers["Content-Security-Policy"])
    # No page of the gateway may be framed: not the console, not the demo shop, not the API.
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src" if kind != "api" else "default-src"] == "'none'"
    if kind == "console":
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    if kind == "api":
        assert policy["default-src"] == "'none'"
    if path.startswith("/api/"):
        assert headers["Cache-Control"] == "no-store"


async def test_the_shop_page_allows_exactly_its_own_inline_script(start_gateway: StartGateway) -> None:
    gw = await start_gateway(**PAGES)
    _, headers, html = await fetch(gw, "GET", "/")
    script_src = directives(headers["Content-Security-Policy"])["script-src"].split()
    page_hashes = inline_script_hashes(html)
    assert len(page_hashes) == 1
    assert script_src == ["'self'", *page_hashes]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


def test_inline_script_hashes_skip_external_scripts() -> None:
    html = '<script src="/a.js"></script><script>alert(1)</script><SCRIPT type="module">x()</SCRIPT>'
    assert inline_script_hashes(html) == [
        "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='",
        "'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI='",
    ]


# --- tokens only in headers -------------------------------------------------------------------------


async def test_a_token_in_a_rest_query_string_is_refused_and_revoked(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana", connect=False)
    for parameter in ("token", "access_token"):
        code, _, text = await fetch(gw, "GET", f"/api/agent/me?{parameter}={agent.token}")
        assert code == 400
        assert '"code": "token_in_query"' in text and "revoked" in text
    # The token has been in a URL (logs, history): its session is over, even in the header.
    code, body = await agent.api("GET", "/me")
    assert (code, body["error"]["code"]) == (401, "not_authenticated")
    [revoked] = await gw.gateway.trail.read(AuditFilter(action="token_revoked"))
    assert revoked.agent_id == agent.info["id"] and revoked.ip == "127.0.0.1"
    # A forged one in a URL is refused the same way, and nothing else happens.
    code, _, text = await fetch(gw, "GET", "/api/agent/queue?token=forged")
    assert code == 400 and "token_in_query" in text


async def test_a_token_in_the_socket_url_is_refused_with_a_code_and_revoked(gw: Running) -> None:
    agent = await gw.logged_in_agent("ana", "Ana", connect=False)
    sio = socketio.AsyncClient(reconnection=False)
    refusals: list[Any] = []
    sio.on("connect_error", refusals.append, namespace="/agent")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await sio.connect(
            f"{gw.url}?token={agent.token}",
            namespaces=["/agent"],
            auth={"token": agent.token},
            transports=TRANSPORTS,
            wait_timeout=5,
        )
    if sio.connected:
        await sio.disconnect()
    [refusal] = refusals
    assert refusal["data"]["code"] == "token_in_query"
    assert "Authorization" in refusal["message"]
    code, _ = await agent.api("GET", "/me")
    assert code == 401


async def test_the_console_sends_its_token_in_headers_only() -> None:
    """What the console's code does (handoff/console/js/api.js): the Authorization header for
    REST and socket.io's auth for the socket, no token in any URL."""
    source = (REPO_ROOT / "handoff" / "console" / "js" / "api.js").read_text()
    assert "headers.Authorization = `Bearer ${token}`" in source
    assert "auth: { token }" in source
    assert not re.search(r"[?&](access_)?token=", source)


# --- socket.io origins ------------------------------------------------------------------------------


async def test_sockets_accept_the_gateways_own_pages_and_refuse_others_by_default(gw: Running) -> None:
    own = gw.url  # e.g. http://127.0.0.1:41234, the origin of the pages the gateway serves
    code, headers, _ = await handshake(gw, own)
    assert code == 200 and headers["Access-Control-Allow-Origin"] == own
    code, headers, text = await handshake(gw, "https://evil.example")
    assert code == 403
    assert '"code": "origin_not_allowed"' in text and "HANDOFF_CORS_ORIGINS" in text
    assert "Access-Control-Allow-Origin" not in headers
    # Clients that are not browser pages send no Origin and are not affected.
    assert (await handshake(gw))[0] == 200


async def test_a_foreign_origin_cannot_open_a_socket_with_the_python_client(gw: Running) -> None:
    customer = gw.customer()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await customer.sio.connect(
            gw.url, transports=TRANSPORTS, headers={"Origin": "https://evil.example"}, wait_timeout=5
        )


async def test_the_shops_configured_origins_are_accepted(start_gateway: StartGateway) -> None:
    gw = await start_gateway(cors_origins="https://shop.example.com, https://www.shop.example.com/")
    for origin in ("https://shop.example.com", "https://www.shop.example.com"):
        code, headers, _ = await handshake(gw, origin)
        assert code == 200 and headers["Access-Control-Allow-Origin"] == origin
    assert (await handshake(gw, "http://shop.example.com"))[0] == 403
    assert (await handshake(gw, "null"))[0] == 403


async def test_a_star_accepts_any_origin(start_gateway: StartGateway) -> None:
    gw = await start_gateway(cors_origins="*")
    assert (await handshake(gw, "https://anywhere.example"))[0] == 200


async def test_behind_a_trusted_proxy_the_public_host_is_the_gateways_own(
    start_gateway: StartGateway,
) -> None:
    gw = await start_gateway(trusted_proxies="127.0.0.1")
    public = "https://support.example.com"
    assert (await handshake(gw, public, **{"X-Forwarded-Host": "support.example.com"}))[0] == 200
    assert (await handshake(gw, public))[0] == 403  # without the proxy's word, a foreign origin


def test_the_default_is_the_gateways_own_origin_and_bad_settings_stop_the_gateway(tmp_path: Path) -> None:
    assert load_settings({"HANDOFF_SECRET": "s" * 32}, tmp_path).cors_origins == ""
    for bad in ("shop.example.com", "https://shop.example.com/path", "ftp://shop.example.com"):
        with pytest.raises(SettingsError, match="HANDOFF_CORS_ORIGINS"):
            create_app(Settings(secret=b"s" * 32, cors_origins=bad))
    with pytest.raises(SettingsError, match="HANDOFF_TRUSTED_PROXIES"):
        create_app(Settings(secret=b"s" * 32, trusted_proxies="10.0.0.0/8, proxy.local"))


def test_the_client_address_is_the_nearest_untrusted_hop() -> None:
    class Request:
        def __init__(self, remote: str, forwarded: str) -> None:
            self.remote = remote
            self.headers = {"X-Forwarded-For": forwarded}

    addresses = ClientAddresses("10.0.0.0/8, 127.0.0.1")
    of = addresses.of
    assert of(Request("10.1.2.3", "198.51.100.9, 203.0.113.5, 10.9.9.9")) == "203.0.113.5"  # type: ignore[arg-type]
    assert of(Request("10.1.2.3", "")) == "10.1.2.3"  # type: ignore[arg-type]
    assert of(Request("192.0.2.1", "198.51.100.9")) == "192.0.2.1"  # type: ignore[arg-type]
    assert OriginPolicy("", addresses).allows("http://gateway:8080", "gateway:8080")
    assert not OriginPolicy("", addresses).allows("http://gateway:8081", "gateway:8080")


# --- the pages under their policies, in Chromium ---------------------------------------------------

VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest_asyncio.fixture
async def chromium_page(tmp_path: Path) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        await context.add_init_script(VIOLATIONS)
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


async def test_the_demo_shop_and_its_widget_work_under_the_policy(
    start_gateway: StartGateway, chromium_page: Page
) -> None:
    gw = await start_gateway(**PAGES)
    page = chromium_page
    await page.goto(gw.url + "/")
    await page.wait_for_function("() => window.StoreChat && StoreChat.instance()")
    # The widget's socket (same origin) comes up and gets its session.
    await page.wait_for_function("() => document.querySelector('.sc-root').dataset.conn === 'online'")
    await page.wait_for_function("() => StoreChat.instance().state().sessionId !== null")
    assert await page.evaluate("() => window.__csp") == []


async def test_the_console_logs_in_and_connects_under_the_policy(
    start_gateway: StartGateway, chromium_page: Page
) -> None:
    gw = await start_gateway(**PAGES)
    await gw.create_agent("ana", "Ana")
    page = chromium_page
    await page.goto(gw.url + "/agent")
    await page.fill("#login-username", "ana")
    await page.fill("#login-password", PASSWORD)
    await page.press("#login-password", "Enter")
    await page.wait_for_selector("#connection.connected")
    assert await page.evaluate("() => window.__csp") == []


async def test_another_site_cannot_frame_the_console(
    start_gateway: StartGateway, chromium_page: Page
) -> None:
    gw = await start_gateway(**PAGES)
    framing = f'<!doctype html><title>framer</title><iframe id="f" src="{gw.url}/agent"></iframe>'

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=framing, content_type="text/html")

    other = web.Application()
    other.router.add_get("/", index)
    server = TestServer(other, host="127.0.0.1")
    await server.start_server()
    refused: list[str] = []
    chromium_page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)
    try:
        async with chromium_page.expect_response(f"{gw.url}/agent"):
            await chromium_page.goto(str(server.make_url("/")))
        await chromium_page.wait_for_timeout(500)
        frame = chromium_page.frames[1]
        # Chromium shows its error page instead of the console: no login form inside.
        assert await frame.locator("#login-form").count() == 0
        assert refused, "Chromium did not report the frame-ancestors refusal"
    finally:
        await server.close()


async def test_settings_default_origins_keep_an_agent_console_socket_working(
    gw: Running,
) -> None:
    """The python clients of every other test send no Origin; a browser on the gateway's
    own origin is covered above. Here: an agent socket with the gateway's own Origin."""
    agent = await gw.logged_in_agent("ana", "Ana", connect=False)
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        gw.url,
        namespaces=["/agent"],
        auth={"token": agent.token},
        transports=TRANSPORTS,
        headers={"Origin": gw.url},
        wait_timeout=5,
    )
    try:
        answer = await sio.call("queue", {}, namespace="/agent", timeout=5)
        assert answer == {"ok": True, "queue": []}
    finally:
        await sio.disconnect()
