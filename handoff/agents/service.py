"""What an authenticated agent can do. Every method takes the acting `Agent` explicitly;
ownership and state are checked in the same transaction as the change."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from handoff.agents.carry_over import handback_events
from handoff.agents.load import IsHighEmotion, team_with_load
from handoff.agents.next_steps import NextStepCatalog
from handoff.background import BackgroundTasks
from handoff.errors import InvalidInput, WrongState
from handoff.escalation.escalator import Escalator
from handoff.identifiers import checked_id
from handoff.persistence import queries
from handoff.persistence.messenger import Messenger
from handoff.persistence.records import PRESENCES, Agent, Conversation, Message, Note, OutgoingMessage
from handoff.rasa_client import BotReply, RasaClient, RasaUnavailable
from handoff.settings import Settings

logger = logging.getLogger(__name__)

NAME = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
RATING_QUICK_REPLIES = [
    {"content_type": "text", "title": str(score), "payload": str(score)} for score in range(1, 6)
]


@dataclass(frozen=True)
class NextStep:
    """What the bot does when a person hands the conversation back."""

    type: str  # "intent" | "action" | "none"
    name: str | None

    @classmethod
    def parse(cls, raw: Any, default: NextStep) -> NextStep:
        if raw is None:
            return default
        if not isinstance(raw, dict):
            raise InvalidInput("next_step must be an object {type, name}")
        kind = raw.get("type")
        name = raw.get("name")
        if kind == "none":
            return cls("none", None)
        if kind not in ("intent", "action"):
            raise InvalidInput("next_step.type must be 'intent', 'action' or 'none'")
        if not isinstance(name, str) or not NAME.match(name):
            raise InvalidInput("next_step.name must be an intent or action name")
        return cls(kind, name)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name}


def clean_text(raw: Any, max_chars: int, what: str = "text") -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput(f"'{what}' must be a non-empty string")
    if len(raw) > max_chars:
        raise InvalidInput(f"'{what}' is longer than {max_chars} characters")
    return raw.strip()


class AgentService:
    def __init__(
        self,
        settings: Settings,
        messenger: Messenger,
        rasa: RasaClient,
        escalator: Escalator,
        next_steps: NextStepCatalog,
        *,
        high_emotion: IsHighEmotion,
    ) -> None:
        self.next_steps = next_steps
        # The same rule the router offers by (settings/escalation.yml `high_emotion`).
        self.high_emotion = high_emotion
        self.settings = settings
        self.messenger = messenger
        self.rasa = rasa
        self.escalator = escalator
        self._background = BackgroundTasks()

    @property
    def db(self) -> Any:
        return self.messenger.db

    def _now(self) -> float:
        return self.messenger.clock()

    async def drain(self) -> None:
        await self._background.drain()

    # --- presence and team ---------------------------------------------------------------

    async def set_presence(self, agent: Agent, presence: Any) -> Agent:
        if presence not in PRESENCES or presence == "offline":
            raise InvalidInput("presence must be 'online', 'available' or 'away'")
        updated: Agent = await self.db.run(queries.set_presence, agent.id, presence)
        await self.messenger.notifier.to_all_agents("presence", updated.to_dict())
        return updated

    async def team(self) -> list[Agent]:
        return list(await self.db.run(queries.list_agents))

    async def team_with_load(self) -> list[dict[str, Any]]:
        """The team as agent objects, each with its recent emotional `load` (handoff/agents/load.py)."""
        rows = await self.db.run(
            team_with_load,
            self._now(),
            self.settings.load_window_hours,
            self.settings.max_chats_per_agent,
            self.high_emotion,
        )
        return [{**agent.to_dict(), "load": load.to_dict()} for agent, load in rows]

    # --- the queue and a conversation ------------------------------------------------------

    async def conversation_detail(self, conversation_id: str) -> dict[str, Any]:
        def work(conn: Connection) -> dict[str, Any]:
            conversation = queries.get_conversation(conn, conversation_id)
            handoffs = queries.handoffs_for_conversation(conn, conversation_id)
            rating = queries.latest_rating(conn, conversation_id)
            return {
                "conversation": conversation.to_dict(),
                "handoff": handoffs[-1].to_dict() if handoffs else None,
                "handoffs": [h.to_dict() for h in handoffs],
                "transcript": [
                    m.to_agent_dict() for m in queries.messages_after(conn, conversation_id, 0, 5000)
                ],
                "notes": [n.to_dict() for n in queries.list_notes(conn, conversation_id)],
                "rating": rating.to_dict() if rating else None,
            }

        return dict(await self.db.run(work))

    async def mine(self, agent: Agent) -> list[dict[str, Any]]:
        """The conversations this agent owns, each with its latest handoff (a reloaded console)."""

        def work(conn: Connection) -> list[dict[str, Any]]:
            rows = []
            for conversation in queries.owned_conversations(conn, agent.id):
                handoff = (
                    queries.get_handoff(conn, conversation.handoff_id) if conversation.handoff_id else None
                )
                rows.append(
                    {
                        "conversation": conversation.to_dict(),
                        "handoff": handoff.to_dict() if handoff else None,
                    }
                )
            return rows

        return list(await self.db.run(work))

    async def claim(self, agent: Agent, conversation_id: str) -> Conversation:
        handoff = await self.db.run(
            queries.claim, conversation_id, agent.id, self._now(), self.settings.max_chats_per_agent
        )
        conversation: Conversation = await self.db.run(queries.get_conversation, conversation_id)
        await self.messenger.system(
            conversation,
            f"{agent.display_name} from our team has joined the conversation and can see everything so far.",
            agent_id=agent.id,
        )
        await self.messenger.status(conversation_id, {"state": "agent", "agent_name": agent.display_name})
        await self._announce_state(conversation, handoff_id=handoff.id)
        return conversation

    async def _announce_state(self, conversation: Conversation, **extra: Any) -> None:
        agent_name = None
        if conversation.agent_id:
            agent_name = (await self.db.run(queries.get_agent, conversation.agent_id)).display_name
        body = {
            "conversation_id": conversation.id,
            "state": conversation.state,
            "agent_id": conversation.agent_id,
            "agent_name": agent_name,
            **extra,
        }
        await self.messenger.notifier.to_all_agents("conversation_state", body)
        await self.escalator.broadcast_queue()

    # --- talking to the customer -------------------------------------------------------------

    async def send(self, agent: Agent, conversation_id: str, raw_text: Any, client_id: Any = None) -> Message:
        text = clean_text(raw_text, self.settings.max_message_chars)
        if client_id is not None and (not isinstance(client_id, str) or not 0 < len(client_id) <= 64):
            raise InvalidInput("'client_id' must be a string of 1-64 characters")
        conversation = await self.db.run(queries.require_owner, conversation_id, agent.id)
        message = await self.messenger.to_customer(
            conversation,
            OutgoingMessage(
                role="agent",
                text=text,
                sender_name=agent.display_name,
                client_id=client_id,
                agent_id=agent.id,
            ),
        )
        self._background.spawn(self._record_agent_message(conversation_id, text, agent.display_name))
        return message

    async def _record_agent_message(self, conversation_id: str, text: str, name: str) -> None:
        try:
            await self.rasa.record_agent_message(conversation_id, text, name)
        except RasaUnavailable as exc:
            logger.warning("could not record agent message in Rasa for %s: %s", conversation_id, exc)

    async def typing(self, agent: Agent, conversation_id: str, on: bool) -> None:
        await self.db.run(queries.require_owner, conversation_id, agent.id)
        await self.messenger.typing(conversation_id, "agent", agent.display_name, bool(on))

    async def add_note(self, agent: Agent, conversation_id: str, raw_text: Any) -> Note:
        text = clean_text(raw_text, self.settings.max_message_chars)
        now = self._now()

        def work(conn: Connection) -> tuple[Note, Conversation]:
            conversation = queries.get_conversation(conn, conversation_id)
            return queries.add_note(conn, conversation_id, agent.id, text, now), conversation

        note, conversation = await self.db.run(work)
        # Notes are private: agents watching and the owner hear of them, never the customer.
        await self.messenger.notifier.to_agents_of(
            conversation_id,
            conversation.agent_id,
            "note",
            {"conversation_id": conversation_id, "note": note.to_dict()},
        )
        return note

    # --- transfer, resolve, close ----------------------------------------------------------------

    async def transfer(self, agent: Agent, conversation_id: str, to_agent_id: Any) -> Conversation:
        """To another agent (by id), or back to the queue when `to_agent_id` is None."""
        now = self._now()
        if to_agent_id is not None and not isinstance(to_agent_id, str):
            raise InvalidInput("'to_agent_id' must be an agent id or null")
        if to_agent_id is not None:
            checked_id(to_agent_id, "to_agent_id")

        def work(conn: Connection) -> tuple[Conversation, Agent | None]:
            current = queries.require_owner(conn, conversation_id, agent.id)
            if current.handoff_id is None:
                raise WrongState("this conversation has no handoff to transfer")
            if to_agent_id is None:
                queries.transition(
                    conn,
                    conversation_id,
                    ("agent",),
                    "queued",
                    now=now,
                    expected_agent=agent.id,
                    agent_id=None,
                )
                queries.update_handoff(
                    conn, current.handoff_id, status="queued", agent_id=None, claimed_at=None
                )
                return queries.get_conversation(conn, conversation_id), None
            target = queries.get_agent(conn, to_agent_id)
            if target.id == agent.id:
                raise InvalidInput("you already own this conversation")
            if target.presence != "available":
                raise WrongState(f"{target.display_name} is not available")
            if queries.count_owned(conn, target.id) >= self.settings.max_chats_per_agent:
                raise WrongState(f"{target.display_name} has no room for another conversation")
            queries.transition(
                conn,
                conversation_id,
                ("agent",),
                "agent",
                now=now,
                expected_agent=agent.id,
                agent_id=target.id,
            )
            queries.update_handoff(conn, current.handoff_id, agent_id=target.id)
            return queries.get_conversation(conn, conversation_id), target

        conversation, target = await self.db.run(work)
        if target is None:
            await self.messenger.system(
                conversation,
                "I'm passing you to the next available person on our team; they'll see everything so far.",
                agent_id=agent.id,
            )
            await self.messenger.status(conversation_id, {"state": "queued"})
        else:
            await self.messenger.system(
                conversation,
                f"{target.display_name} from our team is taking over from {agent.display_name}.",
                agent_id=agent.id,
            )
            await self.messenger.status(
                conversation_id, {"state": "agent", "agent_name": target.display_name}
            )
            await self.messenger.notifier.to_agent(
                target.id,
                "transferred_to_you",
                {"conversation_id": conversation_id, "from": agent.display_name},
            )
        await self._announce_state(conversation)
        return conversation

    async def resolve(self, agent: Agent, conversation_id: str, raw_next_step: Any) -> list[Message]:
        """Hand back to the bot: resume the Rasa tracker, then run the chosen next step."""
        fallback = self.next_steps.default()
        step = NextStep.parse(raw_next_step, NextStep(fallback.type, fallback.name))
        self.next_steps.check(step.type, step.name)
        now = self._now()

        def work(conn: Connection) -> Conversation:
            current = queries.require_owner(conn, conversation_id, agent.id)
            queries.transition(
                conn, conversation_id, ("agent",), "bot", now=now, expected_agent=agent.id, agent_id=None
            )
            if current.handoff_id:
                queries.update_handoff(
                    conn, current.handoff_id, status="resolved", ended_at=now, next_step=step.to_dict()
                )
            return queries.get_conversation(conn, conversation_id)

        # Held until Rasa is resumed and the next step has run, so a message the customer
        # sends meanwhile is answered after the hand-back, not by a still-paused tracker.
        async with self.messenger.turn_locks.get(conversation_id):
            conversation = await self.db.run(work)
            await self.messenger.system(
                conversation,
                f"{agent.display_name} has handed you back to the assistant. Thanks for your patience.",
                agent_id=agent.id,
            )
            await self.messenger.status(conversation_id, {"state": "bot"})
            await self._announce_state(conversation)
            return await self._run_next_step(conversation, step)

    async def _run_next_step(self, conversation: Conversation, step: NextStep) -> list[Message]:
        try:
            await self.rasa.resume(conversation.id)
            carry_on = handback_events(await self.rasa.tracker(conversation.id))
            if carry_on:
                await self.rasa.append_events(conversation.id, carry_on)
            replies: list[BotReply] = []
            if step.type == "intent" and step.name:
                replies = await self.rasa.trigger_intent(conversation.id, step.name)
            elif step.type == "action" and step.name:
                replies = await self.rasa.execute_action(conversation.id, step.name)
        except RasaUnavailable as exc:
            logger.warning("handback next step failed for %s: %s", conversation.id, exc)
            message = await self.messenger.system(
                conversation,
                "I'm having trouble picking up right now; your messages are saved and I'll answer "
                "as soon as I can. You can also ask for a person again.",
            )
            return [message]
        sent = []
        for reply in replies:
            sent.append(
                await self.messenger.to_customer(
                    conversation, OutgoingMessage(role="bot", text=reply.text, payload=reply.payload)
                )
            )
        return sent

    async def close(self, agent: Agent, conversation_id: str) -> Conversation:
        """End the conversation and ask the customer for a 1-5 rating and a comment."""
        now = self._now()

        def work(conn: Connection) -> Conversation:
            current = queries.require_owner(conn, conversation_id, agent.id)
            queries.transition(
                conn,
                conversation_id,
                ("agent",),
                "closed",
                now=now,
                expected_agent=agent.id,
                rating_stage="awaiting_score",
            )
            if current.handoff_id:
                queries.update_handoff(conn, current.handoff_id, status="closed", ended_at=now)
            return queries.get_conversation(conn, conversation_id)

        conversation = await self.db.run(work)
        await self.messenger.system(
            conversation,
            f"{agent.display_name} has closed this conversation. How did we do? Please rate it "
            "from 1 (poor) to 5 (excellent).",
            {"quick_replies": RATING_QUICK_REPLIES},
            agent_id=agent.id,
        )
        await self.messenger.notifier.to_customer(
            conversation_id, "rating_request", {"scale": [1, 5], "agent_name": agent.display_name}
        )
        await self.messenger.status(conversation_id, {"state": "closed", "rating_stage": "awaiting_score"})
        await self._announce_state(conversation)
        return conversation
