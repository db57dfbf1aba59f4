"""Content validation, wording helpers and the safety filter on its own."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from empathy.content import ContentError, load_content
from empathy.safety import SafetyFilter, Tone
from empathy.settings import REPO_ROOT, EmpathySettings, SettingsError
from empathy.wording import detect_register, occasion_phrase, parse_deadline, relative_date

CONTENT = REPO_ROOT / "content" / "empathy"


def test_the_shipped_content_is_rich_enough(content):
    for family in ("frustration", "worry", "disappointment", "grief", "confusion"):
        variants = [v for vs in content.phrases.validations[family].values() for v in vs]
        assert len(variants) >= 8, family
        assert len({v.text for v in variants}) == len(variants), f"duplicate variant in {family}"


def broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("banned.yml", "\\\\blook on the bright side\\\\b", "(unclosed", "invalid regular expression"),
        (
            "phrases.yml",
            '      - "I can see why that\'s annoying."',
            '      - "I see {feeling}."',
            "validations take no placeholders",
        ),
        (
            "phrases.yml",
            '    - "the {item} arrived damaged"',
            '    - "the {thing} arrived damaged"',
            "unknown field",
        ),
        (
            "rules.yml",
            "frustrated: {family: frustration",
            "frustrated: {family: fury",
            "no variants for family 'fury'",
        ),
        ("rules.yml", "medium: 0.34", "medium: 0.9", "medium <= high"),
        (
            "banned.yml",
            "action: remove_sentence, when: always}",
            "action: shout, when: always}",
            "action must be one of",
        ),
        (
            "phrases.yml",
            '      - {text: "Ugh, that\'s annoying, I get it.", register: casual}',
            '      - {text: "Ugh.", register: shouty}',
            "register must be one of",
        ),
    ],
)
def test_content_mistakes_are_reported_precisely(tmp_path, file, old, new, message):
    folder = broken_copy(tmp_path, file, old, new)
    with pytest.raises(ContentError, match=message):
        load_content(folder)


def test_a_missing_content_file_is_named(tmp_path):
    with pytest.raises(ContentError, match=r"rules\.yml: cannot read"):
        folder = tmp_path / "c"
        shutil.copytree(CONTENT, folder)
        (folder / "rules.yml").unlink()
        load_content(folder)


def test_settings_from_the_environment():
    settings = EmpathySettings.from_env({"NLG_PORT": "6001", "EMPATHY_SEED": "x"})
    assert settings.port == 6001 and settings.host == "127.0.0.1" and settings.seed == "x"
    assert settings.extra_response_paths == (
        REPO_ROOT / "content" / "responses.yml",
        CONTENT / "responses.yml",
    )
    with pytest.raises(SettingsError, match="NLG_PORT must be an integer"):
        EmpathySettings.from_env({"NLG_PORT": "http"})
    with pytest.raises(SettingsError, match="between 1 and 65535"):
        EmpathySettings.from_env({"NLG_PORT": "0"})


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (date(2026, 3, 13), "today, Friday 13 March"),
        (date(2026, 3, 14), "tomorrow, Saturday 14 March"),
        (date(2026, 3, 17), "this Tuesday, 17 March"),
        (date(2026, 3, 27), "on Friday 27 March"),
        (date(2027, 1, 2), "on Saturday 2 January 2027"),
    ],
)
def test_relative_dates(deadline, expected):
    assert relative_date(deadline, date(2026, 3, 13)) == expected


def test_deadline_parsing():
    assert parse_deadline("2026-03-14") == date(2026, 3, 14)
    assert parse_deadline("2026-03-14T18:00:00") == date(2026, 3, 14)
    assert parse_deadline("tomorrow") is None
    assert parse_deadline(None) is None


@pytest.mark.parametrize(
    ("texts", "register"),
    [
        (["Dear team, I would like to know where my order is. Kind regards, Anna"], "formal"),
        (["Good morning. Could you please tell me when the refund will be issued?"], "formal"),
        (["hey where's my stuff lol"], "casual"),
        (["ugh it's broken again :("], "casual"),
        (["Where is my order?"], "neutral"),
    ],
)
def test_register(texts, register):
    assert detect_register(texts) == register


@pytest.mark.parametrize(
    ("text", "occasion"),
    [
        ("it was my daughter's birthday present, the party is tomorrow", "your daughter's birthday"),
        ("the flowers for my dad's funeral on Saturday", "your dad's funeral"),
        ("we need it for our wedding anniversary", "your wedding anniversary"),
        ("the party is tomorrow", "the party"),
        ("where is my order", None),
    ],
)
def test_occasion(text, occasion):
    assert occasion_phrase([text]) == occasion


def test_safety_filter_rewrites_robotic_lines(content):
    safety = SafetyFilter(content.safety)
    result = safety.apply(
        "We have received your inquiry. Please be advised that, as per our policy, refunds take 5 days. No worries!",
        Tone(),
    )
    assert result.text == "Refunds take 5 days."
    assert safety.violations(result.text, Tone()) == []


def test_safety_filter_keeps_a_text_that_was_only_banned_words(content):
    result = SafetyFilter(content.safety).apply("Have a great day!", Tone(upset=True))
    assert result.text == content.safety.empty_fallback
