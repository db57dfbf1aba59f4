"""The gateway's tables (SQLAlchemy 1.4 Core) and the executor that runs queries off the loop.

Why sync sessions in a thread executor rather than SQLAlchemy's asyncio extension: the
asyncio extension needs an async driver (asyncpg, aiosqlite) and neither is in the pinned
dependency set, while sqlite3 and psycopg2 are. Each unit of work is one short transaction
in a worker thread. SQLite gets a single worker so writes never contend for the file lock;
PostgreSQL gets a small pool of workers matching the connection pool.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import DDL

logger = logging.getLogger(__name__)

metadata = MetaData()

agents = Table(
    "handoff_agents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(20), nullable=False),
    Column("presence", String(20), nullable=False, default="offline"),
    Column("created_at", Float, nullable=False),
)

agent_sessions = Table(
    "handoff_agent_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", String(32), ForeignKey("handoff_agents.id"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

conversations = Table(
    "handoff_conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("session_hash", String(64), nullable=False, unique=True),
    # bot | queued | agent | closed: exactly one owner at a time.
    Column("state", String(10), nullable=False),
    Column("agent_id", String(32), ForeignKey("handoff_agents.id"), nullable=True),
    Column("handoff_id", String(32), nullable=True),
    Column("last_seq", Integer, nullable=False, default=0),
    # After a close: awaiting_score | awaiting_comment | done (the rating conversation).
    Column("rating_stage", String(20), nullable=True),
    # Highest seq the customer's widget has shown / seen while visible (monotonic).
    Column("delivered_seq", Integer, nullable=False, default=0),
    Column("read_seq", Integer, nullable=False, default=0),
    # Set while the gateway waits for an email address for an out-of-hours follow-up.
    Column("awaiting_email_for", String(32), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

messages = Table(
    "handoff_messages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("handoff_conversations.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    # customer | bot | agent | system
    Column("role", String(10), nullable=False),
    Column("sender_name", String(120), nullable=True),
    Column("text", Text, nullable=True),
    # quick_replies / attachment / custom, as the customer's widget receives them.
    Column("payload", JSON, nullable=False),
    Column("client_id", String(64), nullable=True),
    Column("created_at", Float, nullable=False),
    # The agent who wrote it, or whose action it reports (a claim, a remedy); null for the
    # customer's and the bot's own. Added after the first release: see _add_missing_columns.
    Column("agent_id", String(32), nullable=True),
    UniqueConstraint("conversation_id", "seq", name="uq_handoff_messages_seq"),
    UniqueConstraint("conversation_id", "client_id", name="uq_handoff_messages_client_id"),
)

handoffs = Table(
    "handoff_handoffs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("handoff_conversations.id"), nullable=False),
    # queued | claimed | resolved | closed | follow_up
    Column("status", String(12), nullable=False),
    Column("priority", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("decision", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("follow_up_email", String(254), nullable=True),
    Column("queued_at", Float, nullable=False),
    Column("claimed_at", Float, nullable=True),
    Column("agent_id", String(32), ForeignKey("handoff_agents.id"), nullable=True),
    Column("ended_at", Float, nullable=True),
    Column("next_step", JSON, nullable=True),
)
Index("ix_handoff_handoffs_status", handoffs.c.status, handoffs.c.queued_at)

notes = Table(
    "handoff_notes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("handoff_conversations.id"), nullable=False),
    Column("agent_id", String(32), ForeignKey("handoff_agents.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

ratings = Table(
    "handoff_ratings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("handoff_conversations.id"), nullable=False),
    Column("handoff_id", String(32), nullable=True),
    Column("agent_id", String(32), nullable=True),
    Column("score", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", Float, nullable=False),
)

# Who did what, when, from where: logins (and failed ones), conversation reads, replies,
# remedies, approvals, transfers, resolves... Append-only: the gateway has no query that
# changes or deletes a row, and the database refuses to (triggers below).
audit_log = Table(
    "handoff_audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    # Null when nobody is known (a failed login with an unknown username).
    Column("agent_id", String(32), nullable=True),
    Column("action", String(32), nullable=False),
    # A conversation id, an approval id, or the username a login was for.
    Column("target", String(120), nullable=True),
    Column("ip", String(64), nullable=False),
    Column("detail", JSON, nullable=False),
)
Index("ix_handoff_audit_log_at", audit_log.c.at)
Index("ix_handoff_audit_log_agent", audit_log.c.agent_id, audit_log.c.id)
Index("ix_handoff_audit_log_target", audit_log.c.target, audit_log.c.id)

APPEND_ONLY = "handoff_audit_log is append-only"
for _statement in (
    f"CREATE TRIGGER handoff_audit_log_no_update BEFORE UPDATE ON handoff_audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    f"CREATE TRIGGER handoff_audit_log_no_delete BEFORE DELETE ON handoff_audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
):
    event.listen(audit_log, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in (
    "CREATE OR REPLACE FUNCTION handoff_audit_log_append_only() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
    "CREATE TRIGGER handoff_audit_log_no_change BEFORE UPDATE OR DELETE ON handoff_audit_log "
    "FOR EACH ROW EXECUTE PROCEDURE handoff_audit_log_append_only()",
    "CREATE TRIGGER handoff_audit_log_no_truncate BEFORE TRUNCATE ON handoff_audit_log "
    "FOR EACH STATEMENT EXECUTE PROCEDURE handoff_audit_log_append_only()",
):
    event.listen(audit_log, "after_create", DDL(_statement).execute_if(dialect="postgresql"))

T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their directory and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _enable_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=8, max_overflow=4)


class Database:
    """Runs one transaction per call in a worker thread so the event loop never blocks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        workers = 1 if engine.dialect.name == "sqlite" else 8
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handoff-db")

    def create_schema(self) -> None:
        metadata.create_all(self.engine)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Add the nullable columns a table gained since an existing database was created
        (create_all makes missing tables only). Replicas starting together may race: a
        column another one has just added is fine."""
        for table in metadata.sorted_tables:
            present = {column["name"] for column in inspect(self.engine).get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if not column.nullable:
                    raise RuntimeError(f"{table.name}.{column.name} is missing and cannot be added")
                kind = column.type.compile(dialect=self.engine.dialect)
                try:
                    with self.engine.begin() as conn:
                        conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
                except DBAPIError:
                    if column.name not in {c["name"] for c in inspect(self.engine).get_columns(table.name)}:
                        raise
                logger.info("added column %s.%s", table.name, column.name)

    def _transaction(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.engine.begin() as conn:
            return work(conn, *args, **kwargs)

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(conn, *args, **kwargs)` in one transaction, committed when it returns."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self._transaction, work, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    def run_sync(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The same, for the CLI (no event loop)."""
        return self._transaction(work, *args, **kwargs)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()


__all__ = ["Connection", "Database", "make_engine", "metadata"]
