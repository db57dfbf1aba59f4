"""Returns, damage, refunds, payments, invoices, account, setup help, complaints, handoff."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.account import ActionAccountAccess, ActionAccountManagement
from actions.complaints import ActionComplaint, ActionHandoff
from actions.offers import ActionAcceptOffer
from actions.payments import ActionInvoice, ActionPaymentIssue
from actions.refunds import ActionRefundStatus, ActionRequestRefund
from actions.returns import ActionReportDamagedItem, ActionReportMissingItem, ActionReturnItem
from actions.services import Services
from actions.setup_help import ActionSetupHelp
from tests.actions.harness import make_tracker, run

DELIVERED = {"order_id": "ORD-10004", "email": "noah.muller@example.com"}
DAMAGED = {"order_id": "ORD-10005", "email": "mia.dubois@example.com"}
DOUBLE = {"order_id": "ORD-10010", "email": "elias.novak@example.com"}


async def test_return_starts_with_a_label_reference(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(
        ActionReturnItem(services), make_tracker(domain, slots=DELIVERED, intent="return_item"), domain
    )
    assert outcome.events == []
    [said] = outcome.said
    assert said.response == "utter_return_started"
    assert said.values == {
        "order_id": "ORD-10004",
        "label_reference": "RET-10004-1",
        "email": "noah.muller@example.com",
        "return_by": "Tuesday 14 April",
        "refund_amount": "218.90 EUR",
        "payment_method": "Apple Pay",
    }
    again = await run(
        ActionReturnItem(services), make_tracker(domain, slots=DELIVERED, intent="return_item"), domain
    )
    assert again.responses == ["utter_return_already_started"]
    assert again.said[0].values["label_reference"] == "RET-10004-1"


async def test_return_after_the_window_offers_a_person(services: Services, domain: dict[str, Any]) -> None:
    slots = {"order_id": "ORD-10014", "email": "leo.visser@example.com"}
    outcome = await run(ActionReturnItem(services), make_tracker(domain, slots=slots), domain)
    assert outcome.responses == ["utter_return_window_closed"]
    assert outcome.said[0].values == {
        "order_id": "ORD-10014",
        "return_by": "Saturday 7 March",
        "window_days": 30,
    }
    assert outcome.events == [SlotSet("pending_offer", "handoff")]


async def test_return_of_an_unshipped_order_offers_cancellation(
    services: Services, domain: dict[str, Any]
) -> None:
    slots = {"order_id": "ORD-10001", "email": "emma.jansen@example.com"}
    outcome = await run(ActionReturnItem(services), make_tracker(domain, slots=slots), domain)
    assert outcome.responses == ["utter_return_not_shipped"]
    assert outcome.events == [SlotSet("pending_offer", "cancel_order")]


async def test_damaged_item_is_recorded_and_three_remedies_offered(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(domain, slots={**DAMAGED, "item": "e-reader"}, intent="report_damaged_item")
    outcome = await run(ActionReportDamagedItem(services), tracker, domain)
    assert outcome.events == [
        SlotSet("pending_offer", "replacement_or_refund"),
        SlotSet("order_problems", ["damaged"]),
    ]
    [said] = outcome.said
    assert said.response == "utter_damage_offer"
    assert said.values == {
        "order_id": "ORD-10005",
        "item": "Pagely e-reader",
        "shipping": "by express",
        "refund_amount": "139.00 EUR",
        "credit_amount": "27.80 EUR",
    }
    assert [b["payload"] for b in said.buttons] == [
        '/inform{"offer_choice":"replacement"}',
        '/inform{"offer_choice":"refund"}',
        '/inform{"offer_choice":"credit"}',
    ]
    assert services.store.order_facts("ORD-10005").reported_issues == ("damaged",)


async def test_missing_item_offers_reship_or_refund(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(ActionReportMissingItem(services), make_tracker(domain, slots=DELIVERED), domain)
    assert outcome.responses == ["utter_missing_offer"]
    assert outcome.said[0].values["delivered_at"] == "Sunday 15 March at 17:35"
    assert outcome.events == [SlotSet("pending_offer", "reship")]


async def test_missing_parcel_that_is_still_in_transit(services: Services, domain: dict[str, Any]) -> None:
    slots = {"order_id": "ORD-10003", "email": "sofia.rossi@example.com"}
    outcome = await run(ActionReportMissingItem(services), make_tracker(domain, slots=slots), domain)
    assert outcome.responses == ["utter_order_delayed"]
    assert services.store.order_facts("ORD-10003").reported_issues == ()


async def test_refund_status_pending_and_issued(services: Services, domain: dict[str, Any]) -> None:
    pending = await run(
        ActionRefundStatus(services),
        make_tracker(domain, slots={"order_id": "ORD-10008", "email": "mateo.garcia@example.com"}),
        domain,
    )
    assert pending.said[0].response == "utter_refund_pending"
    assert pending.said[0].values == {
        "order_id": "ORD-10008",
        "refund_amount": "349.00 EUR",
        "requested_on": "Monday 16 March",
        "payment_method": "Visa ending 4242",
        "expected_by": "Monday 23 March",
    }
    issued = await run(
        ActionRefundStatus(services),
        make_tracker(domain, slots={"order_id": "ORD-10009", "email": "olivia.brown@example.com"}),
        domain,
    )
    assert issued.said[0].response == "utter_refund_issued"
    assert issued.said[0].values["issued_on"] == "Tuesday 10 March"
    none = await run(ActionRefundStatus(services), make_tracker(domain, slots=DELIVERED), domain)
    assert none.responses == ["utter_no_refund_on_order"]


async def test_request_refund_depends_on_the_state(services: Services, domain: dict[str, Any]) -> None:
    cases = [
        (
            {"order_id": "ORD-10001", "email": "emma.jansen@example.com"},
            "utter_refund_via_cancellation",
            "cancel_order",
        ),
        (DELIVERED, "utter_refund_via_return", "return"),
        ({"order_id": "ORD-10003", "email": "sofia.rossi@example.com"}, "utter_order_delayed", "refund"),
        ({"order_id": "ORD-10006", "email": "lucas.silva@example.com"}, "utter_order_lost", "reship"),
    ]
    problems = {"utter_order_delayed": ["overdue"], "utter_order_lost": ["lost"]}
    for slots, response, pending in cases:
        outcome = await run(ActionRequestRefund(services), make_tracker(domain, slots=slots), domain)
        assert outcome.responses == [response]
        recorded = [SlotSet("order_problems", problems[response])] if response in problems else []
        assert outcome.events == [SlotSet("pending_offer", pending), *recorded]
    in_transit = await run(
        ActionRequestRefund(services),
        make_tracker(domain, slots={"order_id": "ORD-10002", "email": "liam.bakker@example.com"}),
        domain,
    )
    assert in_transit.responses == ["utter_refund_in_transit"]
    assert in_transit.events == []


async def test_double_charge_found_and_refunded(services: Services, domain: dict[str, Any]) -> None:
    found = await run(
        ActionPaymentIssue(services), make_tracker(domain, slots=DOUBLE, intent="payment_issue"), domain
    )
    assert found.events == [
        SlotSet("pending_offer", "duplicate_charge_refund"),
        SlotSet("order_problems", ["double_charge"]),
    ]
    assert found.said[0].response == "utter_duplicate_charge_found"
    assert found.said[0].values == {
        "order_id": "ORD-10010",
        "amount": "548.00 EUR",
        "first_charged_at": "Friday 13 March at 14:43",
        "second_charged_at": "Friday 13 March at 14:45",
        "payment_method": "Visa ending 4242",
    }
    accepted = await run(
        ActionAcceptOffer(services),
        make_tracker(domain, slots={**DOUBLE, "pending_offer": "duplicate_charge_refund"}, intent="affirm"),
        domain,
    )
    assert accepted.said[0].response == "utter_duplicate_charge_refunded"
    assert accepted.said[0].values["amount"] == "548.00 EUR"
    after = await run(ActionPaymentIssue(services), make_tracker(domain, slots=DOUBLE), domain)
    assert after.responses == ["utter_duplicate_charge_already_refunded"]
    assert after.said[0].values["issued_on"] == "Wednesday 18 March"


async def test_single_charge_offers_the_payments_team(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(ActionPaymentIssue(services), make_tracker(domain, slots=DELIVERED), domain)
    assert outcome.responses == ["utter_payment_single_charge"]
    assert outcome.events == [SlotSet("pending_offer", "handoff")]


async def test_invoice_is_emailed_to_the_order_address(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(
        ActionInvoice(services), make_tracker(domain, slots=DELIVERED, intent="invoice"), domain
    )
    assert outcome.said[0].response == "utter_invoice_sent"
    assert outcome.said[0].values == {
        "order_id": "ORD-10004",
        "invoice_number": "INV-2026-10004",
        "email": "no***@example.com",
    }


async def test_password_reset_answer_does_not_reveal_accounts(
    services: Services, domain: dict[str, Any]
) -> None:
    known = await run(
        ActionAccountAccess(services),
        make_tracker(domain, slots={"email": "emma.jansen@example.com"}),
        domain,
    )
    unknown = await run(
        ActionAccountAccess(services), make_tracker(domain, slots={"email": "nobody@example.com"}), domain
    )
    assert known.responses == unknown.responses == ["utter_password_reset_sent"]
    assert known.said[0].values == {"email": "emma.jansen@example.com", "valid_minutes": 60}
    assert known.events == unknown.events == []


async def test_account_management_offers_a_person(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(
        ActionAccountManagement(services),
        make_tracker(domain, slots={"email": "emma.jansen@example.com"}),
        domain,
    )
    assert outcome.responses == ["utter_account_management"]
    assert outcome.events == [SlotSet("pending_offer", "handoff")]


async def test_setup_help_for_a_known_product(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(
        ActionSetupHelp(services), make_tracker(domain, slots={"item": "my new Earbuds"}), domain
    )
    [said] = outcome.said
    assert said.response == "utter_setup_steps"
    assert said.values["product"] == "Aura wireless earbuds"
    assert said.values["steps"].startswith("1. Put both earbuds in the case")
    assert said.values["steps"].count("\n") == 3


async def test_setup_help_asks_which_product(services: Services, domain: dict[str, Any]) -> None:
    unknown = await run(ActionSetupHelp(services), make_tracker(domain, slots={"item": "toaster"}), domain)
    assert unknown.responses == ["utter_setup_unknown_product"]
    assert unknown.said[0].buttons[0] == {
        "title": "Aura wireless earbuds",
        "payload": '/setup_help{"item":"earbuds"}',
    }
    none = await run(ActionSetupHelp(services), make_tracker(domain), domain)
    assert none.responses == ["utter_setup_which_product"]
    assert len(none.said[0].buttons) == 8


async def test_complaint_is_recorded_with_the_conversation(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        domain,
        slots={"order_id": "ORD-10003", "customer_id": "CUS-0003"},
        intent="complaint",
        text="This is the third time my parcel is late",
    )
    outcome = await run(ActionComplaint(services), tracker, domain)
    assert outcome.responses == ["utter_complaint_recorded"]
    assert outcome.said[0].values == {"reference": "CMP-00001"}
    assert outcome.events == [SlotSet("pending_offer", "handoff")]
    assert services.store.customer_overview("CUS-0003").complaints_last_90_days == 1


async def test_handoff_is_recorded_and_clears_an_open_offer(
    services: Services, domain: dict[str, Any]
) -> None:
    plain = await run(ActionHandoff(services), make_tracker(domain, intent="request_human"), domain)
    assert plain.responses == ["utter_handoff_requested"]
    assert plain.said[0].values == {"reference": "HND-00001"}
    assert plain.events == []
    open_offer = await run(
        ActionHandoff(services),
        make_tracker(domain, slots={"pending_offer": "refund"}, intent="request_human"),
        domain,
    )
    assert open_offer.events == [SlotSet("pending_offer", None)]
