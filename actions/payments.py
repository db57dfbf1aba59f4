"""Payment problems (double charges) and invoices."""

from __future__ import annotations

from rasa_sdk.events import EventType

from actions.base import YES_NO, StoreAction, Turn
from actions.replies import offer, offer_person
from shop.formatting import day, mask_email, moment


class ActionPaymentIssue(StoreAction):
    action_name = "action_payment_issue"
    failure_task = "check the payments on your order"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        duplicates = order.duplicate_charges
        if duplicates:
            duplicate = duplicates[0]
            original = next(p for p in order.payments if p.payment_id == duplicate.duplicate_of_id)
            turn.say(
                "utter_duplicate_charge_found",
                buttons=list(YES_NO),
                order_id=order.order_id,
                amount=str(duplicate.amount),
                first_charged_at=moment(original.charged_at),
                second_charged_at=moment(duplicate.charged_at),
                payment_method=duplicate.method,
            )
            return offer("duplicate_charge_refund")
        refunded = next((r for r in order.refunds if r.reason == "duplicate_charge"), None)
        if refunded is not None and refunded.issued_at is not None:
            turn.say(
                "utter_duplicate_charge_already_refunded",
                order_id=order.order_id,
                amount=str(refunded.amount),
                issued_on=day(refunded.issued_at.date()),
                expected_by=day(refunded.expected_by),
                payment_method=order.payment_method,
            )
            return []
        charge = order.payments[0] if order.payments else None
        return offer_person(
            turn,
            "utter_payment_single_charge",
            order_id=order.order_id,
            amount=str(charge.amount if charge else order.total),
            charged_at=moment(charge.charged_at) if charge else moment(order.placed_at),
            payment_method=order.payment_method,
        )


class ActionInvoice(StoreAction):
    action_name = "action_invoice"
    failure_task = "send your invoice"

    async def act(self, turn: Turn) -> list[EventType]:
        order = await turn.current_order()
        if order is None:
            return []
        invoice = await turn.run_store(
            turn.services.store.send_invoice, order.order_id, conversation_id=turn.conversation_id
        )
        turn.say(
            "utter_invoice_sent",
            order_id=order.order_id,
            invoice_number=invoice.invoice_number,
            email=mask_email(invoice.email),
        )
        return []
