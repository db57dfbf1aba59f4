"""The shipped bundle is what the sources build to, and the widget's own code stays small."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from launcher.settings import REPO_ROOT

OWN_CODE_LIMIT_GZIP = 30 * 1024


@pytest.fixture(scope="module")
def sizes() -> dict[str, int]:
    if shutil.which("node") is None:
        pytest.fail("node is missing: it builds and checks widget/dist (apt-get install nodejs)")
    done = subprocess.run(
        ["node", "widget/build.mjs", "--check"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    measured: dict[str, int] = json.loads(done.stdout)
    return measured


def test_dist_matches_the_sources(sizes: dict[str, int]) -> None:
    # --check exits non-zero when widget/dist/store-chat.js differs from a fresh build.
    assert sizes["bundle_gzip"] > sizes["own_gzip"]


def test_own_code_is_at_most_30_kb_gzipped(sizes: dict[str, int]) -> None:
    assert sizes["own_gzip"] <= OWN_CODE_LIMIT_GZIP, sizes


def test_the_vendored_client_is_the_locked_version() -> None:
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/socket.io-client"]["version"]
    banner = (REPO_ROOT / "widget" / "vendor" / "socket.io.min.js").read_text()[:200]
    assert f"Socket.IO v{locked}" in banner
