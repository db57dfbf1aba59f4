"""The questions the forms ask, as actions.

A form asks for slot X with `action_ask_X` when the domain has one. Asking through an
action (instead of a domain `utter_ask_X` response) keeps the questions in
content/responses.yml with the action's other lines, so every domain response is one a
rule or story uses and `rasa data validate` has nothing to warn about; the question
still goes through the NLG (empathy) layer like every other message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class _AskQuestion(Action, ABC):
    # Abstract, so rasa_sdk registers only the concrete questions below.
    @property
    @abstractmethod
    def slot(self) -> str: ...

    @property
    @abstractmethod
    def response(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response=self.response)
        return []


class AskOrderId(_AskQuestion):
    slot = "order_id"
    response = "utter_ask_order_id"


class AskEmail(_AskQuestion):
    slot = "email"
    response = "utter_ask_email"


class AskAccountEmail(_AskQuestion):
    slot = "account_email_form_email"
    response = "utter_ask_account_email_form_email"


class AskNewAddress(_AskQuestion):
    slot = "new_address"
    response = "utter_ask_new_address"
