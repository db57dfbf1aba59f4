"""The services every action depends on, built from `ShopSettings` in one place."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from shop import StoreService, open_store
from shop.settings import ShopSettings
from shop.settings_files import DeliveryOptions, MakeItRightBudget, SetupGuides


@dataclass(frozen=True)
class Services:
    store: StoreService
    budget: MakeItRightBudget
    guides: SetupGuides
    delivery: DeliveryOptions
    # Signed identity (shop/identity.py); None when the shop does not use it.
    identity_secret: bytes | None = None


def build_services(settings: ShopSettings) -> Services:
    """Open the store and load the settings files (raises SettingsFileError on a bad file)."""
    return Services(
        store=open_store(settings.store_database_url),
        budget=MakeItRightBudget.load(settings.make_it_right_file),
        guides=SetupGuides.load(settings.setup_guides_file),
        delivery=DeliveryOptions.load(settings.delivery_options_file),
        identity_secret=settings.identity_secret,
    )


@functools.lru_cache(maxsize=4)
def services_for(settings: ShopSettings) -> Services:
    """One Services per distinct settings in this process.

    rasa_sdk instantiates every action class with no arguments, so actions cannot be
    handed their dependencies by a factory; this memo keyed by the (frozen) settings lets
    all ~25 actions share one engine and connection pool instead of opening one each.
    Tests bypass it by passing Services to the action's constructor.
    """
    return build_services(settings)
