"""`action_session_start`: start the session as Rasa does, then check in on a resolved problem.

When a returning customer (verified `customer_id` carried over, or a customer id the shop's
server signed in the session metadata, shop/identity.py) has a resolution whose follow-up date has come ("did the
replacement arrive safely?"), the bot asks about it before anything else, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_ups import FollowUps
from actions.store_follow_ups import follow_ups_from_env
from shop.identity import verified_customer_id
from shop.settings import ShopSettings

logger = logging.getLogger(__name__)

SESSION_METADATA_SLOT = "session_started_metadata"
# Slots that describe one moment, not the customer: a new session starts without them.
NOT_CARRIED_OVER = frozenset({SESSION_METADATA_SLOT, "requested_slot", "emotion", "frustration"})
CHECKIN_RESPONSES = {
    "replacement": "utter_checkin_replacement",
    "reship": "utter_checkin_reship",
    "refund": "utter_checkin_refund",
    "duplicate_charge_refund": "utter_checkin_refund",
    "cancellation": "utter_checkin_refund",
    "return": "utter_checkin_return",
}
GENERIC_CHECKIN = "utter_checkin_generic"


Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over as the domain says) plus the check-in."""

    def __init__(
        self,
        follow_ups: Callable[[], FollowUps | None] | None = None,
        clock: Clock = _utc_now,
        identity_secret: bytes | None = None,
    ) -> None:
        # rasa_sdk builds actions with no arguments: then the store adapter is made on first use.
        self._follow_ups_factory = follow_ups or _default_follow_ups
        self._clock = clock
        self._identity_secret = identity_secret if follow_ups else ShopSettings.from_env().identity_secret

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        if _carry_over(domain):
            events += [
                SlotSet(name, value)
                for name, value in tracker.slots.items()
                if value is not None and name not in NOT_CARRIED_OVER
            ]
        metadata = tracker.get_slot(SESSION_METADATA_SLOT)
        if metadata:
            events.append(SlotSet(SESSION_METADATA_SLOT, metadata))
        events += self._check_in(dispatcher, tracker, metadata)
        events.append(ActionExecuted("action_listen"))
        return events

    def _check_in(self, dispatcher: CollectingDispatcher, tracker: Tracker, metadata: Any) -> list[EventType]:
        """Ask about the latest resolution that is due; the customer's yes/no answers the
        `checkin` offer (action_accept_offer / action_decline_offer)."""
        try:
            follow_ups = self._follow_ups_factory()
            if follow_ups is None:
                return []
            # Only a verified customer: an email a browser put in metadata proves nothing.
            customer_id = tracker.get_slot("customer_id") or verified_customer_id(
                metadata, self._identity_secret
            )
            if not customer_id:
                return []
            now = self._clock()
            check_in = follow_ups.due_check_in(str(customer_id), now.date())
            if check_in is None:
                return []
            dispatcher.utter_message(
                response=CHECKIN_RESPONSES.get(check_in.kind, GENERIC_CHECKIN),
                order_id=check_in.order_id or "",
                item=check_in.item or "order",
                amount=check_in.amount or "",
                detail=check_in.detail,
            )
            follow_ups.mark_checked_in(check_in.resolution_id, now)
            logger.info(
                "empathy.checkin sender=%s resolution=%s kind=%s",
                tracker.sender_id,
                check_in.resolution_id,
                check_in.kind,
            )
            answer = [SlotSet("pending_offer", "checkin")]
            if check_in.order_id:
                answer.append(SlotSet("order_id", check_in.order_id))
            return answer
        except Exception:
            # A failed check-in must never stop the session from starting.
            logger.exception("empathy.checkin_failed sender=%s", tracker.sender_id)
            return []


def _carry_over(domain: dict[str, Any]) -> bool:
    config = domain.get("session_config") or {}
    return bool(config.get("carry_over_slots_to_new_session", True))


def _default_follow_ups() -> FollowUps | None:
    return follow_ups_from_env()
