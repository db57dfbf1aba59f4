from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.services import Services
from shop.settings import REPO_ROOT
from tests.store.demo_store import copy_store, seed_file, services_on


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """domain.yml, with the action lines of content/responses.yml among its responses
    (the NLG server serves both, so an action may send either)."""
    loaded = yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))
    catalogue = yaml.safe_load((REPO_ROOT / "content" / "responses.yml").read_text(encoding="utf-8"))
    clashes = set(loaded["responses"]) & set(catalogue["responses"])
    assert not clashes, f"responses defined twice: {sorted(clashes)}"
    loaded["responses"] = {**loaded["responses"], **catalogue["responses"]}
    return loaded


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "store.db"
    seed_file(path)
    return path


@pytest.fixture
def store_path(seeded_template: Path, tmp_path: Path) -> Path:
    return copy_store(seeded_template, tmp_path / "store.db")


@pytest.fixture
def services(store_path: Path) -> Services:
    return services_on(store_path)
