"""The real gateway process with some settings of its own (tight limits, short session
lifetimes), for browser tests that need to reach them in seconds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.widget.support import GatewayProcess, free_port, run_gateway


@contextlib.contextmanager
def tuned_gateway(workdir: Path, settings: dict[str, str]) -> Iterator[GatewayProcess]:
    """`python -m handoff` with these environment variables (Rasa unreachable, as in
    conftest's `gateway`); the test process's own environment is left as it was."""
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:
            for name, value in settings.items():
                env.setenv(name, value)
            process = stack.enter_context(run_gateway(workdir, rasa_url=f"http://127.0.0.1:{free_port()}"))
        yield process
