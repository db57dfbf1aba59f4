"""The `/agent` socket.io namespace: live events for the agent console.

The connection is refused without a valid login token, sent in socket.io's `auth` (a token
in the URL's query string is refused, and revoked). The token and the event's roles
(`EVENT_ROLES`) are checked again on every event, so a logout or an expired session takes
effect at once. Every event answers through its acknowledgement: `{"ok": true, ...}` or
`{"ok": false, "error": {code, message}}`, also for an unknown event, a second argument or
a handler that failed: an event is never left unanswered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import socketio
from aiohttp import web

from handoff.agents import audit
from handoff.agents.audit import AuditTrail
from handoff.agents.auth import ANY_AGENT, AgentAuth, require_role
from handoff.agents.service import AgentService
from handoff.edge import TOKEN_IN_QUERY, TOKEN_PARAMETERS, ClientAddresses
from handoff.errors import (
    HandoffError,
    InternalError,
    InvalidInput,
    NotAuthenticated,
    TokenInQuery,
    UnknownEvent,
)
from handoff.escalation.escalator import Escalator
from handoff.identifiers import checked_id
from handoff.notify import AGENT_NAMESPACE, ALL_AGENTS_ROOM, agent_room, conversation_room
from handoff.persistence import queries
from handoff.persistence.messenger import ExpiryTimers
from handoff.persistence.records import Agent

logger = logging.getLogger(__name__)

Handler = Callable[[Agent, dict[str, Any]], Awaitable[dict[str, Any]]]
INTERNAL_ERROR = "Something went wrong on our side; please try again (the log has the details)."

# Who may send which event (docs/agent-api.md lists the same).
EVENT_ROLES: dict[str, tuple[str, ...]] = {
    "queue": ANY_AGENT,
    "watch": ANY_AGENT,
    "unwatch": ANY_AGENT,
    "claim": ANY_AGENT,
    "decline_offer": ANY_AGENT,
    "send_message": ANY_AGENT,
    "typing": ANY_AGENT,
    "note": ANY_AGENT,
    "transfer": ANY_AGENT,
    "resolve": ANY_AGENT,
    "close": ANY_AGENT,
    "presence": ANY_AGENT,
}


def _conversation_id(data: dict[str, Any]) -> str:
    return checked_id(data.get("conversation_id"), "conversation_id")


class AgentNamespace(socketio.AsyncNamespace):
    def __init__(
        self,
        auth: AgentAuth,
        service: AgentService,
        escalator: Escalator,
        *,
        trail: AuditTrail,
        addresses: ClientAddresses,
        presence_grace_seconds: float = 30.0,
    ) -> None:
        super().__init__(AGENT_NAMESPACE)
        self.auth = auth
        self.service = service
        self.escalator = escalator
        self.trail = trail
        self.addresses = addresses
        # Live console sockets per agent in this process. When an agent's last console
        # closes and does not come back within the grace period (a reload is quicker), they
        # are set `away`, so customers are never promised a person nobody is watching for;
        # reconnecting restores `available`.
        self._sockets: dict[str, set[str]] = {}
        self._went_away: set[str] = set()
        self._grace = ExpiryTimers(ttl=presence_grace_seconds)

    def _client_ip(self, environ: dict[str, Any]) -> str:
        request = environ.get("aiohttp.request")
        return self.addresses.of(request) if isinstance(request, web.BaseRequest) else "unknown"

    async def trigger_event(self, event: Any, *args: Any) -> Any:
        sid = args[0]
        if event in ("connect", "disconnect") and not self.server.manager.is_connected(sid, self.namespace):
            # The server's own connect/disconnect; the same names sent by a client are events.
            return await super().trigger_event(event, *args)
        payload = args[1:]
        try:
            if not isinstance(event, str) or event not in EVENT_ROLES:
                raise UnknownEvent(
                    f"there is no agent event {str(event)[:60]!r}; docs/agent-api.md lists them"
                )
            if len(payload) > 1:
                raise InvalidInput(f"{event} takes one argument, an object (got {len(payload)})")
            handler: Callable[..., Awaitable[dict[str, Any]]] = getattr(self, f"on_{event}")
            return await handler(sid, *payload)
        except HandoffError as error:
            return {"ok": False, "error": error.to_dict()}
        except Exception:
            logger.exception("agent event %r failed", event)
            return {"ok": False, "error": InternalError(INTERNAL_ERROR).to_dict()}

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        ip = self._client_ip(environ)
        try:
            agent, token = await self._connecting_agent(environ, auth, ip)
        except HandoffError as error:
            # Two arguments: python-socketio sends the first as `message` and the second as
            # `data`, so the browser reads the code from `error.data.code` (one argument would
            # arrive only as its str()).
            raise socketio.exceptions.ConnectionRefusedError(error.message, error.to_dict()) from error
        await self.save_session(sid, {"token": token, "agent_id": agent.id, "ip": ip})
        await self.enter_room(sid, ALL_AGENTS_ROOM)
        await self.enter_room(sid, agent_room(agent.id))
        self._sockets.setdefault(agent.id, set()).add(sid)
        self._grace.disarm(agent.id)
        if agent.id in self._went_away and agent.presence == "away":
            self._went_away.discard(agent.id)
            await self.service.set_presence(agent, "available")
        logger.info("agent %s connected (%s)", agent.username, sid)

    async def _connecting_agent(self, environ: dict[str, Any], auth: Any, ip: str) -> tuple[Agent, str]:
        """The agent whose token is in `auth`, and the token; a token in the URL is refused
        and revoked."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        exposed = next((query[name][0] for name in TOKEN_PARAMETERS if query.get(name)), None)
        if exposed is not None:
            await self.auth.revoke_exposed(exposed, ip)
            raise TokenInQuery(TOKEN_IN_QUERY)
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise NotAuthenticated("log in first, then connect with the token in socket.io's auth")
        return await self.auth.authenticate(token), token

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        session = await self.get_session(sid)
        agent_id = session.get("agent_id")
        sockets = self._sockets.get(agent_id, set())
        sockets.discard(sid)
        if agent_id and not sockets:
            self._sockets.pop(agent_id, None)
            self._grace.arm(agent_id, lambda: self._console_gone(agent_id))
        logger.debug("agent socket %s disconnected", sid)

    async def _console_gone(self, agent_id: str) -> None:
        if agent_id in self._sockets:
            return
        agent = await self.service.db.run(queries.get_agent, agent_id)
        if agent.presence == "available":
            self._went_away.add(agent_id)
            await self.service.set_presence(agent, "away")
            logger.info("agent %s has no console open; presence set to away", agent.username)

    def close(self) -> None:
        self._grace.close()

    async def _join_room(self, sid: str, room: str) -> None:
        # The agent's tab may close while a claim is being written: the claim stands (it shows
        # up in "mine" on the next login), there is just no socket left to put in the room.
        if not self.server.manager.is_connected(sid, self.namespace):
            return
        try:
            await self.enter_room(sid, room)
        except KeyError:
            logger.info("agent socket %s disconnected before joining %s", sid, room)

    async def _run(self, sid: str, event: str, data: Any, handler: Handler) -> dict[str, Any]:
        """Check the token and the event's roles, then run it (trigger_event turns every
        error into the ack)."""
        session = await self.get_session(sid)
        agent = await self.auth.authenticate(session.get("token"))
        try:
            require_role(agent, EVENT_ROLES[event], f"'{event}'")
        except HandoffError:
            await self._audit(sid, agent, audit.FORBIDDEN, event, {"needs": list(EVENT_ROLES[event])})
            raise
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InvalidInput("event data must be an object")
        return {"ok": True, **(await handler(agent, data))}

    async def _audit(
        self, sid: str, agent: Agent, action: str, target: str | None, detail: dict[str, Any] | None = None
    ) -> None:
        session = await self.get_session(sid)
        ip = str(session.get("ip") or "unknown")
        await self.trail.record(agent, action, target, ip, {"via": "socket", **(detail or {})})

    async def on_queue(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            return {"queue": [e.to_dict() for e in await self.escalator.queue()]}

        return await self._run(sid, "queue", data, handler)

    async def on_watch(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Join a conversation's room (live transcript, typing, notes) and get its detail."""

        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            conversation_id = _conversation_id(data)
            detail = await self.service.conversation_detail(conversation_id)
            await self._audit(sid, agent, audit.CONVERSATION_READ, conversation_id)
            await self._join_room(sid, conversation_room(conversation_id))
            return detail

        return await self._run(sid, "watch", data, handler)

    async def on_unwatch(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            await self.leave_room(sid, conversation_room(_conversation_id(data)))
            return {}

        return await self._run(sid, "unwatch", data, handler)

    async def on_claim(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            conversation_id = _conversation_id(data)
            conversation = await self.service.claim(agent, conversation_id)
            await self._audit(sid, agent, audit.CLAIM, conversation_id)
            await self._join_room(sid, conversation_room(conversation_id))
            return {"conversation": conversation.to_dict()}

        return await self._run(sid, "claim", data, handler)

    async def on_decline_offer(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Pass on a high-emotion conversation offered to you first: everyone else hears at once."""

        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            return {"declined": await self.escalator.router.decline(agent.id, _conversation_id(data))}

        return await self._run(sid, "decline_offer", data, handler)

    async def on_send_message(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            conversation_id = _conversation_id(data)
            message = await self.service.send(agent, conversation_id, data.get("text"), data.get("client_id"))
            await self._audit(sid, agent, audit.REPLY, conversation_id, {"message_id": message.id})
            return {"message": message.to_agent_dict()}

        return await self._run(sid, "send_message", data, handler)

    async def on_typing(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            await self.service.typing(agent, _conversation_id(data), bool(data.get("typing")))
            return {}

        return await self._run(sid, "typing", data, handler)

    async def on_note(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            conversation_id = _conversation_id(data)
            note = await self.service.add_note(agent, conversation_id, data.get("text"))
            await self._audit(sid, agent, audit.NOTE, conversation_id, {"note_id": note.id})
            return {"note": note.to_dict()}

        return await self._run(sid, "note", data, handler)

    async def on_transfer(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            conversation_id, to_agent_id = _conversation_id(data), data.get("to_agent_id")
            conversation = await self.service.transfer(agent, conversation_id, to_agent_id)
            await self._audit(sid, agent, audit.TRANSFER, conversation_id, {"to_agent_id": to_agent_id})
            return {"conversation": conversation.to_dict()}

        return await self._run(sid, "transfer", data, handler)

    async def on_resolve(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            conversation_id = _conversation_id(data)
            sent = await self.service.resolve(agent, conversation_id, data.get("next_step"))
            await self._audit(
                sid, agent, audit.RESOLVE, conversation_id, {"next_step": data.get("next_step")}
            )
            return {"bot_messages": [m.to_agent_dict() for m in sent]}

        return await self._run(sid, "resolve", data, handler)

    async def on_close(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            conversation_id = _conversation_id(data)
            conversation = await self.service.close(agent, conversation_id)
            await self._audit(sid, agent, audit.CLOSE, conversation_id)
            return {"conversation": conversation.to_dict()}

        return await self._run(sid, "close", data, handler)

    async def on_presence(self, sid: str, data: Any = None) -> dict[str, Any]:
        async def handler(agent: Agent, data: dict[str, Any]) -> dict[str, Any]:
            updated = await self.service.set_presence(agent, data.get("presence"))
            return {"agent": updated.to_dict()}

        return await self._run(sid, "presence", data, handler)
