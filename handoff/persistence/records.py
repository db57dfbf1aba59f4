"""Typed records that cross the gateway's boundaries (database ↔ service ↔ sockets/HTTP)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATES = ("bot", "queued", "agent", "closed")
ROLES = ("customer", "bot", "agent", "system")
AGENT_ROLES = ("agent", "supervisor")
PRESENCES = ("offline", "online", "available", "away")


@dataclass(frozen=True)
class Message:
    """One stored message; `seq` orders a conversation without gaps or duplicates."""

    id: str
    conversation_id: str
    seq: int
    role: str
    sender_name: str | None
    text: str | None
    payload: dict[str, Any]
    client_id: str | None
    created_at: float
    # The agent who wrote it or whose action it reports; agents see it, customers never do.
    agent_id: str | None = None

    def to_bot_uttered(self) -> dict[str, Any]:
        """The `bot_uttered` body: Rasa's socket.io keys, and our extras under `metadata`.

        Stock rasa-webchat drops a reply with unknown top-level keys but strips `metadata`
        before rendering, so the extras live there.
        """
        body: dict[str, Any] = {}
        if self.text is not None:
            body["text"] = self.text
        for key in ("quick_replies", "attachment", "custom"):
            if key in self.payload:
                body[key] = self.payload[key]
        body["metadata"] = self.extras()
        return body

    def extras(self) -> dict[str, Any]:
        return {
            "message_id": self.id,
            "seq": self.seq,
            "sender": {"role": self.role, "name": self.sender_name},
            "timestamp": self.created_at,
        }

    def to_dict(self) -> dict[str, Any]:
        """The record as the customer's widget gets it (resync): no staff identifiers."""
        record = asdict(self)
        del record["agent_id"]
        return record

    def to_agent_dict(self) -> dict[str, Any]:
        """The full record, with `agent_id` (agent API and events)."""
        return asdict(self)


@dataclass(frozen=True)
class Conversation:
    id: str
    state: str
    agent_id: str | None
    handoff_id: str | None
    last_seq: int
    rating_stage: str | None
    awaiting_email_for: str | None
    created_at: float
    updated_at: float
    delivered_seq: int = 0
    read_seq: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Agent:
    id: str
    username: str
    display_name: str
    role: str
    presence: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Handoff:
    """One escalation: why, how urgent, the summary, and who picked it up."""

    id: str
    conversation_id: str
    status: str
    priority: float
    reasons: list[str]
    evidence: list[dict[str, Any]]
    decision: dict[str, Any]
    summary: dict[str, Any]
    follow_up_email: str | None
    queued_at: float
    claimed_at: float | None
    agent_id: str | None
    ended_at: float | None
    next_step: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Note:
    id: str
    conversation_id: str
    agent_id: str
    text: str
    created_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Rating:
    id: str
    conversation_id: str
    handoff_id: str | None
    agent_id: str | None
    score: int
    comment: str | None
    created_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OutgoingMessage:
    """A message the gateway is about to store and emit (not yet numbered)."""

    role: str
    text: str | None
    sender_name: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    client_id: str | None = None
    agent_id: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One row of the append-only audit log (docs/security.md lists the actions)."""

    id: int
    at: float
    agent_id: str | None
    # The agent's username at read time (None without an agent).
    agent_username: str | None
    action: str
    target: str | None
    ip: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class QueueEntry:
    """A queued conversation as the agent API lists it."""

    handoff: Handoff
    position: int
    waiting_seconds: float
    priority: float
    # A high-emotion escalation offered first to one agent (handoff/agents/routing.py), until when.
    offered_to: str | None = None
    offer_expires_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        # The row's headline facts at the top level, so a queue view need not know the
        # summary's internals.
        inputs = self.handoff.decision.get("priority_inputs") or {}
        customer = self.handoff.summary.get("customer") or {}
        return {
            "conversation_id": self.handoff.conversation_id,
            "handoff_id": self.handoff.id,
            "position": self.position,
            "priority": self.priority,
            "waiting_seconds": round(self.waiting_seconds, 1),
            "reasons": self.handoff.reasons,
            "stakes": inputs.get("stakes"),
            "deadline": inputs.get("deadline"),
            "frustration_level": inputs.get("frustration_level"),
            "customer_name": customer.get("name") if isinstance(customer, dict) else None,
            "problem": self.handoff.summary.get("problem"),
            "evidence": self.handoff.evidence,
            "summary": self.handoff.summary,
            "queued_at": self.handoff.queued_at,
            "offered_to": self.offered_to,
            "offer_expires_at": self.offer_expires_at,
        }
