"""Small wording helpers: relative dates, the customer's register, the occasion they named."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

FORMAL_MARKERS = re.compile(
    r"\b(dear|good (morning|afternoon|evening)|kind regards|regards|sincerely|yours faithfully|"
    r"could you please|would you (kindly|please)|i would like|i would be grateful|i would appreciate|"
    r"please advise|thank you in advance)\b",
    re.IGNORECASE,
)
CASUAL_MARKERS = re.compile(
    r"(\b(hey|hiya|yo|lol|thx|pls|plz|gonna|wanna|gotta|u|ur|omg|ugh|haha|mate|dude|cheers|nope|yep|yeah|btw|tbh)\b"
    r"|[:;]-?[)(DP]|[\U0001F300-\U0001FAFF])",
    re.IGNORECASE,
)
CONTRACTION = re.compile(r"\b\w+'(s|re|ve|ll|d|m|t)\b", re.IGNORECASE)

OCCASIONS = (
    "birthday|wedding|anniversary|funeral|memorial|party|christening|baptism|graduation|retirement|"
    "baby shower|christmas|hen party|stag do|holiday|trip|flight|interview|exam|service|celebration"
)
POSSESSIVE_OCCASION = re.compile(
    rf"\b(?:(?:my|our)\s+)?((?:[a-z]+)'s)\s+((?:\w+\s+)?(?:{OCCASIONS}))\b", re.IGNORECASE
)
OWN_OCCASION = re.compile(rf"\b(?:my|our)\s+((?:\w+\s+)?(?:{OCCASIONS}))\b", re.IGNORECASE)
THE_OCCASION = re.compile(rf"\bthe\s+({OCCASIONS})\b", re.IGNORECASE)
NOT_AN_OCCASION_WORD = {"order", "parcel", "package", "present", "gift"}


def parse_deadline(value: object) -> date | None:
    """The deadline slot holds an ISO date (issue 3); anything else is treated as unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None


def relative_date(deadline: date, today: date) -> str:
    """ "tomorrow, Saturday 14 March" style wording of `deadline` seen from `today`."""
    days = (deadline - today).days
    spelled = f"{deadline:%A} {deadline.day} {deadline:%B}"
    if deadline.year != today.year:
        spelled += f" {deadline.year}"
    if days == 0:
        return f"today, {spelled}"
    if days == 1:
        return f"tomorrow, {spelled}"
    if 2 <= days <= 6:
        return f"this {deadline:%A}, {deadline.day} {deadline:%B}"
    return f"on {spelled}"


def detect_register(user_texts: Sequence[str]) -> str:
    """ "formal", "casual" or "neutral", from how the customer writes (latest messages weigh most)."""
    score = 0.0
    for age, text in enumerate(reversed(user_texts[-6:])):
        weight = 1.0 / (1 + age)
        score += weight * (len(FORMAL_MARKERS.findall(text)) - len(CASUAL_MARKERS.findall(text)))
        words = text.split()
        if len(words) >= 4 and text == text.lower() and any(c.isalpha() for c in text):
            score -= 0.5 * weight  # all lower case: a quick, casual message
        if len(words) >= 8 and not CONTRACTION.search(text) and text[:1].isupper():
            score += 0.25 * weight  # long, carefully written, no contractions
    if score >= 0.5:
        return "formal"
    if score <= -0.5:
        return "casual"
    return "neutral"


def occasion_phrase(user_texts: Iterable[str]) -> str | None:
    """The occasion the customer named, as "your daughter's birthday" or "the party"."""
    texts = list(user_texts)
    for text in reversed(texts):
        match = POSSESSIVE_OCCASION.search(text)
        if match and match.group(1).lower().rstrip("'s") not in NOT_AN_OCCASION_WORD:
            return f"your {match.group(1).lower()} {_occasion_noun(match.group(2))}"
        match = OWN_OCCASION.search(text)
        if match:
            return f"your {_occasion_noun(match.group(1))}"
    for text in reversed(texts):
        match = THE_OCCASION.search(text)
        if match:
            return f"the {match.group(1).lower()}"
    return None


def _occasion_noun(phrase: str) -> str:
    # "daughter's birthday party" keeps its last two words; an adjective like "big" is kept too.
    return phrase.lower().strip()
