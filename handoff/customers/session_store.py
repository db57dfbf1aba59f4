"""Where customer session ids live (as hashes): when each was issued and last used, and
whether it was rotated away or ended.

A conversation keeps the hash of its first id (`handoff_conversations.session_hash`); every
id issued for it, the first included, has a row here, and this table has the last word on
whether an id still opens the conversation. A new table rather than new columns, so that a
database from before it gains it through `create_all`. Conversations from before it have no
row: `adopt` makes one from the conversation's own timestamps the first time the id returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from handoff.persistence import queries
from handoff.persistence.records import Conversation
from handoff.persistence.tables import conversations, metadata

customer_sessions = Table(
    "handoff_customer_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("handoff_conversations.id"), nullable=False),
    Column("issued_at", Float, nullable=False),
    # A session_request, a message, or the end of a connection with this id.
    Column("last_seen_at", Float, nullable=False),
    # When a newer id replaced this one (still accepted for the rotation grace period).
    Column("retired_at", Float, nullable=True),
    # When the customer ended the session ("forget this conversation"): refused for good.
    Column("ended_at", Float, nullable=True),
)
Index("ix_handoff_customer_sessions_conversation", customer_sessions.c.conversation_id)


@dataclass(frozen=True)
class SessionRecord:
    session_hash: str
    conversation_id: str
    issued_at: float
    last_seen_at: float
    retired_at: float | None
    ended_at: float | None


def _record(row: Row) -> SessionRecord:
    return SessionRecord(
        session_hash=row.session_hash,
        conversation_id=row.conversation_id,
        issued_at=row.issued_at,
        last_seen_at=row.last_seen_at,
        retired_at=row.retired_at,
        ended_at=row.ended_at,
    )


def issue(conn: Connection, session_hash: str, conversation_id: str, now: float) -> None:
    conn.execute(
        customer_sessions.insert().values(
            session_hash=session_hash, conversation_id=conversation_id, issued_at=now, last_seen_at=now
        )
    )


def start_conversation(conn: Connection, session_hash: str, now: float) -> Conversation:
    """A new conversation and its first session id, in one transaction."""
    conversation = queries.create_conversation(conn, session_hash, now)
    issue(conn, session_hash, conversation.id, now)
    return conversation


def find(conn: Connection, session_hash: str) -> SessionRecord | None:
    """The id's row; for a conversation from before this table, one made from it."""
    row = conn.execute(
        select(customer_sessions).where(customer_sessions.c.session_hash == session_hash)
    ).first()
    if row is not None:
        return _record(row)
    return adopt(conn, session_hash)


def adopt(conn: Connection, session_hash: str) -> SessionRecord | None:
    conversation = queries.conversation_for_session(conn, session_hash)
    if conversation is None:
        return None
    try:
        # Two tabs may bring the same old id back at once: the second finds the first's row.
        with conn.begin_nested():
            conn.execute(
                customer_sessions.insert().values(
                    session_hash=session_hash,
                    conversation_id=conversation.id,
                    issued_at=conversation.created_at,
                    last_seen_at=conversation.updated_at,
                )
            )
    except IntegrityError:
        pass
    row = conn.execute(
        select(customer_sessions).where(customer_sessions.c.session_hash == session_hash)
    ).first()
    return _record(row) if row is not None else None


def touch(conn: Connection, session_hash: str, now: float) -> None:
    conn.execute(
        customer_sessions.update()
        .where(customer_sessions.c.session_hash == session_hash)
        .where(customer_sessions.c.last_seen_at < now)
        .values(last_seen_at=now)
    )


def rotate(conn: Connection, old: SessionRecord, new_hash: str, now: float) -> None:
    """Issue `new_hash` for the same conversation; the old id enters its grace period."""
    issue(conn, new_hash, old.conversation_id, now)
    if old.retired_at is None:
        conn.execute(
            customer_sessions.update()
            .where(customer_sessions.c.session_hash == old.session_hash)
            .values(retired_at=now)
        )


def end_conversation(conn: Connection, conversation_id: str, now: float) -> None:
    """Every id of the conversation stops working, the first one included."""
    first = conn.execute(
        select(conversations.c.session_hash).where(conversations.c.id == conversation_id)
    ).scalar_one()
    find(conn, first)  # adopt an id from before this table, so that it is ended too
    conn.execute(
        customer_sessions.update()
        .where(customer_sessions.c.conversation_id == conversation_id)
        .where(customer_sessions.c.ended_at.is_(None))
        .values(ended_at=now)
    )
