"""Test helpers: a seeded demo store in tmp_path, with a fixed "today"."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

from actions.services import Services
from shop import StoreService
from shop.database import make_engine, make_session_factory
from shop.identity import identity_tag
from shop.seed import SeedSummary, seed_store
from shop.settings import REPO_ROOT
from shop.settings_files import DeliveryOptions, MakeItRightBudget, SetupGuides

# A Wednesday, 10:00 UTC: every seeded date is relative to it.
TODAY = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 10, 0)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def seed_file(path: Path, today: date = TODAY) -> SeedSummary:
    return seed_store(make_engine(sqlite_url(path)), today)


def copy_store(template: Path, target: Path) -> Path:
    """A private copy of the seeded database, so each test can change it freely."""
    shutil.copyfile(template, target)
    return target


def store_on(path: Path, now: datetime = NOW) -> StoreService:
    return StoreService(make_session_factory(make_engine(sqlite_url(path))), lambda: now)


# The secret the demo shop's server would sign its logged-in customers' ids with.
IDENTITY_SECRET = b"test shop identity secret"


def signed(customer_id: str) -> dict[str, dict[str, str]]:
    """Message metadata as the gateway forwards a claim the shop's server signed."""
    return {"identity": {"customer_id": customer_id, "hmac": identity_tag(IDENTITY_SECRET, customer_id)}}


def services_on(path: Path, now: datetime = NOW) -> Services:
    settings = REPO_ROOT / "settings"
    return Services(
        store=store_on(path, now),
        budget=MakeItRightBudget.load(settings / "make_it_right.yml"),
        guides=SetupGuides.load(settings / "setup_guides.yml"),
        delivery=DeliveryOptions.load(settings / "delivery_options.yml"),
        identity_secret=IDENTITY_SECRET,
    )
