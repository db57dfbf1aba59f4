"""The shop's settings (its database and designer files), read from the environment in this one place.

| variable             | default                         |
|----------------------|---------------------------------|
| STORE_DATABASE_URL   | sqlite:///<repo>/var/store.db   |
| MAKE_IT_RIGHT_FILE   | <repo>/settings/make_it_right.yml |
| SETUP_GUIDES_FILE    | <repo>/settings/setup_guides.yml  |
| DELIVERY_OPTIONS_FILE| <repo>/settings/delivery_options.yml |
| SHOP_IDENTITY_SECRET | unset (signed identity off)       |

Relative paths (also inside a sqlite URL) are resolved against the repository root, so
the action server finds the same files whatever directory it was started from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else REPO_ROOT / candidate


def _resolve_sqlite_url(url: str) -> str:
    """Make a relative sqlite file URL absolute against the repo root."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    db_path = url[len(prefix) :]
    if not db_path or db_path == ":memory:" or db_path.startswith("/"):
        return url
    return prefix + str(REPO_ROOT / db_path)


@dataclass(frozen=True)
class ShopSettings:
    store_database_url: str
    make_it_right_file: Path
    setup_guides_file: Path
    delivery_options_file: Path
    # The secret a shop's server signs its logged-in customer's id with (shop/identity.py);
    # None: signed identity is off and only an order number plus its email identify a customer.
    identity_secret: bytes | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ShopSettings:
        env = os.environ if environ is None else environ
        return cls(
            store_database_url=_resolve_sqlite_url(env.get("STORE_DATABASE_URL") or "sqlite:///var/store.db"),
            make_it_right_file=_resolve(env.get("MAKE_IT_RIGHT_FILE") or "settings/make_it_right.yml"),
            setup_guides_file=_resolve(env.get("SETUP_GUIDES_FILE") or "settings/setup_guides.yml"),
            delivery_options_file=_resolve(
                env.get("DELIVERY_OPTIONS_FILE") or "settings/delivery_options.yml"
            ),
            identity_secret=(env.get("SHOP_IDENTITY_SECRET") or "").encode("utf-8") or None,
        )
