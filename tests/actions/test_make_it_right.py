"""The make-it-right budget decisions, independent of the store."""

from __future__ import annotations

import pytest

from shop import Money
from shop.formatting import mask_email, normalise_email, normalise_order_id
from shop.make_it_right import decide
from shop.settings import REPO_ROOT
from shop.settings_files import MakeItRightBudget

BUDGET = MakeItRightBudget.load(REPO_ROOT / "settings" / "make_it_right.yml")


@pytest.mark.parametrize(
    ("remedy", "cents", "recent", "automatic"),
    [
        ("refund", 25000, 0, True),
        ("refund", 25001, 0, False),
        ("replacement", 40000, 1, True),
        ("reship", 44900, 0, False),
        ("credit", 5000, 0, True),
        ("credit", 100, 2, False),
    ],
)
def test_decide(remedy: str, cents: int, recent: int, automatic: bool) -> None:
    decision = decide(BUDGET, remedy, Money(cents), recent)
    assert decision.automatic is automatic
    assert (decision.rule is None) is automatic


def test_unknown_remedy_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown remedy"):
        decide(BUDGET, "voucher", Money(1), 0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ORD-10234", "ORD-10234"),
        ("ord10234", "ORD-10234"),
        ("ORD 10234", "ORD-10234"),
        ("#10234", "ORD-10234"),
        ("order 10234", "ORD-10234"),
        ("Order number 10234", "ORD-10234"),
        ("ORD-1023", None),
        ("hello", None),
        (None, None),
    ],
)
def test_order_ids_in_every_spelling(raw: object, expected: str | None) -> None:
    assert normalise_order_id(raw) == expected


def test_emails() -> None:
    assert normalise_email(" Emma.Jansen@Example.COM ") == "emma.jansen@example.com"
    assert normalise_email("emma@localhost") is None
    assert mask_email("emma.jansen@example.com") == "em***@example.com"
