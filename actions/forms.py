"""Validation of the order lookup, account email and new address forms."""

from __future__ import annotations

import asyncio
import logging
import re
from abc import abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import signed_in_customer
from actions.questions import REQUESTED_SLOT, question_for, tries_left
from actions.services import Services, services_for
from shop import CustomerNotFound, OrderNotFound
from shop.formatting import normalise_email, normalise_order_id
from shop.settings import ShopSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

MIN_ADDRESS_LENGTH = 10
MAX_ADDRESS_LENGTH = 300
# The answer was in the message but the NLU did not tag it: "it's 10234 I think", "sure,
# it's sofia.rossi@example.com". Looked for only while the form asks for that slot.
ORDER_ID_IN_TEXT = re.compile(r"(?:\bord(?:er)?\s*[-#]?\s*|#|\b)(\d{5})\b", re.IGNORECASE)
EMAIL_IN_TEXT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]{2,}")


def answer_in_text(tracker: Tracker, slot: str, pattern: re.Pattern[str]) -> str | None:
    """The requested slot's value written in the latest message, when no entity carries it."""
    if tracker.get_slot(REQUESTED_SLOT) != slot:
        return None
    latest = tracker.latest_message or {}
    if any(e.get("entity") == slot for e in latest.get("entities") or []):
        return None
    match = pattern.search(str(latest.get("text") or ""))
    return match.group(0) if match else None


def may_ask_again(tracker: Tracker, form: str, slot: str) -> bool:
    """Whether a validator may still say "that didn't work, which is it?" (asks at most twice)."""
    question = question_for(form, slot)
    return question is None or tries_left(tracker, question)


class _FormValidation(FormValidationAction):
    """Shared: optional injected services and an honest answer when validation fails."""

    # What the customer was trying to do, for utter_something_went_wrong.
    failure_task = "check those details"

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    @abstractmethod
    def name(self) -> str:
        """Abstract here so rasa_sdk registers only the concrete validators."""

    def services(self) -> Services:
        if self._services is None:
            self._services = services_for(ShopSettings.from_env())
        return self._services

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await super().run(dispatcher, tracker, domain)
        except Exception:
            # Reject what could not be checked, so nothing unverified is trusted; the form
            # then asks again and the conversation stays usable.
            logger.exception("%s failed in conversation %s", self.name(), tracker.sender_id)
            dispatcher.utter_message(response="utter_something_went_wrong", task=self.failure_task)
            return [
                SlotSet(slot, None)
                for slot in tracker.slots_to_validate()
                if slot in self.domain_slots(domain)
            ]

    async def extract_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A customer the shop's server signed in is not asked for their email: it is theirs.
        Otherwise an address written in the answer counts even if the NLU missed it."""
        if tracker.get_slot("email"):
            return {}
        customer_id = signed_in_customer(tracker, self.services().identity_secret)
        if not customer_id:
            written = answer_in_text(tracker, "email", EMAIL_IN_TEXT)
            return {"email": written} if written else {}
        try:
            customer = await _in_thread(self.services().store.customer, customer_id)
        except CustomerNotFound:
            logger.warning("signed identity names a customer the store does not know")
            return {}
        return {"email": customer.email, "customer_id": customer.customer_id}


class ValidateOrderLookupForm(_FormValidation):
    failure_task = "look up your order"

    form = "order_lookup_form"

    def name(self) -> str:
        return "validate_order_lookup_form"

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An order number written in the answer counts even if the NLU missed it."""
        if tracker.get_slot("order_id"):
            return {}
        written = answer_in_text(tracker, "order_id", ORDER_ID_IN_TEXT)
        return {"order_id": written} if written else {}

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        order_id = normalise_order_id(value)
        if order_id is None:
            if may_ask_again(tracker, self.form, "order_id"):
                dispatcher.utter_message(response="utter_invalid_order_id", value=str(value))
            return {"order_id": None}
        email = normalise_email(tracker.get_slot("email"))
        customer_id = tracker.get_slot("customer_id") or signed_in_customer(
            tracker, self.services().identity_secret
        )
        if email is None and not customer_id:
            return {"order_id": order_id}  # checked once the email is in
        return await self._check_owner(order_id, email, customer_id, dispatcher, tracker)

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        email = normalise_email(value)
        if email is None:
            if may_ask_again(tracker, self.form, "email"):
                dispatcher.utter_message(response="utter_invalid_email", value=str(value))
            return {"email": None}
        order_id = normalise_order_id(tracker.get_slot("order_id"))
        if order_id is None:
            return {"email": email}
        return await self._check_owner(order_id, email, None, dispatcher, tracker)

    async def _check_owner(
        self,
        order_id: str,
        email: str | None,
        customer_id: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        store = self.services().store
        try:
            order = await _in_thread(store.find_order, order_id, email=email, customer_id=customer_id)
        except OrderNotFound:
            # Same words whether the order is missing or someone else's. After two tries the
            # form's question says it instead, without asking a third time.
            if may_ask_again(tracker, self.form, "order_id"):
                dispatcher.utter_message(
                    response="utter_order_not_found_for_email",
                    order_id=order_id,
                    email=email or "the email you gave earlier",
                )
            # Only the order id is asked again, whether or not the email has an account:
            # behaving differently would tell a stranger which addresses are customers.
            # The reply names the email, and a corrected one sent at any point replaces it.
            return {"order_id": None}
        return {"order_id": order_id, "email": order.email, "customer_id": order.customer_id}


class ValidateAccountEmailForm(_FormValidation):
    failure_task = "check your account email"

    def name(self) -> str:
        return "validate_account_email_form"

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # No existence check here: saying whether an address has an account would let
        # anyone probe for customers.
        email = normalise_email(value)
        if email is None and may_ask_again(tracker, "account_email_form", "email"):
            dispatcher.utter_message(response="utter_invalid_email", value=str(value))
        return {"email": email}


class ValidateNewAddressForm(_FormValidation):
    failure_task = "take the new address"

    def name(self) -> str:
        return "validate_new_address_form"

    def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        address = " ".join(str(value or "").split())
        has_number = any(ch.isdigit() for ch in address)
        if not (MIN_ADDRESS_LENGTH <= len(address) <= MAX_ADDRESS_LENGTH) or not has_number:
            dispatcher.utter_message(response="utter_invalid_address", value=address)
            return {"new_address": None}
        return {"new_address": address}


async def _in_thread(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.to_thread(call, *args, **kwargs)
