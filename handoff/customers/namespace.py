"""The customer namespace: Rasa's socket.io channel protocol plus documented extras.

See docs/socket-protocol.md. Per-connection state (conversation id, session id) lives in
the socket.io session; the conversation room carries everything to every tab.

Every event a customer sends goes through `trigger_event`: handled in the order the client
sent it, within the connection's event rate (handoff/customers/limits.py), and always
answered, with its result or with an error that has a stable code. An event nobody handles
is `unknown_event`; an unexpected exception is logged and answered `internal_error`, so a
widget never waits for an acknowledgement that will not come.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from handoff.customers.inputs import (
    TextLimits,
    echo_client_id,
    parse_end_session,
    parse_identity,
    parse_rating,
    parse_receipt,
    parse_resync,
    parse_session_request,
    parse_typing,
    parse_user_uttered,
)
from handoff.customers.limits import CustomerLimits, CustomerLimitSettings
from handoff.customers.service import CustomerService, SessionOutcome
from handoff.edge import ClientAddresses
from handoff.errors import HandoffError, InternalError, InvalidInput, UnknownEvent
from handoff.notify import CUSTOMER_NAMESPACE, conversation_room
from handoff.persistence import queries
from handoff.persistence.messenger import KeyedLocks
from shop.identity import IDENTITY_KEY

logger = logging.getLogger(__name__)

Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]
# How often a busy connection writes down that its session is still in use.
TOUCH_EVERY_SECONDS = 60.0
SESSION_ROTATED = (
    "This conversation has a new session id (in session_confirm); keep it instead of the old one."
)
INTERNAL_ERROR = (
    "Something went wrong on our side. Please try again; a message sent again with the same "
    "message_id is never stored twice."
)
SESSION_ENDED = "This conversation was ended on this device; a new one starts with the next session_request."


def error_body(error: HandoffError, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": error.to_dict(), **extra}


class SessionRequired(HandoffError):
    code = "session_required"
    status = 400


class CustomerNamespace(socketio.AsyncNamespace):
    def __init__(
        self, service: CustomerService, max_message_chars: int, limits: CustomerLimits | None = None
    ) -> None:
        super().__init__(CUSTOMER_NAMESPACE)
        self.service = service
        settings = service.settings
        self.text_limits = TextLimits(max_message_chars, settings.max_word_chars, settings.max_metadata_depth)
        self.limits = limits or CustomerLimits(CustomerLimitSettings.from_settings(settings))
        self._addresses = ClientAddresses(settings.trusted_proxies)
        self._touch_every = min(TOUCH_EVERY_SECONDS, settings.session_idle_seconds / 4)
        # python-socketio runs each event as its own task; a per-connection lock taken before
        # the first await keeps one client's events in the order it sent them (a widget may
        # send user_uttered right behind session_request).
        self._in_order = KeyedLocks()
        self._handlers: dict[str, Handler] = {
            "session_request": self._session_request,
            "user_uttered": self._user_uttered,
            "resync": self._resync_request,
            "message_receipt": self._message_receipt,
            "typing": self._typing,
            "rating": self._rating,
            "identify": self._identify,
            "end_session": self._end_session,
        }

    # --- dispatch -------------------------------------------------------------------------

    async def trigger_event(self, event: Any, *args: Any) -> Any:
        sid = args[0]
        if event in ("connect", "disconnect") and not self.server.manager.is_connected(sid, self.namespace):
            # The server's own connect/disconnect (a client mid-(dis)connection is not
            # "connected"); the same names sent as events by a client are refused below.
            return await super().trigger_event(event, *args)
        handler = self._handlers.get(event) if isinstance(event, str) else None
        async with self._in_order.get(sid):
            return await self._answer(sid, event, handler, args[1:])

    async def _answer(self, sid: str, event: Any, handler: Handler | None, payload: tuple[Any, ...]) -> Any:
        data = payload[0] if payload else None
        extra = {"client_id": echo_client_id(data)} if event == "user_uttered" else {}
        try:
            self.limits.event(sid)
            if handler is None:
                raise UnknownEvent(
                    f"there is no customer event {str(event)[:60]!r}; docs/socket-protocol.md lists them"
                )
            if len(payload) > 1:
                raise InvalidInput(f"{event} takes one argument, an object (got {len(payload)})")
            return await handler(sid, data)
        except HandoffError as error:
            return await self._fail(sid, error, **extra)
        except Exception:
            logger.exception("customer event %r failed", str(event)[:60])
            return await self._fail(sid, InternalError(INTERNAL_ERROR), **extra)

    async def _fail(self, sid: str, error: HandoffError, **extra: Any) -> dict[str, Any]:
        body = error_body(error, **extra)
        await self.emit("handoff_error", body, to=sid)
        return body

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        logger.debug("customer socket %s connected", sid)
        return True

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        logger.debug("customer socket %s disconnected", sid)
        self.limits.disconnected(sid)
        session_id = (await self.get_session(sid)).get("session_id")
        if session_id:
            try:
                # The idle time of a session counts from when its last tab went away.
                await self.service.touch_session(session_id)
            except Exception:
                logger.exception("could not record the end of a customer connection")

    # --- helpers --------------------------------------------------------------------------

    async def _conversation_id(self, sid: str, claimed_session: Any = None) -> str:
        session = await self.get_session(sid)
        conversation_id: str | None = session.get("conversation_id")
        if not conversation_id:
            raise SessionRequired("send session_request first")
        if claimed_session and claimed_session != session.get("session_id"):
            raise SessionRequired("session_id does not match this connection's session")
        return conversation_id

    def _address(self, sid: str) -> str:
        """The client IP of the request that opened this connection."""
        environ = self.server.get_environ(sid, namespace=self.namespace) or {}
        request = environ.get("aiohttp.request")
        return self._addresses.of(request) if request is not None else "unknown"

    async def _still_here(self, sid: str) -> None:
        """Write down, at most every few seconds per connection, that its session is in use."""
        session = await self.get_session(sid)
        now = time.monotonic()
        if session.get("session_id") and now - session.get("touched", 0.0) >= self._touch_every:
            await self.service.touch_session(session["session_id"])
            await self.save_session(sid, {**session, "touched": now})

    async def _detach(self, sid: str, conversation_id: str | None) -> None:
        if conversation_id:
            await self.leave_room(sid, conversation_room(conversation_id))
        await self.save_session(sid, {})

    # --- sessions -------------------------------------------------------------------------

    async def _open(self, sid: str, offered: str | None) -> SessionOutcome:
        result = await self.service.resume_session(offered) if offered else None
        if isinstance(result, SessionOutcome):
            return result
        # Only here is a conversation created, so only here does the address's cap count.
        self.limits.new_session(self._address(sid))
        return await self.service.start_session(result)

    async def _session_request(self, sid: str, data: Any) -> dict[str, Any]:
        request = parse_session_request(data)
        outcome = await self._open(sid, request.session_id)
        conversation = outcome.conversation
        session = await self.get_session(sid)
        previous = session.get("conversation_id")
        if previous and previous != conversation.id:
            await self.leave_room(sid, conversation_room(previous))
        identity = session.get("identity") if previous == conversation.id else None
        if request.identity is not None:
            try:
                identity = parse_identity(
                    request.identity, self.service.settings.identity_secret
                ).to_metadata()
            except HandoffError as error:
                # The session still opens (the customer can chat as a guest); the widget is told why.
                await self._fail(sid, error)
        await self.save_session(
            sid,
            {
                "conversation_id": conversation.id,
                "session_id": outcome.session_id,
                "identity": identity,
                "touched": time.monotonic(),
            },
        )
        await self.enter_room(sid, conversation_room(conversation.id))
        if outcome.refusal is not None:
            # Before session_confirm, so a widget knows why the id changed when it sees it.
            await self.emit(
                "session_refused",
                {"reason": outcome.refusal.reason, "message": outcome.refusal.message},
                to=sid,
            )
        if outcome.rotated:
            await self.emit("session_rotated", {"message": SESSION_ROTATED}, to=sid)
        await self.emit("session_confirm", outcome.session_id, to=sid)
        await self.emit("handoff_status", await self.service.status_of(conversation), to=sid)
        if request.last_seq is not None:
            await self._resync(sid, conversation.id, request.last_seq if outcome.resumed else 0)
        ack: dict[str, Any] = {
            "ok": True,
            "session_id": outcome.session_id,
            "resumed": outcome.resumed,
            "refused": outcome.refused,
            "rotated": outcome.rotated,
            "last_seq": conversation.last_seq,
        }
        if outcome.refusal is not None:
            ack["reason"] = outcome.refusal.reason
        return ack

    async def _end_session(self, sid: str, data: Any) -> dict[str, Any]:
        """ "Forget this conversation": every id of it stops working, every tab is told."""
        offered = parse_end_session(data)
        session = await self.get_session(sid)
        target = offered or session.get("session_id")
        if not target:
            raise SessionRequired("send session_request first, or name the session_id to end")
        ended = await self.service.end_session(target)
        if ended is not None:
            room = conversation_room(ended.id)
            await self.emit(
                "session_ended", {"reason": "ended", "message": SESSION_ENDED}, room=room, skip_sid=sid
            )
            for other, _ in list(self.server.manager.get_participants(self.namespace, room)):
                await self._detach(other, ended.id)
        if target == session.get("session_id"):
            await self._detach(sid, session.get("conversation_id"))
        return {"ok": True, "ended": ended is not None}

    async def _identify(self, sid: str, data: Any) -> dict[str, Any]:
        """The shop's server signed who this customer is (`StoreChat.identify`)."""
        await self._conversation_id(sid)
        claim = parse_identity(data, self.service.settings.identity_secret)
        session = await self.get_session(sid)
        await self.save_session(sid, {**session, "identity": claim.to_metadata()})
        return {"ok": True, "customer_id": claim.customer_id}

    # --- messages -------------------------------------------------------------------------

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

    async def _resync_request(self, sid: str, data: Any) -> dict[str, Any]:
        conversation_id = await self._conversation_id(sid)
        await self._resync(sid, conversation_id, parse_resync(data))
        return {"ok": True}

    async def _user_uttered(self, sid: str, data: Any) -> dict[str, Any]:
        claimed = data.get("session_id") if isinstance(data, dict) else None
        conversation_id = await self._conversation_id(sid, claimed)
        incoming = parse_user_uttered(data, self.text_limits.max_chars, self.text_limits)
        # Refused before anything is stored: the widget keeps it and sends it again later.
        self.limits.message(sid, conversation_id)
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
        await self._still_here(sid)
        return ack

    async def _with_identity(self, sid: str, hints: dict[str, Any]) -> dict[str, Any]:
        """The browser's metadata hints plus the claim this connection proved, if any."""
        identity = (await self.get_session(sid)).get("identity")
        return {**hints, IDENTITY_KEY: identity} if identity else hints

    async def _message_receipt(self, sid: str, data: Any) -> dict[str, Any]:
        """The widget has shown (`delivered`) or the customer has seen (`read`) up to `seq`."""
        conversation_id = await self._conversation_id(sid)
        receipt = parse_receipt(data)
        await self.service.receipt(conversation_id, receipt.seq, read=receipt.read)
        return {"ok": True}

    async def _typing(self, sid: str, data: Any) -> dict[str, Any]:
        conversation_id = await self._conversation_id(sid)
        await self.service.typing(conversation_id, parse_typing(data))
        return {"ok": True}

    async def _rating(self, sid: str, data: Any) -> dict[str, Any]:
        conversation_id = await self._conversation_id(sid)
        rating = parse_rating(data, self.text_limits)
        conversation = await self.service.db.run(queries.get_conversation, conversation_id)
        if conversation.state != "closed":
            raise InvalidInput("there is no closed conversation to rate")
        await self.service.rate(conversation, rating.score, rating.comment)
        return {"ok": True}
