"""The agent REST API (docs/agent-api.md). Views are thin: parse, authenticate, call the
service, and turn domain errors into JSON errors with the right status."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from handoff.agents.auth import AgentAuth
from handoff.agents.remedies import RemedyDesk
from handoff.agents.service import AgentService
from handoff.agents.suggestions import Suggester
from handoff.errors import HandoffError, InvalidInput, NotAuthenticated
from handoff.escalation.escalator import Escalator
from handoff.persistence import queries
from handoff.persistence.records import Agent
from handoff.rasa_client import RasaUnavailable

logger = logging.getLogger(__name__)

PREFIX = "/api/agent"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(error: HandoffError) -> web.Response:
    return web.json_response({"error": {"code": error.code, "message": error.message}}, status=error.status)


@web.middleware
async def domain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """HandoffError → JSON error; anything unexpected → logged 500 with a JSON body."""
    try:
        return await handler(request)
    except HandoffError as error:
        return error_response(error)
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("unexpected error in %s %s", request.method, request.path)
        return web.json_response(
            {"error": {"code": "internal", "message": "unexpected server error"}}, status=500
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
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object")
    return body


# (method, path, AgentApi method): the routes are added by the app factory, which looks the
# AgentApi up per request because it is built in cleanup_ctx, after the routes.
ROUTES = [
    ("POST", "/login", "login"),
    ("POST", "/logout", "logout"),
    ("GET", "/me", "me"),
    ("GET", "/agents", "agents"),
    ("PUT", "/presence", "presence"),
    ("GET", "/queue", "queue"),
    ("GET", "/next-steps", "next_steps"),
    ("GET", "/conversations/mine", "mine"),
    ("GET", "/conversations/{conversation_id}", "conversation"),
    ("POST", "/conversations/{conversation_id}/claim", "claim"),
    ("GET", "/conversations/{conversation_id}/suggestions", "suggestions"),
    ("GET", "/conversations/{conversation_id}/remedies", "remedies"),
    ("POST", "/conversations/{conversation_id}/remedies", "give_remedy"),
    ("POST", "/approvals/{approval_id}", "decide_approval"),
    ("POST", "/conversations/{conversation_id}/messages", "send"),
    ("POST", "/conversations/{conversation_id}/notes", "note"),
    ("POST", "/conversations/{conversation_id}/transfer", "transfer"),
    ("POST", "/conversations/{conversation_id}/resolve", "resolve"),
    ("POST", "/conversations/{conversation_id}/close", "close"),
]


class AgentApi:
    def __init__(
        self,
        auth: AgentAuth,
        service: AgentService,
        escalator: Escalator,
        suggester: Suggester,
        remedy_desk: RemedyDesk,
    ) -> None:
        self.auth = auth
        self.service = service
        self.escalator = escalator
        self.suggester = suggester
        self.remedy_desk = remedy_desk

    async def _agent(self, request: web.Request) -> Agent:
        return await self.auth.authenticate(bearer_token(request))

    async def login(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        login = await self.auth.login(body.get("username"), body.get("password"))
        await self.service.messenger.notifier.to_all_agents("presence", login.agent.to_dict())
        return web.json_response(
            {
                "token": login.token,
                "agent": login.agent.to_dict(),
                "expires_at": login.expires_at,
                **self._limits(),
            }
        )

    async def logout(self, request: web.Request) -> web.Response:
        token = bearer_token(request)
        agent = await self.auth.authenticate(token)
        await self.auth.logout(token, agent)
        await self.service.messenger.notifier.to_all_agents(
            "presence", {**agent.to_dict(), "presence": "offline"}
        )
        return web.json_response({"ok": True})

    def _limits(self) -> dict[str, Any]:
        return {"max_chats_per_agent": self.service.settings.max_chats_per_agent}

    async def me(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        return web.json_response({"agent": agent.to_dict(), **self._limits()})

    async def mine(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        return web.json_response({"conversations": await self.service.mine(agent)})

    async def agents(self, request: web.Request) -> web.Response:
        await self._agent(request)
        return web.json_response({"agents": await self.service.team_with_load()})

    async def presence(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        body = await json_body(request)
        updated = await self.service.set_presence(agent, body.get("presence"))
        return web.json_response({"agent": updated.to_dict()})

    async def queue(self, request: web.Request) -> web.Response:
        await self._agent(request)
        return web.json_response({"queue": [e.to_dict() for e in await self.escalator.queue()]})

    async def next_steps(self, request: web.Request) -> web.Response:
        await self._agent(request)
        choices = [c.to_dict() for c in self.service.next_steps.choices()]
        return web.json_response({"next_steps": choices})

    async def conversation(self, request: web.Request) -> web.Response:
        await self._agent(request)
        detail = await self.service.conversation_detail(request.match_info["conversation_id"])
        return web.json_response(detail)

    async def claim(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        conversation = await self.service.claim(agent, request.match_info["conversation_id"])
        return web.json_response({"conversation": conversation.to_dict()})

    async def suggestions(self, request: web.Request) -> web.Response:
        """2-3 empathetic openings for the latest customer message (owner only)."""
        agent = await self._agent(request)
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

    async def remedies(self, request: web.Request) -> web.Response:
        """What the owner may do for the conversation's order, and its approval requests."""
        agent = await self._agent(request)
        overview = await self.remedy_desk.overview(agent, request.match_info["conversation_id"])
        return web.json_response(overview)

    async def give_remedy(self, request: web.Request) -> web.Response:
        """201 when carried out now; 200 with the first result for a repeated client_id."""
        agent = await self._agent(request)
        body = await json_body(request)
        result, created = await self.remedy_desk.carry_out(agent, request.match_info["conversation_id"], body)
        return web.json_response({"result": result.to_dict()}, status=201 if created else 200)

    async def decide_approval(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        body = await json_body(request)
        answer = await self.remedy_desk.decide(agent, request.match_info["approval_id"], body)
        return web.json_response(answer)

    async def send(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        body = await json_body(request)
        message = await self.service.send(
            agent, request.match_info["conversation_id"], body.get("text"), body.get("client_id")
        )
        return web.json_response({"message": message.to_dict()}, status=201)

    async def note(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        body = await json_body(request)
        note = await self.service.add_note(agent, request.match_info["conversation_id"], body.get("text"))
        return web.json_response({"note": note.to_dict()}, status=201)

    async def transfer(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        body = await json_body(request)
        conversation = await self.service.transfer(
            agent, request.match_info["conversation_id"], body.get("to_agent_id")
        )
        return web.json_response({"conversation": conversation.to_dict()})

    async def resolve(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        body = await json_body(request)
        sent = await self.service.resolve(agent, request.match_info["conversation_id"], body.get("next_step"))
        return web.json_response({"bot_messages": [m.to_dict() for m in sent]})

    async def close(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        conversation = await self.service.close(agent, request.match_info["conversation_id"])
        return web.json_response({"conversation": conversation.to_dict()})
