"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.live_stack import LiveStack, run_live_stack

# Rasa's telemetry would try to reach the internet from every Rasa process a test starts.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"


@pytest.fixture(scope="session")
def live_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """The trained bot with its action and NLG servers, started once per test session."""
    workdir: Path = tmp_path_factory.mktemp("live-bot")
    with run_live_stack(workdir) as stack:
        yield stack
