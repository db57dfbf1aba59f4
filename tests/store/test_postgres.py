"""The same store on PostgreSQL: the scale-out database behind STORE_DATABASE_URL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy

from shop import OrderState, StoreService
from shop.database import make_engine, make_session_factory
from shop.seed import seed_store
from tests.store.demo_store import NOW, TODAY

POSTGRES_URL = os.environ.get("STORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_store() -> Iterator[StoreService]:
    admin = sqlalchemy.create_engine(POSTGRES_URL, future=True)
    try:
        with admin.connect():
            pass
    except sqlalchemy.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (set STORE_TEST_POSTGRES_URL): {exc}")
    schema = f"store_test_{secrets.token_hex(6)}"
    with admin.begin() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        seed_store(engine, TODAY)
        yield StoreService(make_session_factory(engine), lambda: NOW)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_seed_and_commands_on_postgresql(postgres_store: StoreService) -> None:
    store = postgres_store
    delayed = store.find_order("ORD-10003", email="sofia.rossi@example.com")
    assert delayed.state is OrderState.DELAYED
    assert delayed.days_late == 5
    cancelled = store.cancel_order("ORD-10001", conversation_id="pg")
    assert cancelled.order.state is OrderState.CANCELLED
    approval = store.create_approval_request(
        "ORD-10015", remedy="replacement", amount_cents=89900, reason="over budget", conversation_id="pg"
    )
    overview = store.customer_overview("CUS-0015")
    assert overview.open_approvals == (approval,)
    approved = store.approve_request(approval.approval_id, decided_by="Sam")
    assert approved.approval.status == "approved" and approved.remedy.kind == "replacement"
    refund, created = store.carry_out_remedy(
        "ORD-10003",
        kind="refund",
        amount_cents=1000,
        reason="r",
        decided_by="Ana",
        conversation_id="pg",
        request_key="console:pg:1",
    )
    assert created and store.carry_out_remedy(
        "ORD-10003",
        kind="refund",
        amount_cents=1000,
        reason="r",
        decided_by="Ana",
        conversation_id="pg",
        request_key="console:pg:1",
    ) == (refund, False)
    assert store.refund_duplicate_charge("ORD-10010", conversation_id="pg").status == "issued"
    assert store.remedies_in_window("CUS-0025", days=30) == 2
