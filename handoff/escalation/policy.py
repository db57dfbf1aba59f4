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

from handoff.escalation.text import TermMatcher, term_pattern, words_of
from shop.facts import ORDER_PROBLEMS

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
class TerseRequestRule:
    """A short message made only of words for a person ("human", "real person pls")."""

    max_words: int
    person_words: frozenset[str]
    filler_words: frozenset[str]

    def matches(self, text: str) -> bool:
        words = words_of(text)
        return (
            0 < len(words) <= self.max_words
            and any(word in self.person_words for word in words)
            and all(word in self.person_words or word in self.filler_words for word in words)
        )


@dataclass(frozen=True)
class RequestHumanRule:
    intents: frozenset[str]
    min_confidence: float
    offer_value: str | None
    accept_intents: frozenset[str]
    phrases: tuple[str, ...]
    phrases_ignored_for_intents: frozenset[str]
    # Words about someone else ("the delivery agent"): with one of them, the intent alone
    # is not a request; a request phrase or a terse request still is.
    doubtful_phrases: tuple[str, ...]
    terse: TerseRequestRule


@dataclass(frozen=True)
class StrainPoints:
    """Points each sign of strain adds for the customer turn it belongs to."""

    bot_repeated: float
    customer_repeated: float
    heard_before: float
    sarcasm: float
    exasperated: float
    negative_turn: float


@dataclass(frozen=True)
class ConversationStrainRule:
    """Frustration read from the whole conversation rather than one message."""

    window_turns: int
    threshold: float
    points: StrainPoints
    negative_streak: int
    negative_emotions: frozenset[str]
    negative_min_frustration: float
    repeatable_responses: frozenset[str]
    repeat_similarity: float
    repeat_ignore_intents: frozenset[str]
    repeat_ignore_words: frozenset[str]
    heard_before: tuple[str, ...]
    sarcasm: tuple[str, ...]
    exasperated: tuple[str, ...]


@dataclass(frozen=True)
class BigComplaintRule:
    terms: tuple[str, ...]
    needs_open_problem: bool


@dataclass(frozen=True)
class FrustrationRule:
    level_threshold: float
    message_threshold: float | None
    resolved_intents: frozenset[str]
    # The latest message reads as one of these: the level and one loud message alone do not
    # escalate (a loud but satisfied customer).
    satisfied_emotions: frozenset[str]
    conversation: ConversationStrainRule
    big_complaint: BigComplaintRule


@dataclass(frozen=True)
class FailedUnderstandingRule:
    consecutive: int
    # Misses in a row needed when none of them shows trouble (no negative turn, no sign of
    # strain or correction, no open problem, no stakes): jokes and small talk the NLU did
    # not get.
    calm_consecutive: int
    # The customer correcting the bot ("no, the other one", "that's not what I asked").
    correction_terms: tuple[str, ...]
    fallback_intents: frozenset[str]
    clarify_actions: frozenset[str]
    # Answers to one question of the bot's (the order number, the email) that did not give
    # it, counted over the conversation: this many and a person takes over. Only messages
    # with one of answer_intents (or none) count: a new question is not a failed answer.
    failed_answers: int
    answer_intents: frozenset[str]


@dataclass(frozen=True)
class OpenProblemRule:
    intents: frozenset[str]
    late_turns_open: bool
    # What the store's records say is wrong (slot order_problems) that counts as a problem.
    store_facts: frozenset[str]


@dataclass(frozen=True)
class StakesRule:
    always: frozenset[str]
    time_sensitive: frozenset[str]
    deadline_near_days: int
    damaged_intents: frozenset[str]
    damaged_terms: tuple[str, ...]
    damaged_facts: frozenset[str]
    late_intents: frozenset[str]
    late_terms: tuple[str, ...]
    late_facts: frozenset[str]


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
    terse = request.section("terse")
    frustration = root.section("frustration")
    strain = frustration.section("conversation")
    strain_points = strain.section("points")
    complaint = frustration.section("big_complaint")
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
            doubtful_phrases=request.terms("doubtful_phrases"),
            terse=TerseRequestRule(
                max_words=terse.integer("max_words", minimum=1),
                person_words=frozenset(terse.words("person_words")),
                filler_words=frozenset(terse.words("filler_words")),
            ),
        ),
        frustration=FrustrationRule(
            level_threshold=frustration.fraction("level_threshold"),
            message_threshold=frustration.optional_fraction("message_threshold"),
            resolved_intents=frozenset(frustration.names("resolved_intents")),
            satisfied_emotions=frozenset(frustration.names("satisfied_emotions")),
            conversation=ConversationStrainRule(
                window_turns=strain.integer("window_turns", minimum=1),
                threshold=strain.number("threshold", minimum=0.5),
                points=StrainPoints(
                    bot_repeated=strain_points.number("bot_repeated", minimum=0),
                    customer_repeated=strain_points.number("customer_repeated", minimum=0),
                    heard_before=strain_points.number("heard_before", minimum=0),
                    sarcasm=strain_points.number("sarcasm", minimum=0),
                    exasperated=strain_points.number("exasperated", minimum=0),
                    negative_turn=strain_points.number("negative_turn", minimum=0),
                ),
                negative_streak=strain.integer("negative_streak", minimum=2),
                negative_emotions=frozenset(strain.names("negative_emotions")),
                negative_min_frustration=strain.fraction("negative_min_frustration"),
                repeatable_responses=frozenset(strain.names("repeatable_responses")),
                repeat_similarity=strain.fraction("repeat_similarity"),
                repeat_ignore_intents=frozenset(strain.names("repeat_ignore_intents")),
                repeat_ignore_words=frozenset(strain.words("repeat_ignore_words")),
                heard_before=strain.terms("heard_before"),
                sarcasm=strain.terms("sarcasm"),
                exasperated=strain.terms("exasperated"),
            ),
            big_complaint=BigComplaintRule(
                terms=complaint.terms("terms"),
                needs_open_problem=complaint.boolean("needs_open_problem"),
            ),
        ),
        failed_understanding=FailedUnderstandingRule(
            consecutive=failed.integer("consecutive", minimum=1),
            calm_consecutive=failed.integer("calm_consecutive", minimum=1),
            correction_terms=failed.terms("correction_terms"),
            fallback_intents=frozenset(failed.names("fallback_intents")),
            clarify_actions=frozenset(failed.names("clarify_actions")),
            failed_answers=failed.integer("failed_answers", minimum=1),
            answer_intents=frozenset(failed.names("answer_intents")),
        ),
        open_problem=OpenProblemRule(
            intents=frozenset(open_problem.names("intents")),
            late_turns_open=open_problem.boolean("late_turns_open"),
            store_facts=open_problem.facts("store_facts"),
        ),
        stakes=StakesRule(
            always=frozenset(stakes.names("always")),
            time_sensitive=frozenset(stakes.names("time_sensitive")),
            deadline_near_days=stakes.integer("deadline_near_days", minimum=0),
            damaged_intents=frozenset(stakes.names("damaged_intents")),
            damaged_terms=stakes.terms("damaged_terms"),
            damaged_facts=stakes.facts("damaged_facts"),
            late_intents=frozenset(stakes.names("late_intents")),
            late_terms=stakes.terms("late_terms"),
            late_facts=stakes.facts("late_facts"),
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
    rules = (
        request,
        terse,
        frustration,
        strain,
        strain_points,
        complaint,
        failed,
        open_problem,
        stakes,
        risk,
        negation,
        priority,
        high_emotion,
    )
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
    if policy.failed_understanding.calm_consecutive < policy.failed_understanding.consecutive:
        raise PolicyError(
            f"{source}: failed_understanding.calm_consecutive must be at least "
            "failed_understanding.consecutive (calm misses never escalate sooner than troubled ones)"
        )
    both = policy.request_human.terse.person_words & policy.request_human.terse.filler_words
    if both:
        raise PolicyError(
            f"{source}: request_human.terse words {sorted(both)} are listed both as person_words "
            "and filler_words; a message of filler words alone must not count as a request"
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

    def words(self, key: str) -> list[str]:
        """A list of single words (compared with the words of a message)."""
        words: list[str] = []
        for position, term in enumerate(self.terms(key)):
            parts = words_of(term)
            if len(parts) != 1:
                raise PolicyError(
                    f"{self._source}: {self._key(key)}[{position}] must be one word, got {term!r}"
                )
            words.append(parts[0])
        return words

    def facts(self, key: str) -> frozenset[str]:
        """Names of store facts (shop.ORDER_PROBLEMS), so a typo cannot silently match nothing."""
        names = self.names(key)
        unknown = sorted(set(names) - set(ORDER_PROBLEMS))
        if unknown:
            raise PolicyError(
                f"{self._source}: {self._key(key)} has unknown store fact(s) {unknown}; "
                f"known: {list(ORDER_PROBLEMS)}"
            )
        return frozenset(names)

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
