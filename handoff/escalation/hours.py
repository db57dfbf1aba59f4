"""Opening hours: when a person can answer, so the customer is never promised one who is not there.

Format (HANDOFF_OPENING_HOURS): `;`-separated rules `<days> <HH:MM>-<HH:MM>`, days as
`mon`, `mon-fri` or `mon,wed,fri`; e.g. `mon-fri 09:00-17:00; sat 10:00-14:00`.
Empty means always open. Times are in HANDOFF_TIMEZONE (an IANA name, default UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class OpeningHoursError(ValueError):
    """The opening hours setting cannot be parsed."""


@dataclass(frozen=True)
class HoursRule:
    days: frozenset[int]
    start: time
    end: time  # time.max stands for 24:00

    def covers(self, moment: datetime) -> bool:
        return moment.weekday() in self.days and self.start <= moment.time() < self.end


@dataclass(frozen=True)
class OpeningHours:
    rules: tuple[HoursRule, ...]
    timezone: str = "UTC"
    text: str = ""

    @classmethod
    def always(cls) -> OpeningHours:
        return cls(rules=(), text="")

    @classmethod
    def parse(cls, text: str, timezone: str = "UTC") -> OpeningHours:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise OpeningHoursError(f"unknown timezone {timezone!r}") from exc
        rules = tuple(_parse_rule(part) for part in text.split(";") if part.strip())
        return cls(rules=rules, timezone=timezone, text=text.strip())

    def is_open(self, moment: datetime) -> bool:
        """True when `moment` (timezone-aware) falls inside the opening hours."""
        if not self.rules:
            return True
        local = moment.astimezone(ZoneInfo(self.timezone))
        return any(rule.covers(local) for rule in self.rules)

    def describe(self) -> str:
        return f"{self.text} ({self.timezone})" if self.rules else "around the clock"


def _parse_day_set(spec: str) -> frozenset[int]:
    days: set[int] = set()
    for raw_chunk in spec.split(","):
        chunk = raw_chunk.strip().lower()
        if "-" in chunk:
            first, last = (part.strip() for part in chunk.split("-", 1))
            if first not in DAYS or last not in DAYS:
                raise OpeningHoursError(f"unknown day range {chunk!r}")
            start, stop = DAYS.index(first), DAYS.index(last)
            if stop < start:
                raise OpeningHoursError(f"day range runs backwards: {chunk!r}")
            days.update(range(start, stop + 1))
        elif chunk in DAYS:
            days.add(DAYS.index(chunk))
        else:
            raise OpeningHoursError(f"unknown day {chunk!r}")
    return frozenset(days)


def _parse_time(value: str) -> time:
    if value == "24:00":
        return time.max
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise OpeningHoursError(f"bad time {value!r}, expected HH:MM") from exc


def _parse_rule(part: str) -> HoursRule:
    try:
        day_spec, span = part.strip().rsplit(" ", 1)
        start_text, end_text = span.split("-")
    except ValueError as exc:
        raise OpeningHoursError(f"bad opening hours rule {part.strip()!r}") from exc
    start, end = _parse_time(start_text), _parse_time(end_text)
    if end <= start:
        raise OpeningHoursError(f"closing time before opening time in {part.strip()!r}")
    return HoursRule(days=_parse_day_set(day_spec), start=start, end=end)
