"""The agent console in real Chromium: markup in every field it shows (queue rows, the
context summary, the transcript, notes, agents' names, the make-it-right options) stays
inert text. The summary, the policy's reasons and the store's order are hostile on purpose:
they carry what customers typed and what the shop's data holds."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, expect

from handoff.app import GATEWAY, create_app
from handoff.escalation.decision import EscalationReason
from handoff.escalation.policy import ReasonCode
from handoff.escalation.port import Verdict
from handoff.persistence.records import Message
from handoff.settings import Settings
from handoff.summary.build import BotStep, ContextSummary, FeelingPoint, StakesInfo
from handoff.summary.facts import CustomerRecord, OrderLine, OrderRecord
from shop import models as m
from shop.database import make_engine, make_session_factory
from tests.console.conftest import ARTIFACTS, Browsers, Stack, browsers, login  # noqa: F401 (fixture)
from tests.handoff.fake_rasa import TOKEN, FakeRasa
from tests.security.xss import HOSTILE, HOSTILE_NAME, INIT_SCRIPT, assert_inert, watch_dialogs
from tests.store.conftest import seeded_template, store_path  # noqa: F401 (fixtures: a seeded store)
from tests.store.demo_store import NOW, TODAY, sqlite_url, store_on
from tests.support.teardown import bounded

ORDER_ID = "ORD-66601"
SHORT = "<img data-xss src=x onerror=\"window.__xss.push('short')\">"


def hostile_summary(conversation_id: str, transcript: Sequence[Message]) -> dict[str, Any]:
    order = OrderRecord(
        order_id=ORDER_ID,
        customer_id="C-6601",
        state="delayed",
        placed_on="2026-11-15",
        promised_date="2026-11-19",
        days_late=3,
        items=(HOSTILE_NAME,),
        total="64.90 EUR",
        shipping_method=SHORT,
        carrier=SHORT,
        tracking_number=SHORT,
        last_scan=HOSTILE,
    )
    customer = CustomerRecord(
        customer_id="C-6601",
        name=HOSTILE_NAME,
        email=f"{SHORT}@example.com",
        customer_since="2021-03-14",
        recent_orders=(OrderLine(ORDER_ID, "delayed", "2026-11-15", "64.90 EUR", 3),),
    )
    summary = ContextSummary(
        conversation_id=conversation_id,
        built_at="2026-11-22T09:00:00+00:00",
        customer=customer,
        problem=HOSTILE,
        order=order,
        feelings=[
            FeelingPoint(1, SHORT, 0.2, 0.2, [SHORT], HOSTILE),
            FeelingPoint(2, "frustrated", 0.9, 0.8, [HOSTILE], HOSTILE),
        ],
        stakes=StakesInfo(SHORT, "2026-12-24", SHORT, 1, True),
        bot_steps=[BotStep(1, "did", HOSTILE), BotStep(2, SHORT, HOSTILE)],
        reasons=[EscalationReason(ReasonCode.HIGH_STAKES, HOSTILE, HOSTILE, 4, 2)],
        next_step=HOSTILE,
        opening_line=HOSTILE,
        transcript=[],
    )
    data = summary.to_dict()
    data["escalation_reasons"] = ["request_human", SHORT]
    data["transcript"] = [{"seq": t.seq, "role": t.role, "text": t.text} for t in transcript]
    return data


class HostilePolicy:
    """Escalates when asked for a person, with markup in the reasons, evidence and inputs."""

    def decide(self, tracker: dict[str, Any], latest_message: str) -> Verdict:
        if "person" not in latest_message:
            return Verdict(escalate=False)
        evidence = {
            "code": SHORT,
            "detail": HOSTILE,
            "evidence_text": HOSTILE,
            "event_index": None,
            "turn": 1,
        }
        inputs = {"reasons": ["request_human", SHORT], "stakes": SHORT, "deadline": "2026-12-24"}
        return Verdict(True, ["request_human", SHORT], [evidence], {"priority_inputs": inputs})

    def priority(self, verdict: Verdict, waiting_seconds: float) -> float:
        return 1.0

    def summarize(
        self, tracker: dict[str, Any] | None, verdict: Verdict, transcript: Sequence[Message]
    ) -> dict[str, Any]:
        return hostile_summary(transcript[0].conversation_id if transcript else "", transcript)


def add_hostile_order(path: Path) -> None:
    """The summary's order in the store, its item and payment named with markup."""
    engine = make_engine(sqlite_url(path))
    with make_session_factory(engine)() as session, session.begin():
        session.add(
            m.Customer(
                id="C-6601", email="mallory@example.com", name=HOSTILE_NAME, created_at=datetime(2021, 3, 14)
            )
        )
        session.add(
            m.Order(
                id=ORDER_ID,
                customer_id="C-6601",
                status="shipped",
                placed_at=NOW - timedelta(days=7),
                promised_date=TODAY - timedelta(days=3),
                shipping_address=SHORT,
                shipping_method="standard",
                total_cents=6490,
                currency="EUR",
                payment_method=HOSTILE_NAME,
                items=[
                    m.OrderItem(
                        sku="XSS-1",
                        name=HOSTILE_NAME,
                        product_family="flowers",
                        quantity=1,
                        unit_price_cents=6490,
                    )
                ],
                shipments=[
                    m.Shipment(
                        carrier="DPD",
                        tracking_number="DPD66601",
                        status="in_transit",
                        shipped_at=NOW - timedelta(days=6),
                    )
                ],
                payments=[
                    m.Payment(
                        amount_cents=6490,
                        method=HOSTILE_NAME,
                        charged_at=NOW - timedelta(days=7),
                        status="captured",
                    )
                ],
            )
        )
    engine.dispose()


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
        widget_dir=tmp_path / "no-widget",
    )
    add_hostile_order(store_path)
    shop = store_on(store_path)
    app = create_app(settings, policy=HostilePolicy(), shop=shop)
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


async def console(browsers: Browsers, username: str) -> tuple[Page, list[str]]:  # noqa: F811
    page = await browsers.agent_page(username)
    await page.add_init_script(INIT_SCRIPT)
    await page.reload()  # the init script runs from this load on
    dialogs = watch_dialogs(page)
    await login(page, username)
    return page, dialogs


async def test_markup_in_everything_the_console_shows_stays_text(stack: Stack, browsers: Browsers) -> None:  # noqa: F811
    await stack.create_agent("alice", HOSTILE_NAME)
    await stack.create_agent("bob", f"Bob {SHORT}")
    page, dialogs = await console(browsers, "alice")
    await expect(page.locator("#team-list")).to_contain_text(HOSTILE_NAME)

    # Queue row: customer name, problem, reasons, stakes, deadline.
    customer = stack.customer()
    await customer.connect()
    await customer.say(HOSTILE)
    await customer.bot_text(lambda t: t.startswith("You said"))
    await customer.say("I want to talk to a person please")
    row = page.locator(".queue-row").first
    await expect(row).to_contain_text(HOSTILE_NAME)
    # Codes are humanised ("data-xss" → "data xss"), still as text.
    await expect(row.locator(".chip.stakes")).to_contain_text("<img data xss src=x onerror=")
    await expect(row.locator(".chip.reason").last).to_contain_text("<img data xss src=x onerror=")
    await assert_inert(page, dialogs)

    # The case: summary, chart, next step, opening line, suggestions, transcript.
    await row.locator("[data-role=claim]").click()
    await expect(page.locator("#case-state")).to_have_text("with you")
    await expect(page.locator("#case-title")).to_have_text(HOSTILE_NAME)
    await expect(page.locator("#case-problem")).to_contain_text(HOSTILE)
    await expect(page.locator("#next-step")).to_contain_text(HOSTILE)
    await expect(page.locator("#opening-line")).to_contain_text(HOSTILE)
    await expect(page.locator("#summary")).to_contain_text(HOSTILE)
    await expect(page.locator("#transcript .msg.customer").first.locator(".text")).to_have_text(HOSTILE)
    await customer.say(HOSTILE)
    await expect(page.locator("#transcript .msg.customer")).to_have_count(3)
    await assert_inert(page, dialogs)

    # The agent's own reply and a private note.
    await page.locator("#composer-text").fill(HOSTILE)
    await page.keyboard.press("Enter")
    await customer.bot_text(lambda t: t == HOSTILE)
    await expect(page.locator("#transcript .msg.agent").last.locator(".text")).to_have_text(HOSTILE)
    await page.locator("#note-text").fill(HOSTILE)
    await page.locator("#note-add").click()
    await expect(page.locator("#notes-list")).to_contain_text(HOSTILE)
    await assert_inert(page, dialogs)

    # Make it right: the options name the order's item and payment method.
    await page.locator("#remedy-button").click()
    dialog = page.locator("#dialog")
    await expect(dialog.locator("[data-remedy=refund]")).to_contain_text(HOSTILE_NAME)
    await expect(dialog.locator("[data-remedy=reship]")).to_contain_text(HOSTILE_NAME)
    await assert_inert(page, dialogs)
    await page.keyboard.press("Escape")

    # A second agent sees the first one's name in the team list; the first, in Transfer,
    # gets the second's name as a choice.
    bob_page, bob_dialogs = await console(browsers, "bob")
    await expect(bob_page.locator("#team-list")).to_contain_text(HOSTILE_NAME)
    await assert_inert(bob_page, bob_dialogs)
    await expect(page.locator("#team-list")).to_contain_text(f"Bob {SHORT}")
    await page.locator("#transfer-button").click()
    await expect(page.locator("#dialog")).to_contain_text(f"Bob {SHORT}")
    await assert_inert(page, dialogs)
    await page.keyboard.press("Escape")
    await page.screenshot(path=str(ARTIFACTS / "xss-inert.png"))
    await assert_inert(page, dialogs)
