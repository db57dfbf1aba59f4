"""Address changes, cancellation, remedies within and over budget, and declines."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.changes import (
    ActionChangeOrder,
    ActionChangeShippingAddress,
    ActionCheckAddressChange,
    ActionOfferCancellation,
)
from actions.offers import ActionAcceptOffer, ActionDeclineOffer
from actions.services import Services
from shop import OrderState
from tests.actions.harness import make_tracker, run

PROCESSING = {"order_id": "ORD-10001", "email": "emma.jansen@example.com"}
IN_TRANSIT = {"order_id": "ORD-10002", "email": "liam.bakker@example.com"}
DELAYED = {"order_id": "ORD-10003", "email": "sofia.rossi@example.com"}
DAMAGED = {"order_id": "ORD-10005", "email": "mia.dubois@example.com"}
LOST = {"order_id": "ORD-10006", "email": "lucas.silva@example.com"}
DAMAGED_TV = {"order_id": "ORD-10015", "email": "isabel.costa@example.com"}
LOST_VACUUM = {"order_id": "ORD-10016", "email": "finn.hansen@example.com"}
FREQUENT = {"order_id": "ORD-10025", "email": "nora.lindqvist@example.com"}
CLOSING = [SlotSet("offer_choice", None), SlotSet("pending_offer", None)]


def choice(option: str) -> dict[str, Any]:
    return {"intent": "inform", "entities": [{"entity": "offer_choice", "value": option}]}


async def test_address_check_sets_order_changeable(services: Services, domain: dict[str, Any]) -> None:
    ok = await run(ActionCheckAddressChange(services), make_tracker(domain, slots=PROCESSING), domain)
    assert ok.events == [SlotSet("order_changeable", True)]
    assert ok.responses == ["utter_address_change_possible"]
    late = await run(ActionCheckAddressChange(services), make_tracker(domain, slots=IN_TRANSIT), domain)
    assert late.events == [SlotSet("order_changeable", False)]
    assert late.responses == ["utter_address_change_too_late"]
    assert late.said[0].values["tracking_number"] == "3S8616250235"
    unknown = await run(
        ActionCheckAddressChange(services),
        make_tracker(domain, slots={**PROCESSING, "email": "x@example.com"}),
        domain,
    )
    assert unknown.events == [SlotSet("order_changeable", False)]
    assert unknown.responses == ["utter_order_not_found"]


async def test_change_address_before_dispatch(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={**PROCESSING, "new_address": "Damrak 1, 1012 LG Amsterdam"})
    outcome = await run(ActionChangeShippingAddress(services), tracker, domain)
    assert outcome.events == [SlotSet("new_address", None)]
    assert outcome.said[0].response == "utter_address_changed"
    assert outcome.said[0].values == {
        "order_id": "ORD-10001",
        "old_address": "Torstraße 45, 10119 Berlin, DE",
        "new_address": "Damrak 1, 1012 LG Amsterdam",
        "promised_date": "Sunday 22 March",
    }
    assert services.store.order_facts("ORD-10001").shipping_address == "Damrak 1, 1012 LG Amsterdam"


async def test_cancel_offer_then_yes_cancels_and_refunds(services: Services, domain: dict[str, Any]) -> None:
    offered = await run(
        ActionOfferCancellation(services),
        make_tracker(domain, slots=PROCESSING, intent="cancel_order"),
        domain,
    )
    assert offered.events == [SlotSet("pending_offer", "cancel_order")]
    assert offered.said[0].response == "utter_offer_cancellation"
    assert [b["payload"] for b in offered.said[0].buttons] == ["/affirm", "/deny"]
    accepted = await run(
        ActionAcceptOffer(services),
        make_tracker(domain, slots={**PROCESSING, "pending_offer": "cancel_order"}, intent="affirm"),
        domain,
    )
    assert accepted.events == CLOSING
    assert accepted.said[0].response == "utter_order_cancelled_now"
    assert accepted.said[0].values == {
        "order_id": "ORD-10001",
        "refund_amount": "298.00 EUR",
        "payment_method": "Visa ending 4242",
        "expected_by": "Wednesday 25 March",
    }
    assert services.store.order_facts("ORD-10001").state is OrderState.CANCELLED


async def test_shipped_order_cannot_be_cancelled(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(ActionOfferCancellation(services), make_tracker(domain, slots=IN_TRANSIT), domain)
    assert outcome.responses == ["utter_cannot_cancel_shipped"]
    assert outcome.events == []


async def test_a_detail_is_not_a_yes(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={**PROCESSING, "pending_offer": "cancel_order"}, intent="inform")
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.responses == ["utter_offer_needs_answer"]
    assert outcome.events == [*CLOSING, SlotSet("pending_offer", "cancel_order")]
    assert services.store.order_facts("ORD-10001").state is OrderState.PROCESSING


async def test_change_order_offers_the_nearest_real_option(
    services: Services, domain: dict[str, Any]
) -> None:
    processing = await run(ActionChangeOrder(services), make_tracker(domain, slots=PROCESSING), domain)
    assert processing.responses == ["utter_change_order_processing"]
    assert processing.events == [SlotSet("pending_offer", "cancel_order")]
    delivered = await run(
        ActionChangeOrder(services),
        make_tracker(domain, slots={"order_id": "ORD-10004", "email": "noah.muller@example.com"}),
        domain,
    )
    assert delivered.responses == ["utter_change_order_delivered"]
    assert delivered.events == [SlotSet("pending_offer", "return")]
    assert delivered.said[0].values["return_by"] == "Tuesday 14 April"


async def test_refund_instead_of_waiting_for_a_late_parcel(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(domain, slots={**DELAYED, "pending_offer": "refund"}, **choice("refund"))
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.events == [*CLOSING, SlotSet("order_problems", ["overdue"])]
    assert outcome.said[0].response == "utter_refund_started"
    assert outcome.said[0].values == {
        "order_id": "ORD-10003",
        "refund_amount": "199.00 EUR",
        "payment_method": "Mastercard ending 5100",
        "expected_by": "Wednesday 25 March",
    }
    refunds = services.store.order_facts("ORD-10003").refunds
    assert [(r.amount.cents, r.status) for r in refunds] == [(19900, "pending")]


async def test_damaged_item_replacement_within_budget(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={**DAMAGED, "pending_offer": "replacement_or_refund"}, **choice("replacement")
    )
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.events == [*CLOSING, SlotSet("order_problems", ["damaged"])]
    assert outcome.said[0].response == "utter_replacement_sent"
    assert outcome.said[0].values == {
        "order_id": "ORD-10005",
        "item": "2 x USB-C charging cable (2 m), Pagely e-reader",
        "shipping": "by express",
        "arrives_by": "Thursday 19 March",
        "address": "Mariahilfer Straße 31, 1060 Wien, AT",
    }
    overview = services.store.customer_overview("CUS-0005")
    assert overview.recent_resolutions[0].kind == "replacement"
    assert overview.recent_resolutions[0].conversation_id == "conv-test"


async def test_over_budget_becomes_an_approval_request(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={**DAMAGED_TV, "pending_offer": "replacement_or_refund"}, **choice("replacement")
    )
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.events == [*CLOSING, SlotSet("order_problems", ["damaged"])]
    [said] = outcome.said
    assert said.response == "utter_remedy_needs_approval"
    [approval] = services.store.pending_approvals()
    assert said.values == {
        "order_id": "ORD-10015",
        "remedy": "a replacement",
        "amount": "899.00 EUR",
        "reference": f"APR-{approval.approval_id:05d}",
        "decide_within": "8 working hours",
    }
    assert approval.remedy == "replacement"
    assert approval.status == "pending"
    assert approval.conversation_id == "conv-test"
    assert "max_replacement_value" in approval.reason


async def test_keep_it_credit_is_capped_and_automatic(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={**DAMAGED_TV, "pending_offer": "replacement_or_refund"}, **choice("credit")
    )
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.said[0].response == "utter_credit_added"
    assert outcome.said[0].values["credit_amount"] == "50.00 EUR"  # 20 % of 899, capped at 50


async def test_customer_over_the_monthly_remedy_limit_goes_to_a_person(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        domain, slots={**FREQUENT, "pending_offer": "replacement_or_refund"}, **choice("credit")
    )
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.responses == ["utter_remedy_needs_approval"]
    [approval] = services.store.pending_approvals()
    assert "2 remedies in the last 30 days" in approval.reason


async def test_lost_parcel_reship_and_refund(services: Services, domain: dict[str, Any]) -> None:
    reship = await run(
        ActionAcceptOffer(services),
        make_tracker(domain, slots={**LOST, "pending_offer": "reship"}, **choice("reship")),
        domain,
    )
    assert reship.responses == ["utter_reship_sent"]
    expensive = await run(
        ActionAcceptOffer(services),
        make_tracker(domain, slots={**LOST_VACUUM, "pending_offer": "reship"}, **choice("refund")),
        domain,
    )
    assert expensive.responses == ["utter_remedy_needs_approval"]
    assert expensive.said[0].values["amount"] == "449.00 EUR"


async def test_yes_to_a_choice_asks_which_one(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={**DAMAGED, "pending_offer": "replacement_or_refund"}, intent="affirm"
    )
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.responses == ["utter_which_option"]
    assert outcome.said[0].values == {"options": "store credit, a refund or a replacement"}
    assert outcome.events == [*CLOSING, SlotSet("pending_offer", "replacement_or_refund")]


async def test_an_option_that_was_not_offered(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={**LOST, "pending_offer": "reship"}, **choice("credit"))
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.responses == ["utter_choice_not_offered"]
    assert outcome.said[0].values == {"choice": "store credit", "options": "a refund or sending it again"}
    assert outcome.events == [*CLOSING, SlotSet("pending_offer", "reship")]


async def test_yes_with_nothing_offered(services: Services, domain: dict[str, Any]) -> None:
    outcome = await run(ActionAcceptOffer(services), make_tracker(domain, intent="affirm"), domain)
    assert outcome.responses == ["utter_no_pending_offer"]
    assert outcome.events == CLOSING


async def test_declines_clear_the_offer_and_change_nothing(
    services: Services, domain: dict[str, Any]
) -> None:
    expected = {
        "cancel_order": "utter_cancellation_declined",
        "duplicate_charge_refund": "utter_duplicate_refund_declined",
        "handoff": "utter_handoff_declined",
        "return": "utter_return_declined",
        "replacement_or_refund": "utter_remedy_declined",
        "reship": "utter_remedy_declined",
        "refund": "utter_remedy_declined",
        None: "utter_no_pending_offer",
    }
    for pending, response in expected.items():
        tracker = make_tracker(domain, slots={**PROCESSING, "pending_offer": pending}, intent="deny")
        outcome = await run(ActionDeclineOffer(services), tracker, domain)
        assert outcome.responses == [response]
        assert outcome.events == CLOSING
    assert services.store.order_facts("ORD-10001").state is OrderState.PROCESSING


async def test_accepting_a_person(services: Services, domain: dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={**DELAYED, "customer_id": "CUS-0003", "pending_offer": "handoff"}, intent="affirm"
    )
    outcome = await run(ActionAcceptOffer(services), tracker, domain)
    assert outcome.responses == ["utter_handoff_requested"]
    assert outcome.events == CLOSING
    assert services.store.customer_overview("CUS-0003").handoffs_last_90_days == 1


async def test_yes_to_a_single_option_offer_carries_it_out(
    services: Services, domain: dict[str, Any]
) -> None:
    refund = await run(
        ActionAcceptOffer(services),
        make_tracker(domain, slots={**DELAYED, "pending_offer": "refund"}, intent="affirm"),
        domain,
    )
    assert refund.responses == ["utter_refund_started"]
    delivered = {"order_id": "ORD-10004", "email": "noah.muller@example.com"}
    ret = await run(
        ActionAcceptOffer(services),
        make_tracker(domain, slots={**delivered, "pending_offer": "return"}, intent="affirm"),
        domain,
    )
    assert ret.responses == ["utter_return_started"]
    assert ret.said[0].values["label_reference"] == "RET-10004-1"
    assert ret.events == CLOSING


async def test_cancel_accepted_after_the_order_shipped(services: Services, domain: dict[str, Any]) -> None:
    # The offer was made while it was unshipped; by the "yes" it had left the warehouse.
    outcome = await run(
        ActionAcceptOffer(services),
        make_tracker(domain, slots={**IN_TRANSIT, "pending_offer": "cancel_order"}, intent="affirm"),
        domain,
    )
    assert outcome.responses == ["utter_cannot_cancel_shipped"]
    assert outcome.events == CLOSING


async def test_check_in_answers(services: Services, domain: dict[str, Any]) -> None:
    """After "did the replacement arrive safely?": yes closes it, no offers a person."""
    yes = make_tracker(domain, slots={**DAMAGED, "pending_offer": "checkin"}, intent="affirm")
    outcome = await run(ActionAcceptOffer(services), yes, domain)
    assert outcome.responses == ["utter_checkin_all_good"]
    assert outcome.events == CLOSING

    no = make_tracker(domain, slots={**DAMAGED, "pending_offer": "checkin"}, intent="deny")
    outcome = await run(ActionDeclineOffer(services), no, domain)
    assert outcome.responses == ["utter_checkin_not_right"]
    assert outcome.events == [SlotSet("offer_choice", None), SlotSet("pending_offer", "handoff")]
