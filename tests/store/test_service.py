"""StoreService: ownership checks, the read API for other services, and commands."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from shop import (
    ApprovalAlreadyDecided,
    ApprovalNotFound,
    CustomerNotFound,
    NothingToRefund,
    OrderNotFound,
    OrderState,
    OrderStateConflict,
    RemedyFacts,
    StoreService,
    StoreUnavailable,
    open_store,
)
from shop.service import REFUND_BUSINESS_DAYS, add_business_days
from tests.store.demo_store import NOW, TODAY, sqlite_url, store_on

PROCESSING, IN_TRANSIT, DELAYED, DELIVERED = "ORD-10001", "ORD-10002", "ORD-10003", "ORD-10004"
DOUBLE_CHARGE, REFUND_PENDING = "ORD-10010", "ORD-10008"


def test_find_order_needs_the_owners_email(store: StoreService) -> None:
    order = store.find_order(DELAYED, email="  Sofia.Rossi@Example.com ")
    assert order.order_id == DELAYED
    assert order.customer_id == "CUS-0003"
    assert store.find_order(DELAYED, customer_id="CUS-0003").order_id == DELAYED


@pytest.mark.parametrize(
    ("order_id", "identity"),
    [
        (DELAYED, {"email": "emma.jansen@example.com"}),  # someone else's order
        ("ORD-99999", {"email": "sofia.rossi@example.com"}),  # no such order
        (DELAYED, {"customer_id": "CUS-0001"}),
        (DELAYED, {}),  # no identity at all
    ],
)
def test_wrong_owner_and_missing_order_look_the_same(
    store: StoreService, order_id: str, identity: dict[str, str]
) -> None:
    with pytest.raises(OrderNotFound) as error:
        store.find_order(order_id, **identity)
    assert str(error.value) == f"order {order_id} not found for this customer"


def test_order_facts_of_a_delayed_order(store: StoreService) -> None:
    order = store.order_facts(DELAYED)
    assert order.state is OrderState.DELAYED
    assert order.as_of == TODAY
    assert order.days_late == (TODAY - order.promised_date).days > 0
    assert order.shipment is not None
    assert order.shipment.carrier in {"DHL", "UPS", "DPD", "GLS", "PostNL"}
    assert order.shipment.last_scan is not None
    assert order.shipment.last_scan.description == "Delayed in the carrier's network"
    assert not order.changeable


def test_customer_overview_for_the_handoff_summary(store: StoreService) -> None:
    overview = store.customer_overview("CUS-0025")  # owner of ORD-10025, two recent remedies
    assert overview.customer.email == "nora.lindqvist@example.com"
    assert [o.order_id for o in overview.orders] == sorted(
        (o.order_id for o in overview.orders), key=lambda oid: store.order_facts(oid).placed_at, reverse=True
    )
    assert "ORD-10025" in {o.order_id for o in overview.orders}
    assert [r.kind for r in overview.recent_resolutions] == ["credit", "reship"]
    assert store.remedies_in_window("CUS-0025", days=30) == 2
    assert overview.open_approvals == ()
    with pytest.raises(CustomerNotFound):
        store.customer_overview("CUS-9999")


def test_cancel_an_unshipped_order_refunds_what_was_charged(store: StoreService) -> None:
    result = store.cancel_order(PROCESSING, conversation_id="conv-1")
    assert result.order.state is OrderState.CANCELLED
    assert result.refund is not None
    assert result.refund.amount == result.order.total
    assert result.refund.status == "pending"
    assert result.refund.expected_by == add_business_days(TODAY, 5)
    overview = store.customer_overview(result.order.customer_id)
    assert overview.recent_resolutions[0].kind == "cancellation"
    assert overview.recent_resolutions[0].conversation_id == "conv-1"
    with pytest.raises(OrderStateConflict):
        store.cancel_order(PROCESSING, conversation_id="conv-1")


def test_a_shipped_order_cannot_be_cancelled_or_readdressed(store: StoreService) -> None:
    with pytest.raises(OrderStateConflict) as error:
        store.cancel_order(IN_TRANSIT, conversation_id="c")
    assert error.value.state == "in_transit"
    with pytest.raises(OrderStateConflict):
        store.change_address(IN_TRANSIT, "Somewhere 1, 1000 AA Town", conversation_id="c")


def test_change_address_before_dispatch(store: StoreService) -> None:
    old, new = store.change_address(PROCESSING, "  Damrak 1, 1012 LG Amsterdam ", conversation_id="c")
    assert old == "Torstraße 45, 10119 Berlin, DE"
    assert new == "Damrak 1, 1012 LG Amsterdam"
    assert store.order_facts(PROCESSING).shipping_address == new


def test_start_return_is_idempotent(store: StoreService) -> None:
    first = store.start_return(DELIVERED, reason="changed_mind", conversation_id="c")
    again = store.start_return(DELIVERED, reason="changed_mind", conversation_id="c")
    assert first == again
    assert first.label_reference == "RET-10004-1"
    with pytest.raises(OrderStateConflict):
        store.start_return(PROCESSING, reason="changed_mind", conversation_id="c")


def test_duplicate_charge_is_refunded_once(store: StoreService) -> None:
    refund = store.refund_duplicate_charge(DOUBLE_CHARGE, conversation_id="c")
    assert refund.status == "issued"
    assert refund.issued_at == NOW
    assert store.order_facts(DOUBLE_CHARGE).duplicate_charges == ()
    with pytest.raises(NothingToRefund):
        store.refund_duplicate_charge(DOUBLE_CHARGE, conversation_id="c")


def test_refunds_never_exceed_what_was_paid(store: StoreService) -> None:
    total = store.order_facts(DELAYED).total
    refund = store.issue_refund(DELAYED, amount_cents=total.cents * 3, reason="late", conversation_id="c")
    assert refund.amount == total
    with pytest.raises(NothingToRefund):
        store.issue_refund(DELAYED, amount_cents=100, reason="late", conversation_id="c")
    with pytest.raises(NothingToRefund):
        store.issue_refund(REFUND_PENDING, amount_cents=100, reason="again", conversation_id="c")


def test_approval_requests_are_reused_while_pending(store: StoreService) -> None:
    first = store.create_approval_request(
        "ORD-10015", remedy="refund", amount_cents=89900, reason="r", conversation_id="c"
    )
    again = store.create_approval_request(
        "ORD-10015", remedy="refund", amount_cents=89900, reason="r", conversation_id="c"
    )
    assert first.approval_id == again.approval_id
    assert first.status == "pending"
    assert store.pending_approvals() == (first,)
    assert store.order_facts("ORD-10015").open_approvals == (first,)


def test_a_persons_refund_is_carried_out_once_per_request_key(store: StoreService) -> None:
    first, created = store.carry_out_remedy(
        DELAYED,
        kind="refund",
        amount_cents=5000,
        reason="agreed in the support chat",
        decided_by="Ana Agent",
        conversation_id="c",
        request_key="console:c:click-1",
    )
    assert created is True
    assert first.kind == "refund" and str(first.amount) == "50.00 EUR"
    assert first.refund is not None and first.refund.status == "pending"
    assert first.refund.expected_by == add_business_days(TODAY, REFUND_BUSINESS_DAYS)
    assert first.reference == f"REF-{first.refund.refund_id:05d}"
    # The double click: the same answer, and still one refund.
    again, created = store.carry_out_remedy(
        DELAYED,
        kind="refund",
        amount_cents=5000,
        reason="agreed in the support chat",
        decided_by="Ana Agent",
        conversation_id="c",
        request_key="console:c:click-1",
    )
    assert (again, created) == (first, False)
    assert store.remedy_for_request("console:c:click-1") == first
    assert store.remedy_for_request("console:c:other") is None
    assert [str(r.amount) for r in store.order_facts(DELAYED).refunds] == ["50.00 EUR"]
    resolution = store.customer_overview("CUS-0003").recent_resolutions[0]
    assert (resolution.kind, resolution.actor) == ("refund", "agent")
    assert resolution.detail == "Refund of 50.00 EUR by Ana Agent (agreed in the support chat)"


def test_concurrent_requests_with_one_key_carry_out_one_remedy(store: StoreService) -> None:
    start = threading.Barrier(4)

    def click() -> bool:
        start.wait()
        _, created = store.carry_out_remedy(
            DELAYED,
            kind="refund",
            amount_cents=2000,
            reason="r",
            decided_by="Ana",
            conversation_id="c",
            request_key="console:c:same",
        )
        return created

    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(lambda _: click(), range(4)))
    assert sorted(created) == [False, False, False, True]
    assert len(store.order_facts(DELAYED).refunds) == 1


def test_a_persons_remedies_respect_the_order(store: StoreService) -> None:
    def remedy(order_id: str, kind: str, cents: int, key: str) -> tuple[RemedyFacts, bool]:
        return store.carry_out_remedy(
            order_id,
            kind=kind,
            amount_cents=cents,
            reason="r",
            decided_by="Ana",
            conversation_id="c",
            request_key=key,
        )

    # Never more than is left to refund; nothing once it is all refunded.
    total = store.order_facts(DELAYED).total
    capped, _ = remedy(DELAYED, "refund", total.cents * 2, "k1")
    assert capped.amount == total
    with pytest.raises(NothingToRefund):
        remedy(DELAYED, "refund", 100, "k2")
    # Nothing is sent again for an order that has not shipped; credit is always possible.
    with pytest.raises(OrderStateConflict):
        remedy(PROCESSING, "replacement", 13900, "k3")
    credit, created = remedy(PROCESSING, "credit", 1500, "k4")
    assert created and credit.refund is None and credit.reference == f"RES-{credit.resolution_id:05d}"
    reship, _ = remedy(DELAYED, "reship", 19900, "k5")
    due = store.resolutions_due_for_follow_up(TODAY + timedelta(days=3))
    assert [r.resolution_id for r in due] == [reship.resolution_id]
    assert store.remedy_for_request("k2") is None and store.remedy_for_request("k3") is None


def test_approving_a_request_carries_the_remedy_out_once(store: StoreService) -> None:
    request = store.create_approval_request(
        "ORD-10015", remedy="refund", amount_cents=89900, reason="over budget", conversation_id="c"
    )
    outcome = store.approve_request(request.approval_id, decided_by="Sam Supervisor", note="loyal customer")
    approval = outcome.approval
    assert (approval.status, approval.decided_by, approval.decision_note) == (
        "approved",
        "Sam Supervisor",
        "loyal customer",
    )
    assert approval.decided_at == NOW and approval.reference == f"APR-{request.approval_id:05d}"
    assert outcome.remedy.refund is not None and str(outcome.remedy.amount) == "899.00 EUR"
    assert store.approval(request.approval_id) == approval
    assert store.approval_requests(order_id="ORD-10015") == (approval,)
    assert store.approval_requests(conversation_id="c") == (approval,)
    assert store.pending_approvals() == ()
    # Neither a second approval nor a late rejection applies it again.
    with pytest.raises(ApprovalAlreadyDecided, match="already approved"):
        store.approve_request(request.approval_id, decided_by="Ana")
    with pytest.raises(ApprovalAlreadyDecided):
        store.decline_request(request.approval_id, decided_by="Ana")
    assert len(store.order_facts("ORD-10015").refunds) == 1


def test_rejecting_a_request_changes_nothing_else(store: StoreService) -> None:
    request = store.create_approval_request(
        "ORD-10015", remedy="replacement", amount_cents=89900, reason="over budget", conversation_id="c"
    )
    rejected = store.decline_request(request.approval_id, decided_by="Sam", note="offered a repair")
    assert (rejected.status, rejected.decision_note) == ("rejected", "offered a repair")
    assert store.customer_overview("CUS-0015").recent_resolutions == ()
    with pytest.raises(ApprovalAlreadyDecided, match="already rejected"):
        store.approve_request(request.approval_id, decided_by="Sam")
    with pytest.raises(ApprovalNotFound):
        store.approve_request(999_999, decided_by="Sam")
    with pytest.raises(ApprovalNotFound):
        store.approval(999_999)


def test_an_approval_that_cannot_be_carried_out_stays_pending(store: StoreService) -> None:
    request = store.create_approval_request(
        REFUND_PENDING, remedy="refund", amount_cents=1000, reason="r", conversation_id="c"
    )
    with pytest.raises(NothingToRefund):
        store.approve_request(request.approval_id, decided_by="Sam")
    assert store.approval(request.approval_id).status == "pending"


def test_password_reset_only_for_known_accounts(store: StoreService) -> None:
    expires = store.request_password_reset("Emma.Jansen@example.com", conversation_id="c")
    assert expires is not None and (expires - NOW).total_seconds() == 3600
    assert store.request_password_reset("nobody@example.com", conversation_id="c") is None


def test_complaints_handoffs_and_follow_ups_are_recorded(store: StoreService) -> None:
    complaint = store.record_complaint("Awful service", conversation_id="c", customer_id="CUS-0003")
    handoff = store.record_handoff_request(
        conversation_id="c", reason="request_human", customer_id="CUS-0003"
    )
    assert complaint >= 1 and handoff >= 1
    overview = store.customer_overview("CUS-0003")
    assert overview.complaints_last_90_days == 1
    assert overview.handoffs_last_90_days == 1
    store.record_remedy(
        DELAYED, kind="reship", amount_cents=0, detail="d", conversation_id="c", follow_up_days=3
    )
    assert store.resolutions_due_for_follow_up(date(2026, 3, 20)) == ()
    due = store.resolutions_due_for_follow_up(date(2026, 3, 21))
    assert [r.kind for r in due] == ["reship"]
    assert store.mark_followed_up(due[0].resolution_id) is True
    assert store.mark_followed_up(due[0].resolution_id) is False
    assert store.mark_followed_up(999_999) is False
    assert store.resolutions_due_for_follow_up(date(2026, 3, 21)) == ()


def test_invoice_is_sent_to_the_order_email(store: StoreService) -> None:
    invoice = store.send_invoice(DELIVERED, conversation_id="c")
    assert invoice.email == "noah.muller@example.com"
    assert invoice.invoice_number == "INV-2026-10004"


def test_a_broken_database_is_reported_as_unavailable(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    store = store_on(broken)
    with pytest.raises(StoreUnavailable):
        store.order_facts(DELAYED)


def test_open_store_creates_the_schema(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "sub" / "fresh.db"), clock=lambda: NOW)
    assert store.customer_by_email("x@example.com") is None
    assert store.today() == TODAY
