"""Queries over the gateway's tables. Each function takes an open transaction (`Connection`).

State changes are conditional UPDATEs (`... WHERE state = 'queued'`): the row count says
who won, so two agents claiming at once, or an agent and a resolve racing, can never both
succeed, on SQLite or PostgreSQL, in one process or many.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from handoff.errors import (
    AgentAtCapacity,
    AgentExists,
    AlreadyClaimed,
    NotFound,
    NotOwner,
    WrongState,
)
from handoff.persistence import tables
from handoff.persistence.records import (
    Agent,
    AuditEntry,
    Conversation,
    Handoff,
    Message,
    Note,
    OutgoingMessage,
    Rating,
)


def new_id() -> str:
    return uuid.uuid4().hex


# --- agents -----------------------------------------------------------------------------


def _agent(row: Row) -> Agent:
    return Agent(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        presence=row.presence,
    )


def insert_agent(
    conn: Connection, username: str, display_name: str, password_hash: str, *, role: str, now: float
) -> Agent:
    agent_id = new_id()
    try:
        with conn.begin_nested():
            conn.execute(
                tables.agents.insert().values(
                    id=agent_id,
                    username=username,
                    display_name=display_name,
                    password_hash=password_hash,
                    role=role,
                    presence="offline",
                    created_at=now,
                )
            )
    except IntegrityError as exc:
        raise AgentExists(f"an agent named {username!r} already exists") from exc
    return Agent(agent_id, username, display_name, role, "offline")


def agent_credentials(conn: Connection, username: str) -> tuple[Agent, str] | None:
    row = conn.execute(select(tables.agents).where(tables.agents.c.username == username)).first()
    return (_agent(row), row.password_hash) if row else None


def set_password_hash(conn: Connection, agent_id: str, password_hash: str) -> None:
    conn.execute(
        update(tables.agents).where(tables.agents.c.id == agent_id).values(password_hash=password_hash)
    )


def get_agent(conn: Connection, agent_id: str) -> Agent:
    row = conn.execute(select(tables.agents).where(tables.agents.c.id == agent_id)).first()
    if row is None:
        raise NotFound(f"no agent {agent_id}")
    return _agent(row)


def list_agents(conn: Connection) -> list[Agent]:
    rows = conn.execute(select(tables.agents).order_by(tables.agents.c.display_name))
    return [_agent(row) for row in rows]


def set_presence(conn: Connection, agent_id: str, presence: str) -> Agent:
    conn.execute(update(tables.agents).where(tables.agents.c.id == agent_id).values(presence=presence))
    return get_agent(conn, agent_id)


def count_available_agents(conn: Connection) -> int:
    query = select(func.count()).select_from(tables.agents).where(tables.agents.c.presence == "available")
    return int(conn.execute(query).scalar_one())


def create_agent_session(
    conn: Connection, token_hash: str, agent_id: str, now: float, expires_at: float
) -> None:
    conn.execute(
        tables.agent_sessions.insert().values(
            token_hash=token_hash, agent_id=agent_id, created_at=now, expires_at=expires_at
        )
    )


def agent_for_token(conn: Connection, token_hash: str, now: float) -> Agent | None:
    query = (
        select(tables.agents)
        .join(tables.agent_sessions, tables.agent_sessions.c.agent_id == tables.agents.c.id)
        .where(tables.agent_sessions.c.token_hash == token_hash)
        .where(tables.agent_sessions.c.expires_at > now)
    )
    row = conn.execute(query).first()
    return _agent(row) if row else None


def delete_agent_session(conn: Connection, token_hash: str) -> None:
    conn.execute(tables.agent_sessions.delete().where(tables.agent_sessions.c.token_hash == token_hash))


# --- conversations and messages -----------------------------------------------------------


def _conversation(row: Row) -> Conversation:
    return Conversation(
        id=row.id,
        state=row.state,
        agent_id=row.agent_id,
        handoff_id=row.handoff_id,
        last_seq=row.last_seq,
        rating_stage=row.rating_stage,
        awaiting_email_for=row.awaiting_email_for,
        created_at=row.created_at,
        updated_at=row.updated_at,
        delivered_seq=row.delivered_seq or 0,
        read_seq=row.read_seq or 0,
    )


def create_conversation(conn: Connection, session_hash: str, now: float) -> Conversation:
    conversation_id = new_id()
    conn.execute(
        tables.conversations.insert().values(
            id=conversation_id,
            session_hash=session_hash,
            state="bot",
            last_seq=0,
            delivered_seq=0,
            read_seq=0,
            created_at=now,
            updated_at=now,
        )
    )
    return get_conversation(conn, conversation_id)


def conversation_for_session(conn: Connection, session_hash: str) -> Conversation | None:
    query = select(tables.conversations).where(tables.conversations.c.session_hash == session_hash)
    row = conn.execute(query).first()
    return _conversation(row) if row else None


def get_conversation(conn: Connection, conversation_id: str) -> Conversation:
    query = select(tables.conversations).where(tables.conversations.c.id == conversation_id)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no conversation {conversation_id}")
    return _conversation(row)


def _message(row: Row) -> Message:
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        role=row.role,
        sender_name=row.sender_name,
        text=row.text,
        payload=dict(row.payload or {}),
        client_id=row.client_id,
        created_at=row.created_at,
        agent_id=row.agent_id,
    )


def append_message(
    conn: Connection, conversation_id: str, outgoing: OutgoingMessage, now: float
) -> tuple[Message, bool]:
    """Store a message with the next sequence number; (message, created).

    A repeated `client_id` returns the message stored the first time, so a customer's
    resend after a lost acknowledgement is not stored twice.
    """
    if outgoing.client_id is not None:
        existing = conn.execute(
            select(tables.messages).where(
                and_(
                    tables.messages.c.conversation_id == conversation_id,
                    tables.messages.c.client_id == outgoing.client_id,
                )
            )
        ).first()
        if existing is not None:
            return _message(existing), False
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) first, so
    # concurrent appends to one conversation get consecutive numbers.
    result = conn.execute(
        update(tables.conversations)
        .where(tables.conversations.c.id == conversation_id)
        .values(last_seq=tables.conversations.c.last_seq + 1, updated_at=now)
    )
    if result.rowcount != 1:
        raise NotFound(f"no conversation {conversation_id}")
    seq = conn.execute(
        select(tables.conversations.c.last_seq).where(tables.conversations.c.id == conversation_id)
    ).scalar_one()
    message = Message(
        id=new_id(),
        conversation_id=conversation_id,
        seq=seq,
        role=outgoing.role,
        sender_name=outgoing.sender_name,
        text=outgoing.text,
        payload=dict(outgoing.payload),
        client_id=outgoing.client_id,
        created_at=now,
        agent_id=outgoing.agent_id,
    )
    conn.execute(
        tables.messages.insert().values(
            id=message.id,
            conversation_id=conversation_id,
            seq=seq,
            role=message.role,
            sender_name=message.sender_name,
            text=message.text,
            payload=message.payload,
            client_id=message.client_id,
            created_at=now,
            agent_id=message.agent_id,
        )
    )
    return message, True


def messages_after(
    conn: Connection, conversation_id: str, after_seq: int = 0, limit: int = 1000
) -> list[Message]:
    query = (
        select(tables.messages)
        .where(tables.messages.c.conversation_id == conversation_id)
        .where(tables.messages.c.seq > after_seq)
        .order_by(tables.messages.c.seq)
        .limit(limit)
    )
    return [_message(row) for row in conn.execute(query)]


def transition(
    conn: Connection,
    conversation_id: str,
    from_states: Sequence[str],
    to_state: str,
    *,
    now: float,
    expected_agent: str | None = None,
    **values: Any,
) -> bool:
    """Move a conversation to `to_state` only if it is in one of `from_states`."""
    condition = and_(
        tables.conversations.c.id == conversation_id, tables.conversations.c.state.in_(from_states)
    )
    if expected_agent is not None:
        condition = and_(condition, tables.conversations.c.agent_id == expected_agent)
    result = conn.execute(
        update(tables.conversations).where(condition).values(state=to_state, updated_at=now, **values)
    )
    return result.rowcount == 1


def set_conversation_fields(conn: Connection, conversation_id: str, **values: Any) -> None:
    conn.execute(
        update(tables.conversations).where(tables.conversations.c.id == conversation_id).values(**values)
    )


def require_owner(conn: Connection, conversation_id: str, agent_id: str) -> Conversation:
    """The conversation, if `agent_id` owns it right now."""
    conversation = get_conversation(conn, conversation_id)
    if conversation.state != "agent":
        raise WrongState(f"conversation is {conversation.state}, not with an agent")
    if conversation.agent_id != agent_id:
        raise NotOwner("another agent owns this conversation")
    return conversation


# --- handoffs (the queue) -------------------------------------------------------------------


def _handoff(row: Row) -> Handoff:
    return Handoff(
        id=row.id,
        conversation_id=row.conversation_id,
        status=row.status,
        priority=row.priority,
        reasons=list(row.reasons or []),
        evidence=list(row.evidence or []),
        decision=dict(row.decision or {}),
        summary=dict(row.summary or {}),
        follow_up_email=row.follow_up_email,
        queued_at=row.queued_at,
        claimed_at=row.claimed_at,
        agent_id=row.agent_id,
        ended_at=row.ended_at,
        next_step=row.next_step,
    )


def insert_handoff(
    conn: Connection,
    conversation_id: str,
    *,
    status: str,
    priority: float,
    reasons: list[str],
    evidence: list[dict[str, Any]],
    decision: dict[str, Any],
    summary: dict[str, Any],
    now: float,
) -> Handoff:
    handoff_id = new_id()
    conn.execute(
        tables.handoffs.insert().values(
            id=handoff_id,
            conversation_id=conversation_id,
            status=status,
            priority=priority,
            reasons=reasons,
            evidence=evidence,
            decision=decision,
            summary=summary,
            queued_at=now,
        )
    )
    return get_handoff(conn, handoff_id)


def handoffs_claimed_since(conn: Connection, since: float) -> list[Handoff]:
    """Handoffs an agent claimed at or after `since` (the load window)."""
    rows = conn.execute(
        select(tables.handoffs)
        .where(tables.handoffs.c.claimed_at.isnot(None))
        .where(tables.handoffs.c.claimed_at >= since)
    )
    return [_handoff(row) for row in rows]


def get_handoff(conn: Connection, handoff_id: str) -> Handoff:
    row = conn.execute(select(tables.handoffs).where(tables.handoffs.c.id == handoff_id)).first()
    if row is None:
        raise NotFound(f"no handoff {handoff_id}")
    return _handoff(row)


def update_handoff(conn: Connection, handoff_id: str, **values: Any) -> None:
    conn.execute(update(tables.handoffs).where(tables.handoffs.c.id == handoff_id).values(**values))


def handoffs_with_status(conn: Connection, statuses: Iterable[str]) -> list[Handoff]:
    query = (
        select(tables.handoffs)
        .where(tables.handoffs.c.status.in_(list(statuses)))
        .order_by(tables.handoffs.c.queued_at)
    )
    return [_handoff(row) for row in conn.execute(query)]


def handoffs_for_conversation(conn: Connection, conversation_id: str) -> list[Handoff]:
    query = (
        select(tables.handoffs)
        .where(tables.handoffs.c.conversation_id == conversation_id)
        .order_by(tables.handoffs.c.queued_at)
    )
    return [_handoff(row) for row in conn.execute(query)]


def recent_claim_waits(conn: Connection, since: float, limit: int = 50) -> list[float]:
    """How long the most recent claimed escalations waited, in seconds."""
    query = (
        select(tables.handoffs.c.queued_at, tables.handoffs.c.claimed_at)
        .where(tables.handoffs.c.claimed_at.isnot(None))
        .where(tables.handoffs.c.claimed_at >= since)
        .order_by(tables.handoffs.c.claimed_at.desc())
        .limit(limit)
    )
    return [row.claimed_at - row.queued_at for row in conn.execute(query)]


def count_owned(conn: Connection, agent_id: str) -> int:
    query = (
        select(func.count())
        .select_from(tables.conversations)
        .where(tables.conversations.c.agent_id == agent_id)
        .where(tables.conversations.c.state == "agent")
    )
    return int(conn.execute(query).scalar_one())


def claim(conn: Connection, conversation_id: str, agent_id: str, now: float, max_chats: int) -> Handoff:
    """Give a queued conversation to `agent_id`; exactly one of concurrent claimers wins."""
    if count_owned(conn, agent_id) >= max_chats:
        raise AgentAtCapacity(f"you already have {max_chats} conversations open")
    won = transition(conn, conversation_id, ("queued",), "agent", now=now, agent_id=agent_id)
    if not won:
        current = get_conversation(conn, conversation_id)
        if current.state == "agent" and current.agent_id == agent_id:
            raise AlreadyClaimed("you have already claimed this conversation")
        if current.state == "agent":
            raise AlreadyClaimed("another agent already claimed this conversation")
        raise WrongState(f"conversation is {current.state}, not queued")
    conversation = get_conversation(conn, conversation_id)
    if conversation.handoff_id is None:
        raise WrongState("queued conversation has no handoff record")
    update_handoff(conn, conversation.handoff_id, status="claimed", claimed_at=now, agent_id=agent_id)
    return get_handoff(conn, conversation.handoff_id)


# --- notes and ratings ------------------------------------------------------------------------


def add_note(conn: Connection, conversation_id: str, agent_id: str, text: str, now: float) -> Note:
    note = Note(new_id(), conversation_id, agent_id, text, now)
    conn.execute(tables.notes.insert().values(**note.to_dict()))
    return note


def list_notes(conn: Connection, conversation_id: str) -> list[Note]:
    query = (
        select(tables.notes)
        .where(tables.notes.c.conversation_id == conversation_id)
        .order_by(tables.notes.c.created_at)
    )
    return [
        Note(row.id, row.conversation_id, row.agent_id, row.text, row.created_at)
        for row in conn.execute(query)
    ]


def add_rating(
    conn: Connection,
    conversation_id: str,
    handoff_id: str | None,
    agent_id: str | None,
    *,
    score: int,
    now: float,
) -> Rating:
    rating = Rating(new_id(), conversation_id, handoff_id, agent_id, score, None, now)
    conn.execute(tables.ratings.insert().values(**rating.to_dict()))
    return rating


def latest_rating(conn: Connection, conversation_id: str) -> Rating | None:
    query = (
        select(tables.ratings)
        .where(tables.ratings.c.conversation_id == conversation_id)
        .order_by(tables.ratings.c.created_at.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    return Rating(
        row.id,
        row.conversation_id,
        row.handoff_id,
        row.agent_id,
        row.score,
        row.comment,
        row.created_at,
    )


def set_rating_comment(conn: Connection, rating_id: str, comment: str) -> None:
    conn.execute(update(tables.ratings).where(tables.ratings.c.id == rating_id).values(comment=comment))


def set_rating_score(conn: Connection, rating_id: str, score: int) -> None:
    conn.execute(update(tables.ratings).where(tables.ratings.c.id == rating_id).values(score=score))


def owned_conversations(conn: Connection, agent_id: str) -> list[Conversation]:
    query = (
        select(tables.conversations)
        .where(tables.conversations.c.agent_id == agent_id)
        .where(tables.conversations.c.state == "agent")
        .order_by(tables.conversations.c.updated_at)
    )
    return [_conversation(row) for row in conn.execute(query)]


def record_receipt(conn: Connection, conversation_id: str, seq: int, read: bool) -> Conversation:
    """Raise delivered (and read) up to `seq`, never lower, never past the last message."""
    current = get_conversation(conn, conversation_id)
    seq = min(seq, current.last_seq)
    values: dict[str, Any] = {}
    if seq > current.delivered_seq:
        values["delivered_seq"] = seq
    if read and seq > current.read_seq:
        values["read_seq"] = seq
    if values:
        set_conversation_fields(conn, conversation_id, **values)
        return get_conversation(conn, conversation_id)
    return current


# --- the audit log (append-only: there is no update or delete here, and triggers refuse one) ---


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to read, newest first; `before_id` pages back from an earlier answer."""

    agent_id: str | None = None
    action: str | None = None
    target: str | None = None
    since: float | None = None
    until: float | None = None
    before_id: int | None = None
    limit: int = 100


def append_audit(
    conn: Connection,
    *,
    at: float,
    agent_id: str | None,
    action: str,
    target: str | None,
    ip: str,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        tables.audit_log.insert().values(
            at=at,
            agent_id=agent_id,
            action=action,
            target=None if target is None else target[:120],
            ip=ip[:64],
            detail=detail or {},
        )
    )


def audit_entries(conn: Connection, where: AuditFilter) -> list[AuditEntry]:
    log, agents = tables.audit_log, tables.agents
    query = select(log, agents.c.username).select_from(log.outerjoin(agents, agents.c.id == log.c.agent_id))
    if where.agent_id is not None:
        query = query.where(log.c.agent_id == where.agent_id)
    if where.action is not None:
        query = query.where(log.c.action == where.action)
    if where.target is not None:
        query = query.where(log.c.target == where.target)
    if where.since is not None:
        query = query.where(log.c.at >= where.since)
    if where.until is not None:
        query = query.where(log.c.at < where.until)
    if where.before_id is not None:
        query = query.where(log.c.id < where.before_id)
    rows = conn.execute(query.order_by(log.c.id.desc()).limit(where.limit))
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            agent_id=row.agent_id,
            agent_username=row.username,
            action=row.action,
            target=row.target,
            ip=row.ip,
            detail=dict(row.detail or {}),
        )
        for row in rows
    ]
