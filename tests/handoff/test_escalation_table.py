"""The escalation policy on a table of conversations that must and must not escalate.

Each row is a small, realistic conversation (built like Rasa records it) and the exact set
of reason codes the shipped settings/escalation.yml must give: an empty set means the bot
keeps the conversation. The clock is fixed at NOW (Sunday 22 Nov 2026).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from handoff.escalation.decision import decide
from handoff.escalation.policy import EscalationPolicy, load_policy
from tests.handoff.test_escalation_trackers import NOW, TrackerBuilder

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"

TOMORROW = "2026-11-23"
IN_TWO_DAYS = "2026-11-24"
NEXT_MONTH = "2026-12-20"
YESTERDAY = "2026-11-21"

R = "request_human"
SAFETY = "risk_safety"
LEGAL = "risk_legal"
STAKES = "high_stakes"
FRUST = "frustration"
FAILED = "failed_understanding"


@pytest.fixture(scope="module")
def policy() -> EscalationPolicy:
    return load_policy(POLICY_FILE)


def b() -> TrackerBuilder:
    return TrackerBuilder().bot("Hi! I'm the shop's support assistant. What can I do for you?")


def missing_order(builder: TrackerBuilder, text: str, **feelings: object) -> TrackerBuilder:
    return builder.user(text, "report_missing_item", **feelings).bot_turn(
        "order_lookup_form", say=["Which order is it about?"]
    )


Row = tuple[str, Callable[[], TrackerBuilder], set[str]]

ROWS: list[Row] = [
    # --- calm routine questions: never escalated -----------------------------------------------
    (
        "calm status question",
        lambda: b().user("Hi, where is my order ORD-10234?", "order_status", emotion="neutral"),
        set(),
    ),
    ("payment methods", lambda: b().user("do you take paypal?", "payment_methods", emotion="neutral"), set()),
    ("invoice request", lambda: b().user("can I get an invoice for my last order", "invoice"), set()),
    ("greeting only", lambda: b().user("hello", "greet"), set()),
    (
        "delivery options",
        lambda: b().user("how much is express shipping to Lyon?", "delivery_options"),
        set(),
    ),
    (
        "calm despite 'not upset'",
        lambda: b().user(
            "I'm not upset, just curious when it comes", "order_status", emotion="neutral", frustration=0.05
        ),
        set(),
    ),
    (
        "gift, deadline far away, routine status",
        lambda: b().user(
            "it's a birthday present for my niece next month, when will it ship?",
            "order_status",
            stakes="gift",
            deadline=NEXT_MONTH,
            urgent=False,
        ),
        set(),
    ),
    (
        "gift, deadline tomorrow but only a status question, nothing wrong",
        lambda: b().user(
            "It's a gift for tomorrow, is it out for delivery?",
            "order_status",
            stakes="gift",
            deadline=TOMORROW,
            urgent=True,
        ),
        set(),
    ),
    # --- mild or resolved annoyance: not escalated ---------------------------------------------------
    (
        "mild annoyance",
        lambda: b().user(
            "ugh, this is taking a while",
            "order_status",
            emotion="frustrated",
            frustration=0.4,
            frustration_level=0.35,
        ),
        set(),
    ),
    (
        "high frustration, then resolved with thanks",
        lambda: (
            b()
            .user(
                "This is RIDICULOUS, where is it??",
                "order_status",
                emotion="frustrated",
                frustration=0.85,
                frustration_level=0.75,
            )
            .bot_turn(
                "action_order_status", say=["It was delivered to your neighbour at number 12 this morning."]
            )
            .user(
                "oh found it, thanks!", "thank", emotion="positive", frustration=0.0, frustration_level=0.72
            )
        ),
        set(),
    ),
    (
        "one miss, then understood",
        lambda: (
            b()
            .user("blorp the thing", "nlu_fallback", confidence=0.3)
            .bot_turn("action_clarify", say=["Do you mean an order or a return?"])
            .user("an order, where is ORD-10234", "order_status")
        ),
        set(),
    ),
    # --- negated or non-incident risk words: not escalated -------------------------------------------
    (
        "shocked by price",
        lambda: b().user(
            "I was shocked by the price of shipping",
            "delivery_options",
            emotion="frustrated",
            frustration=0.3,
        ),
        set(),
    ),
    (
        "negated legal threat",
        lambda: b().user(
            "I'm not going to sue anyone, I just want my refund", "request_refund", frustration=0.3
        ),
        set(),
    ),
    (
        "negated safety",
        lambda: b().user("it didn't catch fire or anything, it just stopped working", "report_damaged_item"),
        set(),
    ),
    ("no smoke", lambda: b().user("no smoke, no sparks, it just won't turn on", "setup_help"), set()),
    (
        "'pursue' is not 'sue'",
        lambda: b().user("I'd like to pursue a return for the suede jacket", "return_item"),
        set(),
    ),
    (
        "'are you a real person' is a bot challenge",
        lambda: b().user("are you a real person?", "bot_challenge"),
        set(),
    ),
    (
        "no need for a human",
        lambda: b().user("no need for a human, just tell me the refund date", "refund_status"),
        set(),
    ),
    (
        "resumed after a person handled the legal threat",
        lambda: (
            b()
            .user(
                "I'll file a chargeback if this isn't fixed",
                "complaint",
                frustration=0.7,
                frustration_level=0.6,
            )
            .pause()
            .agent("Hi, I'm Sam. I've refunded the order in full.")
            .resume()
            .user(
                "great, can I also get the invoice?",
                "invoice",
                emotion="positive",
                frustration=0.0,
                frustration_level=0.3,
            )
        ),
        set(),
    ),
    (
        "after a hand-back, the old frustration level alone does not send it straight back",
        lambda: (
            b()
            .user("WHERE IS IT", "order_status", emotion="frustrated", frustration=0.9, frustration_level=0.8)
            .pause()
            .agent("Hi, I'm Sam. It's out for delivery today, before 6pm.")
            .resume()
            .user(
                "ok and can I change the address of my other order?",
                "change_shipping_address",
                frustration=0.1,
                frustration_level=0.8,
            )
        ),
        set(),
    ),
    # --- explicit request --------------------------------------------------------------------------
    ("asks for a human", lambda: b().user("I want to talk to a human", "request_human"), {R}),
    (
        "request phrase under another intent",
        lambda: b().user("can I speak to someone about my refund please", "refund_status", confidence=0.55),
        {R},
    ),
    (
        "accepts the bot's offer of a person",
        lambda: (
            b()
            .user("I want to complain about the courier", "complaint")
            .bot_turn(
                "action_complaint",
                say=["I've recorded it. Shall I bring in a person?"],
                slots={"pending_offer": "handoff"},
            )
            .user("yes please", "affirm")
        ),
        {R},
    ),
    (
        "request mid form, angry",
        lambda: (
            b()
            .user("where's my parcel", "order_status")
            .bot_turn("order_lookup_form", say=["Which order is it about?"])
            .user(
                "just get me a real person!!",
                "request_human",
                emotion="frustrated",
                frustration=0.7,
                frustration_level=0.5,
            )
        ),
        {R},
    ),
    # --- risk ---------------------------------------------------------------------------------------
    (
        "chargeback threat",
        lambda: b().user(
            "If I don't get my money back I'm doing a chargeback", "request_refund", frustration=0.6
        ),
        {LEGAL},
    ),
    ("trading standards", lambda: b().user("I will report this to Trading Standards", "complaint"), {LEGAL}),
    (
        "hyphenated charge-back",
        lambda: b().user("I'll do a charge-back with my bank", "payment_issue"),
        {LEGAL},
    ),
    ("small claims", lambda: b().user("see you in small claims court then", "complaint"), {LEGAL}),
    (
        "lawyer after a contrast",
        lambda: b().user("I didn't want to, but I'm calling my lawyer", "complaint"),
        {LEGAL},
    ),
    (
        "kettle caught fire",
        lambda: b().user(
            "The kettle you sent me caught fire this morning", "report_damaged_item", emotion="anxious"
        ),
        {SAFETY},
    ),
    (
        "'can't believe' does not negate",
        lambda: b().user("I can't believe it caught fire on the first day", "complaint", emotion="anxious"),
        {SAFETY},
    ),
    (
        "'no wonder' does not negate (gift arrived broken)",
        lambda: b().user(
            "no wonder it arrived broken", "complaint", stakes="gift", deadline=NEXT_MONTH, urgent=False
        ),
        {STAKES},
    ),
    (
        "burned hand",
        lambda: b().user("the handle got so hot it burned my hand", "complaint", emotion="anxious"),
        {SAFETY},
    ),
    (
        "electric shock",
        lambda: b().user("I got an electric shock from the lamp", "report_damaged_item"),
        {SAFETY},
    ),
    (
        "allergic reaction",
        lambda: b().user("my son had an allergic reaction to the snack box", "complaint", emotion="anxious"),
        {SAFETY},
    ),
    (
        "safety and legal together",
        lambda: b().user(
            "The charger SMOKED and melted, my lawyer will hear about it", "complaint", emotion="frustrated"
        ),
        {SAFETY, LEGAL},
    ),
    # --- frustration -------------------------------------------------------------------------------
    (
        "conversation frustration over threshold",
        lambda: (
            b()
            .user(
                "where is my order",
                "order_status",
                emotion="frustrated",
                frustration=0.5,
                frustration_level=0.5,
            )
            .bot_turn("action_order_status", say=["It's in transit with DHL."])
            .user(
                "you said that YESTERDAY. still nothing!!",
                "order_status",
                emotion="frustrated",
                frustration=0.8,
                frustration_level=0.74,
            )
        ),
        {FRUST},
    ),
    (
        "one extreme message",
        lambda: b().user(
            "THIS IS THE THIRD TIME I'M ASKING WHERE MY ORDER IS!!!",
            "order_status",
            emotion="frustrated",
            frustration=0.95,
            frustration_level=0.5,
        ),
        {FRUST},
    ),
    (
        "after a hand-back, frustration that rises again escalates again",
        lambda: (
            b()
            .user(
                "WHERE IS IT", "order_status", emotion="frustrated", frustration=0.9, frustration_level=0.75
            )
            .pause()
            .resume()
            .user(
                "it did NOT come before 6pm like you promised",
                "order_status",
                emotion="frustrated",
                frustration=0.85,
                frustration_level=0.85,
            )
        ),
        {FRUST},
    ),
    # --- failed understanding ----------------------------------------------------------------------------
    (
        "two misses in a row",
        lambda: (
            b()
            .user("the thingy with the code", "nlu_fallback", confidence=0.3)
            .bot_turn("action_clarify", say=["Is this about an order or a payment?"])
            .user("no the other one from before", "nlu_fallback", confidence=0.28)
            .bot_turn("action_clarify", say=["Sorry, I didn't get that."])
        ),
        {FAILED},
    ),
    (
        "core fallback counts too (confident intent, but the bot clarified)",
        lambda: (
            b()
            .user("hmm", "affirm", confidence=0.7)
            .bot_turn("action_clarify", say=["What would you like to do?"])
            .user("no, the same as last week", "inform", confidence=0.6)
            .bot_turn("action_clarify", say=["Could you tell me a bit more?"])
        ),
        {FAILED},
    ),
    (
        "two calm misses (small talk the NLU did not get) stay with the bot",
        lambda: (
            b()
            .user("this heat is killing me", "nlu_fallback", confidence=0.45, emotion="neutral")
            .bot_turn("action_clarify", say=["Is it about an order, a return or a payment?"])
            .user("haha sorry, just chatting", "nlu_fallback", confidence=0.4, emotion="positive")
            .bot_turn("action_clarify", say=["Could you tell me in a few words what happened?"])
        ),
        set(),
    ),
    (
        "three calm misses in a row do escalate",
        lambda: (
            b()
            .user("the thing with the code", "nlu_fallback", confidence=0.3, emotion="neutral")
            .bot_turn("action_clarify", say=["Is it about an order or a payment?"])
            .user("the one from the leaflet", "nlu_fallback", confidence=0.3, emotion="neutral")
            .bot_turn("action_clarify", say=["Could you tell me a bit more?"])
            .user("the leaflet one", "nlu_fallback", confidence=0.3, emotion="neutral")
            .bot_turn("action_clarify", say=["Shall I bring in a person?"])
        ),
        {FAILED},
    ),
    # --- high stakes ---------------------------------------------------------------------------------------
    (
        "funeral flowers late (issue 5 'done means')",
        lambda: missing_order(
            b(),
            "the flowers for my dad's funeral on Saturday haven't arrived",
            emotion="sad",
            frustration=0.3,
            frustration_level=0.2,
            stakes="bereavement",
            deadline="2026-11-28",
        ),
        {STAKES},
    ),
    (
        "funeral flowers late, and the bot did not understand the message",
        lambda: (
            b()
            .user(
                "The flowers for my mum's funeral tomorrow still haven't arrived and I'm desperate",
                "nlu_fallback",
                confidence=0.45,
                emotion="frustrated",
                frustration=0.74,
                frustration_level=0.6,
                stakes="bereavement",
                deadline="2026-11-23",
            )
            .bot_turn(
                "action_clarify", say=["Do you want to make a complaint, or check where your order is?"]
            )
        ),
        {STAKES},
    ),
    (
        "health with an open refund problem, calm",
        lambda: b().user(
            "I'm in hospital and was charged twice for the walker",
            "payment_issue",
            emotion="anxious",
            stakes="health",
        ),
        {STAKES},
    ),
    (
        "bereavement but only a routine question",
        lambda: b().user(
            "do you deliver sympathy cards with flowers?",
            "delivery_options",
            emotion="sad",
            stakes="bereavement",
        ),
        set(),
    ),
    (
        "gift with deadline tomorrow and the item late",
        lambda: b().user(
            "my daughter's birthday present still hasn't arrived and her party is tomorrow",
            "order_status",
            emotion="anxious",
            frustration=0.4,
            stakes="gift",
            deadline=TOMORROW,
            urgent=True,
        ),
        {STAKES},
    ),
    (
        "travel, item damaged, deadline far",
        lambda: b().user(
            "the suitcase for my trip in March arrived with a cracked shell",
            "report_damaged_item",
            stakes="travel",
            deadline="2027-03-10",
        ),
        {STAKES},
    ),
    (
        "event deadline already passed and missing",
        lambda: missing_order(
            b(),
            "the decorations for the wedding never came",
            emotion="sad",
            stakes="event",
            deadline=YESTERDAY,
        ),
        {STAKES},
    ),
    (
        "work stakes, open problem, nothing time-critical",
        lambda: b().user(
            "I need to change the delivery address for the office chair",
            "change_shipping_address",
            stakes="work",
            deadline=NEXT_MONTH,
        ),
        set(),
    ),
    (
        "gift, problem closed by thanks",
        lambda: (
            b()
            .user(
                "the present is late and it's for tomorrow!",
                "report_missing_item",
                stakes="gift",
                deadline=TOMORROW,
                urgent=True,
            )
            .pause()
            .resume()
            .user("thanks, the courier just came", "thank", emotion="positive")
        ),
        set(),
    ),
    # --- several reasons at once -------------------------------------------------------------------------
    (
        "bereavement, frustrated, asks for a person",
        lambda: (
            b()
            .user(
                "the wreath for my mum's funeral tomorrow is lost and nobody answers",
                "report_missing_item",
                emotion="frustrated",
                frustration=0.8,
                frustration_level=0.72,
                stakes="bereavement",
                deadline=TOMORROW,
            )
            .bot_turn("order_lookup_form", say=["Which order is it about?"])
            .user(
                "get me a person now",
                "request_human",
                emotion="frustrated",
                frustration=0.85,
                frustration_level=0.8,
            )
        ),
        {R, STAKES, FRUST},
    ),
]


def test_the_table_is_big_and_balanced() -> None:
    escalating = [row for row in ROWS if row[2]]
    assert len(ROWS) >= 30
    assert len(escalating) >= 12
    assert len(ROWS) - len(escalating) >= 12


@pytest.mark.parametrize(("name", "conversation", "expected"), ROWS, ids=[row[0] for row in ROWS])
def test_escalation_table(
    policy: EscalationPolicy, name: str, conversation: Callable[[], TrackerBuilder], expected: set[str]
) -> None:
    decision = decide(conversation().build(), policy, NOW)

    assert {reason.code.value for reason in decision.reasons} == expected, decision.reasons
    assert decision.escalate is bool(expected)
    for reason in decision.reasons:
        # Every reason points at the customer's own words.
        assert reason.evidence_text
        assert reason.turn is not None and reason.turn >= 1
        assert reason.event_index is not None
