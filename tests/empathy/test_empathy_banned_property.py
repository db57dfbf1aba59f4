"""Property-style: whatever the designer wrote and however the customer feels, no banned phrase.

Hundreds of generated cases (fixed seeds, so a failure reproduces): designer texts seeded
with banned phrases in varied case and punctuation, every emotion, intensity, stakes and
register, several turns per conversation.
"""

from __future__ import annotations

import random
import re

import pytest

from empathy.content import EmpathyContent
from empathy.responses import ResponseBank
from empathy.service import NlgService
from empathy.settings import EmpathySettings
from tests.empathy.conftest import say

# Written independently of content/empathy/banned.yml: the list, literally.
ALWAYS_BANNED = [
    "have a great day",
    "have a nice day",
    "look on the bright side",
    "no worries",
    "cheer up",
    "we have received your inquiry",
    "please be advised",
    "as per our policy",
    "happy shopping",
]
CHEERFUL = ["enjoy your day", "great news!", "yay", "keep smiling"]
APOLOGY = re.compile(r"\b(sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)
PLAIN_SENTENCES = [
    "Your order {order_id} left our warehouse on Tuesday.",
    "The refund of 20.00 EUR was issued today.",
    "I can send a replacement by express delivery.",
    "Which order is it about?",
    "The courier will try again tomorrow between 9 and 12.",
    "We accept returns within 30 days.",
    "I've sent a password reset link to your email.",
]
EMOTIONS = ["frustrated", "anxious", "sad", "confused", "positive", "neutral", None]
STAKES = ["none", "gift", "event", "bereavement", "health", "work", "travel", None]
USER_TEXTS = [
    "where is my order",
    "Dear team, I would like an update on my order. Kind regards",
    "ugh this is SO annoying lol",
    "thanks, that was quick!",
    "my dad's funeral is on Saturday and the flowers are not here",
    "it was my daughter's birthday present, the party is tomorrow",
]


def garble(phrase: str, rng: random.Random) -> str:
    cased = rng.choice([phrase, phrase.upper(), phrase.capitalize(), phrase.title()])
    return cased + rng.choice(["!", ".", "!!", "", " :)"])


def designer_text(rng: random.Random) -> str:
    sentences = rng.sample(PLAIN_SENTENCES, rng.randint(1, 3))
    for _ in range(rng.randint(1, 3)):
        phrase = garble(rng.choice(ALWAYS_BANNED + CHEERFUL), rng)
        sentences.insert(rng.randint(0, len(sentences)), phrase)
    if rng.random() < 0.3:
        sentences.insert(
            0,
            rng.choice(
                ["Sorry for the wait.", "We apologise for any inconvenience.", "I'm so sorry about this."]
            ),
        )
    if rng.random() < 0.2:
        sentences.append("Our policy prevents refunds after 30 days.")
    return " ".join(sentences)


@pytest.mark.parametrize("seed", range(20))
def test_no_banned_phrase_ever_reaches_the_customer(seed, content: EmpathyContent, conversation):
    rng = random.Random(seed)
    responses = {f"utter_generated_{i}": [{"text": designer_text(rng)}] for i in range(40)}
    service = NlgService(ResponseBank(responses), content, EmpathySettings(seed=f"property-{seed}"))
    checked = 0
    for conversation_index in range(8):
        chat = conversation(f"property-{seed}-{conversation_index}")
        for _ in range(rng.randint(2, 6)):
            emotion = rng.choice(EMOTIONS)
            slots = {
                "emotion": emotion,
                "stakes": rng.choice(STAKES),
                "frustration": round(rng.random(), 2),
                "frustration_level": round(rng.random(), 2),
                "order_id": rng.choice(["ORD-10001", None]),
                "deadline": rng.choice(["2026-03-14", "2026-03-20", None]),
                "urgent": rng.choice([True, False]),
                "goal": rng.choice(["report_damaged_item", "order_status", "refund_status", None]),
            }
            chat.user(rng.choice(USER_TEXTS), "inform", slots)
            reply = say(
                service,
                chat,
                rng.choice(list(responses)),
                order_id="ORD-10001",
                customer_name=rng.choice(["Anna", None]),
            )
            text = reply["text"]
            lowered = text.lower()
            for phrase in ALWAYS_BANNED:
                assert phrase not in lowered, (phrase, text)
            family = reply["empathy"]["family"]
            upset = family not in ("positive", "neutral")
            if upset:
                assert not any(phrase in lowered for phrase in CHEERFUL), text
                assert "!" not in text, text
            elif slots["goal"] != "report_damaged_item":
                # A calm customer with a routine request: no apology language at all.
                assert not APOLOGY.search(text), text
            if "policy prevents" in lowered:
                assert any(m in lowered for m in ("instead", "alternatively", "would you like", "shall i")), (
                    text
                )
            assert text.strip(), "empty reply"
            checked += 1
    assert checked >= 16
