"""The rephraser through the NLG service, one emotion and stakes family at a time.

Every test builds a real Rasa tracker (bench.empathy.synthetic) and reads the reply the
customer would see.
"""

from __future__ import annotations

import re

from empathy.content import EmpathyContent
from empathy.service import NlgRequest, NlgService
from tests.empathy.conftest import DAMAGED_GIFT, say

DAMAGED_GIFT_MESSAGE = (
    "my order arrived smashed and it was my daughter's birthday present, the party is tomorrow"
)
APOLOGY = re.compile(r"\b(sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)


def validations_of(content: EmpathyContent, family: str, level: str | None = None) -> set[str]:
    levels = content.phrases.validations[family]
    return {v.text for lvl, vs in levels.items() if level in (None, lvl, "any") for v in vs}


def opening(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]


def test_damaged_birthday_present_due_tomorrow(service, conversation, content):
    chat = conversation()
    chat.user(DAMAGED_GIFT_MESSAGE, "report_damaged_item", DAMAGED_GIFT)
    reply = say(service, chat, "utter_ask_order_id")
    text = reply["text"]
    # acknowledge: a disappointment validation opens the reply
    assert opening(text) in validations_of(content, "disappointment")
    # recap: the present, the occasion and the date, relative and spelled out
    assert "present" in text
    assert "your daughter's birthday" in text
    assert "tomorrow, Saturday 14 March" in text
    # act: the fastest fix named first, then the designer's question
    assert "express replacement" in text
    assert text.index("express replacement") < text.index("Which order is it about?")
    assert "!" not in text
    assert reply["empathy"]["parts"] == ["acknowledge", "recap", "fastest_first", "response"]


def test_damaged_gift_offer_puts_the_fastest_fix_first(service, conversation):
    chat = conversation()
    chat.user(DAMAGED_GIFT_MESSAGE, "report_damaged_item", {**DAMAGED_GIFT, "order_id": "ORD-10234"})
    reply = say(service, chat, "utter_test_damaged_offer", item="LEGO Creative Box", amount="39.99 EUR")
    titles = [b["title"] for b in reply["buttons"]]
    assert titles[0] == "Express replacement"
    assert sorted(titles) == sorted(["Refund 39.99 EUR", "Store credit", "Express replacement"])
    assert "LEGO Creative Box" in reply["text"] and "ORD-10234" in reply["text"]


def test_frustration_high_uses_high_intensity_wording_and_names_the_order(service, conversation, content):
    chat = conversation()
    chat.user(
        "This is the THIRD time I'm asking where order ORD-10002 is!!!",
        "order_status",
        {
            "goal": "order_status",
            "order_id": "ORD-10002",
            "emotion": "frustrated",
            "frustration": 0.9,
            "frustration_level": 0.85,
        },
    )
    reply = say(service, chat, "utter_test_order_late", carrier="DHL", last_scan_place="Leipzig", days_late=3)
    text = reply["text"]
    assert opening(text) in validations_of(content, "frustration", "high")
    assert "ORD-10002" in text and "DHL" in text
    assert reply["empathy"]["intensity"] == "high"
    assert "!" not in text


def test_frustration_low_is_not_overdone(service, conversation, content):
    chat = conversation()
    chat.user(
        "the tracking link doesn't work",
        "order_status",
        {"goal": "order_status", "emotion": "frustrated", "frustration": 0.15},
    )
    text = say(service, chat, "utter_ask_order_id")["text"]
    assert opening(text) in validations_of(content, "frustration", "low")
    assert opening(text) not in validations_of(content, "frustration", "high")


def test_worry_is_not_frustration(service, conversation, content):
    chat = conversation()
    chat.user(
        "I'm really worried my refund got lost, it was a lot of money",
        "refund_status",
        {"goal": "refund_status", "order_id": "ORD-10007", "emotion": "anxious", "frustration": 0.2},
    )
    text = say(service, chat, "utter_test_refund_issued", amount="120.00 EUR", refund_date="Monday 9 March")[
        "text"
    ]
    assert opening(text) in validations_of(content, "worry")
    assert not any(v in text for v in validations_of(content, "frustration"))
    assert "120.00 EUR" in text


def test_confusion_gets_clarity_not_sympathy(service, conversation, content):
    chat = conversation()
    chat.user(
        "I don't get it, how do I connect the speaker??",
        "setup_help",
        {"goal": None, "item": "speaker", "emotion": "confused", "frustration": 0.4},
    )
    text = say(service, chat, "utter_test_setup", item="speaker")["text"]
    assert opening(text) in validations_of(content, "confusion")
    assert "hold the power button" in text


def test_bereavement_is_gentle_simple_and_sells_nothing(service, conversation, content):
    chat = conversation()
    chat.user(
        "please cancel the flowers, they were for my dad's funeral and it has been moved",
        "cancel_order",
        {"goal": "cancel_order", "order_id": "ORD-10009", "emotion": "neutral", "stakes": "bereavement"},
    )
    reply = say(service, chat, "utter_test_upsell", amount="45.00 EUR")
    text = reply["text"]
    assert opening(text) in validations_of(content, "grief")
    assert "!" not in text
    assert "might also like" not in text.lower() and "check out" not in text.lower()
    assert "ORD-10009" in text and "45.00 EUR" in text
    assert "as simple as I can" in text
    assert len(reply["buttons"]) == 2


def test_happy_customer_gets_no_apology(service, conversation):
    chat = conversation()
    chat.user("thanks, that was quick!", "thank", {"emotion": "positive", "frustration": 0.0})
    text = say(service, chat, "utter_thank")["text"]
    assert text == "You're welcome. Is there anything else I can help with?"
    chat.user("where is my order?", "order_status", {"emotion": "neutral"})
    text = say(service, chat, "utter_test_apology")["text"]
    assert not APOLOGY.search(text)
    assert "ORD-10001 arrives on Monday" in text


def test_cheerful_designer_text_is_calmed_for_an_upset_customer(service, conversation):
    chat = conversation()
    chat.user(
        "my parcel is late AGAIN",
        "order_status",
        {"emotion": "frustrated", "frustration": 0.6, "goal": "order_status"},
    )
    text = say(service, chat, "utter_test_cheerful")["text"]
    assert "great day" not in text.lower()
    assert "Great news" not in text
    assert "!" not in text


def test_policy_refusal_always_comes_with_an_alternative(service, conversation):
    chat = conversation()
    chat.user("I want to return this", "return_item", {"emotion": "neutral", "goal": "return_item"})
    text = say(service, chat, "utter_test_policy")["text"]
    assert "policy prevents" in text
    assert "instead" in text


def test_we_language_replaces_you_must(service, conversation):
    chat = conversation()
    chat.user("how do I return it", "return_item", {"emotion": "neutral"})
    text = say(service, chat, "utter_test_you_must")["text"]
    assert "you must" not in text.lower()
    assert text.startswith("We'll need you to print the return label")


def test_no_validation_repeats_in_a_long_conversation(service, conversation):
    chat = conversation()
    used = []
    for turn in range(12):
        chat.user(
            f"still nothing, attempt {turn}",
            "order_status",
            {"emotion": "frustrated", "frustration": 0.7, "frustration_level": 0.8, "goal": "order_status"},
        )
        reply = say(service, chat, "utter_ask_order_id")
        if reply["empathy"]["validation"]:
            used.append(reply["empathy"]["validation"])
    assert len(used) >= 10
    assert len(used) == len(set(used))


def test_two_messages_in_one_turn_acknowledge_once(service, conversation):
    chat = conversation()
    chat.user(
        "my order is late and I'm annoyed",
        "order_status",
        {"emotion": "frustrated", "frustration": 0.5, "goal": "order_status"},
    )
    body = chat.request_body("utter_ask_order_id")
    # Rasa asks for every message of one action before recording any of them.
    first = service.generate(NlgRequest.parse(body)).to_json()
    second = service.generate(NlgRequest.parse(chat.request_body("utter_anything_else"))).to_json()
    assert first["empathy"]["validation"]
    assert second["empathy"]["validation"] is None
    assert second["text"] == "Is there anything else I can help with?"


def test_name_is_used_at_most_twice(service, conversation):
    chat = conversation()
    texts = []
    for turn in range(6):
        chat.user(
            f"this is ridiculous {turn}",
            "complaint",
            {"emotion": "frustrated", "frustration": 0.9, "frustration_level": 0.9, "goal": "complaint"},
        )
        texts.append(say(service, chat, "utter_ask_order_id", customer_name="Anna Novak")["text"])
    assert sum(t.count("Anna") for t in texts) <= 2
    assert texts[0].startswith("Anna, ")
    assert "Novak" not in " ".join(texts)


def test_register_follows_the_customer(service, conversation, content):
    formal = {
        v.text
        for levels in content.phrases.validations.values()
        for vs in levels.values()
        for v in vs
        if v.register == "formal"
    }
    casual = {
        v.text
        for levels in content.phrases.validations.values()
        for vs in levels.values()
        for v in vs
        if v.register == "casual"
    }
    for sender in range(8):
        chat = conversation(f"formal-{sender}")
        chat.user(
            "Dear team, I would like to know why my order has not arrived. Kind regards",
            "order_status",
            {"emotion": "frustrated", "frustration": 0.5},
        )
        validation = say(service, chat, "utter_ask_order_id")["empathy"]["validation"]
        assert validation not in casual
        chat = conversation(f"casual-{sender}")
        chat.user(
            "ugh where's my stuff lol, it's been ages",
            "order_status",
            {"emotion": "frustrated", "frustration": 0.5},
        )
        validation = say(service, chat, "utter_ask_order_id")["empathy"]["validation"]
        assert validation not in formal


def test_same_conversation_same_words(settings, conversation):
    texts = []
    for _ in range(2):
        service = NlgService.from_settings(settings)
        chat = conversation("replay")
        chat.user(DAMAGED_GIFT_MESSAGE, "report_damaged_item", DAMAGED_GIFT)
        texts.append(say(service, chat, "utter_ask_order_id")["text"])
    assert texts[0] == texts[1]


def test_answering_a_question_after_a_complaint_stays_gentle_without_validating_again(service, conversation):
    chat = conversation()
    chat.user(
        "where is my order, this is taking forever",
        "order_status",
        {"goal": "order_status", "emotion": "frustrated", "frustration": 0.7, "frustration_level": 0.7},
    )
    say(service, chat, "utter_ask_order_id")
    chat.user("ORD-10002", "inform", {"order_id": "ORD-10002", "emotion": "neutral", "frustration": 0.0})
    reply = say(service, chat, "utter_test_order_late", carrier="DHL", last_scan_place="Leipzig", days_late=3)
    assert reply["empathy"]["validation"] is None
    assert reply["empathy"]["family"] == "frustration"
    assert reply["empathy"]["parts"] == ["response"]
    assert reply["text"].startswith("Order ORD-10002 is with DHL")


def test_the_fastest_fix_still_leads_the_buttons_when_the_offer_turn_is_calm(service, conversation):
    chat = conversation()
    chat.user("it was a birthday present for tomorrow and it's broken", "report_damaged_item", DAMAGED_GIFT)
    say(service, chat, "utter_ask_order_id")
    chat.user(
        "ORD-10005, mia.dubois@example.com",
        "inform",
        {"order_id": "ORD-10005", "emotion": "neutral", "frustration": 0.0},
    )
    reply = say(service, chat, "utter_test_damaged_offer", item="Pagely e-reader", amount="149.00 EUR")
    assert reply["empathy"]["validation"] is None
    assert reply["empathy"]["parts"] == ["response"]  # the lead sentence was said on the first turn
    assert reply["buttons"][0]["title"] == "Express replacement"


def test_checkin_is_routine_even_after_an_upsetting_session(service, conversation):
    chat = conversation()
    chat.user(
        "this is a disgrace",
        "complaint",
        {"emotion": "frustrated", "frustration": 0.9, "frustration_level": 0.9},
    )
    reply = say(
        service, chat, "utter_checkin_replacement", order_id="ORD-10003", item="lamp", amount="", detail=""
    )
    assert reply["text"].startswith(
        "Welcome back. Before anything else: did the replacement lamp for order ORD-10003 arrive safely?"
    )
    assert reply["empathy"]["validation"] is None


def test_bereavement_validates_once_then_stays_gentle(service, conversation, content):
    chat = conversation()
    chat.user(
        "I need to cancel the present, my husband passed away last week",
        "cancel_order",
        {"goal": "cancel_order", "order_id": "ORD-10001", "emotion": "sad", "stakes": "bereavement"},
    )
    first = say(service, chat, "utter_ask_email")
    assert opening(first["text"]) in validations_of(content, "grief")
    chat.user("yes please!", "affirm", {"emotion": "neutral"})
    second = say(service, chat, "utter_test_cheerful")
    assert second["empathy"]["validation"] is None
    assert "!" not in second["text"] and "Great news" not in second["text"]


def test_condolences_are_offered_once_and_a_new_frustration_in_its_own_words(service, conversation, content):
    chat = conversation()
    chat.user(
        "the flowers for my dad's funeral on Saturday are late",
        "order_status",
        {"goal": "order_status", "order_id": "ORD-10003", "emotion": "sad", "stakes": "bereavement"},
    )
    first = say(service, chat, "utter_ask_email")
    assert opening(first["text"]) in validations_of(content, "grief")
    # Still sad, still bereaved: grief wording again, never the same sentence.
    chat.user("it's just all too much right now", "order_status", {"emotion": "sad"})
    second = say(service, chat, "utter_ask_email")
    assert second["empathy"]["validation"] in validations_of(content, "grief")
    assert second["empathy"]["validation"] != first["empathy"]["validation"]
    assert "!" not in second["text"]
    # A new frustration is acknowledged as frustration, not with grief wording again.
    chat.user("WHY is it still not here, nobody tells me anything", "order_status", {"emotion": "frustrated"})
    third = say(service, chat, "utter_ask_email")
    assert third["empathy"]["validation"] in validations_of(content, "frustration")


def test_action_choices_are_reordered_and_action_buttons_count_as_a_step(service, conversation):
    chat = conversation()
    chat.user(
        "it's broken and the party is tomorrow",
        "report_damaged_item",
        {**DAMAGED_GIFT, "order_id": "ORD-10005"},
    )
    choices = [
        {"title": "Refund 89.00 EUR", "payload": '/inform{"offer_choice":"refund"}'},
        {"title": "Send a replacement", "payload": '/inform{"offer_choice":"replacement"}'},
    ]
    reply = say(service, chat, "utter_test_policy", choices=choices)
    assert [b["title"] for b in reply["buttons"]] == ["Send a replacement", "Refund 89.00 EUR"]
    chat.user("hmm", "inform", {"emotion": "confused", "frustration": 0.2})
    reply = say(service, chat, "utter_no_pending_offer", buttons=choices)
    # Rasa appends an action's own `buttons` after our reply: we leave them out, but they are the step.
    assert reply["buttons"] == []
    assert "act" not in reply["empathy"]["parts"]


def test_a_calm_customer_reporting_a_problem_may_still_hear_sorry(service, conversation):
    chat = conversation()
    chat.user(
        "the vase arrived broken",
        "report_damaged_item",
        {"goal": "report_damaged_item", "emotion": "neutral", "order_id": "ORD-10005"},
    )
    text = say(service, chat, "utter_test_apology")["text"]
    assert text.startswith("Sorry for the wait.")


def test_our_acknowledgement_replaces_the_designers_opening_apology(service, conversation):
    chat = conversation()
    chat.user(
        "you charged me twice, unbelievable",
        "payment_issue",
        {"goal": "payment_issue", "emotion": "frustrated", "frustration": 0.6, "order_id": "ORD-10010"},
    )
    text = say(
        service,
        chat,
        "utter_duplicate_charge_found",
        payment_method="Mastercard",
        amount="59.99 EUR",
        order_id="ORD-10010",
        first_charged_at="9 March, 14:02",
        second_charged_at="9 March, 14:04",
    )["text"]
    assert "You're right, and your Mastercard was charged 59.99 EUR twice" in text
    assert text.lower().count("sorry") <= 1


def test_the_fastest_fix_is_named_once_and_placeholder_order_ids_are_not_recapped(service, conversation):
    chat = conversation()
    chat.user(
        "it was a birthday present for tomorrow and it arrived smashed", "report_damaged_item", DAMAGED_GIFT
    )
    # The form's question action fills order_id with wording when no order is known yet.
    first = say(service, chat, "utter_ask_order_id", order_id="your order")
    assert "order your order" not in first["text"]
    assert "fastest_first" in first["empathy"]["parts"]
    chat.user("ORD-10005", "inform", {"order_id": "ORD-10005", "emotion": "neutral", "frustration": 0.0})
    second = say(service, chat, "utter_ask_email")
    assert "fastest_first" not in second["empathy"]["parts"]
    chat.user("thanks!", "thank", {"emotion": "positive"})
    assert (
        say(service, chat, "utter_thank")["text"] == "You're welcome. Is there anything else I can help with?"
    )


def test_still_pushing_while_very_upset_is_acknowledged_again(service, conversation, content):
    chat = conversation()
    chat.user(
        "where is ORD-10003, third time asking",
        "order_status",
        {
            "goal": "order_status",
            "order_id": "ORD-10003",
            "emotion": "frustrated",
            "frustration": 0.9,
            "frustration_level": 0.9,
        },
    )
    first = say(service, chat, "utter_ask_email")
    chat.user(
        "and what are you going to do about it?",
        "complaint",
        {"emotion": "neutral", "frustration": 0.2, "frustration_level": 0.85},
    )
    second = say(service, chat, "utter_anything_else")
    assert second["empathy"]["validation"] in validations_of(content, "frustration")
    assert second["empathy"]["validation"] != first["empathy"]["validation"]


def test_the_customers_own_word_names_the_item(service, conversation):
    chat = conversation()
    chat.user(
        "my order arrived smashed and it was my daughter's birthday present, the party is tomorrow",
        "report_damaged_item",
        {**DAMAGED_GIFT, "stakes": "event"},
    )
    text = say(service, chat, "utter_ask_order_id", order_id="your order")["text"]
    assert "the present arrived damaged" in text and "tomorrow, Saturday 14 March" in text


def test_a_reply_never_says_the_same_phrase_twice(service, conversation):
    # Every conversation id picks its own wording; none may repeat itself within a reply
    # (e.g. a grief validation promising simplicity, then the simplest-path line again).
    for n in range(40):
        chat = conversation(f"no-echo-{n}")
        chat.user(
            "the flowers for my mum's funeral tomorrow still haven't arrived and I'm desperate",
            "order_status",
            {"goal": "order_status", "emotion": "frustrated", "frustration": 0.74, "stakes": "bereavement"},
        )
        text = say(service, chat, "utter_ask_order_id")["text"].lower()
        words = re.findall(r"[a-z']+", text)
        runs = [tuple(words[i : i + 5]) for i in range(len(words) - 4)]
        assert len(runs) == len(set(runs)), text
