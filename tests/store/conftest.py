from __future__ import annotations

from pathlib import Path

import pytest

from shop import StoreService
from tests.store.demo_store import copy_store, seed_file, store_on


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "store.db"
    seed_file(path)
    return path


@pytest.fixture
def store_path(seeded_template: Path, tmp_path: Path) -> Path:
    return copy_store(seeded_template, tmp_path / "store.db")


@pytest.fixture
def store(store_path: Path) -> StoreService:
    return store_on(store_path)
