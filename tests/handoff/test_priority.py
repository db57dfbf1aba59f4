"""Queue priority: the documented formula, its ordering, and that nothing starves."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from handoff.escalation.decision import decide
from handoff.escalation.policy import PriorityWeights, load_policy
from handoff.escalation.priority import PriorityInputs, QueueItem, rank, score
from tests.handoff.test_escalation_trackers import NOW, TrackerBuilder

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"


@pytest.fixture(scope="module")
def weights() -> PriorityWeights:
    return load_policy(POLICY_FILE).priority


def test_score_adds_up_the_documented_parts(weights: PriorityWeights) -> None:
    inputs = PriorityInputs(
        stakes="bereavement",
        frustration_level=0.6,
        deadline="2026-11-24",
        reasons=("high_stakes", "request_human"),
    )

    result = score(inputs, weights, NOW, waiting_seconds=300)

    # docs/escalation.md, example 1: 30 + 25 x 0.6 + 25 x (1 - 2/7) + 5 + 2 x 5 minutes
    assert result.stakes == 30
    assert result.frustration == pytest.approx(15)
    assert result.deadline == pytest.approx(25 * (1 - 2 / 7))
    assert result.reasons == 5
    assert result.waiting == pytest.approx(10)
    assert result.total == pytest.approx(30 + 15 + 17.857 + 5 + 10, abs=0.01)


@pytest.mark.parametrize(
    ("deadline", "points"),
    [
        ("2026-11-21", 25.0),
        ("2026-11-22", 25.0),
        ("2026-11-25", 25 * (1 - 3 / 7)),
        ("2026-11-29", 0.0),
        ("2027-01-01", 0.0),
        (None, 0.0),
        ("soon", 0.0),
    ],
)
def test_deadline_points_fall_from_today_to_the_horizon(
    weights: PriorityWeights, deadline: str | None, points: float
) -> None:
    assert score(PriorityInputs(deadline=deadline), weights, NOW, 0).deadline == pytest.approx(points)


def test_out_of_range_and_unknown_inputs_are_bounded(weights: PriorityWeights) -> None:
    wild = PriorityInputs(stakes="pets", frustration_level=7.0, reasons=("unknown",))

    result = score(wild, weights, NOW, waiting_seconds=-60)

    assert result.stakes == 0
    assert result.frustration == weights.frustration_points
    assert result.reasons == 0
    assert result.waiting == 0


def test_queue_order_by_need_then_waiting_time(weights: PriorityWeights) -> None:
    calm = QueueItem("calm", PriorityInputs(reasons=("request_human",)), NOW - timedelta(minutes=3))
    funeral = QueueItem(
        "funeral",
        PriorityInputs(stakes="bereavement", deadline="2026-11-23", reasons=("high_stakes",)),
        NOW - timedelta(minutes=1),
    )
    fire = QueueItem("fire", PriorityInputs(frustration_level=0.4, reasons=("risk_safety",)), NOW)
    twin = QueueItem("twin", PriorityInputs(reasons=("request_human",)), NOW - timedelta(minutes=3))

    ranked = rank([calm, fire, twin, funeral], weights, NOW)

    assert [r.item.conversation_id for r in ranked] == ["funeral", "fire", "calm", "twin"]
    assert [r.position for r in ranked] == [1, 2, 3, 4]


def test_nobody_starves_waiting_overtakes_any_newcomer(weights: PriorityWeights) -> None:
    """A calm customer is ahead of even the most urgent newcomer once they have waited
    max_static_points / waiting_points_per_minute minutes longer (62.5 minutes as shipped)."""
    bound = timedelta(minutes=weights.max_static_points / weights.waiting_points_per_minute)
    worst_newcomer = PriorityInputs(
        stakes="bereavement",
        frustration_level=1.0,
        deadline="2026-11-22",
        reasons=tuple(weights.reason_points),
    )
    calm = QueueItem("calm", PriorityInputs(), NOW - bound - timedelta(seconds=1))
    newcomer = QueueItem("newcomer", worst_newcomer, NOW)

    assert bound == timedelta(minutes=62.5)
    assert [r.item.conversation_id for r in rank([newcomer, calm], weights, NOW)] == ["calm", "newcomer"]


def test_inputs_come_from_the_tracker_and_survive_json(weights: PriorityWeights) -> None:
    policy = load_policy(POLICY_FILE)
    tracker = (
        TrackerBuilder()
        .user(
            "the flowers for my dad's funeral on Saturday haven't arrived",
            "report_missing_item",
            emotion="sad",
            frustration=0.3,
            frustration_level=0.25,
            stakes="bereavement",
            deadline="2026-11-28",
        )
        .build()
    )
    inputs = PriorityInputs.from_tracker(tracker, decide(tracker, policy, NOW))

    restored = PriorityInputs.from_dict(json.loads(json.dumps(inputs.to_dict())))

    assert restored == inputs == PriorityInputs("bereavement", 0.25, "2026-11-28", ("high_stakes",))
    assert PriorityInputs.from_dict({"frustration_level": "high", "reasons": "x"}) == PriorityInputs()
    assert score(restored, weights, NOW, 0).to_dict()["total"] == pytest.approx(
        30 + 6.25 + 25 * (1 - 6 / 7), abs=0.01
    )


def test_the_other_documented_examples(weights: PriorityWeights) -> None:
    fire = PriorityInputs(frustration_level=0.4, reasons=("risk_safety",))
    calm = PriorityInputs(reasons=("request_human",))

    assert score(fire, weights, NOW, 0).total == pytest.approx(40)
    assert score(calm, weights, NOW, 180).total == pytest.approx(11)
    assert score(calm, weights, NOW, 40 * 60).total == pytest.approx(85)
