"""The agent REST API (docs/agent-api.md). Views are thin: parse, call the service, audit,
and answer; `dispatch` authenticates and checks the route's roles before any view runs, and
domain errors become JSON errors with the right status."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from handoff.agents import audit
from handoff.agents.audit import AuditTrail
from handoff.agents.auth import ANY_AGENT, SUPERVISORS, AgentAuth, require_role
from handoff.agents.remedies import RemedyDesk
from handoff.agents.service import AgentService
from handoff.agents.suggestions import Suggester
from handoff.edge import ClientAddresses, error_response
from handoff.errors import Forbidden, HandoffError, InternalError, InvalidInput, NotAuthenticated
from handoff.escalation.escalator import Escalator
from handoff.identifiers import checked_id
from handoff.persistence import queries
from handoff.persistence.records import Agent
from handoff.rasa_client import RasaUnavailable

logger = logging.getLogger(__name__)

PREFIX = "/api/agent"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def domain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """HandoffError → JSON error; anything unexpected → logged 500 with a JSON body."""
    try:
        return await handler(request)
    except HandoffError as error:
        return error_response(error)
    except web.HTTPException as refusal:
        if refusal.status < 400:
            raise  # a redirect, not an error
        return http_error_response(refusal)
    except Exception:
        logger.exception("unexpected error in %s %s", request.method, request.path)
        return error_response(InternalError("unexpected server error; the gateway's log has the details"))


# aiohttp's own refusals (no such route or file, wrong method, body over the size limit) in
# the same JSON shape as ours, so no client ever has to parse a text/plain error.
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def http_error_response(refusal: web.HTTPException) -> web.Response:
    code = HTTP_ERROR_CODES.get(refusal.status, f"http_{refusal.status}")
    headers = {"Allow": refusal.headers["Allow"]} if "Allow" in refusal.headers else None
    return web.json_response(
        {"error": {"code": code, "message": refusal.reason}}, status=refusal.status, headers=headers
    )


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send 'Authorization: Bearer <token>' (log in first)")
    return token.strip()


async def json_body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except (ValueError, RecursionError) as exc:
        # ValueError: malformed JSON, bad UTF-8, an integer too long to convert;
        # RecursionError: arrays or objects nested thousands deep.
        raise InvalidInput("request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object")
    return body


@dataclass(frozen=True)
class Route:
    """One endpoint: the AgentApi view that answers it and the roles that may call it
    (empty: no login needed)."""

    method: str
    path: str
    view: str
    roles: tuple[str, ...] = ANY_AGENT

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


# The routes are added by the app factory, which looks the AgentApi up per request because it
# is built in cleanup_ctx, after the routes. docs/agent-api.md lists the same roles.
ROUTES = [
    Route("POST", "/login", "login", roles=()),
    Route("POST", "/logout", "logout"),
    Route("GET", "/me", "me"),
    Route("GET", "/agents", "agents"),
    Route("PUT", "/presence", "presence"),
    Route("GET", "/queue", "queue"),
    Route("GET", "/next-steps", "next_steps"),
    Route("GET", "/conversations/mine", "mine"),
    Route("GET", "/conversations/{conversation_id}", "conversation"),
    Route("POST", "/conversations/{conversation_id}/claim", "claim"),
    Route("GET", "/conversations/{conversation_id}/suggestions", "suggestions"),
    Route("GET", "/conversations/{conversation_id}/remedies", "remedies"),
    Route("POST", "/conversations/{conversation_id}/remedies", "give_remedy"),
    Route("POST", "/approvals/{approval_id}", "decide_approval"),
    Route("POST", "/conversations/{conversation_id}/messages", "send"),
    Route("POST", "/conversations/{conversation_id}/notes", "note"),
    Route("POST", "/conversations/{conversation_id}/transfer", "transfer"),
    Route("POST", "/conversations/{conversation_id}/resolve", "resolve"),
    Route("POST", "/conversations/{conversation_id}/close", "close"),
    Route("GET", "/audit", "audit_log", roles=SUPERVISORS),
]


class AgentApi:
    def __init__(
        self,
        auth: AgentAuth,
        service: AgentService,
        escalator: Escalator,
        suggester: Suggester,
        remedy_desk: RemedyDesk,
        *,
        trail: AuditTrail,
        addresses: ClientAddresses,
    ) -> None:
        self.auth = auth
        self.service = service
        self.escalator = escalator
        self.suggester = suggester
        self.remedy_desk = remedy_desk
        self.trail = trail
        self.addresses = addresses

    async def dispatch(self, route: Route, request: web.Request) -> web.StreamResponse:
        """Every call: the token (except the login), then the route's roles, then the view."""
        view: Callable[..., Awaitable[web.StreamResponse]] = getattr(self, route.view)
        if not route.roles:
            return await view(request)
        agent = await self.auth.authenticate(bearer_token(request))
        try:
            require_role(agent, route.roles, route.name)
        except Forbidden:
            await self._audit(request, agent, audit.FORBIDDEN, route.name, {"needs": list(route.roles)})
            raise
        for name, value in request.match_info.items():
            # Path ids reach queries; a hostile one (a NUL, which PostgreSQL refuses) is a 400.
            if name.endswith("_id"):
                checked_id(value, name)
        return await view(request, agent)

    def _ip(self, request: web.Request) -> str:
        return self.addresses.of(request)

    async def _audit(
        self,
        request: web.Request,
        agent: Agent,
        action: str,
        target: str | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await self.trail.record(agent, action, target, self._ip(request), {"via": "rest", **(detail or {})})

    async def login(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        login = await self.auth.login(body.get("username"), body.get("password"), self._ip(request))
        await self.service.messenger.notifier.to_all_agents("presence", login.agent.to_dict())
        return web.json_response(
            {
                "token": login.token,
                "agent": login.agent.to_dict(),
                "expires_at": login.expires_at,
                **self._limits(),
            }
        )

    async def logout(self, request: web.Request, agent: Agent) -> web.Response:
        await self.auth.logout(bearer_token(request), agent, self._ip(request))
        await self.service.messenger.notifier.to_all_agents(
            "presence", {**agent.to_dict(), "presence": "offline"}
        )
        return web.json_response({"ok": True})

    def _limits(self) -> dict[str, Any]:
        return {"max_chats_per_agent": self.service.settings.max_chats_per_agent}

    async def me(self, request: web.Request, agent: Agent) -> web.Response:
        return web.json_response({"agent": agent.to_dict(), **self._limits()})

    async def mine(self, request: web.Request, agent: Agent) -> web.Response:
        return web.json_response({"conversations": await self.service.mine(agent)})

    async def agents(self, request: web.Request, agent: Agent) -> web.Response:
        return web.json_response({"agents": await self.service.team_with_load()})

    async def presence(self, request: web.Request, agent: Agent) -> web.Response:
        body = await json_body(request)
        updated = await self.service.set_presence(agent, body.get("presence"))
        return web.json_response({"agent": updated.to_dict()})

    async def queue(self, request: web.Request, agent: Agent) -> web.Response:
        return web.json_response({"queue": [e.to_dict() for e in await self.escalator.queue()]})

    async def next_steps(self, request: web.Request, agent: Agent) -> web.Response:
        choices = [c.to_dict() for c in self.service.next_steps.choices()]
        return web.json_response({"next_steps": choices})

    async def conversation(self, request: web.Request, agent: Agent) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        detail = await self.service.conversation_detail(conversation_id)
        # Written before the transcript leaves: a read that is not in the log did not happen.
        await self._audit(request, agent, audit.CONVERSATION_READ, conversation_id)
        return web.json_response(detail)

    async def claim(self, request: web.Request, agent: Agent) -> web.Response:
        conversation = await self.service.claim(agent, request.match_info["conversation_id"])
        await self._audit(request, agent, audit.CLAIM, conversation.id)
        return web.json_response({"conversation": conversation.to_dict()})

    async def suggestions(self, request: web.Request, agent: Agent) -> web.Response:
        """2-3 empathetic openings for the latest customer message (owner only)."""
        conversation_id = request.match_info["conversation_id"]
        await self.service.db.run(queries.require_owner, conversation_id, agent.id)
        transcript = await self.service.db.run(queries.messages_after, conversation_id, 0, 5000)
        try:
            tracker: dict[str, Any] | None = await self.escalator.rasa.tracker(conversation_id)
        except RasaUnavailable as exc:
            # Without the tracker's feelings the phrases are still the bank's; say nothing worse.
            logger.warning("no tracker for suggestions in %s: %s", conversation_id, exc)
            tracker = None
        said = [m.text for m in transcript if m.role != "customer" and m.text]
        chosen = await asyncio.to_thread(self.suggester.suggest, tracker, said)
        for_seq = max((m.seq for m in transcript if m.role == "customer"), default=0)
        return web.json_response({"for_seq": for_seq, "suggestions": [s.to_dict() for s in chosen]})

    async def remedies(self, request: web.Request, agent: Agent) -> web.Response:
        """What the owner may do for the conversation's order, and its approval requests."""
        overview = await self.remedy_desk.overview(agent, request.match_info["conversation_id"])
        return web.json_response(overview)

    async def give_remedy(self, request: web.Request, agent: Agent) -> web.Response:
        """201 when carried out now; 200 with the first result for a repeated client_id."""
        body = await json_body(request)
        conversation_id = request.match_info["conversation_id"]
        result, created = await self.remedy_desk.carry_out(agent, conversation_id, body)
        await self._audit(
            request, agent, audit.REMEDY, conversation_id, {**result.to_dict(), "repeat": not created}
        )
        return web.json_response({"result": result.to_dict()}, status=201 if created else 200)

    async def decide_approval(self, request: web.Request, agent: Agent) -> web.Response:
        body = await json_body(request)
        approval_id = request.match_info["approval_id"]
        answer = await self.remedy_desk.decide(agent, approval_id, body)
        decided = answer["approval"]
        await self._audit(
            request,
            agent,
            audit.APPROVAL,
            approval_id,
            {"reference": decided["reference"], "status": decided["status"], "result": answer["result"]},
        )
        return web.json_response(answer)

    async def send(self, request: web.Request, agent: Agent) -> web.Response:
        body = await json_body(request)
        conversation_id = request.match_info["conversation_id"]
        message = await self.service.send(agent, conversation_id, body.get("text"), body.get("client_id"))
        await self._audit(request, agent, audit.REPLY, conversation_id, {"message_id": message.id})
        return web.json_response({"message": message.to_agent_dict()}, status=201)

    async def note(self, request: web.Request, agent: Agent) -> web.Response:
        body = await json_body(request)
        conversation_id = request.match_info["conversation_id"]
        note = await self.service.add_note(agent, conversation_id, body.get("text"))
        await self._audit(request, agent, audit.NOTE, conversation_id, {"note_id": note.id})
        return web.json_response({"note": note.to_dict()}, status=201)

    async def transfer(self, request: web.Request, agent: Agent) -> web.Response:
        body = await json_body(request)
        conversation_id = request.match_info["conversation_id"]
        to_agent_id = body.get("to_agent_id")
        conversation = await self.service.transfer(agent, conversation_id, to_agent_id)
        await self._audit(request, agent, audit.TRANSFER, conversation_id, {"to_agent_id": to_agent_id})
        return web.json_response({"conversation": conversation.to_dict()})

    async def resolve(self, request: web.Request, agent: Agent) -> web.Response:
        body = await json_body(request)
        conversation_id = request.match_info["conversation_id"]
        sent = await self.service.resolve(agent, conversation_id, body.get("next_step"))
        await self._audit(
            request, agent, audit.RESOLVE, conversation_id, {"next_step": body.get("next_step")}
        )
        return web.json_response({"bot_messages": [m.to_agent_dict() for m in sent]})

    async def close(self, request: web.Request, agent: Agent) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        conversation = await self.service.close(agent, conversation_id)
        await self._audit(request, agent, audit.CLOSE, conversation_id)
        return web.json_response({"conversation": conversation.to_dict()})

    async def audit_log(self, request: web.Request, agent: Agent) -> web.Response:
        """Supervisors: the audit log, newest first; `next_before` pages back."""
        where = audit.parse_filter(request.query)
        entries = await self.trail.read(where)
        await self._audit(request, agent, audit.AUDIT_READ, None, {"filter": dict(request.query)})
        full_page = len(entries) == where.limit
        return web.json_response(
            {
                "entries": [entry.to_dict() for entry in entries],
                "next_before": entries[-1].id if entries and full_page else None,
            }
        )
