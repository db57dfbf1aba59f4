"""The customer's side of a conversation: sessions, messages, bot turns and the rating."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from handoff.background import BackgroundTasks
from handoff.customers import session_store
from handoff.customers.inputs import (
    IncomingMessage,
    parse_user_uttered,  # noqa: F401 (its old home; still imported from here)
)
from handoff.customers.session_ids import SessionSigner, session_hash
from handoff.errors import InvalidInput
from handoff.escalation.escalator import EMAIL, Escalator, bot_asks_for_email
from handoff.escalation.port import EscalationPolicy, Verdict, explicit_request
from handoff.persistence import queries
from handoff.persistence.messenger import Messenger
from handoff.persistence.records import Conversation, Message, OutgoingMessage
from handoff.rasa_client import RasaClient, RasaUnavailable
from handoff.settings import Settings

logger = logging.getLogger(__name__)

REQUEST_HUMAN_PAYLOAD = "/request_human"
TALK_TO_PERSON = {"content_type": "text", "title": "Talk to a person", "payload": REQUEST_HUMAN_PAYLOAD}
# Without Rasa there is no NLU; these plain phrases still reach a person.
PLAIN_HUMAN_REQUEST = re.compile(
    r"\b(human|real person|a person|an agent|someone real|talk to (?:someone|somebody)|operator)\b",
    re.IGNORECASE,
)
HANDOFF_ACTION = "action_handoff"
HANDOFF_INTENT = "request_human"
RATING_SCORE = re.compile(r"^\s*/?(?:rate\D*)?([1-5])\s*(?:/\s*5)?\s*(?:stars?)?\s*$", re.IGNORECASE)

REFUSALS = {
    "unknown_session": "That session is not known here; a new one was started.",
    "session_expired": "That session has expired (unused for too long, or replaced by a newer one); "
    "a new one was started.",
    "session_ended": "That session was ended; a new one was started.",
}


@dataclass(frozen=True)
class Refusal:
    """Why an offered session id does not open its conversation (docs/socket-protocol.md)."""

    reason: str  # unknown_session | session_expired | session_ended

    @property
    def message(self) -> str:
        return REFUSALS[self.reason]


@dataclass(frozen=True)
class SessionOutcome:
    session_id: str
    conversation: Conversation
    # True when the client offered an id the server did not issue (or no longer accepts).
    refused: bool
    resumed: bool
    refusal: Refusal | None = None
    # True when the offered id was old enough to be replaced by a new one (`session_id`).
    rotated: bool = False


def asked_for_person(tracker: dict[str, Any] | None) -> bool:
    """True when the last turn was an explicit request (intent request_human or action_handoff)."""
    if not tracker:
        return False
    latest = tracker.get("latest_message") or {}
    if (latest.get("intent") or {}).get("name") == HANDOFF_INTENT:
        return True
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == HANDOFF_ACTION:
            return True
    return False


class CustomerService:
    def __init__(
        self,
        *,
        settings: Settings,
        messenger: Messenger,
        rasa: RasaClient,
        escalator: Escalator,
        policy: EscalationPolicy,
        signer: SessionSigner,
    ) -> None:
        self.settings = settings
        self.messenger = messenger
        self.rasa = rasa
        self.escalator = escalator
        self.policy = policy
        self.signer = signer
        self._background = BackgroundTasks()

    @property
    def db(self) -> Any:
        return self.messenger.db

    # --- sessions -------------------------------------------------------------------------

    async def resume_session(self, offered: str) -> SessionOutcome | Refusal:
        """The conversation of an id this server issued and still accepts, or why not.

        An id is accepted until it has been unused for `session_idle_seconds`, or, once a newer
        id replaced it, for `session_rotation_grace_seconds` more (a tab that missed the new
        id still gets back in). One older than `session_rotate_seconds` is replaced by a new
        one here. Nothing is written for a refused id.
        """
        if not self.signer.is_authentic(offered):
            logger.info("refused a session id the server did not issue")
            return Refusal("unknown_session")
        settings, now = self.settings, self.messenger.clock()

        def work(conn: Connection) -> SessionOutcome | Refusal:
            record = session_store.find(conn, session_hash(offered))
            if record is None:
                return Refusal("unknown_session")
            if record.ended_at is not None:
                return Refusal("session_ended")
            idle = now - record.last_seen_at > settings.session_idle_seconds
            replaced = (
                record.retired_at is not None
                and now - record.retired_at > settings.session_rotation_grace_seconds
            )
            if idle or replaced:
                return Refusal("session_expired")
            conversation = queries.get_conversation(conn, record.conversation_id)
            if now - record.issued_at <= settings.session_rotate_seconds:
                session_store.touch(conn, record.session_hash, now)
                return SessionOutcome(offered, conversation, refused=False, resumed=True)
            rotated = self.signer.issue()
            session_store.rotate(conn, record, session_hash(rotated), now)
            return SessionOutcome(rotated, conversation, refused=False, resumed=True, rotated=True)

        return await self.db.run(work)

    async def start_session(self, refusal: Refusal | None = None) -> SessionOutcome:
        """A new session id and conversation (`refusal`: why the offered id did not do)."""
        session_id = self.signer.issue()
        conversation = await self.db.run(
            session_store.start_conversation, session_hash(session_id), self.messenger.clock()
        )
        return SessionOutcome(
            session_id, conversation, refused=refusal is not None, resumed=False, refusal=refusal
        )

    async def touch_session(self, session_id: str) -> None:
        """The customer is still here (a message, a connection that ended): idle time restarts."""
        await self.db.run(session_store.touch, session_hash(session_id), self.messenger.clock())

    async def end_session(self, session_id: str) -> Conversation | None:
        """Every id of this id's conversation stops working ("forget this conversation"); the
        conversation stays, for the team, with a note that the customer ended it. None when the
        id is not one this server accepts (already ended, expired or never issued)."""
        outcome = await self.resume_session(session_id)
        if not isinstance(outcome, SessionOutcome):
            return None
        conversation = outcome.conversation
        await self.db.run(session_store.end_conversation, conversation.id, self.messenger.clock())
        note, _ = await self.messenger.store(
            conversation.id,
            OutgoingMessage(
                role="system",
                text='The customer ended this conversation from their device ("forget this '
                'conversation"); they no longer see it, and replies will not reach them.',
            ),
        )
        await self.messenger.notifier.to_agents_of(
            conversation.id,
            conversation.agent_id,
            "message",
            {"conversation_id": conversation.id, "message": note.to_dict()},
        )
        return conversation

    async def missed(self, conversation_id: str, after_seq: int) -> list[Message]:
        return await self.db.run(queries.messages_after, conversation_id, after_seq, 1000)

    async def status_of(self, conversation: Conversation) -> dict[str, Any]:
        status: dict[str, Any] = {"state": conversation.state}
        if conversation.state == "agent" and conversation.agent_id:
            agent = await self.db.run(queries.get_agent, conversation.agent_id)
            status["agent_name"] = agent.display_name
        if conversation.state == "queued":
            entries = await self.escalator.queue()
            position = next(
                (e.position for e in entries if e.handoff.conversation_id == conversation.id), None
            )
            if position is not None:
                status["position"] = position
                status["estimated_wait_seconds"] = round(await self.escalator.estimate_wait(position))
        if conversation.state == "closed":
            status["rating_stage"] = conversation.rating_stage
        return status

    async def typing(self, conversation_id: str, on: bool) -> None:
        """Relay the customer's typing to the agents; a `true` expires if not renewed."""
        conversation = await self.db.run(queries.get_conversation, conversation_id)
        key = f"customer:{conversation_id}"
        if on:
            self.messenger.stale_typing.arm(key, lambda: self.typing(conversation_id, False))
        else:
            self.messenger.stale_typing.disarm(key)
        await self.messenger.notifier.to_agents_of(
            conversation_id,
            conversation.agent_id,
            "typing",
            {"conversation_id": conversation_id, "role": "customer", "typing": on},
        )

    async def receipt(self, conversation_id: str, seq: int, read: bool) -> None:
        """Record how far the customer has received/read and tell the agents if it moved."""
        before = await self.db.run(queries.get_conversation, conversation_id)
        after = await self.db.run(queries.record_receipt, conversation_id, seq, read)
        if (after.delivered_seq, after.read_seq) != (before.delivered_seq, before.read_seq):
            await self.messenger.notifier.to_agents_of(
                conversation_id,
                after.agent_id,
                "receipt",
                {
                    "conversation_id": conversation_id,
                    "delivered_seq": after.delivered_seq,
                    "read_seq": after.read_seq,
                },
            )

    # --- messages -------------------------------------------------------------------------

    async def receive(
        self, conversation_id: str, incoming: IncomingMessage, skip_sid: str | None = None
    ) -> tuple[Message, bool]:
        """Store the customer's message (idempotent by client id) and tell the other tabs and agents.

        The reply (bot turn, rating, transcript to Rasa) runs in the background: see `respond`.
        """
        message, created = await self.messenger.store(
            conversation_id,
            OutgoingMessage(role="customer", text=incoming.text, client_id=incoming.client_id),
        )
        if not created:
            return message, False
        conversation = await self.db.run(queries.get_conversation, conversation_id)
        await self.messenger.notifier.to_customer(
            conversation_id, "user_message", message.to_dict(), skip_sid=skip_sid
        )
        await self.messenger.notifier.to_agents_of(
            conversation_id,
            conversation.agent_id,
            "message",
            {"conversation_id": conversation_id, "message": message.to_dict()},
        )
        return message, True

    def respond_later(self, message: Message, metadata: dict[str, Any]) -> None:
        """Run the turn for a stored message as a tracked background task."""
        self._background.spawn(self.respond(message, metadata))

    async def drain(self) -> None:
        """Wait for turns in flight (shutdown, tests)."""
        await self._background.drain()

    async def respond(self, message: Message, metadata: dict[str, Any]) -> None:
        try:
            async with self.messenger.turn_locks.get(message.conversation_id):
                conversation = await self.db.run(queries.get_conversation, message.conversation_id)
                if conversation.state == "bot":
                    await self._bot_turn(conversation, message, metadata)
                elif conversation.state in ("queued", "agent"):
                    await self._record_for_bot(conversation, message, metadata)
                else:
                    await self._closed_turn(conversation, message, metadata)
        except Exception:
            # A crash here must not lose the message (it is stored) nor leave the customer
            # without an answer.
            logger.exception("turn failed for conversation %s", message.conversation_id)
            conversation = await self.db.run(queries.get_conversation, message.conversation_id)
            await self.messenger.system(
                conversation,
                "Sorry, something went wrong on our side while answering that. Your message is "
                "saved; you can try again or ask for a person.",
                {"quick_replies": [TALK_TO_PERSON]},
            )

    def _rasa_metadata(self, message: Message, metadata: dict[str, Any]) -> dict[str, Any]:
        # `metadata` is the browser's hints plus, under IDENTITY_KEY, a claim this gateway
        # checked (the namespace adds it from the socket session; parse_user_uttered removed
        # any the browser sent).
        return {**metadata, "handoff": {"message_id": message.id, "seq": message.seq}}

    async def _bot_turn(self, conversation: Conversation, message: Message, metadata: dict[str, Any]) -> None:
        text = message.text or ""
        # A bare address answering our follow-up question is for us, not for the bot, unless
        # the bot asked for it too (to look up the order): then it serves both, and the
        # customer is never asked for it a second time.
        if (
            await self.escalator.take_follow_up_email(conversation, text)
            and _only_email(text)
            and not await self._bot_waits_for_email(conversation.id)
        ):
            return
        await self.messenger.typing(conversation.id, "bot", None, True)
        try:
            replies = await self.rasa.send_message(
                conversation.id, text, self._rasa_metadata(message, metadata)
            )
        except RasaUnavailable as exc:
            logger.warning("Rasa unavailable for %s: %s", conversation.id, exc)
            await self.messenger.typing(conversation.id, "bot", None, False)
            await self._bot_unavailable(conversation, text)
            return
        await self.messenger.typing(conversation.id, "bot", None, False)
        await self.messenger.bot_replies(conversation, replies)
        await self._maybe_escalate(conversation, text)
        if not replies:
            await self._answer_silence(conversation)

    async def _bot_waits_for_email(self, conversation_id: str) -> bool:
        try:
            return bot_asks_for_email(await self.rasa.tracker(conversation_id))
        except RasaUnavailable:
            return False  # the address is stored for the follow-up either way

    async def _answer_silence(self, conversation: Conversation) -> None:
        """Rasa answered with no message at all: never leave the customer waiting in silence."""
        current = await self.db.run(queries.get_conversation, conversation.id)
        if current.state != "bot":
            return  # the escalation just told the customer what happens next
        logger.warning("Rasa sent no reply for %s; offering a person", conversation.id)
        await self.messenger.system(
            current,
            "I don't have a good answer for that one. I can bring in a person from our team, "
            "who will see this whole conversation.",
            {"quick_replies": [TALK_TO_PERSON]},
        )

    async def _bot_unavailable(self, conversation: Conversation, text: str) -> None:
        if text.startswith(REQUEST_HUMAN_PAYLOAD) or PLAIN_HUMAN_REQUEST.search(text):
            await self.escalator.escalate(
                conversation, explicit_request(text, "asked for a person while the bot was down"), None
            )
            return
        await self.messenger.system(
            conversation,
            "Sorry, I'm having trouble answering right now. Your message is saved. You can try "
            "again in a moment, or I can bring in a person from our team.",
            {"quick_replies": [TALK_TO_PERSON]},
        )

    async def _maybe_escalate(self, conversation: Conversation, text: str) -> None:
        try:
            tracker: dict[str, Any] | None = await self.rasa.tracker(conversation.id)
        except RasaUnavailable as exc:
            logger.warning("no tracker for %s: %s", conversation.id, exc)
            tracker = None
        explicit = asked_for_person(tracker) or text.startswith(REQUEST_HUMAN_PAYLOAD)
        verdict: Verdict = Verdict(escalate=False)
        if tracker is not None:
            try:
                verdict = self.policy.decide(tracker, text)
            except Exception:
                logger.exception("escalation policy failed for %s", conversation.id)
        if explicit and not verdict.escalate:
            # An explicit request escalates at once even if the policy missed it.
            verdict = explicit_request(text)
        if verdict.escalate:
            current = await self.db.run(queries.get_conversation, conversation.id)
            await self.escalator.escalate(current, verdict, tracker)

    async def _record_for_bot(
        self, conversation: Conversation, message: Message, metadata: dict[str, Any]
    ) -> None:
        """While a person owns the conversation: Rasa records the message (paused), says nothing."""
        try:
            replies = await self.rasa.send_message(
                conversation.id, message.text or "", self._rasa_metadata(message, metadata)
            )
        except RasaUnavailable as exc:
            logger.warning("could not record message in Rasa for %s: %s", conversation.id, exc)
            replies = []
        if replies:
            # A paused tracker predicts nothing; anything here came from slot extraction.
            logger.info(
                "dropped %d bot replies while %s is %s", len(replies), conversation.id, conversation.state
            )
        # The summary was built at escalation; keep it current with what the customer says now.
        await self.escalator.refresh_summary(conversation.id)

    async def _closed_turn(
        self, conversation: Conversation, message: Message, metadata: dict[str, Any]
    ) -> None:
        text = message.text or ""
        if conversation.rating_stage == "awaiting_score":
            match = RATING_SCORE.match(text)
            if match:
                await self.rate(conversation, int(match.group(1)), None)
                return
        elif conversation.rating_stage == "awaiting_comment":
            await self.rate(conversation, None, text)
            return
        # Anything else: the customer wants to carry on, and the bot takes over again.
        await self.reopen(conversation)
        current = await self.db.run(queries.get_conversation, conversation.id)
        await self._bot_turn(current, message, metadata)

    async def reopen(self, conversation: Conversation) -> None:
        now = self.messenger.clock()
        reopened = await self.db.run(
            lambda conn: queries.transition(
                conn, conversation.id, ("closed",), "bot", now=now, agent_id=None, rating_stage=None
            )
        )
        if reopened:
            try:
                await self.rasa.resume(conversation.id)
            except RasaUnavailable as exc:
                logger.warning("could not resume Rasa tracker %s: %s", conversation.id, exc)
            await self.messenger.status(conversation.id, {"state": "bot"})

    async def rate(self, conversation: Conversation, score: int | None, comment: str | None) -> None:
        """Store the customer's 1-5 score and then their comment (either step may come first
        through the `rating` socket event)."""
        if score is not None and (
            isinstance(score, bool) or not (isinstance(score, int) and 1 <= score <= 5)
        ):
            raise InvalidInput("rating score must be an integer from 1 to 5")
        if comment is not None and len(comment) > self.settings.max_message_chars:
            raise InvalidInput("rating comment is too long")
        now = self.messenger.clock()
        handoff_id = conversation.handoff_id

        def work(conn: Connection) -> str:
            latest = queries.latest_rating(conn, conversation.id)
            current = latest if latest and latest.handoff_id == handoff_id else None
            if score is not None:
                if current is None:
                    agent_id = queries.get_handoff(conn, handoff_id).agent_id if handoff_id else None
                    current = queries.add_rating(
                        conn, conversation.id, handoff_id, agent_id, score=score, now=now
                    )
                else:
                    queries.set_rating_score(conn, current.id, score)
            if comment is not None:
                if current is None:
                    raise InvalidInput("give a score from 1 to 5 first")
                queries.set_rating_comment(conn, current.id, comment)
            stage = "done" if comment is not None else "awaiting_comment"
            queries.set_conversation_fields(conn, conversation.id, rating_stage=stage)
            return stage

        stage = await self.db.run(work)
        if stage == "awaiting_comment":
            await self.messenger.system(
                conversation,
                "Thank you. Is there anything you'd like to tell us about how it went? "
                "(Optional: just write it here.)",
            )
        else:
            await self.messenger.system(
                conversation, "Thank you for your feedback. I'm here if you need anything else."
            )
        await self.messenger.status(conversation.id, {"state": "closed", "rating_stage": stage})


def _only_email(text: str) -> bool:
    return EMAIL.fullmatch(text.strip()) is not None
