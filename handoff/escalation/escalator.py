"""Turning a decision to escalate into a queue entry and an honest message to the customer."""

from __future__ import annotations

import asyncio
import logging
import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Connection

from handoff.agents.routing import Offer, Router
from handoff.escalation.port import EXPLICIT_REQUEST, EscalationPolicy, Verdict, transcript_summary
from handoff.persistence import queries
from handoff.persistence.messenger import Messenger
from handoff.persistence.records import Conversation, Handoff, QueueEntry
from handoff.rasa_client import RasaClient, RasaUnavailable
from handoff.settings import Settings

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
HISTORY_WINDOW_SECONDS = 24 * 3600
# The bot's own handoff (actions/complaints.py): it records the request and says it passed the
# conversation on, leaving when and where a person answers to the gateway, which knows.
BOT_HANDOFF_ACTION = "action_handoff"
BOT_HANDOFF_RESPONSE = "utter_handoff_requested"
# The bot's offers of a person wait for a yes (pending_offer, docs/dialogue-contract.md).
PERSON_OFFER = "handoff"


@dataclass(frozen=True)
class QueueOutcome:
    """What the customer was told after an escalation."""

    queued: bool
    handoff: Handoff
    position: int | None = None
    estimated_wait_seconds: float | None = None


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "about a minute" if minutes == 1 else f"about {minutes} minutes"


def known_email(tracker: dict[str, Any] | None) -> str | None:
    slots = (tracker or {}).get("slots") or {}
    value = slots.get("email")
    return value if isinstance(value, str) and EMAIL.fullmatch(value) else None


def latest_reply(tracker: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The events after the customer's latest message: the bot's reply to it."""
    events = (tracker or {}).get("events") or []
    reply: list[dict[str, Any]] = []
    for event in reversed(events):
        if not isinstance(event, dict):
            continue
        if event.get("event") == "user":
            break
        reply.append(event)
    return list(reversed(reply))


def bot_announced_handoff(tracker: dict[str, Any] | None) -> bool:
    """True when the bot's reply already told the customer it passed them to the team."""
    for event in latest_reply(tracker):
        metadata = event.get("metadata")
        response = metadata.get("utter_action") if isinstance(metadata, dict) else None
        if (event.get("event") == "action" and event.get("name") == BOT_HANDOFF_ACTION) or (
            event.get("event") == "bot" and response == BOT_HANDOFF_RESPONSE
        ):
            return True
    return False


def bot_offered_person(tracker: dict[str, Any] | None) -> bool:
    """True when the bot's reply asked whether the customer wants a person."""
    return any(
        e.get("event") == "slot" and e.get("name") == "pending_offer" and e.get("value") == PERSON_OFFER
        for e in latest_reply(tracker)
    )


def queued_message(tracker: dict[str, Any] | None, position: int, wait_seconds: float) -> str:
    """What the customer reads when a person will answer here: one true thing, joined to what
    the bot just said (it may already have said it passed the conversation on, or asked
    whether they want a person), never repeating or contradicting it."""
    place = "next in line" if position == 1 else f"number {position} in the queue"
    when = f"You're {place}; the wait is {_minutes(wait_seconds)}."
    if bot_announced_handoff(tracker):
        return (
            f"I'm bringing in a person from our team now, and they'll reply here in this chat. {when} "
            "You can keep writing in the meantime."
        )
    # The bot's question is answered here rather than left hanging: nobody needs to say yes.
    opening = "Rather than wait for your answer, I'm" if bot_offered_person(tracker) else "I'm"
    return (
        f"{opening} bringing in a person from our team, and they'll see everything we've said so far, "
        f"so you won't have to repeat yourself. {when} You can keep writing here in the meantime."
    )


def bot_asks_for_email(tracker: dict[str, Any] | None) -> bool:
    """True while the bot's own form waits for the customer's email (to look up an order)."""
    slots = (tracker or {}).get("slots") or {}
    return slots.get("requested_slot") == "email"


class Escalator:
    def __init__(
        self,
        settings: Settings,
        messenger: Messenger,
        rasa: RasaClient,
        policy: EscalationPolicy,
        router: Router,
    ) -> None:
        self.settings = settings
        self.messenger = messenger
        self.rasa = rasa
        self.policy = policy
        self.router = router

    @property
    def db(self) -> Any:
        return self.messenger.db

    def _now(self) -> float:
        return self.messenger.clock()

    def priority_of(self, handoff: Handoff, now: float) -> float:
        verdict = Verdict(True, handoff.reasons, handoff.evidence, handoff.decision)
        try:
            return float(self.policy.priority(verdict, max(0.0, now - handoff.queued_at)))
        except Exception:
            logger.exception("priority failed for handoff %s; using stored value", handoff.id)
            return handoff.priority

    async def queue(self) -> list[QueueEntry]:
        """Queued conversations, highest priority first (ties: longest waiting first)."""
        now = self._now()
        queued = await self.db.run(queries.handoffs_with_status, ("queued",))
        scored = sorted(
            ((self.priority_of(h, now), h) for h in queued),
            key=lambda pair: (-pair[0], pair[1].queued_at),
        )
        entries = []
        for i, (p, h) in enumerate(scored):
            offer = self.router.offer_of(h.conversation_id)
            entries.append(
                QueueEntry(
                    handoff=h,
                    position=i + 1,
                    waiting_seconds=now - h.queued_at,
                    priority=p,
                    offered_to=offer.agent_id if offer else None,
                    offer_expires_at=offer.expires_at if offer else None,
                )
            )
        return entries

    async def estimate_wait(self, position: int) -> float:
        """Median recent wait per queue place, shared by the agents who are available."""
        now = self._now()

        def work(conn: Connection) -> tuple[list[float], int]:
            waits = queries.recent_claim_waits(conn, now - HISTORY_WINDOW_SECONDS)
            return waits, queries.count_available_agents(conn)

        waits, available = await self.db.run(work)
        per_place = statistics.median(waits) if waits else self.settings.default_wait_seconds
        return per_place * position / max(available, 1)

    async def escalate(
        self,
        conversation: Conversation,
        verdict: Verdict,
        tracker: dict[str, Any] | None,
    ) -> QueueOutcome | None:
        """Queue the conversation for a person, or arrange an email follow-up when none is there."""
        summary = await self._summarize(conversation.id, tracker, verdict)
        now = self._now()
        available = await self.db.run(queries.count_available_agents)
        if available and self.settings.opening_hours.is_open(datetime.fromtimestamp(now, timezone.utc)):
            return await self._enqueue(conversation, verdict, summary, tracker, now)
        return await self._follow_up(conversation, verdict, summary, tracker, now)

    async def _summarize(
        self, conversation_id: str, tracker: dict[str, Any] | None, verdict: Verdict
    ) -> dict[str, Any]:
        transcript = await self.db.run(queries.messages_after, conversation_id, 0, 5000)
        try:
            # The summary may read the shop's database (sync): keep it off the event loop.
            return await asyncio.to_thread(self.policy.summarize, tracker, verdict, transcript)
        except Exception:
            logger.exception("summary failed for %s; sending the transcript summary", conversation_id)
            return transcript_summary(transcript, verdict)

    async def refresh_summary(self, conversation_id: str) -> dict[str, Any] | None:
        """Rebuild the summary of a queued or owned conversation after a new customer message,
        so the agent never reads a story that stops before what the customer just said.

        Pushed as `summary_updated` to the owner (or, while queued, to every agent, whose queue
        rows carry the summary). Returns the new summary, or None when there is no live handoff.
        """
        conversation = await self.db.run(queries.get_conversation, conversation_id)
        if conversation.state not in ("queued", "agent") or conversation.handoff_id is None:
            return None
        handoff = await self.db.run(queries.get_handoff, conversation.handoff_id)
        try:
            tracker: dict[str, Any] | None = await self.rasa.tracker(conversation_id)
        except RasaUnavailable as exc:
            logger.warning("no tracker for the summary of %s: %s", conversation_id, exc)
            tracker = None
        verdict = Verdict(True, handoff.reasons, handoff.evidence, handoff.decision)
        summary = await self._summarize(conversation_id, tracker, verdict)
        await self.db.run(queries.update_handoff, handoff.id, summary=summary)
        body = {"conversation_id": conversation_id, "handoff_id": handoff.id, "summary": summary}
        if conversation.state == "agent":
            await self.messenger.notifier.to_agents_of(
                conversation_id, conversation.agent_id, "summary_updated", body
            )
        else:
            await self.messenger.notifier.to_all_agents("summary_updated", body)
            await self.broadcast_queue()
        return summary

    async def _enqueue(
        self,
        conversation: Conversation,
        verdict: Verdict,
        summary: dict[str, Any],
        tracker: dict[str, Any] | None,
        now: float,
    ) -> QueueOutcome | None:
        priority = self.policy.priority(verdict, 0.0)

        def work(conn: Connection) -> Handoff | None:
            handoff = queries.insert_handoff(
                conn,
                conversation.id,
                status="queued",
                priority=priority,
                reasons=verdict.reasons,
                evidence=verdict.evidence,
                decision=verdict.detail,
                summary=summary,
                now=now,
            )
            if not queries.transition(
                conn, conversation.id, ("bot",), "queued", now=now, handoff_id=handoff.id
            ):
                # Someone else moved it first (a second tab, a second replica): undo ours.
                queries.update_handoff(conn, handoff.id, status="superseded", ended_at=now)
                return None
            return handoff

        handoff = await self.db.run(work)
        if handoff is None:
            logger.info("conversation %s was not in bot state; escalation skipped", conversation.id)
            return None
        try:
            await self.rasa.pause(conversation.id)
        except RasaUnavailable as exc:
            # The gateway still keeps the bot silent; Rasa learns of the pause on handback.
            logger.warning("could not pause Rasa tracker %s: %s", conversation.id, exc)
        offer = await self._offer(handoff)
        entries = await self.queue()
        position = next((e.position for e in entries if e.handoff.id == handoff.id), len(entries))
        wait = await self.estimate_wait(position)
        queued = await self.db.run(queries.get_conversation, conversation.id)
        await self.messenger.system(queued, queued_message(tracker, position, wait))
        await self.messenger.status(
            conversation.id,
            {"state": "queued", "position": position, "estimated_wait_seconds": round(wait)},
        )
        entry = next(e for e in entries if e.handoff.id == handoff.id)
        notifier = self.messenger.notifier
        if offer is None:
            await notifier.to_all_agents("escalation", {**entry.to_dict(), "offered_to_you": False})
        else:
            await notifier.to_agent(offer.agent_id, "escalation", {**entry.to_dict(), "offered_to_you": True})
        await self.broadcast_queue(entries)
        return QueueOutcome(True, handoff, position, wait)

    async def _offer(self, handoff: Handoff) -> Offer | None:
        """A high-emotion escalation is offered to one agent first (handoff/agents/routing.py)."""
        try:
            return await self.router.offer(handoff, self._open_offer)
        except Exception:
            # Whoever hears first, somebody must hear: fall back to telling everyone.
            logger.exception("routing failed for handoff %s; telling every agent", handoff.id)
            return None

    async def _open_offer(self, offer: Offer) -> None:
        """The offer is over: tell everyone else, if the conversation is still waiting."""
        entries = await self.queue()
        entry = next((e for e in entries if e.handoff.id == offer.handoff_id), None)
        if entry is None:
            return
        others = [a.id for a in await self.db.run(queries.list_agents) if a.id != offer.agent_id]
        await self.messenger.notifier.to_agents(
            others, "escalation", {**entry.to_dict(), "offered_to_you": False}
        )
        await self.broadcast_queue(entries)

    async def _follow_up(
        self,
        conversation: Conversation,
        verdict: Verdict,
        summary: dict[str, Any],
        tracker: dict[str, Any] | None,
        now: float,
    ) -> QueueOutcome | None:
        existing = await self.db.run(queries.handoffs_for_conversation, conversation.id)
        pending = next((h for h in existing if h.status == "follow_up"), None)
        if pending is not None:
            # Already promised: repeat it only when the customer asks for a person again,
            # not on every frustrated turn.
            if EXPLICIT_REQUEST in verdict.reasons:
                where = (
                    f"at {pending.follow_up_email}"
                    if pending.follow_up_email
                    else "as soon as you give me an email address"
                )
                await self.messenger.system(
                    conversation,
                    f"Still nobody from our team is available right now. A person will write to you {where}; "
                    "I'll keep helping in the meantime.",
                )
            return None
        email = known_email(tracker)

        def work(conn: Connection) -> Handoff:
            handoff = queries.insert_handoff(
                conn,
                conversation.id,
                status="follow_up",
                priority=self.policy.priority(verdict, 0.0),
                reasons=verdict.reasons,
                evidence=verdict.evidence,
                decision=verdict.detail,
                summary=summary,
                now=now,
            )
            if email:
                queries.update_handoff(conn, handoff.id, follow_up_email=email)
            else:
                queries.set_conversation_fields(conn, conversation.id, awaiting_email_for=handoff.id)
            return queries.get_handoff(conn, handoff.id)

        handoff = await self.db.run(work)
        hours = self.settings.opening_hours
        when = "" if not hours.rules else f" (we're open {hours.describe()})"
        if email:
            ask = f"A person will follow up by email at {email}."
        elif bot_asks_for_email(tracker):
            # The bot just asked for the order's email in this same turn: one answer must
            # do for both, or the customer is asked for the same thing twice.
            ask = (
                "A person will follow up by email, at the address you give me for the order "
                "(or tell me if you'd rather use another one)."
            )
        else:
            ask = "A person will follow up by email: what's the best address to reach you?"
        await self.messenger.system(
            conversation,
            f"Nobody from our team is available right now{when}, so I can't bring a person in "
            f"straight away. {ask} Meanwhile I'll keep helping with whatever I can.",
        )
        await self.messenger.status(
            conversation.id, {"state": "bot", "follow_up": True, "email_known": bool(email)}
        )
        await self.messenger.notifier.to_all_agents("follow_up", handoff.to_dict())
        return QueueOutcome(False, handoff)

    async def take_follow_up_email(self, conversation: Conversation, text: str) -> bool:
        """If the customer just gave the address we asked for, store it; True when taken."""
        if not conversation.awaiting_email_for:
            return False
        match = EMAIL.search(text)
        if match is None:
            return False
        email = match.group(0).lower()
        handoff_id = conversation.awaiting_email_for

        def work(conn: Connection) -> None:
            queries.update_handoff(conn, handoff_id, follow_up_email=email)
            queries.set_conversation_fields(conn, conversation.id, awaiting_email_for=None)

        await self.db.run(work)
        await self.messenger.system(conversation, f"Thank you. A person from our team will write to {email}.")
        return True

    async def broadcast_queue(self, entries: list[QueueEntry] | None = None) -> None:
        entries = entries if entries is not None else await self.queue()
        await self.messenger.notifier.to_all_agents(
            "queue_updated", {"queue": [e.to_dict() for e in entries]}
        )
