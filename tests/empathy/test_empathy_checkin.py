"""action_session_start: Rasa's session start plus the check-in on a resolved problem."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.checkin import ActionSessionStart
from actions.follow_ups import CheckIn
from actions.store_follow_ups import StoreFollowUps
from shop import open_store
from shop.database import make_engine, make_session_factory
from shop.identity import identity_tag
from shop.seed import seed_store

TODAY = date(2026, 3, 13)
NOW = datetime(2026, 3, 13, 9, 30)
DOMAIN = {"session_config": {"carry_over_slots_to_new_session": True, "session_expiration_time": 60}}


class FakeFollowUps:
    def __init__(self, check_in: CheckIn | None) -> None:
        self.check_in = check_in
        self.marked: list[tuple[int, datetime]] = []
        self.asked: list[tuple[str, date]] = []

    def due_check_in(self, customer_id: str, as_of: date) -> CheckIn | None:
        self.asked.append((customer_id, as_of))
        return self.check_in if not self.marked else None

    def mark_checked_in(self, resolution_id: int, at: datetime) -> None:
        self.marked.append((resolution_id, at))


REPLACEMENT = CheckIn(7, "replacement", "ORD-10234", "LEGO Creative Box", None, "Express replacement")


def tracker(slots: dict | None = None) -> Tracker:
    return Tracker(
        sender_id="returning-customer",
        slots=slots or {},
        latest_message={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(action: ActionSessionStart, slots: dict | None = None, domain: dict | None = None):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(slots), domain or DOMAIN)
    return dispatcher.messages, events


async def test_returning_customer_is_asked_about_the_replacement_first():
    follow_ups = FakeFollowUps(REPLACEMENT)
    action = ActionSessionStart(lambda: follow_ups, clock=lambda: NOW)
    messages, events = await run(
        action, {"customer_id": "CUS-0001", "emotion": "frustrated", "order_id": "ORD-10234"}
    )
    assert [m["response"] for m in messages] == ["utter_checkin_replacement"]
    assert messages[0]["order_id"] == "ORD-10234" and messages[0]["item"] == "LEGO Creative Box"
    assert follow_ups.asked == [("CUS-0001", TODAY)]
    assert follow_ups.marked == [(7, NOW)]
    names = [e["event"] for e in events]
    assert names[0] == "session_started" and names[-1] == "action"
    carried = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    # The customer and the order carry over; a mood from last time does not; the
    # customer's yes/no answers the check-in (pending_offer, see actions/offers.py).
    assert carried == {"customer_id": "CUS-0001", "order_id": "ORD-10234", "pending_offer": "checkin"}


async def test_the_check_in_happens_once():
    follow_ups = FakeFollowUps(REPLACEMENT)
    action = ActionSessionStart(lambda: follow_ups, clock=lambda: NOW)
    await run(action, {"customer_id": "CUS-0001"})
    messages, _ = await run(action, {"customer_id": "CUS-0001"})
    assert messages == []


SECRET = b"the shop's identity secret"
REFUND = CheckIn(3, "refund", "ORD-10007", None, "42.00 EUR", "Refund")


async def test_customer_signed_in_by_the_shop_gets_the_check_in():
    follow_ups = FakeFollowUps(REFUND)
    action = ActionSessionStart(lambda: follow_ups, clock=lambda: NOW, identity_secret=SECRET)
    metadata = {"identity": {"customer_id": "CUS-0002", "hmac": identity_tag(SECRET, "CUS-0002")}}
    messages, events = await run(action, {"session_started_metadata": metadata})
    assert [m["response"] for m in messages] == ["utter_checkin_refund"]
    assert messages[0]["amount"] == "42.00 EUR"
    assert follow_ups.asked == [("CUS-0002", NOW.date())]
    assert {
        "event": "slot",
        "name": "session_started_metadata",
        "value": metadata,
        "timestamp": None,
    } in events


@pytest.mark.parametrize(
    "metadata",
    [
        {"customer": {"email": "anna@example.com"}},  # what any browser can claim
        {"identity": {"customer_id": "CUS-0002", "hmac": "0" * 64}},  # a forged tag
        {"identity": {"customer_id": "CUS-0002", "hmac": identity_tag(b"another secret", "CUS-0002")}},
    ],
)
async def test_an_unverified_claim_gets_no_check_in(metadata):
    follow_ups = FakeFollowUps(REFUND)
    action = ActionSessionStart(lambda: follow_ups, clock=lambda: NOW, identity_secret=SECRET)
    messages, _ = await run(action, {"session_started_metadata": metadata})
    assert messages == []
    assert follow_ups.asked == []


async def test_unknown_customer_starts_quietly():
    follow_ups = FakeFollowUps(REPLACEMENT)
    messages, events = await run(ActionSessionStart(lambda: follow_ups, clock=lambda: NOW))
    assert messages == []
    assert [e["event"] for e in events] == ["session_started", "action"]


async def test_no_carry_over_when_the_domain_says_so():
    follow_ups = FakeFollowUps(None)
    domain = {"session_config": {"carry_over_slots_to_new_session": False}}
    _, events = await run(ActionSessionStart(lambda: follow_ups), {"customer_id": "CUS-0001"}, domain)
    assert [e["event"] for e in events] == ["session_started", "action"]


async def test_a_broken_store_never_blocks_the_session(caplog):
    def broken():
        raise ConnectionError("database is down")

    messages, events = await run(ActionSessionStart(broken), {"customer_id": "CUS-0001"})
    assert messages == []
    assert events[0]["event"] == "session_started"
    assert "empathy.checkin_failed" in caplog.text


@pytest.fixture()
def seeded(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    summary = seed_store(engine, TODAY)
    store = open_store(url, clock=lambda: NOW, create=False)
    return store, StoreFollowUps(store, make_session_factory(engine)), summary


def test_real_store_finds_the_due_resolution_and_marks_it(seeded):
    store, follow_ups, summary = seeded
    order_id, email = summary.demo_orders["delivered_damaged"]
    customer = store.customer_by_email(email)
    assert customer is not None
    customer_id = customer.customer_id
    resolution = store.record_remedy(
        order_id,
        kind="replacement",
        amount_cents=0,
        detail="Express replacement",
        conversation_id="c1",
        follow_up_days=3,
    )
    assert follow_ups.due_check_in(customer_id, TODAY) is None  # not due yet
    due = follow_ups.due_check_in(customer_id, date(2026, 3, 16))
    assert due is not None
    assert (due.resolution_id, due.kind, due.order_id) == (resolution.resolution_id, "replacement", order_id)
    assert due.item
    follow_ups.mark_checked_in(due.resolution_id, NOW)
    assert follow_ups.due_check_in(customer_id, date(2026, 3, 16)) is None
