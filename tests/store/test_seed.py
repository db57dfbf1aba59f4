"""The demo seed: counts per state, reproducibility, relative dates, the docs table."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shop import OrderState, StoreService
from shop import models as m
from shop.database import make_engine, make_session_factory
from shop.seed import STATE_COUNTS, dealt_states, main
from shop.settings import REPO_ROOT
from tests.store.demo_store import NOW, TODAY, seed_file, sqlite_url, store_on

# How each seeded state reads through the store's own state logic.
EXPECTED_STATE = {
    "processing": OrderState.PROCESSING,
    "in_transit": OrderState.IN_TRANSIT,
    "delayed": OrderState.DELAYED,
    "delivered": OrderState.DELIVERED,
    "delivered_damaged": OrderState.DELIVERED,
    "lost": OrderState.LOST,
    "cancelled": OrderState.CANCELLED,
    "refund_pending": OrderState.DELIVERED,
    "refunded": OrderState.DELIVERED,
    "double_charge": OrderState.DELIVERED,
}


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for exact comparisons between seeds."""
    engine = make_engine(sqlite_url(path))
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
            for table in m.Base.metadata.sorted_tables
        }


def all_order_ids(path: Path) -> list[str]:
    with make_session_factory(make_engine(sqlite_url(path)))() as session:
        return list(session.execute(select(m.Order.id).order_by(m.Order.id)).scalars())


def test_seed_has_enough_customers_and_orders_in_every_state(seeded_template: Path) -> None:
    data = dump(seeded_template)
    assert len(data["customers"]) == 32
    assert len(data["orders"]) == 64
    assert Counter(dealt_states()) == Counter(dict(STATE_COUNTS))
    assert all_order_ids(seeded_template) == [f"ORD-{n}" for n in range(10001, 10065)]


def test_each_seeded_order_reads_as_its_state(seeded_template: Path) -> None:
    store = store_on(seeded_template)
    for index, state in enumerate(dealt_states()):
        order = store.order_facts(f"ORD-{10001 + index}")
        assert order.state is EXPECTED_STATE[state], (order.order_id, state)
        assert order.email.endswith("@example.com")
        assert order.items and order.total.cents == sum(i.line_total.cents for i in order.items)
        if state == "delayed":
            assert 2 <= order.days_late <= 5
            assert order.shipment is not None
            assert order.shipment.last_scan is not None
            assert order.shipment.last_scan.occurred_at < NOW
        if state == "in_transit":
            assert order.promised_date > TODAY
            assert order.shipment is not None
            assert order.shipment.last_scan is not None
            assert order.shipment.last_scan.occurred_at <= NOW
        if state == "refund_pending":
            assert [r.status for r in order.refunds] == ["pending"]
            assert order.refunds[0].expected_by > TODAY
        if state == "refunded":
            assert [r.status for r in order.refunds] == ["issued"]
        if state == "cancelled":
            assert order.refunds[0].status == "issued"
        if state == "double_charge":
            assert len(order.duplicate_charges) == 1
            assert order.duplicate_charges[0].amount == order.total
        if state == "delivered_damaged":
            assert order.shipment is not None
            assert order.shipment.last_scan is not None
            assert "damaged" in order.shipment.last_scan.description


def test_seed_is_reproducible_and_idempotent(tmp_path: Path, seeded_template: Path) -> None:
    again = tmp_path / "again.db"
    seed_file(again)
    assert dump(again) == dump(seeded_template)
    seed_file(again)  # seeding twice gives the same data, not twice the data
    assert dump(again) == dump(seeded_template)


def test_dates_move_with_today(tmp_path: Path, seeded_template: Path) -> None:
    later = tmp_path / "later.db"
    shift = timedelta(days=100)
    seed_file(later, TODAY + shift)
    base, moved = dump(seeded_template)["orders"], dump(later)["orders"]
    placed_column = [c.name for c in m.Order.__table__.columns].index("placed_at")
    assert [row[placed_column] + shift for row in base] == [row[placed_column] for row in moved]
    later_store = StoreService(make_session_factory(make_engine(sqlite_url(later))), lambda: NOW + shift)
    base_store = store_on(seeded_template)
    for order_id in all_order_ids(later):
        assert later_store.order_facts(order_id).state is base_store.order_facts(order_id).state


def test_demo_data_doc_matches_the_seed(seeded_template: Path) -> None:
    doc = (REPO_ROOT / "docs" / "demo-data.md").read_text(encoding="utf-8")
    rows = re.findall(r"\| (ORD-\d{5}) \| ([^ |]+@example\.com) \|", doc)
    assert len(rows) >= 10
    store = store_on(seeded_template)
    for order_id, email in rows:
        assert store.find_order(order_id, email=email).order_id == order_id


@pytest.mark.parametrize(
    ("order_id", "state"),
    [
        ("ORD-10001", OrderState.PROCESSING),
        ("ORD-10002", OrderState.IN_TRANSIT),
        ("ORD-10003", OrderState.DELAYED),
        ("ORD-10004", OrderState.DELIVERED),
        ("ORD-10006", OrderState.LOST),
        ("ORD-10007", OrderState.CANCELLED),
    ],
)
def test_documented_demo_orders_have_their_state(
    seeded_template: Path, order_id: str, state: OrderState
) -> None:
    assert store_on(seeded_template).order_facts(order_id).state is state


def test_command_line_seeds_the_given_url(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "cli.db"
    caplog.set_level("INFO")
    assert main(["--today", TODAY.isoformat(), "--url", sqlite_url(path)]) == 0
    assert len(all_order_ids(path)) == 64
    assert "Seeded 32 customers and 64 orders relative to 2026-03-18" in caplog.text
    assert "ORD-10003" in caplog.text


def test_command_line_rejects_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--today", "next tuesday"])
    assert exit_info.value.code == 2
    assert "--today" in capsys.readouterr().err


def test_command_line_reports_a_bad_url(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    assert main(["--url", "not a url"]) == 2
    assert "not a valid SQLAlchemy URL" in caplog.text
    not_a_db = tmp_path / "file.db"
    not_a_db.write_bytes(b"garbage" * 100)
    assert main(["--url", sqlite_url(not_a_db)]) == 1
    assert "Could not seed the store" in caplog.text
