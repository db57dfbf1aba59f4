"""Account access (password reset) and account management."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import StoreAction, Turn
from actions.questions import gave_up_asking
from actions.replies import offer_person
from shop.formatting import normalise_email
from shop.service import PASSWORD_RESET_VALID_MINUTES


class ActionAccountAccess(StoreAction):
    action_name = "action_account_access"
    failure_task = "send you a password reset link"

    async def act(self, turn: Turn) -> list[EventType]:
        email = normalise_email(turn.slot("email"))
        if email is None:
            if not gave_up_asking(turn.tracker):
                turn.say("utter_ask_account_email_form_email")
            return []
        # The reply is the same whether or not the address has an account, so the chat
        # can't be used to find out who shops here.
        await turn.run_store(
            turn.services.store.request_password_reset, email, conversation_id=turn.conversation_id
        )
        turn.say("utter_password_reset_sent", email=email, valid_minutes=PASSWORD_RESET_VALID_MINUTES)
        return []


class ActionAccountManagement(StoreAction):
    action_name = "action_account_management"
    failure_task = "help with your account settings"

    async def act(self, turn: Turn) -> list[EventType]:
        email = normalise_email(turn.slot("email")) or "your account email"
        return offer_person(turn, "utter_account_management", email=email)
