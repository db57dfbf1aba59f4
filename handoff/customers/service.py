"""The customer's side of a conversation: sessions, messages, bot turns and the rating."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from handoff.background import BackgroundTasks
from handoff.customers.session_ids import SessionSigner, session_hash
from handoff.errors import IdentityNotEnabled, InvalidIdentity, InvalidInput
from handoff.escalation.escalator import EMAIL, Escalator, bot_asks_for_email
from handoff.escalation.port import EscalationPolicy, Verdict, explicit_request
from handoff.persistence import queries
from handoff.persistence.messenger import Messenger
from handoff.persistence.records import Conversation, Message, OutgoingMessage
from handoff.rasa_client import RasaClient, RasaUnavailable
from handoff.settings import Settings
from shop.identity import IdentityError, SignedIdentity

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
MAX_METADATA_BYTES = 4096
# Keys of message metadata only the server may set: who the customer is (`customer`, a
# signed `identity`) and the gateway's own (`handoff`). A browser's are dropped before
# anything reaches Rasa, so no one can claim to be another customer (docs/security.md).
SERVER_ONLY_METADATA_KEYS = frozenset({"customer", "identity", "handoff"})
MAX_CLIENT_ID_CHARS = 64
RATING_SCORE = re.compile(r"^\s*/?(?:rate\D*)?([1-5])\s*(?:/\s*5)?\s*(?:stars?)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SessionOutcome:
    session_id: str
    conversation: Conversation
    # True when the client offered an id the server did not issue (or no longer knows).
    refused: bool
    resumed: bool


@dataclass(frozen=True)
class IncomingMessage:
    """A validated `user_uttered` from a customer."""

    text: str
    client_id: str | None
    metadata: dict[str, Any]


def parse_user_uttered(data: Any, max_chars: int) -> IncomingMessage:
    """Validate a `user_uttered` body; every problem is a clear InvalidInput."""
    if not isinstance(data, dict):
        raise InvalidInput("user_uttered needs an object with a 'message' field")
    text = data.get("message")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("'message' must be a non-empty string")
    if len(text) > max_chars:
        raise InvalidInput(f"'message' is longer than {max_chars} characters")
    client_id = data.get("message_id", data.get("client_id"))
    if client_id is not None and (
        not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_CHARS
    ):
        raise InvalidInput(f"'message_id' must be a string of 1-{MAX_CLIENT_ID_CHARS} characters")
    metadata = data.get("metadata") or {}
    if isinstance(metadata, str):
        # Rasa's channel accepts metadata as a JSON string too.
        try:
            metadata = json.loads(metadata)
        except ValueError as exc:
            raise InvalidInput("'metadata' is not valid JSON") from exc
    if not isinstance(metadata, dict):
        raise InvalidInput("'metadata' must be an object")
    if len(json.dumps(metadata, default=str)) > MAX_METADATA_BYTES:
        raise InvalidInput(f"'metadata' is larger than {MAX_METADATA_BYTES} bytes")
    dropped = SERVER_ONLY_METADATA_KEYS & metadata.keys()
    if dropped:
        logger.warning("dropped client-supplied metadata keys %s", sorted(dropped))
    hints = {key: value for key, value in metadata.items() if key not in SERVER_ONLY_METADATA_KEYS}
    return IncomingMessage(text=text.strip(), client_id=client_id, metadata=hints)


def parse_identity(raw: Any, secret: bytes | None) -> SignedIdentity:
    """A claim the shop's server signed (`identify`), checked here before Rasa ever sees it."""
    if not secret:
        raise IdentityNotEnabled("this shop does not use signed identity (SHOP_IDENTITY_SECRET is not set)")
    try:
        claim = SignedIdentity.parse(raw)
    except IdentityError as exc:
        raise InvalidIdentity(str(exc)) from exc
    if not claim.verified(secret):
        raise InvalidIdentity("the identity's hmac does not match: sign the customer id on the shop's server")
    return claim


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

    async def open_session(self, offered: Any) -> SessionOutcome:
        """Resume the conversation of an id this server issued, or issue a new one."""
        if offered:
            if self.signer.is_authentic(offered):
                existing = await self.db.run(queries.conversation_for_session, session_hash(offered))
                if existing is not None:
                    return SessionOutcome(offered, existing, refused=False, resumed=True)
            logger.info("refused a session id the server did not issue; issuing a new one")
        session_id = self.signer.issue()
        conversation = await self.db.run(
            queries.create_conversation, session_hash(session_id), self.messenger.clock()
        )
        return SessionOutcome(session_id, conversation, refused=bool(offered), resumed=False)

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
        if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
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
