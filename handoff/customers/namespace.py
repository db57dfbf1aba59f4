"""The customer namespace: Rasa's socket.io channel protocol plus documented extras.

See docs/socket-protocol.md. Per-connection state (conversation id, session id) lives in
the socket.io session; the conversation room carries everything to every tab.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

from handoff.customers.service import CustomerService, parse_identity, parse_user_uttered
from handoff.errors import HandoffError, InvalidInput
from handoff.notify import CUSTOMER_NAMESPACE, conversation_room
from handoff.persistence import queries
from handoff.persistence.messenger import KeyedLocks
from shop.identity import IDENTITY_KEY

logger = logging.getLogger(__name__)


def error_body(error: HandoffError, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": {"code": error.code, "message": error.message}, **extra}


class SessionRequired(HandoffError):
    code = "session_required"
    status = 400


class CustomerNamespace(socketio.AsyncNamespace):
    def __init__(self, service: CustomerService, max_message_chars: int) -> None:
        super().__init__(CUSTOMER_NAMESPACE)
        self.service = service
        self.max_message_chars = max_message_chars
        # python-socketio runs each event as its own task; a per-connection lock taken before
        # the first await keeps one client's events in the order it sent them (a widget may
        # send user_uttered right behind session_request).
        self._in_order = KeyedLocks()

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        logger.debug("customer socket %s connected", sid)
        return True

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        logger.debug("customer socket %s disconnected", sid)

    async def on_session_request(self, sid: str, data: Any = None) -> dict[str, Any]:
        async with self._in_order.get(sid):
            return await self._handle_session_request(sid, data)

    async def on_resync(self, sid: str, data: Any = None) -> dict[str, Any]:
        async with self._in_order.get(sid):
            return await self._handle_resync(sid, data)

    async def on_user_uttered(self, sid: str, data: Any = None) -> dict[str, Any]:
        async with self._in_order.get(sid):
            return await self._handle_user_uttered(sid, data)

    async def on_rating(self, sid: str, data: Any = None) -> dict[str, Any]:
        async with self._in_order.get(sid):
            return await self._handle_rating(sid, data)

    async def on_identify(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The shop's server signed who this customer is (`StoreChat.identify`)."""
        async with self._in_order.get(sid):
            try:
                await self._conversation_id(sid)
                claim = parse_identity(data, self.service.settings.identity_secret)
            except HandoffError as error:
                return await self._fail(sid, error)
            session = await self.get_session(sid)
            await self.save_session(sid, {**session, "identity": claim.to_metadata()})
            return {"ok": True, "customer_id": claim.customer_id}

    async def _conversation_id(self, sid: str, claimed_session: Any = None) -> str:
        session = await self.get_session(sid)
        conversation_id: str | None = session.get("conversation_id")
        if not conversation_id:
            raise SessionRequired("send session_request first")
        if claimed_session and claimed_session != session.get("session_id"):
            raise SessionRequired("session_id does not match this connection's session")
        return conversation_id

    async def _fail(self, sid: str, error: HandoffError, **extra: Any) -> dict[str, Any]:
        body = error_body(error, **extra)
        await self.emit("handoff_error", body, to=sid)
        return body

    async def _handle_session_request(self, sid: str, data: Any = None) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        outcome = await self.service.open_session(data.get("session_id"))
        conversation = outcome.conversation
        session = await self.get_session(sid)
        previous = session.get("conversation_id")
        if previous and previous != conversation.id:
            await self.leave_room(sid, conversation_room(previous))
        identity = session.get("identity") if previous == conversation.id else None
        if data.get("identity") is not None:
            try:
                identity = parse_identity(
                    data["identity"], self.service.settings.identity_secret
                ).to_metadata()
            except HandoffError as error:
                # The session still opens (the customer can chat as a guest); the widget is told why.
                await self._fail(sid, error)
        await self.save_session(
            sid,
            {"conversation_id": conversation.id, "session_id": outcome.session_id, "identity": identity},
        )
        await self.enter_room(sid, conversation_room(conversation.id))
        if outcome.refused:
            # Before session_confirm, so a widget knows why the id changed when it sees it.
            await self.emit(
                "session_refused",
                {
                    "reason": "unknown_session",
                    "message": "That session is not known here; a new one was started.",
                },
                to=sid,
            )
        await self.emit("session_confirm", outcome.session_id, to=sid)
        await self.emit("handoff_status", await self.service.status_of(conversation), to=sid)
        last_seq = data.get("last_seq")
        if isinstance(last_seq, int) and not isinstance(last_seq, bool) and last_seq >= 0:
            await self._resync(sid, conversation.id, last_seq if outcome.resumed else 0)
        return {
            "ok": True,
            "session_id": outcome.session_id,
            "resumed": outcome.resumed,
            "refused": outcome.refused,
            "last_seq": conversation.last_seq,
        }

    async def _resync(self, sid: str, conversation_id: str, after_seq: int) -> None:
        missed = await self.service.missed(conversation_id, after_seq)
        await self.emit(
            "resync",
            {
                "after_seq": after_seq,
                "messages": [m.to_dict() for m in missed],
                "last_seq": missed[-1].seq if missed else after_seq,
            },
            to=sid,
        )

    async def _handle_resync(self, sid: str, data: Any = None) -> dict[str, Any]:
        try:
            conversation_id = await self._conversation_id(sid)
            last_seq = (data or {}).get("last_seq", 0) if isinstance(data, dict) else None
            if not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
                raise InvalidInput("'last_seq' must be a non-negative integer")
        except HandoffError as error:
            return await self._fail(sid, error)
        await self._resync(sid, conversation_id, last_seq)
        return {"ok": True}

    async def _handle_user_uttered(self, sid: str, data: Any = None) -> dict[str, Any]:
        client_id = data.get("message_id") if isinstance(data, dict) else None
        try:
            claimed = data.get("session_id") if isinstance(data, dict) else None
            conversation_id = await self._conversation_id(sid, claimed)
            incoming = parse_user_uttered(data, self.max_message_chars)
        except HandoffError as error:
            return await self._fail(sid, error, client_id=client_id)
        message, created = await self.service.receive(conversation_id, incoming, skip_sid=sid)
        ack = {
            "ok": True,
            "client_id": incoming.client_id,
            "message_id": message.id,
            "seq": message.seq,
            "duplicate": not created,
        }
        await self.emit("message_ack", ack, to=sid)
        if created:
            self.service.respond_later(message, await self._with_identity(sid, incoming.metadata))
        return ack

    async def _with_identity(self, sid: str, hints: dict[str, Any]) -> dict[str, Any]:
        """The browser's metadata hints plus the claim this connection proved, if any."""
        identity = (await self.get_session(sid)).get("identity")
        return {**hints, IDENTITY_KEY: identity} if identity else hints

    async def on_message_receipt(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The widget has shown (`delivered`) or the customer has seen (`read`) up to `seq`."""
        try:
            conversation_id = await self._conversation_id(sid)
            if not isinstance(data, dict):
                raise InvalidInput("message_receipt needs an object {seq, state}")
            seq, state = data.get("seq"), data.get("state", "delivered")
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
                raise InvalidInput("'seq' must be a non-negative integer")
            if state not in ("delivered", "read"):
                raise InvalidInput("'state' must be 'delivered' or 'read'")
        except HandoffError as error:
            return await self._fail(sid, error)
        await self.service.receipt(conversation_id, seq, read=state == "read")
        return {"ok": True}

    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        try:
            conversation_id = await self._conversation_id(sid)
        except HandoffError as error:
            return await self._fail(sid, error)
        on = bool(data.get("typing")) if isinstance(data, dict) else False
        await self.service.typing(conversation_id, on)
        return {"ok": True}

    async def _handle_rating(self, sid: str, data: Any = None) -> dict[str, Any]:
        try:
            conversation_id = await self._conversation_id(sid)
            if not isinstance(data, dict):
                raise InvalidInput("rating needs an object {score, comment}")
            conversation = await self.service.db.run(queries.get_conversation, conversation_id)
            if conversation.state != "closed":
                raise InvalidInput("there is no closed conversation to rate")
            score, comment = data.get("score"), data.get("comment")
            if score is None and comment is None:
                raise InvalidInput("give a 'score' (1-5) and/or a 'comment'")
            if comment is not None and not isinstance(comment, str):
                raise InvalidInput("'comment' must be a string")
            await self.service.rate(conversation, score, comment)
        except HandoffError as error:
            return await self._fail(sid, error)
        return {"ok": True}
