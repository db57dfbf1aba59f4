"""Order status, delivery options and the identity rules of order lookups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.orders import ActionDeliveryOptions, ActionOrderStatus, dispatch_day
from actions.services import Services
from tests.actions.harness import make_tracker, run
from tests.store.demo_store import signed

DELAYED = {"order_id": "ORD-10003", "email": "sofia.rossi@example.com"}


async def test_delayed_order_gets_its_real_status_and_lateness(
    services: Services, domain: dict[str, Any]
) -> None:
    outcome = await run(ActionOrderStatus(services), make_tracker(domain, slots=DELAYED), domain)
    # The store's own record that the order is late goes to the escalation policy too.
    assert outcome.events == [SlotSet("pending_offer", "refund"), SlotSet("order_problems", ["overdue"])]
    [said] = outcome.said
    assert said.response == "utter_order_delayed"
    assert said.values == {
        "order_id": "ORD-10003",
        "promised_date": "Friday 13 March",
        "days_late": "5 days",
        "refund_amount": "199.00 EUR",
        "carrier": "DHL",
        "tracking_number": "JD012949363694",
        "last_scan_place": "Duisburg sorting hub",
        "last_scan_time": "Monday 9 March at 23:47",
        "last_scan_description": "Delayed in the carrier's network",
    }
    assert said.buttons == [
        {"title": "Refund me 199.00 EUR", "payload": '/inform{"offer_choice":"refund"}'},
        {"title": "I'll wait", "payload": "/deny"},
    ]


async def test_in_transit_order(services: Services, domain: dict[str, Any]) -> None:
    slots = {"order_id": "ORD-10002", "email": "liam.bakker@example.com"}
    outcome = await run(ActionOrderStatus(services), make_tracker(domain, slots=slots), domain)
    assert outcome.events == []
    [said] = outcome.said
    assert said.response == "utter_order_in_transit"
    assert said.values == {
        "order_id": "ORD-10002",
        "promised_date": "Thursday 19 March",
        "carrier": "PostNL",
        "tracking_number": "3S8616250235",
        "last_scan_place": "Lyon hub",
        "last_scan_time": "Tuesday 17 March at 09:07",
        "last_scan_description": "Sorted and on its way",
    }


async def test_processing_delivered_lost_and_cancelled(services: Services, domain: dict[str, Any]) -> None:
    cases = {
        ("ORD-10001", "emma.jansen@example.com"): ("utter_order_processing", []),
        ("ORD-10004", "noah.muller@example.com"): ("utter_order_delivered", []),
        ("ORD-10006", "lucas.silva@example.com"): (
            "utter_order_lost",
            [SlotSet("pending_offer", "reship"), SlotSet("order_problems", ["lost"])],
        ),
        ("ORD-10007", "hannah.schmidt@example.com"): ("utter_order_cancelled_refund_issued", []),
    }
    for (order_id, email), (response, events) in cases.items():
        tracker = make_tracker(domain, slots={"order_id": order_id, "email": email})
        outcome = await run(ActionOrderStatus(services), tracker, domain)
        assert outcome.responses == [response]
        assert outcome.events == events
    delivered = (
        await run(
            ActionOrderStatus(services),
            make_tracker(domain, slots={"order_id": "ORD-10004", "email": "noah.muller@example.com"}),
            domain,
        )
    ).said[0]
    assert delivered.values["delivered_at"] == "Sunday 15 March at 17:35"
    cancelled = (
        await run(
            ActionOrderStatus(services),
            make_tracker(domain, slots={"order_id": "ORD-10007", "email": "hannah.schmidt@example.com"}),
            domain,
        )
    ).said[0]
    assert cancelled.values == {
        "order_id": "ORD-10007",
        "cancelled_on": "Sunday 15 March",
        "refund_amount": "199.00 EUR",
        "issued_on": "Sunday 15 March",
        "payment_method": "Visa ending 4242",
    }


async def test_someone_elses_order_gets_the_not_found_answer(
    services: Services, domain: dict[str, Any]
) -> None:
    wrong_owner = make_tracker(domain, slots={"order_id": "ORD-10003", "email": "emma.jansen@example.com"})
    missing = make_tracker(domain, slots={"order_id": "ORD-19999", "email": "emma.jansen@example.com"})
    first = await run(ActionOrderStatus(services), wrong_owner, domain)
    second = await run(ActionOrderStatus(services), missing, domain)
    assert first.responses == second.responses == ["utter_order_not_found"]
    assert first.events == second.events == []
    assert first.said[0].values == {"order_id": "ORD-10003"}


async def test_customer_signed_in_by_the_shop_is_identified(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(domain, slots={"order_id": "ord 10003"}, metadata=signed("CUS-0003"))
    outcome = await run(ActionOrderStatus(services), tracker, domain)
    assert outcome.responses == ["utter_order_delayed"]


@pytest.mark.parametrize(
    "metadata",
    [
        {"customer": {"email": "Sofia.Rossi@example.com"}},
        {"identity": {"customer_id": "CUS-0003", "hmac": "f" * 64}},
        {"identity": {"customer_id": "CUS-0004", "hmac": signed("CUS-0003")["identity"]["hmac"]}},
    ],
)
async def test_a_forged_identity_in_metadata_reveals_nothing(
    services: Services, domain: dict[str, Any], metadata: dict[str, Any]
) -> None:
    tracker = make_tracker(domain, slots={"order_id": "ORD-10003"}, metadata=metadata)
    outcome = await run(ActionOrderStatus(services), tracker, domain)
    assert outcome.responses == ["utter_need_order_details"]
    assert outcome.events == []
    assert "sofia" not in repr(outcome.said).lower() and "DHL" not in repr(outcome.said)


async def test_verified_customer_id_is_enough(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={"order_id": "ORD-10003", "customer_id": "CUS-0003"})
    assert (await run(ActionOrderStatus(services), tracker, domain)).responses == ["utter_order_delayed"]


async def test_no_identity_asks_for_the_details(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={"order_id": "ORD-10003"})
    outcome = await run(ActionOrderStatus(services), tracker, domain)
    assert outcome.responses == ["utter_need_order_details"]
    assert outcome.events == []


async def test_an_understood_turn_ends_the_run_of_misses(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={**DELAYED, "failed_understanding": 1.0})
    outcome = await run(ActionOrderStatus(services), tracker, domain)
    assert outcome.events == [
        SlotSet("pending_offer", "refund"),
        SlotSet("failed_understanding", 0.0),
        SlotSet("order_problems", ["overdue"]),
    ]


async def test_delivery_options(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(
        ActionDeliveryOptions(services), make_tracker(domain, intent="delivery_options"), domain
    )
    assert outcome.events == []
    [said] = outcome.said
    assert said.response == "utter_delivery_options"
    assert said.values == {
        "methods": "Standard: 4.95 EUR, 2-4 business days; Express: 9.95 EUR, next business day; "
        "Pick-up point: 3.95 EUR, 2-3 business days, collect within 7 days",
        "cutoff": "14:00",
        "free_from": "50.00 EUR",
        "dispatch_day": "today",  # Wednesday 11:00 in Amsterdam, before the 14:00 cut-off
    }


def test_dispatch_day_skips_weekends() -> None:
    assert dispatch_day(datetime(2026, 3, 18, 13, 59), "14:00") == "today"
    assert dispatch_day(datetime(2026, 3, 18, 14, 0), "14:00") == "tomorrow"
    assert dispatch_day(datetime(2026, 3, 20, 15, 0), "14:00") == "on Monday"
    assert dispatch_day(datetime(2026, 3, 21, 9, 0), "14:00") == "on Monday"
