"""Deadline expressions resolved against a fixed clock (Wednesday 18 November 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.deadline import DeadlineParser

TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I need it tonight", date(2026, 11, 18)),
        ("can it come tomorrow", date(2026, 11, 19)),
        ("the day after tomorrow", date(2026, 11, 20)),
        ("by Friday please", date(2026, 11, 20)),
        ("the funeral is on Saturday", date(2026, 11, 21)),
        ("this weekend", date(2026, 11, 21)),
        ("next weekend", date(2026, 11, 28)),
        ("on the 14th", date(2026, 12, 14)),
        ("by the 20th", date(2026, 11, 20)),
        ("before Monday", date(2026, 11, 22)),
        ("next week", date(2026, 11, 23)),
        ("next Friday", date(2026, 11, 27)),
        ("on Wednesday", date(2026, 11, 25)),
        ("this Wednesday", date(2026, 11, 18)),
        ("in three days", date(2026, 11, 21)),
        ("in 2 weeks", date(2026, 12, 2)),
        ("by the end of the week", date(2026, 11, 20)),
        ("end of the month", date(2026, 11, 30)),
        ("on 5 December", date(2026, 12, 5)),
        ("December 24th", date(2026, 12, 24)),
        ("by the 2nd of March", date(2027, 3, 2)),
        ("for Christmas", date(2026, 12, 25)),
        ("by 24/11", date(2026, 11, 24)),
        ("2026-12-01", date(2026, 12, 1)),
        ("24.12.2026", date(2026, 12, 24)),
    ],
)
def test_expressions(text: str, expected: date) -> None:
    assert DeadlineParser().parse(text, TODAY).deadline == expected


@pytest.mark.parametrize(
    "text",
    [
        "where is my order",
        "I ordered it on Friday",
        "it was delivered last Monday",
        "I've been waiting since Tuesday",
        "it costs 24.99",
        "order ORD-10234",
        "it was due on the 2nd",
    ],
)
def test_no_deadline(text: str) -> None:
    assert DeadlineParser().parse(text, TODAY).deadline is None


def test_urgent_within_a_week_by_default() -> None:
    parser = DeadlineParser()
    near = parser.parse("by Friday", TODAY)
    far = parser.parse("on the 14th", TODAY)
    assert (near.urgent, near.days_left, near.expression) == (True, 2, "by Friday")
    assert (far.urgent, far.days_left) == (False, 26)
    assert DeadlineParser(urgent_within_days=30).parse("on the 14th", TODAY).urgent


def test_earliest_future_date_wins() -> None:
    result = DeadlineParser().parse("the party is on the 14th but I leave tomorrow", TODAY)
    assert result.deadline == date(2026, 11, 19)


def test_month_first_dates_when_configured() -> None:
    assert DeadlineParser(day_first=False).parse("by 12/3", TODAY).deadline == date(2026, 12, 3)


def test_depends_on_the_clock() -> None:
    parser = DeadlineParser()
    assert parser.parse("tomorrow", date(2026, 12, 31)).deadline == date(2027, 1, 1)
    assert parser.parse("on Saturday", date(2026, 11, 21)).deadline == date(2026, 11, 28)
