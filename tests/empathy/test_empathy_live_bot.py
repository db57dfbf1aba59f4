"""The issue's conversation cases through the trained bot (Rasa + action server + NLG server).

Slow: uses the session's live stack (tests/conftest.py `live_bot`), which needs
models/store-bot.tar.gz (`make train`). The scripts are the benchmark's own, scored by its
independent scorer, so the benchmark and these tests cannot drift apart.
"""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from bench.empathy.__main__ import HERE
from bench.empathy.runners import RasaRunner
from bench.empathy.scoring import ConversationScorer, Lexicon, TurnScore
from bench.empathy.script import load_conversations

pytestmark = pytest.mark.slow

CASES = [
    "damaged_birthday_gift",
    "late_order_third_time",
    "double_charge_angry",
    "setup_confused",
    "happy_quick_thanks",
]


async def play(rasa_url: str, conversation_id: str) -> list[TurnScore]:
    conversation = next(c for c in load_conversations(HERE / "conversations") if c.id == conversation_id)
    scorer = ConversationScorer(Lexicon.load(HERE / "scoring.yml"), conversation.id)
    async with aiohttp.ClientSession() as session:
        runner = RasaRunner(session, rasa_url)
        # A fresh sender id per play: the session's bot remembers slots per conversation.
        runner.start(conversation, f"live-{conversation_id}-{uuid.uuid4().hex[:8]}")
        return [scorer.score(turn, await runner.send(turn)) for turn in conversation.turns]


@pytest.mark.parametrize("case", CASES)
async def test_issue_case_through_the_trained_bot(live_bot, case):
    scores = await play(live_bot.rasa_url, case)
    for score in scores:
        assert not score.error, (score, live_bot.logs())
        assert not score.banned, score
        assert not score.apology_to_calm, score
        assert not score.repeated, score
    first = scores[0]
    if first.feeling == "negative":
        assert first.meets_acknowledge_specific_act, first.reply


async def test_done_means_the_damaged_present(live_bot):
    first = (await play(live_bot.rasa_url, "damaged_birthday_gift"))[0]
    text = first.reply.lower()
    assert "present" in text and "tomorrow" in text
    assert "express" in text and "replacement" in text
    assert text.index("replacement") < text.index("which order")


async def test_done_means_no_apology_for_thanks(live_bot):
    (reply,) = await play(live_bot.rasa_url, "happy_quick_thanks")
    assert "sorry" not in reply.reply.lower() and "apolog" not in reply.reply.lower()
