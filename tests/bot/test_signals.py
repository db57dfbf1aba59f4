"""Every frustration signal, found with its words, and how they add up."""

from __future__ import annotations

import pytest

from bot.features import tokenize
from bot.signals import extract_signals, frustration_intensity


def test_caps_words_are_shouting_but_codes_are_not() -> None:
    signals = extract_signals("This is the THIRD time, where is ORD-10234 via DHL?")
    assert signals.shouted_words == ("THIRD",)
    assert signals.shouting
    calm = extract_signals("Where is ORD-10234? It went with DHL to the UK.")
    assert calm.shouted_words == ()
    assert not calm.shouting


def test_whole_message_in_caps_is_shouting_even_with_short_words() -> None:
    assert extract_signals("WHERE IS MY BOX").shouting


def test_repeated_punctuation() -> None:
    signals = extract_signals("Where is it!!! Hello??? Really?!")
    assert signals.exclamation_runs == ("!!!", "?!")
    assert signals.question_runs == ("???",)
    assert extract_signals("Where is it? Thanks!").exclamation_runs == ()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("what the hell is going on", "hell"),
        ("this is bullshit", "bullshit"),
        ("ffs answer me", "ffs"),
        ("the damn thing broke", "damn"),
    ],
)
def test_profanity(text: str, word: str) -> None:
    assert word in extract_signals(text).profanity


def test_profanity_needs_whole_words() -> None:
    assert extract_signals("hello, I passed the class and shellfish is fine").profanity == ()


@pytest.mark.parametrize(
    "text",
    [
        "this is the third time I ask",
        "how many times do I have to say it",
        "nobody replies to my emails",
        "no one has answered",
        "still waiting for my refund",
        "I've asked twice already",
        "wrong item yet again",
    ],
)
def test_strong_repeat_markers(text: str) -> None:
    assert extract_signals(text).repeat_strong


def test_weak_repeat_markers_skip_polite_uses() -> None:
    assert extract_signals("it broke again").repeat_weak == ("again",)
    assert extract_signals("thanks again, is it still possible to change it?").repeat_weak == ()
    assert extract_signals("I'd happily order again").repeat_weak == ()


@pytest.mark.parametrize(
    "text",
    [
        "great, just great",
        "thanks for nothing",
        "oh wonderful, another delay",
        "thanks a lot for wasting my afternoon",
        "yeah right, it's on its way",
    ],
)
def test_sarcasm_markers(text: str) -> None:
    assert extract_signals(text).sarcasm


def test_negated_emotion_and_calm_phrases() -> None:
    signals = extract_signals("I'm not upset, just curious when it comes")
    assert signals.calm == ("not upset", "just curious")
    assert extract_signals("no rush at all").calm == ("no rush",)
    assert extract_signals("I am upset").calm == ()


def test_negation_scope_marks_the_next_words_only() -> None:
    assert tokenize("I'm not upset, just asking") == ["i'm", "not", "NOT_upset", ",", "just", "asking"]
    assert tokenize("don't like it at all") == ["not", "NOT_like", "NOT_it", "NOT_at", "all"]
    assert tokenize("where is ORD-10234") == ["where", "is", "ordernumber"]


def test_intensity_rises_with_each_signal() -> None:
    base = frustration_intensity(0.7, extract_signals("where is my order"), -0.2)
    caps = frustration_intensity(0.7, extract_signals("where is my ORDER"), -0.2)
    bangs = frustration_intensity(0.7, extract_signals("where is my ORDER!!!"), -0.2)
    repeat = frustration_intensity(0.7, extract_signals("third time: where is my ORDER!!!"), -0.2)
    assert base < caps < bangs < repeat <= 1.0


def test_signals_count_little_when_the_message_is_happy() -> None:
    assert frustration_intensity(0.02, extract_signals("I LOVE IT!!!"), 0.8) < 0.15


def test_calm_statement_damps_the_score() -> None:
    calm = frustration_intensity(0.4, extract_signals("I'm not upset about it"), 0.0)
    plain = frustration_intensity(0.4, extract_signals("I'm upset about it"), 0.0)
    assert calm < 0.1 < plain


def test_evidence_names_the_words() -> None:
    evidence = extract_signals("THIRD time!!! nobody replies").evidence()
    assert "caps:THIRD" in evidence
    assert "!!!" in evidence
    assert "repeat:THIRD time" in evidence
    assert "repeat:nobody replies" in evidence
