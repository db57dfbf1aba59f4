"""The summary against the real store: a seeded SQLite database through StoreService."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.escalation.decision import decide
from handoff.escalation.policy import load_policy
from handoff.summary.build import build_summary
from handoff.summary.store_reader import StoreServiceReader
from shop.database import make_engine, make_session_factory
from shop.seed import SeedSummary, seed_store
from shop.service import StoreService
from tests.handoff.test_escalation_trackers import NOW, TrackerBuilder

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"
STORE_NOW = NOW.replace(tzinfo=None)  # the store keeps naive UTC times


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[StoreService, SeedSummary]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    seed = seed_store(engine, STORE_NOW.date())
    yield StoreService(make_session_factory(engine), clock=lambda: STORE_NOW), seed
    engine.dispose()


def test_reader_maps_the_seeded_delayed_order_and_its_customer(
    seeded: tuple[StoreService, SeedSummary],
) -> None:
    service, seed = seeded
    order_id, email = seed.demo_orders["delayed"]
    customer = service.customer_by_email(email)
    assert customer is not None
    reader = StoreServiceReader(service)

    order = reader.order(order_id)
    record = reader.customer(customer.customer_id)

    assert order is not None and record is not None
    assert order.order_id == order_id
    assert order.customer_id == customer.customer_id
    assert order.state == "delayed"
    assert order.days_late > 0
    assert order.carrier and order.last_scan
    assert record.email == email
    assert record.name == customer.name
    assert order_id in [line.order_id for line in record.recent_orders]
    assert reader.order("ORD-99999") is None
    assert reader.customer("no-such-customer") is None


def test_summary_from_the_real_store_shows_approval_made_in_this_conversation(
    seeded: tuple[StoreService, SeedSummary],
) -> None:
    service, seed = seeded
    order_id, email = seed.demo_orders["delayed"]
    customer = service.customer_by_email(email)
    assert customer is not None
    service.create_approval_request(
        order_id,
        remedy="express replacement",
        amount_cents=8900,
        reason="over the make-it-right budget",
        conversation_id="conv-real",
    )
    builder = TrackerBuilder("conv-real").user(
        "my dad's funeral is on Saturday and the order still hasn't arrived",
        "report_missing_item",
        emotion="sad",
        stakes="bereavement",
        deadline="2026-11-28",
    )
    builder.bot_turn(
        "action_report_missing_item",
        say=["It's late; I've asked a colleague to approve an express replacement."],
    )
    builder.slot("customer_id", customer.customer_id).slot("order_id", order_id)
    tracker = builder.build()
    decision = decide(tracker, load_policy(POLICY_FILE), NOW)

    summary = build_summary(tracker, StoreServiceReader(service), decision.reasons, NOW)

    assert summary.store_note is None, summary.store_note
    assert summary.customer is not None and summary.customer.name == customer.name
    assert summary.order is not None and summary.order.order_id == order_id
    assert f"({order_id})" in summary.problem and "days late" in summary.problem
    assert any(s.kind == "store" and "express replacement" in s.text for s in summary.bot_steps)
    assert summary.next_step.startswith("Decide the pending approval request: express replacement")
    assert summary.opening_line.startswith(f"Hi {customer.name.split()[0]},")
    assert order_id in summary.opening_line
