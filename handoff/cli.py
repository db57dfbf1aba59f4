"""Agent accounts from the command line.

python -m handoff.cli create-agent USERNAME --name "Display Name" [--role agent|supervisor]
    (the password is read from HANDOFF_AGENT_PASSWORD or prompted for, never an argument,
    so it stays out of shell history and the process list)
python -m handoff.cli ensure-demo-agent
    creates the demo agent once and prints its credentials (idempotent)
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys
import time
from pathlib import Path

from handoff.agents.auth import AgentAuth
from handoff.errors import HandoffError
from handoff.persistence import queries
from handoff.persistence.tables import Database, make_engine
from handoff.settings import load_settings

logger = logging.getLogger("handoff.cli")

DEMO_USERNAME = "demo"
DEMO_NAME = "Sam (demo agent)"


def _auth() -> AgentAuth:
    settings = load_settings()
    database = Database(make_engine(settings.database_url))
    database.create_schema()
    return AgentAuth(database, settings.agent_session_hours, time.time)


def create_agent(args: argparse.Namespace) -> int:
    password = os.environ.get("HANDOFF_AGENT_PASSWORD") or getpass.getpass("Password: ")
    auth = _auth()
    try:
        agent = auth.create_agent_sync(args.username, args.name or args.username, password, args.role)
    finally:
        auth.db.close()
    logger.info("created %s %s (%s)", agent.role, agent.username, agent.display_name)
    return 0


def ensure_demo_agent(args: argparse.Namespace) -> int:
    """Create the demo agent once; its password is kept in var/ so it can be printed again."""
    var_dir = Path(os.environ.get("HANDOFF_VAR_DIR", "var"))
    password_file = var_dir / "demo_agent_password"
    auth = _auth()
    try:
        existing = auth.db.run_sync(queries.agent_credentials, DEMO_USERNAME)
        if existing is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            if existing is None:
                auth.create_agent_sync(DEMO_USERNAME, DEMO_NAME, password, "agent")
            else:
                auth.db.run_sync(queries.set_password_hash, existing[0].id, auth.hasher.hash(password))
            var_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(password)
        password = password_file.read_text().strip()
    finally:
        auth.db.close()
    # The one intended stdout output: the launcher shows these to the person running the demo.
    sys.stdout.write(f"Demo agent: username {DEMO_USERNAME}  password {password}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m handoff.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-agent", help="create an agent account")
    create.add_argument("username")
    create.add_argument("--name", help="display name the customer sees")
    create.add_argument("--role", default="agent", choices=["agent", "supervisor"])
    create.set_defaults(run=create_agent)
    demo = commands.add_parser("ensure-demo-agent", help="create the demo agent once, print credentials")
    demo.set_defaults(run=ensure_demo_agent)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except HandoffError as error:
        logger.error("%s", error.message)
        return 2


if __name__ == "__main__":
    sys.exit(main())
