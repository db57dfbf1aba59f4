"""Loading settings/escalation.yml: the shipped file is valid, and mistakes give clear errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from handoff.escalation.decision import EscalationReason, decide
from handoff.escalation.policy import PolicyError, ReasonCode, load_policy, main, policy_from_dict
from handoff.escalation.text import TermMatcher, normalise, term_pattern
from tests.handoff.test_escalation_trackers import NOW, TrackerBuilder

POLICY_FILE = Path(__file__).parents[2] / "settings" / "escalation.yml"


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))


def test_shipped_policy_loads_with_its_documented_values() -> None:
    policy = load_policy(POLICY_FILE)

    assert policy.frustration.level_threshold == 0.7
    assert policy.failed_understanding.consecutive == 2
    assert policy.stakes.always == {"bereavement", "health"}
    assert policy.stakes.time_sensitive == {"gift", "event", "work", "travel"}
    assert "request_human" in policy.request_human.intents
    assert {"chargeback", "lawyer", "legal action", "sue", "trading standards", "small claims"} <= set(
        policy.risk.legal
    )
    assert {"burned", "caught fire", "smoke", "injured", "electric shock", "allergic reaction"} <= set(
        policy.risk.safety
    )
    # "no" is a YAML boolean unless quoted; the shipped file must keep it a word.
    assert "no" in policy.negation.words


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["frustration"].update(level_threshold="high"),
            "frustration.level_threshold must be a number between 0 and 1",
        ),
        (
            lambda d: d["frustration"].update(level_threshold=1.5),
            "frustration.level_threshold must be a number between 0 and 1",
        ),
        (
            lambda d: d["failed_understanding"].update(consecutive=0),
            "failed_understanding.consecutive must be a whole number of at least 1",
        ),
        (lambda d: d["stakes"].pop("always"), "missing required key stakes.always"),
        (lambda d: d["stakes"].update(alway=["health"]), "unknown key(s) stakes.alway"),
        (lambda d: d["risk"].update(legal="lawyer"), "risk.legal must be a list of words or phrases"),
        (lambda d: d["negation"]["words"].insert(0, False), "negation.words[0] was read as False"),
        (lambda d: d["risk"]["safety"].insert(0, "  "), "risk.safety[0] must be a non-empty word or phrase"),
        (
            lambda d: d["risk"]["legal"].insert(0, "!!!"),
            "risk.legal[0]: a term needs at least one letter or digit",
        ),
        (
            lambda d: d["priority"].update(waiting_points_per_minute=0),
            "waiting_points_per_minute must be above 0",
        ),
        (lambda d: d["priority"]["reason_points"].update(angry=5), "unknown reason(s) ['angry']"),
        (
            lambda d: d["stakes"]["time_sensitive"].append("health"),
            "both in stakes.always and stakes.time_sensitive",
        ),
        (lambda d: d.update(version=2), "version 2 is not supported"),
        (lambda d: d.update(request_human=["request_human"]), "request_human must be a mapping of keys"),
    ],
)
def test_bad_policy_is_refused_with_a_message_naming_the_key(
    raw: dict[str, Any], mutate: Any, message: str
) -> None:
    broken = copy.deepcopy(raw)
    mutate(broken)

    with pytest.raises(PolicyError) as error:
        policy_from_dict(broken, source="escalation.yml")

    assert message in str(error.value)
    assert str(error.value).startswith("escalation.yml")


def test_unreadable_and_invalid_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read escalation policy"):
        load_policy(tmp_path / "missing.yml")
    bad = tmp_path / "escalation.yml"
    bad.write_text("frustration: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)
    bad.write_text("", encoding="utf-8")
    with pytest.raises(PolicyError, match="the top level must be a mapping"):
        load_policy(bad)


def test_a_designer_can_lower_the_threshold_and_it_takes_effect(raw: dict[str, Any]) -> None:
    tracker = (
        TrackerBuilder()
        .user("still waiting...", "order_status", frustration=0.5, frustration_level=0.55)
        .build()
    )
    assert not decide(tracker, policy_from_dict(raw), NOW).escalate

    raw["frustration"]["level_threshold"] = 0.5
    decision = decide(tracker, policy_from_dict(raw), NOW)

    assert decision.codes == [ReasonCode.FRUSTRATION]


@pytest.mark.parametrize(
    ("text", "affirmed"),
    [
        ("I will sue you", ["sue"]),
        ("I'll pursue it", []),
        ("suede", []),
        ("I’m not going to SUE", []),  # curly apostrophe, capitals
        ("I never said I'd sue, but now I will sue", ["sue"]),
        ("it  caught\nfire", ["caught fire"]),
        ("no smoke at all. But then: smoke!", ["smoke"]),
        ("it wasn't a fire hazard, honestly", []),
    ],
)
def test_terms_match_whole_words_and_skip_negated_ones(text: str, affirmed: list[str]) -> None:
    matcher = TermMatcher(
        ["sue", "caught fire", "smoke", "fire hazard"], ["not", "no", "never", "wasn't"], window=4
    )

    assert [m.term for m in matcher.find(text) if not m.negated] == affirmed


def test_negation_only_reaches_back_window_words() -> None:
    matcher = TermMatcher(["lawyer"], ["not"], window=2)

    assert matcher.first_affirmed("not that I would ever think of calling a lawyer") is not None
    assert matcher.first_affirmed("I'm not a lawyer") is None


def test_decision_is_json_serialisable_with_evidence() -> None:
    policy = load_policy(POLICY_FILE)
    builder = TrackerBuilder().user("hello", "greet").bot_turn("utter_greet", say=["Hi!"])
    builder.user("the lamp gave me a shock when I touched it and I want a refund", "request_refund")
    decision = decide(builder.build(), policy, NOW)

    data = json.loads(json.dumps(decision.to_dict()))

    assert data["escalate"] is True
    [reason] = data["reasons"]
    assert reason["code"] == "risk_safety"
    assert reason["turn"] == 2
    assert reason["evidence_text"] == "the lamp gave me a shock when I touched it and I want a refund"
    assert builder.events[reason["event_index"]]["text"] == reason["evidence_text"]
    assert "gave me a shock when" in reason["detail"]


def test_reasons_round_trip_through_json_and_bad_ones_are_refused() -> None:
    reason = EscalationReason(
        ReasonCode.RISK_LEGAL, 'legal or chargeback threat: "chargeback"', "a chargeback!", 7, 2
    )

    assert EscalationReason.from_dict(json.loads(json.dumps(reason.to_dict()))) == reason
    with pytest.raises(ValueError, match="bad or missing 'code'"):
        EscalationReason.from_dict({"code": "grumpy", "detail": "x"})
    with pytest.raises(ValueError, match="has no 'detail' text"):
        EscalationReason.from_dict({"code": "frustration"})


@pytest.mark.parametrize(
    "text",
    [
        "the sue's case",
        "x-sue now",
        "went to A&E after",
        "it hasn't arrived and it isn't here",
        "LAWYER!!!",
        "my lawyer's letter",
        "trading   standards",
        "charge-back",
        "nothing relevant at all",
    ],
)
def test_the_fast_word_check_never_hides_a_match(text: str) -> None:
    policy = load_policy(POLICY_FILE)
    terms = policy.risk.legal + policy.risk.safety + policy.stakes.late_terms
    matcher = TermMatcher(terms, policy.negation.words, policy.negation.window)

    brute_force = sorted(
        (m.start(), term) for term in terms for m in term_pattern(term).finditer(normalise(text))
    )

    assert sorted((m.start, m.term) for m in matcher.find(text)) == brute_force


def test_check_command_reports_ok_or_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(POLICY_FILE)]) == 0
    assert "OK (" in capsys.readouterr().out

    broken = tmp_path / "escalation.yml"
    broken.write_text(
        POLICY_FILE.read_text(encoding="utf-8").replace("level_threshold: 0.7", "level_threshold: high")
    )
    assert main([str(broken)]) == 1
    assert (
        "frustration.level_threshold must be a number between 0 and 1, got 'high'" in capsys.readouterr().err
    )
