"""The check-in's view of the store (shop): due resolutions, and marking them done."""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from actions.follow_ups import CheckIn, FollowUps
from shop import StoreError, StoreService, open_store
from shop import models as m
from shop.database import make_engine, make_session_factory
from shop.settings import ShopSettings

logger = logging.getLogger(__name__)


class StoreFollowUps:
    """`FollowUps` over the store's service, plus one write the service does not offer yet."""

    def __init__(self, store: StoreService, session_factory: sessionmaker[Session]) -> None:
        self._store = store
        self._sessions = session_factory

    def due_check_in(self, customer_id: str, as_of: date) -> CheckIn | None:
        due = [r for r in self._store.resolutions_due_for_follow_up(as_of) if r.customer_id == customer_id]
        if not due:
            return None
        latest = max(due, key=lambda r: (r.created_at, r.resolution_id))
        item = None
        if latest.order_id:
            try:
                item = self._store.order_facts(latest.order_id).item_names or None
            except StoreError:
                logger.warning("empathy.checkin_order_missing order=%s", latest.order_id)
        return CheckIn(
            resolution_id=latest.resolution_id,
            kind=latest.kind,
            order_id=latest.order_id,
            item=item,
            amount=str(latest.amount) if latest.amount.cents else None,
            detail=latest.detail,
        )

    def mark_checked_in(self, resolution_id: int, at: datetime) -> None:
        # StoreService has no command for this yet; the row is the store's own model.
        with self._sessions() as session, session.begin():
            resolution = session.get(m.Resolution, resolution_id)
            if resolution is not None and resolution.followed_up_at is None:
                resolution.followed_up_at = at


@functools.lru_cache(maxsize=2)
def _follow_ups_for(url: str) -> StoreFollowUps:
    return StoreFollowUps(open_store(url), make_session_factory(make_engine(url)))


def follow_ups_from_env() -> FollowUps:
    """One adapter per store URL in this process (actions are built with no arguments)."""
    return _follow_ups_for(ShopSettings.from_env().store_database_url)
