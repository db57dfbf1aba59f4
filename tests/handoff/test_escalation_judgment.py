"""Issue 14: escalation judgment over the whole conversation, with the store's facts.

Each test builds the conversation the way Rasa records it (``TrackerBuilder``) and checks
the decision of the shipped settings/escalation.yml, including the conversations that must
stay with the bot. The clock is NOW (Sunday 22 Nov 2026).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from handoff.escalation.decision import EscalationDecision, decide
from handoff.escalation.policy import EscalationPolicy, PolicyError, load_policy, policy_from_dict
from tests.handoff.test_escalation_trackers import NOW, TrackerBuilder

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"

IN_SIX_DAYS = "2026-11-28"
IN_TWO_DAYS = "2026-11-24"

ASK_ORDER_ID = "Which order is it about? The order number starts with ORD."
ASK_EMAIL = "And the email address you used for that order?"


@pytest.fixture(scope="module")
def policy() -> EscalationPolicy:
    return load_policy(POLICY_FILE)


def start() -> TrackerBuilder:
    return TrackerBuilder().bot("Hi! I'm the shop's support assistant. What can I do for you?", "utter_greet")


def asks(builder: TrackerBuilder, slot: str, text: str, response: str, **slots: Any) -> TrackerBuilder:
    """The order form asks for ``slot`` (Rasa records the question and requested_slot)."""
    builder.action("order_lookup_form")
    for name, value in slots.items():
        builder.slot(name, value)
    builder.bot(text, response)
    builder.slot("requested_slot", slot)
    return builder.action("action_listen")


def looks_up(
    builder: TrackerBuilder, action: str, say: str, response: str, problems: list[str]
) -> TrackerBuilder:
    """The form completes and the goal's action answers, recording the store's facts."""
    builder.action("order_lookup_form")
    builder.slot("requested_slot", None)
    builder.action(action)
    builder.bot(say, response)
    builder.slot("order_problems", problems)
    return builder.action("action_listen")


def email(value: str) -> list[dict[str, Any]]:
    return [{"entity": "email", "value": value}]


def codes(decision: EscalationDecision) -> set[str]:
    return {reason.code.value for reason in decision.reasons}


def judge(builder: TrackerBuilder, policy: EscalationPolicy) -> EscalationDecision:
    return decide(builder.build(), policy, NOW)


# --- facts, not only words ------------------------------------------------------------------------


def bereaved_customer_before_lookup() -> TrackerBuilder:
    builder = start().user(
        "my order still hasn't shipped and it's the flowers for my mum's funeral",
        "order_status",
        emotion="sad",
        frustration=0.2,
        frustration_level=0.15,
        stakes="bereavement",
    )
    return asks(builder, "order_id", ASK_ORDER_ID, "utter_ask_order_id", goal="order_status")


def test_bereaved_customer_with_an_order_the_store_shows_overdue_escalates(policy: EscalationPolicy) -> None:
    # "hasn't shipped" is not a late word: on the words alone nothing is wrong yet.
    builder = bereaved_customer_before_lookup()
    assert judge(builder, policy).escalate is False

    builder.user(
        "ORD-10003, sofia.rossi@example.com",
        "inform",
        entities=[
            {"entity": "order_id", "value": "ORD-10003"},
            {"entity": "email", "value": "sofia.rossi@example.com"},
        ],
        emotion="sad",
        frustration=0.1,
    )
    looks_up(
        builder,
        "action_order_status",
        "I'm sorry: order ORD-10003 is late.",
        "utter_order_delayed",
        ["overdue"],
    )
    decision = judge(builder, policy)

    assert codes(decision) == {"high_stakes"}
    [reason] = decision.reasons
    assert "the store shows the order overdue" in reason.detail
    assert reason.turn == 1  # the stakes were told in the first message


def test_store_facts_without_stakes_stay_with_the_bot(policy: EscalationPolicy) -> None:
    builder = start().user("where is my order ORD-10003?", "order_status", emotion="neutral")
    asks(builder, "email", ASK_EMAIL, "utter_ask_email", goal="order_status", order_id="ORD-10003")
    builder.user(
        "sofia.rossi@example.com", "inform", entities=email("sofia.rossi@example.com"), emotion="neutral"
    )
    looks_up(builder, "action_order_status", "Order ORD-10003 is late.", "utter_order_delayed", ["overdue"])

    assert judge(builder, policy).escalate is False


def test_stakes_told_across_turns_escalate_once_the_store_shows_the_problem(policy: EscalationPolicy) -> None:
    builder = start().user("where's my order ORD-10003", "order_status", emotion="neutral")
    asks(builder, "email", ASK_EMAIL, "utter_ask_email", goal="order_status", order_id="ORD-10003")
    builder.user(
        "it's for my wedding this weekend",
        "out_of_scope",
        emotion="anxious",
        stakes="event",
        deadline=IN_SIX_DAYS,
        urgent=False,
    )
    asks(builder, "email", ASK_EMAIL, "utter_ask_email")
    assert judge(builder, policy).escalate is False  # nothing is wrong with the order yet

    builder.user("sofia.rossi@example.com", "inform", entities=email("sofia.rossi@example.com"))
    looks_up(builder, "action_order_status", "Order ORD-10003 is late.", "utter_order_delayed", ["overdue"])
    decision = judge(builder, policy)

    assert codes(decision) == {"high_stakes"}
    assert "item late" in decision.reasons[0].detail
    assert decision.reasons[0].turn == 2


def test_a_wedding_order_on_time_is_routine(policy: EscalationPolicy) -> None:
    builder = start().user(
        "is ORD-10002 going to make it for the wedding next month?",
        "order_status",
        stakes="event",
        deadline="2026-12-19",
        urgent=False,
    )
    asks(builder, "email", ASK_EMAIL, "utter_ask_email", goal="order_status", order_id="ORD-10002")
    builder.user("liam.bakker@example.com", "inform", entities=email("liam.bakker@example.com"))
    looks_up(builder, "action_order_status", "It's on its way.", "utter_order_in_transit", [])

    assert judge(builder, policy).escalate is False


def test_a_later_lookup_of_a_sound_order_closes_the_store_problem(policy: EscalationPolicy) -> None:
    builder = start().user("about my order", "order_status", stakes="bereavement", emotion="sad")
    builder.bot_turn("action_order_status", slots={"order_problems": ["lost"]})
    builder.user("sorry, I meant my other order ORD-10002", "order_status")
    builder.bot_turn("action_order_status", slots={"order_problems": []})

    # The latest lookup shows nothing wrong; the first message opened no problem in words.
    assert judge(builder, policy).escalate is False


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["open_problem"]["store_facts"].append("overdeu"),
            "open_problem.store_facts has unknown store fact(s) ['overdeu']",
        ),
        (lambda d: d["stakes"].update(late_facts="overdue"), "stakes.late_facts must be a list of names"),
        (
            lambda d: d["request_human"]["terse"]["person_words"].append("real person"),
            "request_human.terse.person_words[18] must be one word, got 'real person'",
        ),
        (
            lambda d: d["request_human"]["terse"]["filler_words"].append("human"),
            "listed both as person_words and filler_words",
        ),
        (
            lambda d: d["request_human"]["terse"].update(max_words=0),
            "request_human.terse.max_words must be a whole number of at least 1",
        ),
        (
            lambda d: d["frustration"]["conversation"].pop("threshold"),
            "missing required key frustration.conversation.threshold",
        ),
        (
            lambda d: d["frustration"]["conversation"]["points"].update(shouting=1),
            "unknown key(s) frustration.conversation.points.shouting",
        ),
        (
            lambda d: d["frustration"]["conversation"].update(repeat_similarity=60),
            "frustration.conversation.repeat_similarity must be a number between 0 and 1",
        ),
        (
            lambda d: d["frustration"]["conversation"].update(negative_streak=1),
            "frustration.conversation.negative_streak must be a whole number of at least 2",
        ),
        (
            lambda d: d["frustration"]["big_complaint"].update(needs_open_problem="yes please"),
            "frustration.big_complaint.needs_open_problem must be true or false",
        ),
        (
            lambda d: d["failed_understanding"].update(failed_answers=0),
            "failed_understanding.failed_answers must be a whole number of at least 1",
        ),
    ],
)
def test_the_new_settings_are_validated_with_clear_errors(mutate: Any, message: str) -> None:
    broken = copy.deepcopy(yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8")))
    mutate(broken)
    with pytest.raises(PolicyError) as error:
        policy_from_dict(broken, source="escalation.yml")
    assert message in str(error.value)
    assert str(error.value).startswith("escalation.yml: ")


# --- explicit but terse requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("human", "nlu_fallback", 0.45),
        ("agent", "request_human", 0.99),
        ("operator", "nlu_fallback", 0.4),
        ("real person pls", "bot_challenge", 0.6),
        ("HUMAN!!", "request_human", 0.3),
        ("a person now please", "inform", 0.5),
        ("customer service", "out_of_scope", 0.7),
    ],
)
def test_a_word_or_two_for_a_person_escalates_at_once(
    policy: EscalationPolicy, text: str, intent: str, confidence: float
) -> None:
    builder = start().user("where is my parcel", "order_status")
    asks(builder, "order_id", ASK_ORDER_ID, "utter_ask_order_id", goal="order_status")
    builder.user(text, intent, confidence=confidence)
    decision = judge(builder, policy)

    assert codes(decision) == {"request_human"}
    assert decision.reasons[0].turn == 2


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("the delivery agent left it at the wrong door", "request_human"),
        ("your agent said the refund was on its way", "request_human"),
        ("no human needed, just the tracking number", "order_status"),
        ("are you human?", "bot_challenge"),
        ("my person of contact at work will collect it", "change_shipping_address"),
    ],
)
def test_words_for_a_person_inside_other_sentences_do_not(
    policy: EscalationPolicy, text: str, intent: str
) -> None:
    assert judge(start().user(text, intent, confidence=0.6), policy).escalate is False


# --- frustration over the whole conversation -------------------------------------------------------------


def test_same_question_again_said_so_then_absurd_escalates(policy: EscalationPolicy) -> None:
    """The brief's customer: asked for their email again and again, says so, "getting absurd"."""
    builder = start().user("where is ORD-10002", "order_status", emotion="neutral", frustration=0.1)
    asks(builder, "email", ASK_EMAIL, "utter_ask_email", goal="order_status", order_id="ORD-10002")
    builder.user(
        "liam.bakker@example",
        "inform",
        entities=email("liam.bakker@example"),
        emotion="neutral",
        frustration=0.1,
    )
    builder.action("order_lookup_form")
    builder.bot('"liam.bakker@example" doesn\'t look like a complete email address.', "utter_invalid_email")
    builder.slot("email", None)
    asks(builder, "email", ASK_EMAIL, "utter_ask_email")
    assert judge(builder, policy).escalate is False  # one repeat is routine (a typo)

    builder.user(
        "I already gave you my email", "goodbye", confidence=0.63, emotion="frustrated", frustration=0.45
    )
    asks(builder, "email", ASK_EMAIL, "utter_ask_email")
    builder.user(
        "this is getting absurd", "bot_challenge", confidence=0.47, emotion="frustrated", frustration=0.59
    )
    builder.bot_turn("utter_bot_challenge", say=["I'm the shop's automated assistant."])
    decision = judge(builder, policy)

    # Asked for the email three times with two failed answers: a repeated failure as well.
    assert codes(decision) == {"frustration", "failed_understanding"}
    detail = next(r.detail for r in decision.reasons if r.code.value == "frustration")
    assert "strain over the conversation" in detail
    assert "the bot repeated itself" in detail and '"I already gave"' in detail and '"absurd"' in detail


def test_same_answer_twice_and_that_is_what_you_said_last_week(policy: EscalationPolicy) -> None:
    status = "Order ORD-10002 is on its way with PostNL, due by Thursday."
    builder = start().user("where is my order ORD-10002, liam.bakker@example.com", "order_status")
    builder.bot_turn("action_order_status", say=[status])
    builder.user(
        "it's been 'on its way' for ages, where is my order really?",
        "order_status",
        emotion="frustrated",
        frustration=0.5,
    )
    builder.bot_turn("action_order_status", say=[status])
    assert judge(builder, policy).escalate is False

    builder.user("that's what you said last week", "out_of_scope", emotion="neutral", frustration=0.1)
    builder.bot_turn("utter_out_of_scope", say=["That's outside what I can help with here."])
    builder.user("oh great, thanks for nothing", "thank", emotion="positive", frustration=0.2)
    builder.bot_turn("utter_thank", say=["You're welcome."])
    decision = judge(builder, policy)

    assert codes(decision) == {"frustration"}
    assert decision.reasons[0].turn == 4


def test_several_negative_turns_in_a_row(policy: EscalationPolicy) -> None:
    builder = start()
    for text in ("where is it", "it should have been here days ago", "still nothing from the courier"):
        builder.user(text, "order_status", emotion="frustrated", frustration=0.65, frustration_level=0.4)
        builder.bot_turn("action_order_status", say=[f"(answer to: {text})"])
    decision = judge(builder, policy)

    assert codes(decision) == {"frustration"}
    assert decision.reasons[0].detail == "3 negative messages in a row"


def test_two_negative_turns_then_a_calm_one_stay_with_the_bot(policy: EscalationPolicy) -> None:
    builder = start()
    for text, emotion in (
        ("where is it", "frustrated"),
        ("ugh, the courier", "frustrated"),
        ("ok, which day then?", "neutral"),
    ):
        builder.user(
            text,
            "order_status",
            emotion=emotion,
            frustration=0.65 if emotion != "neutral" else 0.1,
            frustration_level=0.4,
        )
        builder.bot_turn("action_order_status", say=[f"(answer to: {text})"])

    assert judge(builder, policy).escalate is False


def test_customer_repeating_themselves_counts(policy: EscalationPolicy) -> None:
    builder = start()
    for _ in range(2):
        builder.user(
            "I want my refund for the broken kettle", "request_refund", emotion="frustrated", frustration=0.6
        )
        builder.bot_turn(
            "action_request_refund", say=["For order ORD-10005 the refund comes with a free return."]
        )
    builder.user(
        "are you even listening? I want my refund for the broken kettle",
        "request_refund",
        emotion="frustrated",
        frustration=0.7,
    )
    builder.bot_turn(
        "action_request_refund", say=["For order ORD-10005 the refund comes with a free return."]
    )

    decision = judge(builder, policy)
    assert codes(decision) == {"frustration"}
    assert "asked the same again" in decision.reasons[0].detail


def test_thanks_for_nothing_is_not_a_resolution(policy: EscalationPolicy) -> None:
    builder = start().user(
        "WHERE IS MY PARCEL", "order_status", emotion="frustrated", frustration=0.85, frustration_level=0.72
    )
    builder.bot_turn("action_order_status", say=["It's with DHL."])
    builder.user("thanks for nothing", "thank", emotion="positive", frustration=0.3, frustration_level=0.71)

    assert codes(judge(builder, policy)) == {"frustration"}


def test_a_routine_request_with_high_stakes_stays_with_the_bot(policy: EscalationPolicy) -> None:
    """Cancelling because a sister was in hospital: gentleness, not a queue."""
    builder = start().user(
        "i need to cancel my order, my sister was in hospital and we don't need it now",
        "cancel_order",
        emotion="sad",
        stakes="health",
    )
    assert judge(builder, policy).escalate is False


# --- big complaints -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("intent", ["complaint", "refund_status"])
def test_a_big_complaint_about_a_real_problem_escalates(policy: EscalationPolicy, intent: str) -> None:
    builder = start().user(
        "worst service ever, two weeks and still no refund",
        intent,
        emotion="frustrated",
        frustration=0.5,
        frustration_level=0.3,
    )
    decision = judge(builder, policy)

    assert codes(decision) == {"frustration"}
    assert decision.reasons[0].detail == 'a big complaint: "worst service"'


def test_strong_words_without_a_problem_stay_with_the_bot(policy: EscalationPolicy) -> None:
    builder = start().user(
        "never again will I leave presents to the last minute haha, what are your delivery times?",
        "delivery_options",
        emotion="positive",
    )
    assert judge(builder, policy).escalate is False


# --- questions answered without success -----------------------------------------------------------------------------


def test_two_failed_answers_to_the_same_question_escalate(policy: EscalationPolicy) -> None:
    builder = start().user("where's my parcel", "order_status")
    asks(builder, "order_id", ASK_ORDER_ID, "utter_ask_order_id", goal="order_status")
    builder.user("no idea, I don't have it", "deny", emotion="confused")
    asks(builder, "order_id", "I still need the order number.", "utter_ask_order_id_again")
    assert judge(builder, policy).escalate is False

    builder.user(
        "I told you I can't find it", "nlu_fallback", confidence=0.4, emotion="frustrated", frustration=0.4
    )
    builder.bot_turn("action_clarify", say=["I won't keep asking you for it."])
    decision = judge(builder, policy)

    assert "failed_understanding" in codes(decision)
    reason = next(r for r in decision.reasons if r.code.value == "failed_understanding")
    assert reason.detail == "2 answers did not give the order id the bot asked for"


def test_a_question_in_between_is_not_a_failed_answer(policy: EscalationPolicy) -> None:
    builder = start().user("where's my parcel", "order_status")
    asks(builder, "order_id", ASK_ORDER_ID, "utter_ask_order_id", goal="order_status")
    builder.user("how much is express delivery by the way?", "delivery_options")
    builder.bot_turn("action_delivery_options", say=["Express is 9.90 EUR."])
    asks(builder, "order_id", ASK_ORDER_ID, "utter_ask_order_id")
    builder.user("hmm not sure where it is", "deny")
    asks(builder, "order_id", "I still need the order number.", "utter_ask_order_id_again")

    assert judge(builder, policy).escalate is False


# --- routine conversations stay with the bot ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "feelings"),
    [
        (
            "I'm not upset, just asking when it ships",
            "order_status",
            {"emotion": "neutral", "frustration": 0.0},
        ),
        (
            "I'm not going to sue, I just want to know the return window",
            "return_item",
            {"emotion": "neutral"},
        ),
        (
            "haha my wife is going to kill me if this doesn't arrive lol",
            "order_status",
            {"emotion": "positive"},
        ),
        ("this heat is killing me, do you deliver on Saturdays?", "delivery_options", {"emotion": "neutral"}),
        ("my phone battery is dead, can I pay by PayPal instead?", "payment_methods", {"emotion": "neutral"}),
        ("I was shocked at how fast it came, thanks!", "thank", {"emotion": "positive"}),
        ("great, thanks so much, that's perfect", "thank", {"emotion": "positive"}),
        ("what a surprise, it came early! thank you", "thank", {"emotion": "positive"}),
    ],
)
def test_routine_messages_stay_with_the_bot(
    policy: EscalationPolicy, text: str, intent: str, feelings: dict[str, Any]
) -> None:
    builder = start().user("hi", "greet")
    builder.bot_turn("utter_greet", say=["Hi! What can I do for you?"])
    builder.user(text, intent, **feelings)
    assert judge(builder, policy).escalate is False


def test_a_routine_order_conversation_with_one_typo_stays_with_the_bot(policy: EscalationPolicy) -> None:
    builder = start().user("can you check ORD-10002 for me?", "order_status", emotion="neutral")
    asks(builder, "email", ASK_EMAIL, "utter_ask_email", goal="order_status", order_id="ORD-10002")
    builder.user("liam.bakker@exmaple", "inform", entities=email("liam.bakker@exmaple"))
    builder.action("order_lookup_form")
    builder.slot("email", None)
    builder.bot("That doesn't look like a complete email address.", "utter_invalid_email")
    asks(builder, "email", ASK_EMAIL, "utter_ask_email")
    builder.user("liam.bakker@example.com", "inform", entities=email("liam.bakker@example.com"))
    looks_up(builder, "action_order_status", "It's on its way.", "utter_order_in_transit", [])
    builder.user("great, thank you!", "thank", emotion="positive")
    builder.bot_turn("utter_thank", say=["You're welcome."])
    builder.user("thanks again, bye", "goodbye", emotion="positive")
    builder.bot_turn("utter_goodbye", say=["Thanks for chatting with us."])

    assert judge(builder, policy).escalate is False


def test_a_loud_but_satisfied_customer_stays_with_the_bot(policy: EscalationPolicy) -> None:
    builder = start().user(
        "WOW it arrived already!!! AMAZING, best shop EVER!!!",
        "order_status",
        emotion="positive",
        frustration=0.92,
        frustration_level=0.75,
    )
    assert judge(builder, policy).escalate is False


# --- risk, in more of the words customers use ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the charger started sparking and there's a burning smell", {"risk_safety"}),
        ("the kettle is overheating and the handle scalded my son", {"risk_safety"}),
        ("I know my consumer rights and I'll see you in court", {"risk_legal"}),
        ("I'll dispute the payment with my bank if this isn't sorted", {"risk_legal"}),
        ("I got sick of waiting, can you check the order?", set()),
        ("the colours bleed in the wash, can I return it?", set()),
        ("can you ask the courier to hold it at the depot?", set()),
    ],
)
def test_risk_in_more_words(policy: EscalationPolicy, text: str, expected: set[str]) -> None:
    assert codes(judge(start().user(text, "order_status", emotion="neutral"), policy)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the delivery fee gave me a shock, but fine, where is my order?",
        "it shocked me how fast it came!",
        "what a shock, it's here already",
    ],
)
def test_a_harmless_shock_is_not_a_safety_incident(policy: EscalationPolicy, text: str) -> None:
    assert judge(start().user(text, "order_status", emotion="positive"), policy).escalate is False
