"""The questions the forms ask, as actions.

A form asks for slot X with `action_ask_X` when the domain has one. Asking through an
action (instead of a domain `utter_ask_X` response) keeps the questions in
content/responses.yml with the action's other lines, so every domain response is one a
rule or story uses and `rasa data validate` has nothing to warn about; the question
still goes through the NLG (empathy) layer like every other message.

The order number and the emails are asked at most twice (actions/questions.py): the second
time in words that help find them, and after that the bot offers another way and a person.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.questions import ask, question_for


class _AskQuestion(Action, ABC):
    # Abstract, so rasa_sdk registers only the concrete questions below.
    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"


class _CountedQuestion(_AskQuestion, ABC):
    """A question of a lookup form, asked at most twice (actions/questions.py)."""

    form = "order_lookup_form"

    @property
    def fills(self) -> str:
        """The slot the answer fills (the action's name may be longer, per form)."""
        return self.slot

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = question_for(self.form, self.fills)
        if question is None:
            raise LookupError(f"no question for {self.fills} in {self.form}")
        return ask(dispatcher, tracker, question)


class AskOrderId(_CountedQuestion):
    slot = "order_id"


class AskEmail(_CountedQuestion):
    slot = "email"


class AskAccountEmail(_CountedQuestion):
    slot = "account_email_form_email"
    form = "account_email_form"

    @property
    def fills(self) -> str:
        return "email"


class AskNewAddress(_AskQuestion):
    slot = "new_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_new_address")
        return []
