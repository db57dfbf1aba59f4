"""The escalation policy file (settings/escalation.yml) as typed, validated dataclasses.

A designer edits the YAML; a mistake there must stop start-up with a message that names
the file and the key (``escalation.yml: frustration.level_threshold must be a number
between 0 and 1, got 'high'``), never silently disable a trigger. Unknown keys are errors
too, because a misspelt key would otherwise be ignored.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from handoff.escalation.text import TermMatcher, term_pattern

SUPPORTED_VERSION = 1


class ReasonCode(str, Enum):
    """Why a conversation escalates; the values appear in JSON, logs and the policy file."""

    REQUEST_HUMAN = "request_human"
    RISK_SAFETY = "risk_safety"
    RISK_LEGAL = "risk_legal"
    HIGH_STAKES = "high_stakes"
    FRUSTRATION = "frustration"
    FAILED_UNDERSTANDING = "failed_understanding"


class PolicyError(ValueError):
    """The policy file is missing, unreadable or invalid; the message says where."""


@dataclass(frozen=True)
class RequestHumanRule:
    intents: frozenset[str]
    min_confidence: float
    offer_value: str | None
    accept_intents: frozenset[str]
    phrases: tuple[str, ...]
    phrases_ignored_for_intents: frozenset[str]


@dataclass(frozen=True)
class FrustrationRule:
    level_threshold: float
    message_threshold: float | None
    resolved_intents: frozenset[str]


@dataclass(frozen=True)
class FailedUnderstandingRule:
    consecutive: int
    fallback_intents: frozenset[str]
    clarify_actions: frozenset[str]


@dataclass(frozen=True)
class OpenProblemRule:
    intents: frozenset[str]
    late_turns_open: bool


@dataclass(frozen=True)
class StakesRule:
    always: frozenset[str]
    time_sensitive: frozenset[str]
    deadline_near_days: int
    damaged_intents: frozenset[str]
    damaged_terms: tuple[str, ...]
    late_intents: frozenset[str]
    late_terms: tuple[str, ...]


@dataclass(frozen=True)
class RiskRule:
    legal: tuple[str, ...]
    safety: tuple[str, ...]


@dataclass(frozen=True)
class NegationRule:
    window: int
    words: tuple[str, ...]
    not_negating: tuple[str, ...]

    def matcher(self, terms: tuple[str, ...]) -> TermMatcher:
        return TermMatcher(terms, self.words, self.window, self.not_negating)


@dataclass(frozen=True)
class PriorityWeights:
    stakes_points: Mapping[str, float]
    frustration_points: float
    deadline_points: float
    deadline_horizon_days: int
    reason_points: Mapping[str, float]
    waiting_points_per_minute: float

    @property
    def max_static_points(self) -> float:
        """The most points an entry can have before waiting: bounds how long anyone waits
        behind newcomers (see docs/escalation.md)."""
        return (
            max(self.stakes_points.values(), default=0.0)
            + self.frustration_points
            + self.deadline_points
            + sum(self.reason_points.values())
        )


@dataclass(frozen=True)
class HighEmotionRule:
    """Which new escalations are offered first to the least-loaded agent (handoff/agents/routing.py).

    Besides these, a conversation frustration level at or above
    `frustration.level_threshold` always counts."""

    reasons: frozenset[str]
    stakes: frozenset[str]
    emotions: frozenset[str]
    min_intensity: float


@dataclass(frozen=True)
class EscalationPolicy:
    request_human: RequestHumanRule
    frustration: FrustrationRule
    failed_understanding: FailedUnderstandingRule
    open_problem: OpenProblemRule
    stakes: StakesRule
    risk: RiskRule
    negation: NegationRule
    priority: PriorityWeights
    high_emotion: HighEmotionRule


def load_policy(path: Path | str) -> EscalationPolicy:
    """Reads and validates a policy file; raises :class:`PolicyError` naming the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"cannot read escalation policy {path}: {error}") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyError(f"{path.name}: not valid YAML: {error}") from error
    return policy_from_dict(data, source=path.name)


def policy_from_dict(data: Any, source: str = "escalation policy") -> EscalationPolicy:
    """Builds a policy from already-parsed YAML (used by tests and by load_policy)."""
    root = _Section(data, source, "")
    version = root.integer("version", minimum=1)
    if version != SUPPORTED_VERSION:
        raise PolicyError(f"{source}: version {version} is not supported (expected {SUPPORTED_VERSION})")
    request = root.section("request_human")
    frustration = root.section("frustration")
    failed = root.section("failed_understanding")
    open_problem = root.section("open_problem")
    stakes = root.section("stakes")
    risk = root.section("risk")
    negation = root.section("negation")
    priority = root.section("priority")
    high_emotion = root.section("high_emotion")

    policy = EscalationPolicy(
        request_human=RequestHumanRule(
            intents=frozenset(request.names("intents")),
            min_confidence=request.fraction("min_confidence"),
            offer_value=request.optional_name("offer_value"),
            accept_intents=frozenset(request.names("accept_intents")),
            phrases=request.terms("phrases"),
            phrases_ignored_for_intents=frozenset(request.names("phrases_ignored_for_intents")),
        ),
        frustration=FrustrationRule(
            level_threshold=frustration.fraction("level_threshold"),
            message_threshold=frustration.optional_fraction("message_threshold"),
            resolved_intents=frozenset(frustration.names("resolved_intents")),
        ),
        failed_understanding=FailedUnderstandingRule(
            consecutive=failed.integer("consecutive", minimum=1),
            fallback_intents=frozenset(failed.names("fallback_intents")),
            clarify_actions=frozenset(failed.names("clarify_actions")),
        ),
        open_problem=OpenProblemRule(
            intents=frozenset(open_problem.names("intents")),
            late_turns_open=open_problem.boolean("late_turns_open"),
        ),
        stakes=StakesRule(
            always=frozenset(stakes.names("always")),
            time_sensitive=frozenset(stakes.names("time_sensitive")),
            deadline_near_days=stakes.integer("deadline_near_days", minimum=0),
            damaged_intents=frozenset(stakes.names("damaged_intents")),
            damaged_terms=stakes.terms("damaged_terms"),
            late_intents=frozenset(stakes.names("late_intents")),
            late_terms=stakes.terms("late_terms"),
        ),
        risk=RiskRule(legal=risk.terms("legal"), safety=risk.terms("safety")),
        negation=NegationRule(
            window=negation.integer("window", minimum=0),
            words=negation.terms("words"),
            not_negating=negation.terms("not_negating"),
        ),
        priority=PriorityWeights(
            stakes_points=priority.points_map("stakes_points"),
            frustration_points=priority.number("frustration_points", minimum=0),
            deadline_points=priority.number("deadline_points", minimum=0),
            deadline_horizon_days=priority.integer("deadline_horizon_days", minimum=1),
            reason_points=priority.points_map("reason_points"),
            waiting_points_per_minute=priority.number("waiting_points_per_minute", minimum=0),
        ),
        high_emotion=HighEmotionRule(
            reasons=frozenset(high_emotion.names("reasons")),
            stakes=frozenset(high_emotion.names("stakes")),
            emotions=frozenset(high_emotion.names("emotions")),
            min_intensity=high_emotion.fraction("min_intensity"),
        ),
    )
    rules = (request, frustration, failed, open_problem, stakes, risk, negation, priority, high_emotion)
    for section in (root, *rules):
        section.reject_unknown_keys()
    if policy.priority.waiting_points_per_minute <= 0:
        raise PolicyError(
            f"{source}: priority.waiting_points_per_minute must be above 0, "
            "otherwise a low-priority conversation could wait forever"
        )
    for key, reasons in (
        ("priority.reason_points", set(policy.priority.reason_points)),
        ("high_emotion.reasons", set(policy.high_emotion.reasons)),
    ):
        unknown_reasons = reasons - {code.value for code in ReasonCode}
        if unknown_reasons:
            raise PolicyError(
                f"{source}: {key} has unknown reason(s) {sorted(unknown_reasons)}; "
                f"known: {[code.value for code in ReasonCode]}"
            )
    overlap = policy.stakes.always & policy.stakes.time_sensitive
    if overlap:
        raise PolicyError(
            f"{source}: stakes {sorted(overlap)} are listed both in stakes.always and "
            "stakes.time_sensitive; pick one"
        )
    return policy


class _Section:
    """One mapping of the YAML with typed getters that raise PolicyError naming the key."""

    def __init__(self, data: Any, source: str, path: str) -> None:
        if not isinstance(data, Mapping):
            where = path or "the top level"
            raise PolicyError(f"{source}: {where} must be a mapping of keys, got {_describe(data)}")
        self._data = data
        self._source = source
        self._path = path
        self._used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def _fail(self, key: str, expected: str, value: Any) -> PolicyError:
        return PolicyError(f"{self._source}: {self._key(key)} must be {expected}, got {_describe(value)}")

    def _get(self, key: str) -> Any:
        self._used.add(key)
        if key not in self._data:
            raise PolicyError(f"{self._source}: missing required key {self._key(key)}")
        return self._data[key]

    def section(self, key: str) -> _Section:
        return _Section(self._get(key), self._source, self._key(key))

    def number(self, key: str, minimum: float | None = None) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail(key, "a number", value)
        if minimum is not None and value < minimum:
            raise self._fail(key, f"a number of at least {minimum}", value)
        return float(value)

    def integer(self, key: str, minimum: int) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._fail(key, f"a whole number of at least {minimum}", value)
        return value

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def fraction(self, key: str) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise self._fail(key, "a number between 0 and 1", value)
        return float(value)

    def optional_fraction(self, key: str) -> float | None:
        if self._data.get(key) is None:
            self._used.add(key)
            return None
        return self.fraction(key)

    def optional_name(self, key: str) -> str | None:
        value = self._data.get(key)
        self._used.add(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a name or null", value)
        return value.strip()

    def names(self, key: str) -> list[str]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self._fail(key, "a list of names", value)
        return [v.strip() for v in value]

    def terms(self, key: str) -> tuple[str, ...]:
        """A list of words/phrases, each checked to compile as a whole-word pattern."""
        value = self._get(key)
        if not isinstance(value, list):
            raise self._fail(key, "a list of words or phrases", value)
        terms: list[str] = []
        for position, item in enumerate(value):
            # YAML reads a bare no/yes/on/off as a boolean: say so instead of a vague error.
            if isinstance(item, bool):
                raise PolicyError(
                    f"{self._source}: {self._key(key)}[{position}] was read as {item} "
                    "(YAML reads a bare yes/no/on/off as true/false); put it in quotes"
                )
            if not isinstance(item, str) or not item.strip():
                raise self._fail(f"{key}[{position}]", "a non-empty word or phrase", item)
            try:
                term_pattern(item)
            except ValueError as error:
                raise PolicyError(f"{self._source}: {self._key(key)}[{position}]: {error}") from error
            terms.append(item.strip())
        return tuple(terms)

    def points_map(self, key: str) -> dict[str, float]:
        value = self._get(key)
        if not isinstance(value, Mapping):
            raise self._fail(key, "a mapping of name: points", value)
        points: dict[str, float] = {}
        for name, amount in value.items():
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
                raise self._fail(f"{key}.{name}", "a number of at least 0", amount)
            points[str(name)] = float(amount)
        return points

    def reject_unknown_keys(self) -> None:
        unknown = sorted(str(k) for k in self._data if k not in self._used)
        if unknown:
            keys = ", ".join(self._key(k) for k in unknown)
            raise PolicyError(f"{self._source}: unknown key(s) {keys} (misspelt?)")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return f"{value!r} ({type(value).__name__})"


def main(argv: list[str] | None = None) -> int:
    """``python -m handoff.escalation.policy [FILE]``: check a policy file after editing it."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path("settings/escalation.yml")
    try:
        policy = load_policy(path)
    except PolicyError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    sys.stdout.write(
        f"{path}: OK ({len(policy.risk.legal)} legal and {len(policy.risk.safety)} safety terms, "
        f"frustration threshold {policy.frustration.level_threshold}, "
        f"nobody waits more than {policy.priority.max_static_points / policy.priority.waiting_points_per_minute:g} "
        "minutes behind a newcomer)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
