"""Designer-edited YAML settings: the make-it-right budget, setup guides, delivery options.

Each loader validates the whole file and raises `SettingsFileError` naming the file and
the bad key, so a typo is reported at the first action that needs the file instead of
turning into a wrong promise to a customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml


class SettingsFileError(ValueError):
    """A settings file is missing, unreadable or has a wrong value."""


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot read ({exc})") from exc
    except yaml.YAMLError as exc:
        raise SettingsFileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise SettingsFileError(f"{path}: expected a mapping at the top level")
    return data


def _cents(path: Path, data: Mapping[str, Any], key: str) -> int:
    try:
        value = Decimal(str(data[key]))
    except KeyError as exc:
        raise SettingsFileError(f"{path}: missing '{key}'") from exc
    except InvalidOperation as exc:
        raise SettingsFileError(f"{path}: '{key}' must be an amount, got {data[key]!r}") from exc
    if value < 0:
        raise SettingsFileError(f"{path}: '{key}' must not be negative")
    return int((value * 100).to_integral_value())


def _int(path: Path, data: Mapping[str, Any], key: str, minimum: int = 0) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise SettingsFileError(f"{path}: '{key}' must be a whole number >= {minimum}")
    return value


@dataclass(frozen=True)
class MakeItRightBudget:
    """What the bot may do on its own; see settings/make_it_right.yml for the meaning."""

    currency: str
    max_automatic_refund_cents: int
    max_replacement_value_cents: int
    express_reship_allowed: bool
    keep_it_credit_percent: int
    max_store_credit_cents: int
    max_automatic_remedies_per_30_days: int
    approval_response_business_hours: int
    return_window_days: int

    KEYS = (
        "currency",
        "max_automatic_refund",
        "max_replacement_value",
        "express_reship_allowed",
        "keep_it_credit_percent",
        "max_store_credit",
        "max_automatic_remedies_per_30_days",
        "approval_response_business_hours",
        "return_window_days",
        # The agents' own budget, read by the handoff gateway (handoff/settings.py).
        "agents",
    )

    @classmethod
    def load(cls, path: Path) -> MakeItRightBudget:
        data = _read_yaml(path)
        unknown = sorted(set(data) - set(cls.KEYS))
        if unknown:
            raise SettingsFileError(f"{path}: unknown keys {unknown}; known: {list(cls.KEYS)}")
        currency = data.get("currency")
        if not isinstance(currency, str) or len(currency) != 3:
            raise SettingsFileError(f"{path}: 'currency' must be a 3-letter code like EUR")
        express = data.get("express_reship_allowed")
        if not isinstance(express, bool):
            raise SettingsFileError(f"{path}: 'express_reship_allowed' must be true or false")
        percent = _int(path, data, "keep_it_credit_percent")
        if percent > 100:
            raise SettingsFileError(f"{path}: 'keep_it_credit_percent' must be at most 100")
        return cls(
            currency=currency,
            max_automatic_refund_cents=_cents(path, data, "max_automatic_refund"),
            max_replacement_value_cents=_cents(path, data, "max_replacement_value"),
            express_reship_allowed=express,
            keep_it_credit_percent=percent,
            max_store_credit_cents=_cents(path, data, "max_store_credit"),
            max_automatic_remedies_per_30_days=_int(path, data, "max_automatic_remedies_per_30_days"),
            approval_response_business_hours=_int(path, data, "approval_response_business_hours", minimum=1),
            return_window_days=_int(path, data, "return_window_days", minimum=1),
        )


@dataclass(frozen=True)
class SetupGuide:
    family: str
    title: str
    aliases: tuple[str, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class SetupGuides:
    guides: tuple[SetupGuide, ...]

    @classmethod
    def load(cls, path: Path) -> SetupGuides:
        data = _read_yaml(path)
        guides = []
        for family, entry in data.items():
            if not isinstance(entry, dict):
                raise SettingsFileError(f"{path}: '{family}' must be a mapping")
            title, aliases, steps = entry.get("title"), entry.get("aliases"), entry.get("steps")
            if not isinstance(title, str) or not title:
                raise SettingsFileError(f"{path}: '{family}.title' must be text")
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise SettingsFileError(f"{path}: '{family}.aliases' must be a list of words")
            if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
                raise SettingsFileError(f"{path}: '{family}.steps' must be a list of steps")
            guides.append(SetupGuide(str(family), title, tuple(a.lower() for a in aliases), tuple(steps)))
        if not guides:
            raise SettingsFileError(f"{path}: no guides")
        return cls(tuple(guides))

    def find(self, item: str | None) -> SetupGuide | None:
        """The guide whose family, title or alias best matches what the customer wrote."""
        if not item:
            return None
        wanted = item.lower().strip()
        best: SetupGuide | None = None
        best_length = 0
        for guide in self.guides:
            names = (guide.family.replace("_", " "), guide.title.lower(), *guide.aliases)
            for name in names:
                if (name in wanted or wanted in name) and len(name) > best_length:
                    best, best_length = guide, len(name)
        return best

    def by_family(self, family: str) -> SetupGuide | None:
        return next((g for g in self.guides if g.family == family), None)


@dataclass(frozen=True)
class ShippingMethod:
    name: str
    price_cents: int
    delivery: str


@dataclass(frozen=True)
class DeliveryOptions:
    currency: str
    same_day_dispatch_cutoff: str
    free_standard_shipping_from_cents: int
    methods: tuple[ShippingMethod, ...]

    @classmethod
    def load(cls, path: Path) -> DeliveryOptions:
        data = _read_yaml(path)
        cutoff = str(data.get("same_day_dispatch_cutoff", ""))
        if len(cutoff) != 5 or cutoff[2] != ":":
            raise SettingsFileError(f"{path}: 'same_day_dispatch_cutoff' must look like 14:00")
        raw_methods = data.get("methods")
        if not isinstance(raw_methods, list) or not raw_methods:
            raise SettingsFileError(f"{path}: 'methods' must be a non-empty list")
        methods = []
        for number, raw in enumerate(raw_methods, start=1):
            if not isinstance(raw, dict) or not raw.get("name") or not raw.get("delivery"):
                raise SettingsFileError(f"{path}: method {number} needs name, price, delivery")
            methods.append(ShippingMethod(str(raw["name"]), _cents(path, raw, "price"), str(raw["delivery"])))
        return cls(
            currency=str(data.get("currency", "EUR")),
            same_day_dispatch_cutoff=cutoff,
            free_standard_shipping_from_cents=_cents(path, data, "free_standard_shipping_from"),
            methods=tuple(methods),
        )
