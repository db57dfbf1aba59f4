"""Each stakes family, with the words that show it, and what is not stakes."""

from __future__ import annotations

import pytest

from bot.stakes import StakesDetector


@pytest.fixture(scope="module")
def detector() -> StakesDetector:
    return StakesDetector()


@pytest.mark.parametrize(
    ("text", "family", "word"),
    [
        ("it's my daughter's birthday present", "gift", "my daughter's birthday"),
        ("I bought it as a gift for my wife", "gift", "gift"),
        ("the dress is for a wedding on Saturday", "event", "wedding"),
        ("decorations for my son's graduation party", "event", "graduation party"),
        ("the flowers for my dad's funeral on Saturday", "bereavement", "funeral"),
        ("my mother passed away last week", "bereavement", "passed away"),
        ("I need my insulin before Monday", "health", "insulin"),
        ("I'm recovering from surgery", "health", "surgery"),
        ("the laptop is for a job interview", "work", "job interview"),
        ("I need it for a client presentation", "work", "client presentation"),
        ("I need the adapter for my flight tomorrow", "travel", "flight"),
        ("it must arrive before our holiday", "travel", "our holiday"),
    ],
)
def test_each_family_with_its_evidence(detector: StakesDetector, text: str, family: str, word: str) -> None:
    result = detector.detect(text)
    assert result.stakes == family
    assert any(word in found for found in result.evidence[family])


@pytest.mark.parametrize(
    "text",
    [
        "where is my order",
        "can I check my gift card balance",
        "the third party seller never shipped",
        "it's not a gift, it's for me",
        "I lost my parcel number",
        "the laptop's performance is poor",
        "great job, thanks",
        "the colour doesn't match",
    ],
)
def test_no_stakes(detector: StakesDetector, text: str) -> None:
    assert detector.detect(text).stakes == "none"


def test_bereavement_outranks_the_other_families(detector: StakesDetector) -> None:
    result = detector.detect("flowers for my grandad's funeral, I fly in on Friday")
    assert result.stakes == "bereavement"
    assert result.families == ("bereavement", "travel")
