"""Fixtures for the agent console's browser tests: the real gateway (its app factory, on a
real port, serving handoff/console/ at /agent), the fake Rasa of the gateway's own tests,
real python-socketio customers, and Debian's Chromium driven by Playwright.

The context summary here is a fixed, realistic one (`case_summary`): what the summary
*says* is handoff/summary/build.py's job and is tested there; these tests check that the console
shows whatever summary the gateway stored, beside the live transcript. The store is the
seeded demo store plus the case's own order (`add_case_order`), so "make it right" acts on
the order the summary shows.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from handoff.app import GATEWAY, Gateway, create_app
from handoff.escalation.adapter import ModulePolicy
from handoff.escalation.decision import EscalationReason
from handoff.escalation.policy import ReasonCode, load_policy
from handoff.escalation.port import Verdict
from handoff.persistence import queries
from handoff.persistence.records import Message
from handoff.settings import REPO_ROOT, Settings
from handoff.summary.build import BotStep, ContextSummary, FeelingPoint, StakesInfo
from handoff.summary.facts import CustomerRecord, OrderLine, OrderRecord
from shop import StoreService
from shop import models as m
from shop.database import make_engine, make_session_factory
from tests.handoff.clients import Customer
from tests.handoff.fake_rasa import TOKEN, FakeRasa
from tests.store.conftest import seeded_template, store_path  # noqa: F401 (fixtures: a seeded store)
from tests.store.demo_store import NOW, TODAY, sqlite_url, store_on
from tests.support.teardown import bounded

# On a loaded 2-core machine Chromium can take longer than Playwright's 5 s default to
# move focus or repaint; the assertions stay the same, they may just wait longer.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CONSOLE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 720}
PASSWORD = "correct horse battery staple"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts" / "console"

DEADLINE = (date.today() + timedelta(days=1)).isoformat()


def case_summary(conversation_id: str) -> dict[str, Any]:
    """A funeral-flowers case in handoff/summary/build.py's own dataclasses, so a change to the
    summary's shape shows up here as a failing console test, not as a blank panel."""
    order = OrderRecord(
        order_id="ORD-10234",
        customer_id="C-1001",
        state="delayed",
        placed_on="2026-11-15",
        promised_date="2026-11-19",
        days_late=3,
        items=("White lily funeral wreath",),
        total="64.90 EUR",
        shipping_method="standard",
        carrier="DPD",
        tracking_number="DPD123456",
        last_scan="Sorting centre, 2026-11-19",
    )
    customer = CustomerRecord(
        customer_id="C-1001",
        name="Maria Lopez",
        email="maria@example.com",
        customer_since="2021-03-14",
        recent_orders=(OrderLine("ORD-10234", "delayed", "2026-11-15", "64.90 EUR", 3),),
    )
    summary = ContextSummary(
        conversation_id=conversation_id,
        built_at="2026-11-22T09:00:00+00:00",
        customer=customer,
        problem="Funeral flowers for her grandmother's service tomorrow have not arrived and are 3 days late.",
        order=order,
        feelings=[
            FeelingPoint(1, "anxious", 0.2, 0.2, ["where are my flowers"], "where are my flowers?"),
            FeelingPoint(2, "sad", 0.5, 0.45, ["the funeral is tomorrow"], "the funeral is tomorrow"),
            FeelingPoint(3, "frustrated", 0.9, 0.8, ["unacceptable"], "this is unacceptable"),
        ],
        stakes=StakesInfo("bereavement", DEADLINE, "tomorrow", 1, True),
        bot_steps=[
            BotStep(1, "did", "Looked up order ORD-10234"),
            BotStep(2, "store", "Started an express reship (arrives tomorrow by 10:00)"),
            BotStep(2, "offered", "A full refund of 64.90 EUR"),
        ],
        reasons=[
            EscalationReason(
                ReasonCode.HIGH_STAKES, "bereavement with a late order", "the funeral is tomorrow", 4, 2
            )
        ],
        next_step="Confirm the express reship arrives before the service, and refund the delivery.",
        opening_line=(
            "Maria, I'm so sorry about your grandmother, and that the lily wreath for tomorrow "
            "hasn't arrived. I can see everything you've told us, so let's make sure it's there in time."
        ),
        transcript=[],
    )
    return summary.to_dict()


def add_case_order(path: Path) -> None:
    """The case's order (ORD-10234, Maria's funeral wreath, three days late) in the store."""
    engine = make_engine(sqlite_url(path))
    with make_session_factory(engine)() as session, session.begin():
        session.add(
            m.Customer(
                id="C-1001", email="maria@example.com", name="Maria Lopez", created_at=datetime(2021, 3, 14)
            )
        )
        session.add(
            m.Order(
                id="ORD-10234",
                customer_id="C-1001",
                status="shipped",
                placed_at=NOW - timedelta(days=7),
                promised_date=TODAY - timedelta(days=3),
                shipping_address="Keizersgracht 112, 1015 CW Amsterdam, NL",
                shipping_method="standard",
                total_cents=6490,
                currency="EUR",
                payment_method="Visa ending 4242",
                items=[
                    m.OrderItem(
                        sku="FW-100",
                        name="White lily funeral wreath",
                        product_family="flowers",
                        quantity=1,
                        unit_price_cents=6490,
                    )
                ],
                shipments=[
                    m.Shipment(
                        carrier="DPD",
                        tracking_number="DPD123456",
                        status="in_transit",
                        shipped_at=NOW - timedelta(days=6),
                    )
                ],
                payments=[
                    m.Payment(
                        amount_cents=6490,
                        method="Visa ending 4242",
                        charged_at=NOW - timedelta(days=7),
                        status="captured",
                    )
                ],
            )
        )
    engine.dispose()


class ScriptedSummaryPolicy:
    """The real escalation decision and priority; the fixed summary above plus the real
    transcript (as the gateway's adapter adds it)."""

    def __init__(self, real: ModulePolicy) -> None:
        self.real = real

    def decide(self, tracker: dict[str, Any], latest_message: str) -> Verdict:
        return self.real.decide(tracker, latest_message)

    def priority(self, verdict: Verdict, waiting_seconds: float) -> float:
        return self.real.priority(verdict, waiting_seconds)

    def summarize(
        self, tracker: dict[str, Any] | None, verdict: Verdict, transcript: Sequence[Message]
    ) -> dict[str, Any]:
        data = case_summary(transcript[0].conversation_id if transcript else "")
        # As the gateway's adapter does: the verdict's reasons and the stored transcript.
        data.setdefault("escalation_reasons", verdict.reasons)
        data["transcript"] = [{"seq": m.seq, "role": m.role, "text": m.text} for m in transcript]
        return data


@dataclass
class Stack:
    url: str
    gateway: Gateway
    rasa: FakeRasa
    shop: StoreService
    customers: list[Customer] = field(default_factory=list)

    def customer(self) -> Customer:
        client = Customer(self.url)
        self.customers.append(client)
        return client

    async def create_agent(self, username: str, name: str) -> None:
        password_hash = self.gateway.auth.hasher.hash(PASSWORD)
        await self.gateway.database.run(
            queries.insert_agent, username, name, password_hash, role="agent", now=time.time()
        )

    async def settle(self) -> None:
        await self.gateway.customers.drain()
        await self.gateway.agents.drain()


@pytest_asyncio.fixture
async def stack(tmp_path: Path, store_path: Path) -> AsyncIterator[Stack]:  # noqa: F811 (imported fixture)
    fake = FakeRasa()
    rasa_server = TestServer(fake.app(), host="127.0.0.1")
    await rasa_server.start_server()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'handoff.db'}",
        secret=secrets.token_hex(32).encode(),
        rasa_url=str(rasa_server.make_url("")).rstrip("/"),
        rasa_token=TOKEN,
        rasa_timeout=2.0,
        max_chats_per_agent=2,
        widget_dir=tmp_path / "no-widget",
    )
    policy = ScriptedSummaryPolicy(ModulePolicy(load_policy(settings.escalation_policy_path)))
    add_case_order(store_path)
    shop = store_on(store_path)
    app = create_app(settings, policy=policy, shop=shop)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    running = Stack(str(server.make_url("")).rstrip("/"), app[GATEWAY], fake, shop)
    try:
        yield running
    finally:
        for customer in running.customers:
            await bounded(customer.disconnect(), "customer disconnect")
        await bounded(running.settle(), "gateway settle")
        await bounded(server.close(), "gateway server close")
        await bounded(rasa_server.close(), "fake Rasa close")


# A spy installed before the console loads: records desktop notifications and chimes
# without changing what the console does.
SPY = """
window.__alerts = { notifications: [], chimes: 0 };
if (window.Notification) {
  const Real = window.Notification;
  window.Notification = function (title, options) {
    window.__alerts.notifications.push({ title, body: options && options.body });
    return new Real(title, options);
  };
  Object.defineProperty(window.Notification, "permission", { get: () => Real.permission });
  window.Notification.requestPermission = (...a) => Real.requestPermission(...a);
}
const realStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__alerts.chimes += 1;
  return realStart.apply(this, args);
};
"""


@dataclass
class Browsers:
    """One Chromium profile (fresh user-data dir) per agent, as two people on two machines."""

    tmp_path: Path
    base_url: str
    playwright: Any
    contexts: list[BrowserContext] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    async def agent_page(self, name: str) -> Page:
        context = await self.playwright.chromium.launch_persistent_context(
            str(self.tmp_path / f"profile-{name}"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
        )
        await context.grant_permissions(["notifications"], origin=self.base_url)
        await context.add_init_script(SPY)
        self.contexts.append(context)
        page = context.pages[0] if context.pages else await context.new_page()
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(f"{name}: {m.text}"))
        page.on("pageerror", lambda e: self.console_errors.append(f"{name}: {e}"))
        await page.goto(f"{self.base_url}/agent")
        return page


@pytest_asyncio.fixture
async def browsers(tmp_path: Path, stack: Stack) -> AsyncIterator[Browsers]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        running = Browsers(tmp_path, stack.url, playwright)
        try:
            yield running
        finally:
            for context in running.contexts:
                await bounded(context.close(), "browser context close")


async def login(page: Page, username: str) -> None:
    await page.fill("#login-username", username)
    await page.fill("#login-password", PASSWORD)
    await page.press("#login-password", "Enter")
    await page.wait_for_selector("#console-view:not([hidden])")
    await page.wait_for_selector("#connection.connected")
