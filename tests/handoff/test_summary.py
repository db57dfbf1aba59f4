"""The context summary, built from synthetic but realistic trackers and a fake store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handoff.escalation.decision import EscalationReason, ReasonCode, decide
from handoff.escalation.policy import EscalationPolicy, load_policy
from handoff.summary.build import ContextSummary, build_summary, normalise_order_id
from handoff.summary.facts import CustomerRecord, OrderLine, OrderRecord, StoreAction
from tests.handoff.test_escalation_table import ROWS
from tests.handoff.test_escalation_trackers import NOW, TrackerBuilder

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"

# An opening line must never make the customer start again.
ASKS_TO_REPEAT = re.compile(
    r"(?i)\b(could|can|would) you (tell|give|send|confirm|explain|describe|repeat)|\brepeat\b|"
    r"what('s| is) your (order|email)|please (provide|confirm|explain)|order number\?"
)

MARIA = CustomerRecord(
    customer_id="C-0007",
    name="Maria Lopez",
    email="maria.lopez@example.com",
    customer_since="2023-04-02",
    recent_orders=(
        OrderLine("ORD-10234", "delayed", "2026-11-18", "64.90 EUR", 2),
        OrderLine("ORD-10101", "delivered", "2026-06-01", "19.90 EUR"),
    ),
    actions=(
        StoreAction(
            "approval_request",
            "express replacement for a person to approve (over the make-it-right budget)",
            "64.90 EUR",
            "pending",
            "ORD-10234",
            "conv-1",
            "2026-11-22T09:59:50",
        ),
        StoreAction(
            "refund",
            "refund for a cable",
            "9.90 EUR",
            "done by bot",
            "ORD-10101",
            "other-conv",
            "2026-06-05T10:00:00",
        ),
    ),
)
WREATH = OrderRecord(
    order_id="ORD-10234",
    customer_id="C-0007",
    state="delayed",
    placed_on="2026-11-18",
    promised_date="2026-11-20",
    days_late=2,
    items=("Sympathy wreath, white lilies",),
    total="64.90 EUR",
    shipping_method="standard",
    carrier="DHL",
    tracking_number="JD0100234",
    last_scan="21 Nov 14:05, Leipzig hub: arrived at hub",
)


class FakeStore:
    def __init__(self, customers: list[CustomerRecord] = (), orders: list[OrderRecord] = ()) -> None:  # type: ignore[assignment]
        self.customers = {c.customer_id: c for c in customers}
        self.orders = {o.order_id: o for o in orders}
        self.calls: list[tuple[str, str]] = []

    def customer(self, customer_id: str) -> CustomerRecord | None:
        self.calls.append(("customer", customer_id))
        return self.customers.get(customer_id)

    def order(self, order_id: str) -> OrderRecord | None:
        self.calls.append(("order", order_id))
        return self.orders.get(order_id)


class BrokenStore:
    def customer(self, customer_id: str) -> CustomerRecord | None:
        raise ConnectionError("database is locked")

    def order(self, order_id: str) -> OrderRecord | None:
        raise ConnectionError("database is locked")


@pytest.fixture(scope="module")
def policy() -> EscalationPolicy:
    return load_policy(POLICY_FILE)


def funeral_flowers() -> TrackerBuilder:
    """Issue 5's 'done means' conversation: funeral flowers late, bot offers a replacement."""
    b = (
        TrackerBuilder("conv-1")
        .with_history()
        .bot("Hi! I'm the shop's support assistant. What can I do for you?")
    )
    b.user(
        "the flowers for my dad's funeral on Saturday haven't arrived",
        "report_missing_item",
        emotion="sad",
        frustration=0.3,
        frustration_level=0.2,
        stakes="bereavement",
        deadline="2026-11-28",
        evidence=["funeral", "haven't arrived"],
        entities=[{"entity": "item", "value": "flowers"}],
    )
    b.bot_turn(
        "order_lookup_form",
        say=["I'm so sorry. Which order is it about?"],
        slots={"goal": "report_missing_item"},
    )
    b.user(
        "ord10234, maria.lopez@example.com",
        "inform",
        entities=[
            {"entity": "order_id", "value": "ord10234"},
            {"entity": "email", "value": "maria.lopez@example.com"},
        ],
        emotion="sad",
        frustration=0.35,
        frustration_level=0.3,
    )
    b.bot_turn(
        "action_report_missing_item",
        say=[
            "Your wreath is 2 days late; its last scan was at the Leipzig hub. I can send an express replacement."
        ],
        slots={"customer_id": "C-0007", "pending_offer": "reship"},
    )
    b.user(
        "yes please, it has to be there by Saturday",
        "affirm",
        emotion="anxious",
        frustration=0.4,
        frustration_level=0.35,
        evidence=["has to be there"],
    )
    b.bot_turn(
        "action_accept_offer",
        say=[
            "An express replacement is more than I can approve myself, so I've asked a colleague to approve it."
        ],
        slots={"pending_offer": None},
    )
    return b


def summarise(builder: TrackerBuilder, policy: EscalationPolicy, store: object) -> ContextSummary:
    tracker = builder.build()
    decision = decide(tracker, policy, NOW)
    return build_summary(tracker, store, decision.reasons, NOW)  # type: ignore[arg-type]


def test_funeral_flowers_summary_tells_the_whole_story(policy: EscalationPolicy) -> None:
    store = FakeStore([MARIA], [WREATH])

    summary = summarise(funeral_flowers(), policy, store)

    assert summary.customer == MARIA
    assert summary.order == WREATH
    assert store.calls == [("customer", "C-0007"), ("order", "ORD-10234")]  # normalised id
    assert summary.problem == (
        "Maria Lopez's flowers (ORD-10234) for a funeral on Saturday 28 November (in 6 days) "
        "have not arrived; it is 2 days late (promised 2026-11-20, delayed)."
    )
    assert [(f.turn, f.emotion, f.frustration_level) for f in summary.feelings] == [
        (1, "sad", 0.2),
        (2, "sad", 0.3),
        (3, "anxious", 0.35),
    ]
    assert summary.feelings[0].words == ["funeral", "haven't arrived"]
    assert summary.feelings[2].text == "yes please, it has to be there by Saturday"
    assert summary.stakes.stakes == "bereavement"
    assert summary.stakes.deadline == "2026-11-28"
    assert summary.stakes.days_to_deadline == 6
    assert [r.code for r in summary.reasons] == [ReasonCode.HIGH_STAKES]

    steps = [(s.turn, s.kind, s.text) for s in summary.bot_steps]
    assert (2, "did", "Report missing item") in steps
    assert (2, "offered", "Offered reshipping the order.") in steps
    assert (3, "accepted", "The customer accepted reshipping the order.") in steps
    store_steps = [text for _, kind, text in steps if kind == "store"]
    # Only this conversation's records: the old refund from another chat is not listed.
    assert store_steps == [
        "Approval request (64.90 EUR) on ORD-10234: express replacement for a person to approve "
        "(over the make-it-right budget) [pending]"
    ]
    assert summary.next_step.startswith("Decide the pending approval request: express replacement")


def test_opening_line_is_warm_specific_and_never_asks_to_repeat(policy: EscalationPolicy) -> None:
    summary = summarise(funeral_flowers(), policy, FakeStore([MARIA], [WREATH]))

    line = summary.opening_line
    assert line.startswith("Hi Maria,")
    assert "I'm so sorry for your loss." in line
    assert "flowers on order ORD-10234 haven't arrived" in line
    assert "Saturday 28 November" in line
    assert "don't need to explain anything again" in line
    assert not ASKS_TO_REPEAT.search(line)
    assert "!" not in line  # no cheerfulness at someone who is grieving


def test_transcript_is_complete_and_in_order(policy: EscalationPolicy) -> None:
    builder = funeral_flowers().pause().agent("Hi Maria, I'm Sam from the team.")
    builder.user("thank you Sam", "thank")
    summary = summarise(builder, policy, FakeStore([MARIA], [WREATH]))

    said = [(e["event"], e["text"]) for e in builder.events if e["event"] in ("user", "bot", "agent")]
    role = {"user": "customer", "bot": "bot", "agent": "agent"}
    assert [(line.role, line.text) for line in summary.transcript] == [(role[k], t) for k, t in said]
    assert [line.event_index for line in summary.transcript] == sorted(
        line.event_index for line in summary.transcript
    )
    assert summary.transcript[1].at == "2026-11-22T09:51:30+00:00"


def test_a_persons_messages_recorded_by_the_gateway_are_the_agents(policy: EscalationPolicy) -> None:
    builder = funeral_flowers().pause()
    # What handoff.rasa_client.record_agent_message appends while the bot is paused.
    builder.events.append(
        {
            "event": "bot",
            "timestamp": NOW.timestamp(),
            "text": "Hi Maria, I'm Sam.",
            "metadata": {"handoff_agent": "Sam"},
        }
    )
    summary = summarise(builder, policy, FakeStore([MARIA], [WREATH]))

    last = summary.transcript[-1]
    assert (last.role, last.name, last.text) == ("agent", "Sam", "Hi Maria, I'm Sam.")
    assert "Hi Maria, I'm Sam." not in [s.text for s in summary.bot_steps]  # the bot did not say it
    assert "agent Sam: Hi Maria, I'm Sam." in summary.render_text()


def test_summary_is_json_serialisable_and_renders_as_text(policy: EscalationPolicy) -> None:
    summary = summarise(funeral_flowers(), policy, FakeStore([MARIA], [WREATH]))

    data = json.loads(json.dumps(summary.to_dict()))
    text = summary.render_text()

    assert data["reasons"][0]["code"] == "high_stakes"
    assert data["customer"]["name"] == "Maria Lopez"
    assert data["order"]["items"] == ["Sympathy wreath, white lilies"]
    assert len(data["transcript"]) == 7
    for expected in (
        "Problem: Maria Lopez's flowers (ORD-10234)",
        "Why a person: bereavement with an open problem (report_missing_item) (turn 1)",
        "Customer: Maria Lopez <maria.lopez@example.com>, customer since 2023-04-02",
        "Last scan: 21 Nov 14:05, Leipzig hub: arrived at hub",
        "Stakes: bereavement, deadline Saturday 28 November (6 days)",
        '  3. anxious (conversation frustration 0.35) [has to be there]: "yes please, it has to be there by Saturday"',
        "customer: ord10234, maria.lopez@example.com",
    ):
        assert expected in text


def test_store_failure_is_noted_and_the_rest_is_still_built(policy: EscalationPolicy) -> None:
    summary = summarise(funeral_flowers(), policy, BrokenStore())

    assert summary.customer is None and summary.order is None
    assert summary.store_note == "The store could not be reached (ConnectionError); order facts are missing."
    assert len(summary.transcript) == 7
    assert summary.reasons
    assert summary.opening_line.startswith("Hi, I'm so sorry for your loss.")
    assert "The flowers (ORD" not in summary.problem  # no order facts invented
    assert summary.problem.startswith("The flowers for a funeral on Saturday 28 November")


def test_an_unverified_order_is_not_shown(policy: EscalationPolicy) -> None:
    builder = TrackerBuilder("conv-2").user(
        "where is ORD-10234?", "order_status", entities=[{"entity": "order_id", "value": "ORD-10234"}]
    )
    builder.user("get me a human", "request_human")
    store = FakeStore([MARIA], [WREATH])

    summary = summarise(builder, policy, store)

    assert summary.order is None and summary.customer is None
    assert "has not verified it is theirs" in (summary.store_note or "")
    assert ("customer", "C-0007") not in store.calls


def test_an_order_of_another_customer_is_not_shown(policy: EscalationPolicy) -> None:
    other = CustomerRecord("C-0099", "Tom de Vries", "tom@example.com", "2024-01-01")
    builder = TrackerBuilder("conv-3").user("I want a person", "request_human")
    builder.slot("customer_id", "C-0099").slot("order_id", "ORD-10234")

    summary = summarise(builder, policy, FakeStore([other], [WREATH]))

    assert summary.customer == other
    assert summary.order is None
    assert summary.store_note == "ORD-10234 belongs to a different customer; it is not shown."


def test_missing_records_and_no_store_are_noted(policy: EscalationPolicy) -> None:
    builder = TrackerBuilder("conv-4").user("person please", "request_human")
    builder.slot("customer_id", "C-404").slot("order_id", "ORD-40404")

    missing = summarise(builder, policy, FakeStore())
    without = summarise(builder, policy, None)

    assert missing.notes == [
        "Customer C-404 was not found in the store.",
        "Order ORD-40404 was not found in the store.",
    ]
    assert without.store_note == "No store connection was given; customer and order facts are not included."


def test_safety_incident_leads_with_safety(policy: EscalationPolicy) -> None:
    builder = TrackerBuilder("conv-5").user(
        "the Brewline espresso machine started smoking and burned my hand",
        "report_damaged_item",
        emotion="anxious",
        entities=[{"entity": "item", "value": "Brewline espresso machine"}],
    )
    summary = summarise(builder, policy, FakeStore())

    assert ReasonCode.RISK_SAFETY in [r.code for r in summary.reasons]
    assert summary.next_step.startswith(
        "Safety first: check nobody is hurt and ask them to stop using the Brewline espresso machine"
    )
    assert summary.opening_line.startswith("Hi, first of all, is everyone alright?")
    assert "Please stop using it for now" in summary.opening_line
    assert not ASKS_TO_REPEAT.search(summary.opening_line)


def test_failed_understanding_quotes_what_was_not_understood(policy: EscalationPolicy) -> None:
    builder = TrackerBuilder("conv-6")
    builder.user("the thingy with the code", "nlu_fallback", confidence=0.3, emotion="confused")
    builder.bot_turn("action_clarify", say=["Is this about an order or a payment?"])
    builder.user("no the other one from before", "nlu_fallback", confidence=0.3, emotion="confused")
    builder.bot_turn(
        "action_clarify",
        say=["Sorry, I didn't get that. Shall I bring in a person?"],
        slots={"pending_offer": "handoff"},
    )

    summary = summarise(builder, policy, FakeStore())

    assert summary.next_step == (
        'Work out what they need: the bot did not understand "the thingy with the code" / "no the other one from before".'
    )
    assert summary.problem == 'The customer asked for help; their last words: "no the other one from before".'
    assert "I'm sorry this has been confusing." in summary.opening_line
    assert (2, "offered", "Offered a person from the team.") in [
        (s.turn, s.kind, s.text) for s in summary.bot_steps
    ]


@pytest.mark.parametrize(
    ("intent", "text", "feelings", "expected_problem"),
    [
        ("request_human", "agent", {}, 'The customer asked for help; their last words: "agent".'),
        (
            "report_damaged_item",
            "my suitcase arrived with a cracked shell and I fly on Tuesday",
            {"stakes": "travel", "deadline": "2026-11-24", "emotion": "anxious"},
            "The suitcase for a trip on Tuesday 24 November (in 2 days) arrived damaged.",
        ),
        (
            "request_refund",
            "I want my money back for the earbuds, the left one is dead",
            {"emotion": "frustrated", "frustration": 0.6},
            "The customer wants a refund for earbuds.",
        ),
    ],
)
def test_problem_sentence_and_opening_for_other_goals(
    policy: EscalationPolicy, intent: str, text: str, feelings: dict[str, object], expected_problem: str
) -> None:
    item = {"report_damaged_item": "suitcase", "request_refund": "earbuds"}.get(intent)
    entities = [{"entity": "item", "value": item}] if item else []
    builder = TrackerBuilder("conv-7").user(text, intent, entities=entities, **feelings)

    summary = summarise(builder, policy, FakeStore())

    assert summary.problem == expected_problem
    assert not ASKS_TO_REPEAT.search(summary.opening_line)
    if item:
        assert item in summary.opening_line


def test_escalation_reason_given_by_the_caller_is_kept_verbatim() -> None:
    reason = EscalationReason(ReasonCode.REQUEST_HUMAN, "asked for a person", "person please", 5, 1)
    builder = TrackerBuilder("conv-8").user("person please", "request_human")

    summary = build_summary(builder.build(), FakeStore(), [reason], NOW)

    assert summary.reasons == [reason]
    assert summary.next_step == "Ask how you can help: they asked for a person before explaining."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ORD-10234", "ORD-10234"),
        ("ord10234", "ORD-10234"),
        ("#10234", "ORD-10234"),
        ("order 10234", "ORD-10234"),
        ("hello", None),
        (None, None),
    ],
)
def test_order_ids_are_normalised_like_the_actions_do(raw: object, expected: str | None) -> None:
    assert normalise_order_id(raw) == expected


@pytest.mark.parametrize(
    ("name", "conversation"), [(r[0], r[1]) for r in ROWS if r[2]], ids=[r[0] for r in ROWS if r[2]]
)
def test_every_escalation_in_the_table_gets_a_usable_summary(
    policy: EscalationPolicy, name: str, conversation: object
) -> None:
    """Across every escalating conversation: a problem sentence, a next step and an opening
    line that is calm (no "!"), apologises at most once and never asks to repeat anything."""
    summary = summarise(conversation(), policy, FakeStore())  # type: ignore[operator]

    line = summary.opening_line
    assert summary.problem.endswith(".") and "their order (" not in summary.problem
    assert summary.next_step
    assert not ASKS_TO_REPEAT.search(line), line
    assert "!" not in line
    assert line.lower().count("sorry") <= 1, line
    assert "the the " not in line.lower() and "the their" not in summary.problem.lower()
    assert json.loads(json.dumps(summary.to_dict()))["transcript"]


def test_an_order_number_and_its_email_given_after_the_escalation_verify_the_customer(
    policy: EscalationPolicy,
) -> None:
    """Told to a paused bot, the order number and email never reached the bot's lookup; the
    summary makes the same check, so the agent sees the customer and the order."""
    builder = TrackerBuilder("conv-4").user("where is ORD-10234?", "order_status")
    builder.user("get me a human", "request_human")
    builder.slot("order_id", "ORD-10234").slot("email", MARIA.email.upper())

    summary = summarise(builder, policy, FakeStore([MARIA], [WREATH]))

    assert summary.customer is not None and summary.customer.customer_id == MARIA.customer_id
    assert summary.order is not None and summary.order.order_id == "ORD-10234"
    assert summary.store_note is None


def test_an_order_number_with_someone_elses_email_stays_unverified(policy: EscalationPolicy) -> None:
    builder = TrackerBuilder("conv-5").user("where is ORD-10234?", "order_status")
    builder.slot("order_id", "ORD-10234").slot("email", "someone.else@example.com")

    summary = summarise(builder, policy, FakeStore([MARIA], [WREATH]))

    assert summary.order is None and summary.customer is None
    assert "has not verified it is theirs" in (summary.store_note or "")
