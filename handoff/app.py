"""The gateway's app factory: aiohttp + python-socketio, every resource opened and closed in
cleanup_ctx, every dependency passed explicitly."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import socketio
from aiohttp import web

from handoff.agents.api import PREFIX, ROUTES, AgentApi, Route, domain_errors
from handoff.agents.audit import AuditTrail
from handoff.agents.auth import AgentAuth
from handoff.agents.login_guard import LoginGuard, LoginLimits
from handoff.agents.namespace import AgentNamespace
from handoff.agents.next_steps import NextStepCatalog
from handoff.agents.remedies import RemedyDesk
from handoff.agents.routing import HighEmotion, Router, Scheduler
from handoff.agents.service import AgentService
from handoff.agents.suggestions import Suggester
from handoff.customers.namespace import CustomerNamespace
from handoff.customers.service import CustomerService
from handoff.customers.session_ids import SessionSigner
from handoff.edge import ClientAddresses, OriginPolicy, SecurityHeaders, edge_guard
from handoff.escalation.adapter import ModulePolicy
from handoff.escalation.escalator import Escalator
from handoff.escalation.policy import load_policy
from handoff.escalation.port import EscalationPolicy
from handoff.notify import Notifier
from handoff.persistence.messenger import Messenger
from handoff.persistence.tables import Database, make_engine
from handoff.rasa_client import RasaClient
from handoff.settings import AgentBudget, Settings, load_agent_budget
from handoff.summary.facts import StoreReader
from handoff.summary.store_reader import StoreServiceReader
from shop import StoreService, open_store
from shop.settings_files import MakeItRightBudget

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


@dataclass
class Gateway:
    """Everything a running gateway holds; one instance per app (and so per test)."""

    database: Database
    customers: CustomerService
    agents: AgentService
    auth: AgentAuth
    escalator: Escalator
    api: AgentApi
    trail: AuditTrail


@dataclass(frozen=True)
class Shop:
    """The shop's database (None without STORE_DATABASE_URL) and the make-it-right budgets
    of settings/make_it_right.yml: the bot's, and the agents' (`agents:`)."""

    store: StoreService | None
    bot_budget: MakeItRightBudget
    agent_budget: AgentBudget


SETTINGS = web.AppKey("settings", Settings)
SHOP = web.AppKey("shop", Shop)
SIO = web.AppKey("sio", socketio.AsyncServer)
GATEWAY = web.AppKey("gateway", Gateway)
ADDRESSES = web.AppKey("addresses", ClientAddresses)


def create_app(
    settings: Settings,
    policy: EscalationPolicy | None = None,
    clock: Clock = time.time,
    scheduler: Scheduler | None = None,
    shop: StoreService | None = None,
) -> web.Application:
    """Build the gateway. `policy` defaults to the real escalation modules reading
    `settings.escalation_policy_path`; tests may inject a fake. `scheduler` runs the
    high-emotion offer timers (the event loop by default; tests pass a manual one). `shop`
    is the store at `settings.store_database_url` unless given."""
    addresses = ClientAddresses(settings.trusted_proxies)
    origins = OriginPolicy(settings.cors_origins, addresses)
    # domain_errors outermost, so an error in the edge's own checks is answered in JSON too.
    app = web.Application(middlewares=[domain_errors, edge_guard(origins, _revoke_exposed_token)])
    # Typed as oddly as on_shutdown below; this is a (request, response) handler.
    app.on_response_prepare.append(SecurityHeaders(settings.widget_dir))  # type: ignore[arg-type]
    app[SETTINGS] = settings
    app[SHOP] = _shop(settings, shop)
    app[ADDRESSES] = addresses
    manager = (
        socketio.AsyncRedisManager(settings.redis_url, channel=settings.redis_channel)
        if settings.redis_url
        else None
    )
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        # The edge refuses other origins first (with a JSON error); engine.io's CORS headers
        # follow the same decision.
        cors_allowed_origins="*" if origins.any else origins.for_engineio,
        ping_interval=settings.ping_interval,
        ping_timeout=settings.ping_timeout,
        logger=False,
    )
    sio.attach(app)
    app[SIO] = sio
    # aiohttp 3.9 types on_shutdown oddly (a signal of handler factories); this is a handler.
    app.on_shutdown.append(_stop_sockets)  # type: ignore[arg-type]
    policy_file = load_policy(settings.escalation_policy_path)
    escalation_policy = policy or ModulePolicy(policy_file, _store_reader(app[SHOP].store), clock)
    routing = _Routing(HighEmotion.from_policy(policy_file), scheduler)
    app.cleanup_ctx.append(_gateway_ctx(escalation_policy, routing, clock))
    _add_api_routes(app)
    _add_static(app, settings)
    app.router.add_get("/health", _health)
    return app


async def close_client_connections(sio: socketio.AsyncServer) -> None:
    """Close every widget's and console's connection (the gateway is stopping).

    aiohttp waits for running handlers before it shuts down, and an open websocket's handler
    runs until its peer leaves: without this, Ctrl-C or a rolling restart would wait out
    aiohttp's 60 s shutdown timeout while any customer had the shop open. Their clients
    reconnect (with backoff) and resync what they missed from the stored transcript.
    """
    if sio.eio.sockets:  # engine.io's disconnect-all fails on an empty set
        logger.info("closing %d client connections", len(sio.eio.sockets))
        await sio.eio.disconnect()


async def _stop_sockets(app: web.Application) -> None:
    await close_client_connections(app[SIO])
    await app[SIO].shutdown()


def _shop(settings: Settings, store: StoreService | None) -> Shop:
    if store is None and settings.store_database_url:
        store = open_store(settings.store_database_url, create=False)
    # Both budgets are read at start, so a typo in the file stops the gateway, not a remedy.
    path = settings.make_it_right_path
    return Shop(store, MakeItRightBudget.load(path), load_agent_budget(path))


def _store_reader(store: StoreService | None) -> StoreReader | None:
    return StoreServiceReader(store) if store else None


@dataclass(frozen=True)
class _Routing:
    high_emotion: HighEmotion
    scheduler: Scheduler | None


def _gateway_ctx(
    policy: EscalationPolicy, routing: _Routing, clock: Clock
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings, sio = app[SETTINGS], app[SIO]
        database = Database(make_engine(settings.database_url))
        await database.run(lambda conn: None)  # fail fast on a bad URL
        database.create_schema()
        http = aiohttp.ClientSession()
        rasa = RasaClient(http, settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
        notifier = Notifier(sio)
        router = Router(settings, database, routing.high_emotion, clock, routing.scheduler)
        notifier.listen(router.on_team_event)
        messenger = Messenger(database, notifier, clock)
        escalator = Escalator(settings, messenger, rasa, policy, router)
        customers = CustomerService(
            settings=settings,
            messenger=messenger,
            rasa=rasa,
            escalator=escalator,
            policy=policy,
            signer=SessionSigner(settings.secret),
        )
        next_steps = NextStepCatalog.from_domain(settings.domain_path)
        agents = AgentService(
            settings, messenger, rasa, escalator, next_steps, high_emotion=routing.high_emotion
        )
        guard = LoginGuard(LoginLimits.from_settings(settings), clock)
        auth = AgentAuth(database, settings.agent_session_hours, clock, guard)
        trail = AuditTrail(database, clock)
        addresses = app[ADDRESSES]
        sio.register_namespace(CustomerNamespace(customers, settings.max_message_chars))
        agent_namespace = AgentNamespace(
            auth,
            agents,
            escalator,
            trail=trail,
            addresses=addresses,
            presence_grace_seconds=settings.presence_grace_seconds,
        )
        sio.register_namespace(agent_namespace)
        shop = app[SHOP]
        remedy_desk = RemedyDesk(database, messenger, shop.store, shop.agent_budget, shop.bot_budget)
        suggester = Suggester.from_folder(settings.empathy_content_dir)
        api = AgentApi(auth, agents, escalator, suggester, remedy_desk, trail=trail, addresses=addresses)
        app[GATEWAY] = Gateway(database, customers, agents, auth, escalator, api, trail)
        logger.info(
            "handoff gateway ready (database %s)", database.engine.url.render_as_string(hide_password=True)
        )
        try:
            yield
        finally:
            messenger.stale_typing.close()
            agent_namespace.close()
            router.close()
            await customers.drain()
            await agents.drain()
            await router.drain()
            await http.close()
            guard.close()
            database.close()
            logger.info("handoff gateway stopped")

    return ctx


def _add_api_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, PREFIX + route.path, _delegate(route))


def _delegate(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await request.app[GATEWAY].api.dispatch(route, request)

    return handler


async def _revoke_exposed_token(request: web.Request, token: str) -> None:
    """A token that came in a URL: its session ends (before the gateway is up, nothing to end)."""
    gateway = request.app.get(GATEWAY)
    if gateway is not None:
        await gateway.auth.revoke_exposed(token, request.app[ADDRESSES].of(request))


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def _add_static(app: web.Application, settings: Settings) -> None:
    """Serve widget/ at / and /widget/, the console at /agent, when they exist."""
    widget, console = settings.widget_dir, settings.console_dir
    if widget.is_dir():
        app.router.add_get("/", _index(widget))
        app.router.add_static("/widget/", widget)
    if console.is_dir():
        app.router.add_get("/agent", _index(console))
        app.router.add_static("/agent/", console)


def _index(directory: Path) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        index = directory / "index.html"
        if not index.is_file():
            raise web.HTTPNotFound(text=f"{directory.name}/index.html is missing")
        return web.FileResponse(index)

    return handler
