"""Deadline expressions ("tonight", "by Friday", "on the 14th") resolved to a date.

Dates are relative to the message time, which comes from an injected clock so that
tests and evaluation use a fixed one. Past references ("I ordered it on Friday",
"last Monday") are not deadlines. When several dates are named, the earliest future
one counts: that is the one the customer must not miss.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "couple of": 2,
    "a couple of": 2,
    "few": 3,
    "a few": 3,
}

_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY = r"([12][0-9]|3[01]|0?[1-9])"
_ORD = r"(?:st|nd|rd|th)?"
_PREFIX = r"(?:(by|before|until|till|for|on|this|next|coming|in time for|no later than)\s+(?:the\s+)?)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(_PREFIX + body, re.IGNORECASE))
    for kind, body in (
        ("iso", r"\b(\d{4})-(\d{2})-(\d{2})\b"),
        ("numeric", r"(?<![\d/.])" + _DAY + r"[/.](1[0-2]|0?[1-9])(?:[/.](\d{4}|\d{2}))?(?![\d/.])"),
        ("day_month", r"\b" + _DAY + _ORD + r"\s+(?:of\s+)?" + _MONTH + r"\b"),
        ("month_day", r"\b" + _MONTH + r"\s+(?:the\s+)?" + _DAY + _ORD + r"\b"),
        (
            "holiday",
            r"\b(christmas eve|christmas day|christmas|xmas|new year'?s eve|valentine'?s day|halloween)\b",
        ),
        (
            "relative_day",
            r"\b(the day after tomorrow|day after tomorrow|tomorrow|tonight|today|this (?:morning|afternoon|evening)|end of (?:the )?day)\b",
        ),
        ("weekend", r"\b(weekend)\b"),
        ("period", r"\b(end of (?:the |this )?week|end of (?:the |this )?month|next week|next month)\b"),
        (
            "in_n",
            r"\bin (a|one|two|three|four|five|six|seven|eight|nine|ten|\d+|a couple of|a few) (days?|weeks?)\b",
        ),
        ("weekday", r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b"),
        ("day_of_month", r"\bthe " + _DAY + r"(st|nd|rd|th)\b"),
    )
)

_PAST_CONTEXT_RE = re.compile(
    r"\b(last|since|ago|ordered|placed|bought|paid|purchased|shipped|dispatched|sent|"
    r"arrived|delivered|came|was|were|did|had|got|received|returned|emailed|called|"
    r"contacted|charged|refunded|stopped|broke|started|happened|said|told|promised|"
    r"opened|tried|noticed)\b[^.!?]{0,24}$",
    re.IGNORECASE,
)
_FUTURE_PREFIXES = frozenset({"by", "before", "until", "till", "for", "in time for", "no later than"})


@dataclass(frozen=True)
class DeadlineResult:
    """The resolved deadline (or none), the words that gave it, and its nearness."""

    deadline: date | None
    expression: str | None
    days_left: int | None
    urgent: bool


class DeadlineParser:
    """Finds deadline expressions; ``urgent_within_days`` sets what counts as near."""

    def __init__(self, urgent_within_days: int = 7, day_first: bool = True) -> None:
        self._urgent_within_days = urgent_within_days
        self._day_first = day_first

    def parse(self, text: str, today: date) -> DeadlineResult:
        """The earliest future deadline named in ``text``, relative to ``today``."""
        found: list[tuple[date, str]] = []
        taken: list[tuple[int, int]] = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                # An earlier (more specific) pattern already used these characters.
                if any(s < match.end() and match.start() < e for s, e in taken):
                    continue
                prefix = (match.group(1) or "").lower()
                if self._is_past_reference(text, match.start(), prefix):
                    continue
                resolved = self._resolve(kind, prefix, match.groups()[1:], today)
                if resolved is not None and resolved >= today:
                    found.append((resolved, match.group(0).strip()))
                    taken.append((match.start(), match.end()))
        if not found:
            return DeadlineResult(None, None, None, False)
        deadline, expression = min(found, key=lambda item: item[0])
        days_left = (deadline - today).days
        return DeadlineResult(deadline, expression, days_left, days_left <= self._urgent_within_days)

    @staticmethod
    def _is_past_reference(text: str, start: int, prefix: str) -> bool:
        if prefix in _FUTURE_PREFIXES:
            return False
        return _PAST_CONTEXT_RE.search(text[max(0, start - 40) : start]) is not None

    def _resolve(self, kind: str, prefix: str, groups: tuple[str | None, ...], today: date) -> date | None:
        resolver = getattr(self, f"_resolve_{kind}")
        result: date | None = resolver(prefix, [g for g in groups], today)
        if result is not None and prefix == "before":
            # "before Monday": it must be there by the day before.
            result = max(result - timedelta(days=1), today)
        return result

    @staticmethod
    def _resolve_iso(prefix: str, g: list[str | None], today: date) -> date | None:
        return _safe_date(int(g[0] or 0), int(g[1] or 0), int(g[2] or 0))

    def _resolve_numeric(self, prefix: str, g: list[str | None], today: date) -> date | None:
        first, second = int(g[0] or 0), int(g[1] or 0)
        day, month = (first, second) if self._day_first else (second, first)
        if g[2]:
            year = int(g[2]) + (2000 if len(g[2]) == 2 else 0)
            return _safe_date(year, month, day)
        return _next_month_day(month, day, today)

    @staticmethod
    def _resolve_day_month(prefix: str, g: list[str | None], today: date) -> date | None:
        return _next_month_day(_month_number(g[1] or ""), int(g[0] or 0), today)

    @staticmethod
    def _resolve_month_day(prefix: str, g: list[str | None], today: date) -> date | None:
        return _next_month_day(_month_number(g[0] or ""), int(g[1] or 0), today)

    @staticmethod
    def _resolve_holiday(prefix: str, g: list[str | None], today: date) -> date | None:
        name = (g[0] or "").lower().replace("'", "")
        month_day = {
            "christmas eve": (12, 24),
            "new years eve": (12, 31),
            "valentines day": (2, 14),
            "halloween": (10, 31),
        }.get(name, (12, 25))
        return _next_month_day(month_day[0], month_day[1], today)

    @staticmethod
    def _resolve_relative_day(prefix: str, g: list[str | None], today: date) -> date | None:
        word = (g[0] or "").lower()
        if "after tomorrow" in word:
            return today + timedelta(days=2)
        if word == "tomorrow":
            return today + timedelta(days=1)
        return today

    @staticmethod
    def _resolve_weekend(prefix: str, g: list[str | None], today: date) -> date | None:
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today  # on Sunday "this weekend" is today
        return saturday + timedelta(days=7) if prefix == "next" else saturday

    @staticmethod
    def _resolve_period(prefix: str, g: list[str | None], today: date) -> date | None:
        phrase = (g[0] or "").lower()
        if phrase == "next week":
            return today + timedelta(days=7 - today.weekday())
        if phrase == "next month":
            return _add_months(today.replace(day=1), 1)
        if phrase.endswith("month"):
            return today.replace(day=calendar.monthrange(today.year, today.month)[1])
        friday = today + timedelta(days=4 - today.weekday())
        return friday if friday >= today else today

    @staticmethod
    def _resolve_in_n(prefix: str, g: list[str | None], today: date) -> date | None:
        amount_word = (g[0] or "").lower()
        amount = int(amount_word) if amount_word.isdigit() else _NUMBER_WORDS[amount_word]
        unit_days = 7 if (g[1] or "").lower().startswith("week") else 1
        return today + timedelta(days=amount * unit_days)

    @staticmethod
    def _resolve_weekday(prefix: str, g: list[str | None], today: date) -> date | None:
        target = WEEKDAYS.index((g[0] or "").lower())
        ahead = (target - today.weekday()) % 7
        if prefix == "next":
            # "next Friday": the Friday of next calendar week.
            return today + timedelta(days=7 - today.weekday() + target)
        if ahead == 0 and prefix != "this":
            ahead = 7  # "on Saturday" said on a Saturday means the coming one
        return today + timedelta(days=ahead)

    @staticmethod
    def _resolve_day_of_month(prefix: str, g: list[str | None], today: date) -> date | None:
        day = int(g[0] or 0)
        for months_ahead in range(0, 3):
            first = _add_months(today.replace(day=1), months_ahead)
            candidate = _safe_date(first.year, first.month, day)
            if candidate is not None and candidate >= today:
                return candidate
        return None


def _month_number(name: str) -> int:
    return _MONTH_ABBR[name.lower()[:4] if name.lower().startswith("sept") else name.lower()[:3]]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_month_day(month: int, day: int, today: date) -> date | None:
    """That day this year, or next year when it has already passed."""
    this_year = _safe_date(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _safe_date(today.year + 1, month, day)


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.month - 1 + months
    return date(first_of_month.year + index // 12, index % 12 + 1, 1)
