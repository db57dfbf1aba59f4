"""What every store-backed action shares: dependencies, identity, honest failure.

rasa_sdk creates each action with no arguments; `StoreAction.__init__` therefore takes
its `Services` optionally (tests pass them) and otherwise builds them from the
environment on first use. `run` wraps the action's `act` so that any failure is logged
with the conversation id and answered honestly instead of leaving the customer hanging.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.questions import gave_up_asking
from actions.services import Services, services_for
from shop import OrderFacts, OrderNotFound
from shop.formatting import normalise_email, normalise_order_id
from shop.identity import verified_customer_id
from shop.settings import ShopSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

Button = dict[str, str]


def button(title: str, payload: str) -> Button:
    return {"title": title, "payload": payload}


def choice_button(title: str, choice: str) -> Button:
    return button(title, '/inform{"offer_choice":"' + choice + '"}')


YES_NO = (button("Yes, please", "/affirm"), button("No, thanks", "/deny"))


def signed_in_customer(tracker: Tracker, secret: bytes | None) -> str | None:
    """The customer id the shop's server signed for this conversation (shop/identity.py).

    Only a claim whose HMAC checks out with the shop's secret counts: an email or a name a
    browser put in message metadata is never proof of who the customer is.
    """
    if not secret:
        return None
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            customer_id = verified_customer_id(event.get("metadata"), secret)
            if customer_id:
                return customer_id
    return verified_customer_id(tracker.latest_message.get("metadata"), secret)


@dataclass(frozen=True)
class Identity:
    """Who the conversation has shown itself to be (any of these proves ownership)."""

    email: str | None
    customer_id: str | None

    @classmethod
    def of(cls, tracker: Tracker, secret: bytes | None) -> Identity:
        return cls(
            email=normalise_email(tracker.get_slot("email")),
            customer_id=tracker.get_slot("customer_id") or signed_in_customer(tracker, secret),
        )

    @property
    def known(self) -> bool:
        return bool(self.email or self.customer_id)


class Turn:
    """One run of an action: the dispatcher, tracker and services, plus small helpers."""

    def __init__(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        services: Services,
    ) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.domain = domain
        self.services = services
        # The orders this run looked up, latest last: their problems are recorded in the
        # `order_problems` slot for the escalation policy (see StoreAction.run).
        self.looked_up: list[OrderFacts] = []

    @property
    def conversation_id(self) -> str:
        return str(self.tracker.sender_id)

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def say(self, response: str, buttons: list[Button] | None = None, **values: Any) -> None:
        """Send a domain response; values fill its {placeholders} (and reach the NLG layer)."""
        if buttons:
            self.dispatcher.utter_message(response=response, buttons=list(buttons), **values)
        else:
            self.dispatcher.utter_message(response=response, **values)

    async def run_store(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store call in a worker thread so the action server stays responsive."""
        return await asyncio.to_thread(call, *args, **kwargs)

    async def current_order(self) -> OrderFacts | None:
        """The order in the `order_id` slot if it belongs to this conversation's customer.

        Returns None (after telling the customer) when there is no usable order id or
        it is not theirs; a wrong owner and a missing order get the same answer. When the
        form just stopped asking for the details (actions/questions.py), nothing more is
        said: the customer was already offered another way, and is not asked a third time.
        """
        order_id = normalise_order_id(self.slot("order_id"))
        identity = Identity.of(self.tracker, self.services.identity_secret)
        if order_id is None or not identity.known:
            if not gave_up_asking(self.tracker):
                self.say("utter_need_order_details")
            return None
        try:
            order = await self.run_store(
                self.services.store.find_order,
                order_id,
                email=identity.email,
                customer_id=identity.customer_id,
            )
        except OrderNotFound:
            self.say("utter_order_not_found", order_id=order_id)
            return None
        self.looked_up.append(order)
        return order


class StoreAction(Action, ABC):
    """Base for actions that read or change the store."""

    action_name: ClassVar[str]
    # Finishes "I couldn't ... just now": what the customer asked for, in their words.
    failure_task: ClassVar[str] = "do that"

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    def name(self) -> str:
        return self.action_name

    def services(self) -> Services:
        if self._services is None:
            self._services = services_for(ShopSettings.from_env())
        return self._services

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        try:
            turn = Turn(dispatcher, tracker, domain, self.services())
            events = await self.act(turn)
        except Exception:
            # Any failure (database down, bad settings file, a bug) must still leave the
            # customer with an honest answer and a usable conversation.
            logger.exception("Action %s failed in conversation %s", self.name(), tracker.sender_id)
            dispatcher.utter_message(response="utter_something_went_wrong", task=self.failure_task)
            return self.events_after_failure()
        # The bot understood and acted, so the run of misses that drives the clarifying
        # question is over.
        if tracker.get_slot("failed_understanding"):
            events.append(reset_failed_understanding())
        return events + order_problem_events(tracker, turn.looked_up)

    @abstractmethod
    async def act(self, turn: Turn) -> list[EventType]:
        """Do the action's work; return the events."""

    def events_after_failure(self) -> list[EventType]:
        """Events that keep the dialogue contract when `act` failed (default: none)."""
        return []


def reset_failed_understanding() -> EventType:
    return SlotSet("failed_understanding", 0.0)


# The slot that carries what the store's records say is wrong with the order the
# conversation is about (values of shop.ORDER_PROBLEMS): the escalation policy counts
# them as an open problem even when the customer's words do not say so.
ORDER_PROBLEMS_SLOT = "order_problems"


def order_problem_events(tracker: Tracker, orders: list[OrderFacts]) -> list[EventType]:
    """Set `order_problems` from the latest order looked up, when it changed."""
    if not orders:
        return []
    problems = list(orders[-1].problems)
    current = tracker.get_slot(ORDER_PROBLEMS_SLOT) or []
    return [] if list(current) == problems else [SlotSet(ORDER_PROBLEMS_SLOT, problems)]
