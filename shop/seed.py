"""Reproducible demo data for the store.

    python -m shop.seed [--today YYYY-MM-DD] [--url SQLALCHEMY_URL]

Every run drops and recreates the store tables and inserts the same customers and
orders, with dates placed relative to `today` so that "in transit", "three days late" and
"refund expected by Friday" stay true whenever the demo runs. Same `today`, same data.
"""

from __future__ import annotations

import argparse
import logging
import random
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from shop import models as m
from shop import utc_now
from shop.database import create_schema, drop_schema, make_engine, make_session_factory
from shop.service import REFUND_BUSINESS_DAYS, add_business_days
from shop.settings import ShopSettings

logger = logging.getLogger(__name__)

SEED = 20241122
FIRST_ORDER_NUMBER = 10001

# The demo states, in the order they are dealt out to orders ORD-10001, ORD-10002, ...
# so that ORD-10001..ORD-10010 show one of each.
STATE_COUNTS: tuple[tuple[str, int], ...] = (
    ("processing", 8),
    ("in_transit", 10),
    ("delayed", 7),
    ("delivered", 12),
    ("delivered_damaged", 5),
    ("lost", 4),
    ("cancelled", 6),
    ("refund_pending", 5),
    ("refunded", 5),
    ("double_charge", 2),
)

NAMES = (
    "Emma Jansen",
    "Liam Bakker",
    "Sofia Rossi",
    "Noah Müller",
    "Mia Dubois",
    "Lucas Silva",
    "Hannah Schmidt",
    "Mateo García",
    "Olivia Brown",
    "Elias Novak",
    "Chloé Martin",
    "Jonas Berg",
    "Amara Okafor",
    "Leo Visser",
    "Isabel Costa",
    "Finn Hansen",
    "Yara Haddad",
    "Tom de Vries",
    "Lena Fischer",
    "Omar Benali",
    "Julia Kowalska",
    "Max Weber",
    "Aisha Khan",
    "Daan Smit",
    "Nora Lindqvist",
    "Hugo Laurent",
    "Sara Conti",
    "Milan Horvat",
    "Eva Petrova",
    "Ruben Peeters",
    "Zoe Murphy",
    "Ivan Popescu",
)

ADDRESSES = (
    "Keizersgracht 112, 1015 CW Amsterdam, NL",
    "Torstraße 45, 10119 Berlin, DE",
    "Via Roma 18, 20121 Milano, IT",
    "Rue de Rivoli 210, 75001 Paris, FR",
    "Calle de Alcalá 77, 28009 Madrid, ES",
    "Mariahilfer Straße 31, 1060 Wien, AT",
    "Oudegracht 150, 3511 AZ Utrecht, NL",
    "Rua Augusta 95, 1100-048 Lisboa, PT",
    "Grote Markt 7, 2000 Antwerpen, BE",
    "Nørrebrogade 44, 2200 København, DK",
)

CARRIERS = (("DHL", "JD01"), ("UPS", "1Z"), ("DPD", "0567"), ("GLS", "ZX"), ("PostNL", "3S"))
HUBS = (
    "Venlo warehouse",
    "Duisburg sorting hub",
    "Eindhoven sorting centre",
    "Liège hub",
    "Köln parcel centre",
    "Utrecht depot",
    "Lyon hub",
)
PAYMENT_METHODS = ("Visa ending 4242", "Mastercard ending 5100", "PayPal", "Apple Pay")

# sku, name, product family (matches settings/setup_guides.yml), unit price in cents
CATALOGUE: tuple[tuple[str, str, str, int], ...] = (
    ("EB-200", "Aura wireless earbuds", "earbuds", 7990),
    ("SP-310", "Hearth smart speaker", "smart_speaker", 12900),
    ("RT-120", "Meshlink Wi-Fi router", "router", 15900),
    ("ER-080", "Pagely e-reader", "e_reader", 13900),
    ("KB-050", "Typecraft mechanical keyboard", "keyboard", 8900),
    ("CB-010", "USB-C charging cable (2 m)", "accessory", 1490),
    ("WT-330", "Pulse fitness watch", "smartwatch", 19900),
    ("CM-500", "Brewline espresso machine", "coffee_machine", 34900),
)
# Deliberately expensive products, for the over-budget demo orders.
TV = ("TV-550", "Vista 55-inch 4K TV", "tv", 89900)
ROBOT_VACUUM = ("RV-700", "Sweepo robot vacuum", "robot_vacuum", 44900)

# Orders (by index into the state's list) that carry an expensive product so that
# the make-it-right budget has something to refuse automatically.
EXPENSIVE_ORDERS: dict[tuple[str, int], tuple[str, str, str, int]] = {
    ("delivered_damaged", 1): TV,
    ("lost", 1): ROBOT_VACUUM,
}
# The customer of this order already had two remedies this month (per-customer limit).
FREQUENT_REMEDY_ORDER = ("delivered_damaged", 2)
# Delivered long enough ago that the return window has closed.
OLD_DELIVERY_ORDER = ("delivered", 1)
OLD_DELIVERY_DAYS_AGO = 45


@dataclass
class SeedSummary:
    customers: int = 0
    orders: int = 0
    by_state: Counter = field(default_factory=Counter)
    demo_orders: dict[str, tuple[str, str]] = field(default_factory=dict)  # state -> (id, email)


def dealt_states() -> list[str]:
    """States in dealing order: one of each kind per round while any remain."""
    remaining = dict(STATE_COUNTS)
    dealt: list[str] = []
    while any(remaining.values()):
        for state, _ in STATE_COUNTS:
            if remaining[state]:
                dealt.append(state)
                remaining[state] -= 1
    return dealt


def email_for(name: str) -> str:
    # Strip accents (García -> garcia) so the demo addresses are easy to type.
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{plain.lower().replace(' ', '.')}@example.com"


def seed_store(engine: Engine, today: date) -> SeedSummary:
    """Drop, recreate and fill the store tables; deterministic for a given `today`."""
    drop_schema(engine)
    create_schema(engine)
    rng = random.Random(SEED)
    summary = SeedSummary()
    with make_session_factory(engine)() as session, session.begin():
        customers = _add_customers(session, today, rng)
        summary.customers = len(customers)
        seen: Counter = Counter()
        for index, state in enumerate(dealt_states()):
            order_id = f"ORD-{FIRST_ORDER_NUMBER + index}"
            customer = customers[index % len(customers)]
            nth = seen[state]
            seen[state] += 1
            builder = _OrderBuilder(session, rng, today, order_id, customer)
            builder.build(state, EXPENSIVE_ORDERS.get((state, nth)), (state, nth) == OLD_DELIVERY_ORDER)
            if (state, nth) == FREQUENT_REMEDY_ORDER:
                _add_recent_remedies(session, customer, today)
            summary.orders += 1
            summary.by_state[state] += 1
            summary.demo_orders.setdefault(state, (order_id, customer.email))
    return summary


def _add_customers(session: Session, today: date, rng: random.Random) -> list[m.Customer]:
    customers = []
    for number, name in enumerate(NAMES, start=1):
        customer = m.Customer(
            id=f"CUS-{number:04d}",
            email=email_for(name),
            name=name,
            created_at=_at(today - timedelta(days=rng.randint(90, 900)), rng.randint(8, 21)),
        )
        session.add(customer)
        customers.append(customer)
    return customers


def _add_recent_remedies(session: Session, customer: m.Customer, today: date) -> None:
    for days_ago, kind, cents in ((9, "credit", 1500), (21, "reship", 0)):
        session.add(
            m.Resolution(
                customer_id=customer.id,
                kind=kind,
                amount_cents=cents,
                detail=f"Earlier goodwill {kind} (seeded history)",
                actor="agent",
                created_at=_at(today - timedelta(days=days_ago), 11),
            )
        )


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


class _OrderBuilder:
    """Builds one order with its items, shipment, scans, payments, refunds and returns."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        today: date,
        order_id: str,
        customer: m.Customer,
    ) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.order_id = order_id
        self.customer = customer

    def build(
        self, state: str, forced_item: tuple[str, str, str, int] | None, old_delivery: bool = False
    ) -> None:
        days_ago = {
            "processing": self.rng.randint(0, 1),
            "in_transit": self.rng.randint(2, 3),
            "delayed": self.rng.randint(9, 12),
            "delivered": self.rng.randint(6, 25),
            "delivered_damaged": self.rng.randint(4, 6),
            "lost": self.rng.randint(16, 20),
            "cancelled": self.rng.randint(4, 12),
            "refund_pending": self.rng.randint(14, 20),
            "refunded": self.rng.randint(20, 28),
            "double_charge": self.rng.randint(5, 8),
        }[state]
        if old_delivery:
            days_ago = OLD_DELIVERY_DAYS_AGO
        placed = _at(self.today - timedelta(days=days_ago), self.rng.randint(8, 20), self.rng.randint(0, 59))
        express = state in ("in_transit", "delivered") and self.rng.random() < 0.25
        transit_days = 2 if express else 4
        if state == "delayed":
            promised = self.today - timedelta(days=self.rng.randint(2, 5))
        elif state == "in_transit":
            promised = self.today + timedelta(days=self.rng.randint(1, 3))
        else:
            promised = placed.date() + timedelta(days=transit_days)
        order = m.Order(
            id=self.order_id,
            customer=self.customer,
            status="processing",
            placed_at=placed,
            promised_date=promised,
            shipping_address=ADDRESSES[int(self.customer.id[4:]) % len(ADDRESSES)],
            shipping_method="express" if express else "standard",
            total_cents=0,
            currency="EUR",
            payment_method=self.rng.choice(PAYMENT_METHODS),
        )
        self.session.add(order)
        self._add_items(order, forced_item)
        charge = self._charge(order, placed + timedelta(minutes=1))
        getattr(self, f"_{state}")(order, charge)

    def _add_items(self, order: m.Order, forced: tuple[str, str, str, int] | None) -> None:
        products: list[tuple[str, str, str, int]] = list(self.rng.sample(CATALOGUE, self.rng.randint(1, 2)))
        if forced is not None:
            products = [forced]
        total = 0
        for sku, name, family, price in products:
            quantity = 2 if family == "accessory" else 1
            self.session.add(
                m.OrderItem(
                    order=order,
                    sku=sku,
                    name=name,
                    product_family=family,
                    quantity=quantity,
                    unit_price_cents=price,
                )
            )
            total += price * quantity
        order.total_cents = total

    def _charge(self, order: m.Order, when: datetime) -> m.Payment:
        payment = m.Payment(
            order=order,
            amount_cents=order.total_cents,
            method=order.payment_method,
            charged_at=when,
            status="captured",
        )
        self.session.add(payment)
        return payment

    def _ship(
        self,
        order: m.Order,
        status: str,
        scans: Sequence[tuple[datetime, str, str]],
        delivered_at: datetime | None = None,
    ) -> m.Shipment:
        carrier, prefix = self.rng.choice(CARRIERS)
        shipment = m.Shipment(
            order=order,
            carrier=carrier,
            tracking_number=f"{prefix}{self.rng.randint(10**9, 10**10 - 1)}",
            status=status,
            express=order.shipping_method == "express",
            shipped_at=scans[0][0],
            delivered_at=delivered_at,
        )
        self.session.add(shipment)
        for occurred_at, location, description in scans:
            self.session.add(
                m.TrackingEvent(
                    shipment=shipment, occurred_at=occurred_at, location=location, description=description
                )
            )
        order.status = "delivered" if status == "delivered" else "shipped"
        return shipment

    def _hub(self) -> str:
        return self.rng.choice(HUBS[1:])

    def _transit_scans(self, shipped: datetime, hops: int) -> list[tuple[datetime, str, str]]:
        scans = [(shipped, HUBS[0], "Picked up by the carrier")]
        moment = shipped
        for _ in range(hops):
            moment += timedelta(hours=self.rng.randint(7, 16))
            scans.append((moment, self._hub(), "Sorted and on its way"))
        return scans

    def _delivered(self, order: m.Order, _charge: m.Payment, note: str = "Delivered") -> None:
        shipped = order.placed_at + timedelta(hours=self.rng.randint(18, 26))
        scans = self._transit_scans(shipped, 2)
        delivered_at = _at(
            order.promised_date - timedelta(days=self.rng.randint(0, 1)),
            self.rng.randint(9, 17),
            self.rng.randint(0, 59),
        )
        delivered_at = max(delivered_at, scans[-1][0] + timedelta(hours=3))
        scans.append((delivered_at, order.shipping_address.split(",")[-2].strip(), note))
        self._ship(order, "delivered", scans, delivered_at)

    # --- one method per demo state -------------------------------------------------

    def _processing(self, order: m.Order, _charge: m.Payment) -> None:
        pass  # paid, waiting in the warehouse

    def _in_transit(self, order: m.Order, _charge: m.Payment) -> None:
        shipped = order.placed_at + timedelta(hours=self.rng.randint(18, 26))
        hops = max(1, (self.today - shipped.date()).days)
        scans = self._transit_scans(shipped, hops)
        # Keep the last scan in the past even for very recent orders.
        latest = _at(self.today, 7)
        scans = [s for s in scans if s[0] <= latest] or scans[:1]
        self._ship(order, "in_transit", scans)

    def _delayed(self, order: m.Order, _charge: m.Payment) -> None:
        shipped = order.placed_at + timedelta(hours=self.rng.randint(18, 26))
        scans = self._transit_scans(shipped, 2)
        held = scans[-1][0] + timedelta(hours=self.rng.randint(6, 12))
        scans.append((held, self._hub(), "Delayed in the carrier's network"))
        self._ship(order, "in_transit", scans)

    def _delivered_damaged(self, order: m.Order, charge: m.Payment) -> None:
        self._delivered(order, charge, note="Delivered; the driver noted damaged packaging")

    def _lost(self, order: m.Order, _charge: m.Payment) -> None:
        shipped = order.placed_at + timedelta(hours=self.rng.randint(18, 26))
        scans = self._transit_scans(shipped, 1)
        scans.append(
            (
                _at(self.today - timedelta(days=self.rng.randint(2, 4)), 10),
                "Carrier investigation team",
                "Parcel declared lost by the carrier",
            )
        )
        self._ship(order, "lost", scans)

    def _cancelled(self, order: m.Order, charge: m.Payment) -> None:
        cancelled = order.placed_at + timedelta(hours=self.rng.randint(1, 6))
        order.status = "cancelled"
        order.cancelled_at = cancelled
        charge.status = "refunded"
        self._refund(order, charge, "cancellation", cancelled, issued=True)

    def _returned(self, order: m.Order, charge: m.Payment, received_days_ago: int) -> datetime:
        self._delivered(order, charge)
        received = _at(self.today - timedelta(days=received_days_ago), 14)
        self.session.add(
            m.ReturnRequest(
                order=order,
                label_reference=f"RET-{order.id[4:]}-1",
                reason="changed_mind",
                status="received",
                created_at=received - timedelta(days=3),
            )
        )
        return received

    def _refund_pending(self, order: m.Order, charge: m.Payment) -> None:
        received = self._returned(order, charge, self.rng.randint(1, 2))
        self._refund(order, charge, "return", received, issued=False)

    def _refunded(self, order: m.Order, charge: m.Payment) -> None:
        received = self._returned(order, charge, self.rng.randint(6, 9))
        charge.status = "refunded"
        self._refund(order, charge, "return", received, issued=True)

    def _double_charge(self, order: m.Order, charge: m.Payment) -> None:
        self._delivered(order, charge)
        self.session.flush()  # the duplicate points at the first charge's id
        duplicate = self._charge(order, charge.charged_at + timedelta(minutes=2))
        duplicate.duplicate_of_id = charge.id

    def _refund(self, order: m.Order, charge: m.Payment, reason: str, when: datetime, issued: bool) -> None:
        self.session.flush()  # the refund points at the charge's id
        self.session.add(
            m.Refund(
                order=order,
                payment_id=charge.id,
                amount_cents=charge.amount_cents,
                reason=reason,
                status="issued" if issued else "pending",
                requested_at=when,
                issued_at=when + timedelta(hours=2) if issued else None,
                expected_by=add_business_days(when.date(), REFUND_BUSINESS_DAYS),
            )
        )


def main(argv: Sequence[str] | None = None) -> int:
    settings = ShopSettings.from_env()
    parser = argparse.ArgumentParser(description="Seed the demo store (drops existing data).")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=utc_now().date(),
        help="the date the demo data is relative to (default: today, UTC)",
    )
    parser.add_argument(
        "--url", default=settings.store_database_url, help="SQLAlchemy URL (default: STORE_DATABASE_URL)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        summary = seed_store(make_engine(args.url), args.today)
    except ArgumentError as exc:
        logger.error("STORE_DATABASE_URL / --url is not a valid SQLAlchemy URL (%s): %s", args.url, exc)
        return 2
    except SQLAlchemyError as exc:
        logger.error("Could not seed the store at %s: %s", args.url, exc)
        return 1
    logger.info(
        "Seeded %d customers and %d orders relative to %s into %s",
        summary.customers,
        summary.orders,
        args.today,
        args.url,
    )
    for state, (order_id, email) in summary.demo_orders.items():
        logger.info("  %-18s %s  %s", state, order_id, email)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
