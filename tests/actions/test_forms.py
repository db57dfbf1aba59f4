"""Form validation: order lookup ownership, email formats, the new address."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.forms import ValidateAccountEmailForm, ValidateNewAddressForm, ValidateOrderLookupForm
from actions.services import Services
from tests.actions.harness import make_tracker, run
from tests.store.demo_store import services_on, signed


def form_tracker(domain: dict[str, Any], form: str, candidates: dict[str, Any], **kwargs: Any) -> Any:
    """A tracker as Rasa sends it to a validation action: slot candidates at the end."""
    slots = dict(kwargs.pop("slots", {}))
    slots.update(candidates)
    tracker = make_tracker(domain, slots=slots, active_loop=form, intent="inform", **kwargs)
    tracker.events.extend({"event": "slot", "name": k, "value": v} for k, v in candidates.items())
    return tracker


async def test_order_id_and_email_of_the_same_customer(services: Services, domain: dict[str, Any]) -> None:
    tracker = form_tracker(
        domain, "order_lookup_form", {"order_id": "ord 10003", "email": " Sofia.Rossi@Example.com"}
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.said == []
    assert outcome.events == [
        SlotSet("order_id", "ORD-10003"),
        SlotSet("email", "sofia.rossi@example.com"),
        SlotSet("customer_id", "CUS-0003"),
    ]


async def test_order_id_alone_waits_for_the_email(services: Services, domain: dict[str, Any]) -> None:
    tracker = form_tracker(domain, "order_lookup_form", {"order_id": "#10003"})
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.events == [SlotSet("order_id", "ORD-10003")]


@pytest.mark.parametrize("email", ["emma.jansen@example.com", "stranger@example.org"])
async def test_wrong_email_for_the_order(services: Services, domain: dict[str, Any], email: str) -> None:
    # A customer's email and an unknown one are treated alike, so the chat can't be used
    # to find out who shops here: the order id is asked again, the email kept and named.
    tracker = form_tracker(domain, "order_lookup_form", {"email": email}, slots={"order_id": "ORD-10003"})
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.responses == ["utter_order_not_found_for_email"]
    assert outcome.said[0].values == {"order_id": "ORD-10003", "email": email}
    assert outcome.events == [SlotSet("email", email), SlotSet("order_id", None)]


async def test_a_corrected_email_is_checked_against_the_order(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = form_tracker(
        domain,
        "order_lookup_form",
        {"email": "sofia.rossi@example.com"},
        slots={"order_id": "ORD-10003", "email": "sofia.rossi@exmaple.com"},
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.said == []
    assert outcome.events == [
        SlotSet("email", "sofia.rossi@example.com"),
        SlotSet("order_id", "ORD-10003"),
        SlotSet("customer_id", "CUS-0003"),
    ]


async def test_malformed_values_are_rejected_with_an_example(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = form_tracker(domain, "order_lookup_form", {"order_id": "my order", "email": "sofia@"})
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.responses == ["utter_invalid_order_id", "utter_invalid_email"]
    assert [s.values for s in outcome.said] == [{"value": "my order"}, {"value": "sofia@"}]
    assert outcome.events == [SlotSet("order_id", None), SlotSet("email", None)]


async def test_signed_in_customer_is_not_asked_for_the_email(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = form_tracker(
        domain,
        "order_lookup_form",
        {"order_id": "ORD-10003"},
        metadata=signed("CUS-0003"),
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert outcome.said == []
    assert SlotSet("email", "sofia.rossi@example.com") in outcome.events
    assert SlotSet("order_id", "ORD-10003") in outcome.events


async def test_a_signed_in_customer_cannot_open_someone_elses_order(
    services: Services, domain: dict[str, Any]
) -> None:
    # CUS-0004 is signed in; ORD-10003 is Sofia's (CUS-0003).
    tracker = form_tracker(
        domain, "order_lookup_form", {"order_id": "ORD-10003"}, metadata=signed("CUS-0004")
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert SlotSet("order_id", None) in outcome.events
    assert "sofia" not in repr(outcome.events).lower()


async def test_an_email_claimed_in_metadata_is_not_taken_as_identity(
    services: Services, domain: dict[str, Any]
) -> None:
    tracker = form_tracker(
        domain,
        "order_lookup_form",
        {"order_id": "ORD-10003"},
        metadata={"customer": {"email": "sofia.rossi@example.com"}, "identity": {"customer_id": "CUS-0003"}},
    )
    outcome = await run(ValidateOrderLookupForm(services), tracker, domain)
    assert not any(e.get("name") in ("email", "customer_id") and e.get("value") for e in outcome.events)


async def test_store_failure_rejects_the_values_honestly(domain: dict[str, Any], tmp_path: Any) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database" * 100)
    tracker = form_tracker(
        domain, "order_lookup_form", {"order_id": "ORD-10003", "email": "sofia.rossi@example.com"}
    )
    outcome = await run(ValidateOrderLookupForm(services_on(broken)), tracker, domain)
    assert outcome.responses == ["utter_something_went_wrong"]
    assert outcome.said[0].values == {"task": "look up your order"}
    assert outcome.events == [SlotSet("order_id", None), SlotSet("email", None)]


async def test_account_email_is_only_format_checked(services: Services, domain: dict[str, Any]) -> None:
    good = form_tracker(domain, "account_email_form", {"email": "Nobody@Example.com"})
    bad = form_tracker(domain, "account_email_form", {"email": "nobody at example"})
    assert (await run(ValidateAccountEmailForm(services), good, domain)).events == [
        SlotSet("email", "nobody@example.com")
    ]
    rejected = await run(ValidateAccountEmailForm(services), bad, domain)
    assert rejected.responses == ["utter_invalid_email"]
    assert rejected.events == [SlotSet("email", None)]


async def test_new_address_needs_a_real_address(services: Services, domain: dict[str, Any]) -> None:
    good = form_tracker(domain, "new_address_form", {"new_address": "  Damrak 1,\n 1012 LG  Amsterdam "})
    assert (await run(ValidateNewAddressForm(services), good, domain)).events == [
        SlotSet("new_address", "Damrak 1, 1012 LG Amsterdam")
    ]
    for text in ("home", "my mum's place please", "x" * 400 + " 1"):
        outcome = await run(
            ValidateNewAddressForm(services),
            form_tracker(domain, "new_address_form", {"new_address": text}),
            domain,
        )
        assert outcome.responses == ["utter_invalid_address"]
        assert outcome.events == [SlotSet("new_address", None)]
