"""Every setting of the handoff gateway, read from the environment in one place.

Each setting has a documented default so that `python -m handoff` works embedded (SQLite,
one process, always open) with no configuration, and scales out by URL (PostgreSQL, Redis).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from handoff.escalation.hours import OpeningHours

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value the gateway cannot use."""


@dataclass(frozen=True)
class Settings:
    """The gateway's configuration; build it with `load_settings()` or directly in tests."""

    # HANDOFF_DATABASE_URL: SQLAlchemy URL; SQLite file by default, postgresql://... to scale out.
    database_url: str = "sqlite:///var/handoff.db"
    # HANDOFF_SECRET: signs session ids. In dev a random secret is generated once into var/.
    secret: bytes = b""
    # HANDOFF_HOST / HANDOFF_PORT: where the gateway listens.
    host: str = "127.0.0.1"
    port: int = 8080
    # RASA_URL / RASA_TOKEN: the Rasa server (REST channel + HTTP API), loopback only.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = None
    # HANDOFF_RASA_TIMEOUT: seconds before the customer is told honestly the bot is slow.
    rasa_timeout: float = 6.0
    # REDIS_URL: when set, socket.io rooms are shared between gateway replicas.
    redis_url: str | None = None
    # HANDOFF_REDIS_CHANNEL: the pub/sub channel the replicas of one deployment share.
    redis_channel: str = "handoff-socketio"
    # HANDOFF_OPENING_HOURS / HANDOFF_TIMEZONE: when people answer (e.g. "mon-fri 09:00-17:00").
    opening_hours: OpeningHours = field(default_factory=OpeningHours.always)
    # HANDOFF_DEFAULT_WAIT_SECONDS: wait per queue place when there is no recent history.
    default_wait_seconds: float = 180.0
    # HANDOFF_MAX_CHATS_PER_AGENT: concurrent conversations one agent may own.
    max_chats_per_agent: int = 3
    # HANDOFF_LOAD_WINDOW_HOURS: how far back an agent's emotional load counts claimed chats.
    load_window_hours: float = 8.0
    # HANDOFF_OFFER_HEAD_START_SECONDS: how long the least-loaded agent alone is told of a new
    # high-emotion escalation before everyone else is (settings/escalation.yml `high_emotion`).
    offer_head_start_seconds: float = 30.0
    # HANDOFF_PRESENCE_GRACE_SECONDS: an agent whose last console closed is set away after this.
    presence_grace_seconds: float = 30.0
    # HANDOFF_AGENT_SESSION_HOURS: how long an agent login token lives.
    agent_session_hours: float = 12.0
    # HANDOFF_MAX_MESSAGE_CHARS: longer customer or agent messages are refused with an error.
    max_message_chars: int = 4000
    # Customers (handoff/customers/, docs/security.md "Customers and the widget").
    # HANDOFF_MAX_WORD_CHARS: a customer message (or rating comment) with a longer run of
    # characters without a space is refused. HANDOFF_MAX_METADATA_DEPTH: nesting of metadata.
    max_word_chars: int = 500
    max_metadata_depth: int = 8
    # HANDOFF_CUSTOMER_EVENTS_PER_MINUTE / _BURST: any event on one customer connection.
    customer_events_per_minute: float = 120.0
    customer_events_burst: int = 60
    # HANDOFF_CONNECTION_MESSAGES_PER_MINUTE / _BURST: messages on one customer connection.
    connection_messages_per_minute: float = 20.0
    connection_messages_burst: int = 8
    # HANDOFF_CONVERSATION_MESSAGES_PER_MINUTE / _BURST: messages in one conversation (all tabs).
    conversation_messages_per_minute: float = 30.0
    conversation_messages_burst: int = 12
    # HANDOFF_NEW_SESSIONS_PER_ADDRESS per HANDOFF_NEW_SESSIONS_WINDOW_SECONDS: conversations
    # one client IP may start (every new visitor's widget starts one; resuming never counts).
    new_sessions_per_address: int = 60
    new_sessions_window_seconds: float = 600.0
    # HANDOFF_SESSION_IDLE_SECONDS: a customer session id unused this long is refused
    # (`session_expired`). HANDOFF_SESSION_ROTATE_SECONDS: an id older than this is replaced
    # on resume. HANDOFF_SESSION_ROTATION_GRACE_SECONDS: how long the replaced id still works.
    session_idle_seconds: float = 86400.0
    session_rotate_seconds: float = 3600.0
    session_rotation_grace_seconds: float = 300.0
    # HANDOFF_WIDGET_DIR / HANDOFF_CONSOLE_DIR: static directories, served when they exist.
    widget_dir: Path = REPO_ROOT / "widget"
    console_dir: Path = REPO_ROOT / "handoff" / "console"
    # HANDOFF_PING_INTERVAL: seconds between socket.io pings (how soon a dead socket is noticed).
    ping_interval: float = 25.0
    # HANDOFF_PING_TIMEOUT: seconds a client may take to answer a ping before it counts as gone.
    ping_timeout: float = 20.0
    # STORE_DATABASE_URL: the shop's database, read for the context summary (customer, order
    # facts); the same variable the action server reads. Empty → summaries without store facts.
    store_database_url: str | None = "sqlite:///var/store.db"
    # HANDOFF_DOMAIN: the bot's domain, for the next steps an agent may choose at handback.
    domain_path: Path = REPO_ROOT / "domain.yml"
    # HANDOFF_ESCALATION_POLICY: the designer-editable escalation policy and priority weights.
    escalation_policy_path: Path = REPO_ROOT / "settings" / "escalation.yml"
    # HANDOFF_EMPATHY_CONTENT: the bot's phrase bank, for the agent's suggested phrasings.
    empathy_content_dir: Path = REPO_ROOT / "content" / "empathy"
    # HANDOFF_MAKE_IT_RIGHT: the make-it-right budgets, the bot's and the agents' (`agents:`).
    make_it_right_path: Path = REPO_ROOT / "settings" / "make_it_right.yml"
    # HANDOFF_CORS_ORIGINS: browser origins allowed on socket.io besides the gateway's own
    # (the shop's pages that embed the widget), comma-separated; "" = the gateway's own only;
    # "*" = any (not recommended).
    cors_origins: str = ""
    # HANDOFF_TRUSTED_PROXIES: addresses/networks of your reverse proxies (comma-separated);
    # only from these is X-Forwarded-For believed for the client's IP. "" = the peer address.
    trusted_proxies: str = ""
    # Agent logins (handoff/agents/login_guard.py). Failures are counted per username and per
    # IP over HANDOFF_LOGIN_WINDOW_SECONDS; after *_BACKOFF_AFTER failures each further try
    # waits HANDOFF_LOGIN_BACKOFF_SECONDS, doubling; *_LOCKOUT_AFTER failures lock the
    # username / IP for HANDOFF_LOGIN_LOCKOUT_SECONDS.
    login_window_seconds: float = 900.0
    login_user_backoff_after: int = 3
    login_user_lockout_after: int = 10
    login_ip_backoff_after: int = 10
    login_ip_lockout_after: int = 30
    login_backoff_seconds: float = 1.0
    login_lockout_seconds: float = 900.0
    # HANDOFF_LOGIN_HASH_WORKERS: threads that run argon2 (64 MiB each), apart from the rest.
    login_hash_workers: int = 1
    # HANDOFF_LOGIN_MAX_PENDING: logins hashing or waiting to; more are refused before hashing.
    login_max_pending: int = 8
    # SHOP_IDENTITY_SECRET: the secret the shop's server signs its logged-in customer's id
    # with (shop/identity.py); the same variable the action server reads. None: off.
    identity_secret: bytes | None = None


def _dev_secret(var_dir: Path) -> bytes:
    """Generate a random secret once into var/ so dev restarts keep sessions valid.

    Created 0600 in one step (os.open with the mode: no moment where another local user
    could read it) and exclusively: of two gateways starting at once, the second reads the
    first's secret instead of overwriting it.
    """
    path = var_dir / "handoff_secret"
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = path.read_text().strip()
        if len(existing) < 32:
            raise SettingsError(f"{path} holds no usable secret; delete it to generate a new one") from None
        return existing.encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    logger.info("Generated a development HANDOFF_SECRET into %s", path)
    return value.encode()


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {raw!r}")
    return value


def _customer_settings(env: Mapping[str, str], defaults: Settings) -> dict[str, Any]:
    """The customer edge's limits and session lifetimes (see the Settings fields)."""
    counts = {
        "max_word_chars": "HANDOFF_MAX_WORD_CHARS",
        "max_metadata_depth": "HANDOFF_MAX_METADATA_DEPTH",
        "customer_events_burst": "HANDOFF_CUSTOMER_EVENTS_BURST",
        "connection_messages_burst": "HANDOFF_CONNECTION_MESSAGES_BURST",
        "conversation_messages_burst": "HANDOFF_CONVERSATION_MESSAGES_BURST",
        "new_sessions_per_address": "HANDOFF_NEW_SESSIONS_PER_ADDRESS",
    }
    amounts = {
        "customer_events_per_minute": "HANDOFF_CUSTOMER_EVENTS_PER_MINUTE",
        "connection_messages_per_minute": "HANDOFF_CONNECTION_MESSAGES_PER_MINUTE",
        "conversation_messages_per_minute": "HANDOFF_CONVERSATION_MESSAGES_PER_MINUTE",
        "new_sessions_window_seconds": "HANDOFF_NEW_SESSIONS_WINDOW_SECONDS",
        "session_idle_seconds": "HANDOFF_SESSION_IDLE_SECONDS",
        "session_rotate_seconds": "HANDOFF_SESSION_ROTATE_SECONDS",
        "session_rotation_grace_seconds": "HANDOFF_SESSION_ROTATION_GRACE_SECONDS",
    }
    values: dict[str, Any] = {
        name: max(1, int(_number(env, var, getattr(defaults, name)))) for name, var in counts.items()
    }
    values.update({name: _number(env, var, getattr(defaults, name)) for name, var in amounts.items()})
    return values


def load_settings(env: Mapping[str, str] | None = None, var_dir: Path | None = None) -> Settings:
    """Read the settings from the environment (or `env`), with the documented defaults."""
    env = os.environ if env is None else env
    var_dir = var_dir or Path(env.get("HANDOFF_VAR_DIR", "var"))
    secret_text = env.get("HANDOFF_SECRET", "")
    if secret_text and len(secret_text) < 32:
        raise SettingsError("HANDOFF_SECRET must be at least 32 characters")
    secret = secret_text.encode() if secret_text else _dev_secret(var_dir)
    defaults = Settings()
    return Settings(
        database_url=env.get("HANDOFF_DATABASE_URL") or defaults.database_url,
        secret=secret,
        host=env.get("HANDOFF_HOST") or defaults.host,
        port=int(_number(env, "HANDOFF_PORT", defaults.port)),
        rasa_url=(env.get("RASA_URL") or defaults.rasa_url).rstrip("/"),
        rasa_token=env.get("RASA_TOKEN") or None,
        rasa_timeout=_number(env, "HANDOFF_RASA_TIMEOUT", defaults.rasa_timeout),
        redis_url=env.get("REDIS_URL") or None,
        redis_channel=env.get("HANDOFF_REDIS_CHANNEL") or defaults.redis_channel,
        opening_hours=OpeningHours.parse(
            env.get("HANDOFF_OPENING_HOURS", ""), env.get("HANDOFF_TIMEZONE", "UTC")
        ),
        default_wait_seconds=_number(env, "HANDOFF_DEFAULT_WAIT_SECONDS", defaults.default_wait_seconds),
        max_chats_per_agent=int(_number(env, "HANDOFF_MAX_CHATS_PER_AGENT", defaults.max_chats_per_agent)),
        load_window_hours=_number(env, "HANDOFF_LOAD_WINDOW_HOURS", defaults.load_window_hours),
        offer_head_start_seconds=_number(
            env, "HANDOFF_OFFER_HEAD_START_SECONDS", defaults.offer_head_start_seconds
        ),
        presence_grace_seconds=_number(
            env, "HANDOFF_PRESENCE_GRACE_SECONDS", defaults.presence_grace_seconds
        ),
        agent_session_hours=_number(env, "HANDOFF_AGENT_SESSION_HOURS", defaults.agent_session_hours),
        max_message_chars=int(_number(env, "HANDOFF_MAX_MESSAGE_CHARS", defaults.max_message_chars)),
        **_customer_settings(env, defaults),
        widget_dir=Path(env.get("HANDOFF_WIDGET_DIR") or defaults.widget_dir),
        console_dir=Path(env.get("HANDOFF_CONSOLE_DIR") or defaults.console_dir),
        ping_interval=_number(env, "HANDOFF_PING_INTERVAL", defaults.ping_interval),
        ping_timeout=_number(env, "HANDOFF_PING_TIMEOUT", defaults.ping_timeout),
        store_database_url=env.get("STORE_DATABASE_URL", defaults.store_database_url) or None,
        domain_path=Path(env.get("HANDOFF_DOMAIN") or defaults.domain_path),
        escalation_policy_path=Path(env.get("HANDOFF_ESCALATION_POLICY") or defaults.escalation_policy_path),
        cors_origins=env.get("HANDOFF_CORS_ORIGINS", defaults.cors_origins).strip(),
        trusted_proxies=env.get("HANDOFF_TRUSTED_PROXIES", defaults.trusted_proxies).strip(),
        login_window_seconds=_number(env, "HANDOFF_LOGIN_WINDOW_SECONDS", defaults.login_window_seconds),
        login_user_backoff_after=int(
            _number(env, "HANDOFF_LOGIN_USER_BACKOFF_AFTER", defaults.login_user_backoff_after)
        ),
        login_user_lockout_after=int(
            _number(env, "HANDOFF_LOGIN_USER_LOCKOUT_AFTER", defaults.login_user_lockout_after)
        ),
        login_ip_backoff_after=int(
            _number(env, "HANDOFF_LOGIN_IP_BACKOFF_AFTER", defaults.login_ip_backoff_after)
        ),
        login_ip_lockout_after=int(
            _number(env, "HANDOFF_LOGIN_IP_LOCKOUT_AFTER", defaults.login_ip_lockout_after)
        ),
        login_backoff_seconds=_number(env, "HANDOFF_LOGIN_BACKOFF_SECONDS", defaults.login_backoff_seconds),
        login_lockout_seconds=_number(env, "HANDOFF_LOGIN_LOCKOUT_SECONDS", defaults.login_lockout_seconds),
        login_hash_workers=int(_number(env, "HANDOFF_LOGIN_HASH_WORKERS", defaults.login_hash_workers)),
        login_max_pending=int(_number(env, "HANDOFF_LOGIN_MAX_PENDING", defaults.login_max_pending)),
        empathy_content_dir=Path(env.get("HANDOFF_EMPATHY_CONTENT") or defaults.empathy_content_dir),
        make_it_right_path=Path(env.get("HANDOFF_MAKE_IT_RIGHT") or defaults.make_it_right_path),
        identity_secret=(env.get("SHOP_IDENTITY_SECRET") or "").encode("utf-8") or None,
    )


@dataclass(frozen=True)
class AgentBudget:
    """What a person on the team may do from the console on their own: the `agents:`
    section of settings/make_it_right.yml (amounts in cents of the store currency)."""

    max_refund_cents: int
    max_replacement_value_cents: int
    max_store_credit_cents: int
    # Approval requests up to this amount an agent may decide; supervisors decide any.
    approval_limit_cents: int

    KEYS = ("max_refund", "max_replacement_value", "max_store_credit", "approval_limit")

    def limit_for(self, kind: str) -> tuple[str, int]:
        """The budget key and limit that applies to a remedy of `kind`."""
        if kind == "refund":
            return "refund", self.max_refund_cents
        if kind == "credit":
            return "store credit", self.max_store_credit_cents
        return "replacement value", self.max_replacement_value_cents

    def to_dict(self) -> dict[str, float]:
        return {
            "max_refund": self.max_refund_cents / 100,
            "max_replacement_value": self.max_replacement_value_cents / 100,
            "max_store_credit": self.max_store_credit_cents / 100,
            "approval_limit": self.approval_limit_cents / 100,
        }


def load_agent_budget(path: Path) -> AgentBudget:
    """Read and check the `agents:` section of the make-it-right file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"{path}: cannot read the make-it-right budget ({exc})") from exc
    section = data.get("agents") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise SettingsError(f"{path}: needs an 'agents:' section with {', '.join(AgentBudget.KEYS)}")
    unknown = sorted(set(section) - set(AgentBudget.KEYS))
    if unknown:
        raise SettingsError(
            f"{path}: unknown keys under 'agents': {unknown}; known: {list(AgentBudget.KEYS)}"
        )
    cents = {key: _amount_cents(path, section, key) for key in AgentBudget.KEYS}
    return AgentBudget(
        max_refund_cents=cents["max_refund"],
        max_replacement_value_cents=cents["max_replacement_value"],
        max_store_credit_cents=cents["max_store_credit"],
        approval_limit_cents=cents["approval_limit"],
    )


def _amount_cents(path: Path, section: Mapping[str, Any], key: str) -> int:
    raw = section.get(key)
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise SettingsError(f"{path}: 'agents.{key}' must be an amount like 250.00")
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise SettingsError(f"{path}: 'agents.{key}' must be an amount, got {raw!r}") from exc
    if not value.is_finite() or value < 0:
        raise SettingsError(f"{path}: 'agents.{key}' must be a positive amount, got {raw!r}")
    return int((value * 100).to_integral_value())
