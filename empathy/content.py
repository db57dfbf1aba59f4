"""The designer-editable content of the empathy layer, loaded and validated.

Three YAML files in one folder (content/empathy/): `phrases.yml` (validations, recaps,
stakes clauses, acts), `rules.yml` (emotion families, intensity, stakes, step markers,
"we" language, upsell) and `banned.yml` (the safety filter). A mistake in them raises
`ContentError` naming the file and the entry, at load time rather than mid-conversation.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from re import Pattern
from typing import Any

import yaml

REGISTERS = ("any", "formal", "casual")
INTENSITIES = ("low", "medium", "high", "any")
BANNED_ACTIONS = ("remove_sentence", "replace")
WHEN_VALUES = ("always", "negative", "calm")
TEMPLATE_FIELDS = frozenset({"item", "order_id", "deadline", "event", "issue", "stakes"})


class ContentError(ValueError):
    """A content file is missing, unreadable or holds an invalid entry."""


@dataclass(frozen=True)
class Variant:
    text: str
    register: str = "any"


@dataclass(frozen=True)
class PhraseBank:
    # family -> intensity -> variants
    validations: Mapping[str, Mapping[str, tuple[Variant, ...]]]
    recaps: Mapping[str, tuple[str, ...]]
    recap_frames: Mapping[str, tuple[str, ...]]
    stakes_clauses: Mapping[str, tuple[str, ...]]
    acts: Mapping[str, tuple[str, ...]]
    missing_response: str

    def all_validations(self) -> tuple[str, ...]:
        """Every validation sentence, for recognising them in earlier bot messages."""
        return tuple(v.text for levels in self.validations.values() for vs in levels.values() for v in vs)


@dataclass(frozen=True)
class EmotionRule:
    family: str
    negative: bool


@dataclass(frozen=True)
class FastestFirst:
    within_days: int
    goals: tuple[str, ...]
    prefer: tuple[str, ...]
    leads: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class StakesRule:
    family: str | None = None
    negative: bool | None = None
    gentle: bool = False
    max_buttons: int | None = None
    simplest_path: str | None = None
    item_noun: str | None = None
    fastest_first: FastestFirst | None = None


@dataclass(frozen=True)
class Rewrite:
    pattern: Pattern[str]
    replacement: str


@dataclass(frozen=True)
class Rules:
    emotions: Mapping[str, EmotionRule]
    medium: float
    high: float
    urgent_floor: str
    carry_over_level: float
    stakes: Mapping[str, StakesRule]
    no_exclamation_families: frozenset[str]
    name_max_uses: int
    step_markers: tuple[str, ...]
    we_language: tuple[Rewrite, ...]
    upsell_markers: tuple[str, ...]
    routine_responses: tuple[str, ...] = ()
    answer_intents: tuple[str, ...] = ()
    # Emotions acknowledged in their own words once a stakes family (grief) was validated.
    fresh_feelings_after_stakes: tuple[str, ...] = ("frustrated", "anxious", "confused")
    item_words: tuple[str, ...] = ()
    apology_goals: tuple[str, ...] = ()
    apology_responses: tuple[str, ...] = ()
    # A feeling read with less confidence than this is not acknowledged (answered as calm).
    acknowledge_min_confidence: float = 0.0


@dataclass(frozen=True)
class BannedRule:
    pattern: Pattern[str]
    action: str
    when: str
    replacement: str = ""


@dataclass(frozen=True)
class SafetyContent:
    banned: tuple[BannedRule, ...]
    apologies: tuple[Pattern[str], ...]
    refusal: Pattern[str]
    alternative_markers: tuple[str, ...]
    alternative: str
    empty_fallback: str


@dataclass(frozen=True)
class EmpathyContent:
    phrases: PhraseBank
    rules: Rules
    safety: SafetyContent


def load_content(folder: Path) -> EmpathyContent:
    """Load and validate the three content files of `folder`."""
    phrases = _parse_phrases(_read(folder / "phrases.yml"))
    rules = _parse_rules(_read(folder / "rules.yml"))
    safety = _parse_safety(_read(folder / "banned.yml"))
    _check_consistency(phrases, rules)
    return EmpathyContent(phrases=phrases, rules=rules, safety=safety)


def _read(path: Path) -> _Node:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ContentError(f"{path}: cannot read ({error})") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping at the top level")
    return _Node(data, path.name)


class _Node:
    """A YAML mapping that knows where it is, for precise error messages."""

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(f"{self.where}: {key}: {problem}")

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def mapping(self, key: str, required: bool = True) -> _Node:
        value = self.data.get(key)
        if value is None and not required:
            return _Node({}, f"{self.where}.{key}")
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping")
        return _Node(value, f"{self.where}.{key}")

    def strings(self, key: str, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, "expected a list of strings")
        return tuple(value)

    def number(self, key: str, default: float | None = None) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number, got {value!r}")
        return float(value)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"expected text, got {value!r}")
        return value

    def __iter__(self) -> Iterator[str]:
        return (str(key) for key in self.data)


def _template_strings(node: _Node, key: str) -> tuple[str, ...]:
    values = node.strings(key)
    for value in values:
        unknown = _fields(value) - TEMPLATE_FIELDS
        if unknown:
            raise node.fail(key, f"unknown field(s) {sorted(unknown)} in {value!r}")
    return values


def _fields(template: str) -> frozenset[str]:
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
    except ValueError as error:
        raise ContentError(f"malformed template {template!r}: {error}") from error


def _template_map(node: _Node) -> dict[str, tuple[str, ...]]:
    return {key: _template_strings(node, key) for key in node}


def _parse_phrases(root: _Node) -> PhraseBank:
    validations: dict[str, dict[str, tuple[Variant, ...]]] = {}
    families = root.mapping("validations")
    for family in families:
        levels = families.mapping(family)
        validations[family] = {}
        for level in levels:
            if level not in INTENSITIES:
                raise levels.fail(level, f"intensity must be one of {INTENSITIES}")
            validations[family][level] = tuple(
                _variant(levels, level, raw) for raw in levels.get(level) or []
            )
    frames = root.mapping("recap_frames")
    for register in frames:
        if register not in REGISTERS:
            raise frames.fail(register, f"register must be one of {REGISTERS}")
    recaps = _template_map(root.mapping("recaps"))
    if "default" not in recaps:
        raise root.fail("recaps", "needs a `default` entry")
    acts = _template_map(root.mapping("acts"))
    if "default" not in acts:
        raise root.fail("acts", "needs a `default` entry")
    return PhraseBank(
        validations=validations,
        recaps=recaps,
        recap_frames=_template_map(frames),
        stakes_clauses=_template_map(root.mapping("stakes_clauses")),
        acts=acts,
        missing_response=root.text("missing_response"),
    )


def _variant(node: _Node, key: str, raw: Any) -> Variant:
    if isinstance(raw, str):
        variant = Variant(raw)
    elif isinstance(raw, dict) and isinstance(raw.get("text"), str):
        variant = Variant(raw["text"], str(raw.get("register", "any")))
    else:
        raise node.fail(key, f"a variant is a sentence or {{text, register}}, got {raw!r}")
    if variant.register not in REGISTERS:
        raise node.fail(key, f"register must be one of {REGISTERS}, got {variant.register!r}")
    if _fields(variant.text):
        raise node.fail(key, f"validations take no placeholders: {variant.text!r}")
    return variant


def _parse_rules(root: _Node) -> Rules:
    emotions_node = root.mapping("emotions")
    emotions = {}
    for emotion in emotions_node:
        entry = emotions_node.mapping(emotion)
        emotions[emotion] = EmotionRule(
            family=entry.text("family"), negative=bool(entry.get("negative", False))
        )
    intensity = root.mapping("intensity")
    medium, high = intensity.number("medium"), intensity.number("high")
    if not 0 <= medium <= high <= 1:
        raise intensity.fail("medium/high", "need 0 <= medium <= high <= 1")
    urgent_floor = intensity.text("urgent_floor", "low")
    if urgent_floor not in INTENSITIES:
        raise intensity.fail("urgent_floor", f"must be one of {INTENSITIES}")
    stakes_node = root.mapping("stakes", required=False)
    stakes = {name: _stakes_rule(stakes_node.mapping(name)) for name in stakes_node}
    rewrites = []
    for raw in root.get("we_language") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("pattern"), str):
            raise root.fail("we_language", f"expected {{pattern, replacement}}, got {raw!r}")
        rewrites.append(Rewrite(_regex(root, "we_language", raw["pattern"]), str(raw.get("replacement", ""))))
    return Rules(
        emotions=emotions,
        medium=medium,
        high=high,
        urgent_floor=urgent_floor,
        carry_over_level=root.number("carry_over_level", 0.5),
        stakes=stakes,
        no_exclamation_families=frozenset(root.strings("no_exclamation_families", required=False)),
        name_max_uses=int(root.mapping("name").number("max_uses", 2)),
        step_markers=tuple(marker.lower() for marker in root.strings("step_markers")),
        we_language=tuple(rewrites),
        routine_responses=root.strings("routine_responses", required=False),
        answer_intents=root.strings("answer_intents", required=False),
        fresh_feelings_after_stakes=(
            root.strings("fresh_feelings_after_stakes")
            if "fresh_feelings_after_stakes" in root.data
            else Rules.fresh_feelings_after_stakes
        ),
        item_words=tuple(w.lower() for w in root.strings("item_words", required=False)),
        apology_goals=root.mapping("apology_allowed", required=False).strings("goals", required=False),
        apology_responses=root.mapping("apology_allowed", required=False).strings(
            "responses", required=False
        ),
        upsell_markers=tuple(marker.lower() for marker in root.strings("upsell_markers", required=False)),
        acknowledge_min_confidence=root.number("acknowledge_min_confidence", 0.0),
    )


def _stakes_rule(node: _Node) -> StakesRule:
    fastest: FastestFirst | None = None
    if node.get("fastest_first") is not None:
        ff = node.mapping("fastest_first")
        leads = _template_map(ff.mapping("leads"))
        if "default" not in leads:
            raise ff.fail("leads", "needs a `default` entry")
        fastest = FastestFirst(
            within_days=int(ff.number("within_days", 7)),
            goals=ff.strings("goals"),
            prefer=tuple(word.lower() for word in ff.strings("prefer", required=False)),
            leads=leads,
        )
    negative = node.get("negative")
    max_buttons = node.get("max_buttons")
    if max_buttons is not None and (not isinstance(max_buttons, int) or max_buttons < 1):
        raise node.fail("max_buttons", "must be a positive integer")
    return StakesRule(
        family=node.get("family"),
        negative=None if negative is None else bool(negative),
        gentle=bool(node.get("gentle", False)),
        max_buttons=max_buttons,
        simplest_path=node.get("simplest_path"),
        item_noun=node.get("item_noun"),
        fastest_first=fastest,
    )


def _regex(node: _Node, key: str, pattern: str) -> Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise node.fail(key, f"invalid regular expression {pattern!r}: {error}") from error


def _parse_safety(root: _Node) -> SafetyContent:
    banned = []
    for raw in root.get("banned") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("pattern"), str):
            raise root.fail("banned", f"expected {{pattern, action, when}}, got {raw!r}")
        action, when = raw.get("action", "remove_sentence"), raw.get("when", "always")
        if action not in BANNED_ACTIONS:
            raise root.fail("banned", f"action must be one of {BANNED_ACTIONS}, got {action!r}")
        if when not in WHEN_VALUES:
            raise root.fail("banned", f"when must be one of {WHEN_VALUES}, got {when!r}")
        banned.append(
            BannedRule(_regex(root, "banned", raw["pattern"]), action, when, str(raw.get("replacement", "")))
        )
    powerless = root.mapping("powerless")
    return SafetyContent(
        banned=tuple(banned),
        apologies=tuple(_regex(root, "apologies", p) for p in root.strings("apologies")),
        refusal=_regex(powerless, "refusal", powerless.text("refusal")),
        alternative_markers=tuple(m.lower() for m in powerless.strings("alternative_markers")),
        alternative=powerless.text("alternative"),
        empty_fallback=root.text("empty_fallback"),
    )


def _check_consistency(phrases: PhraseBank, rules: Rules) -> None:
    families = {rule.family for rule in rules.emotions.values() if rule.negative}
    families |= {rule.family for rule in rules.stakes.values() if rule.family}
    for family in sorted(families):
        if family not in phrases.validations:
            raise ContentError(
                f"phrases.yml: validations: no variants for family {family!r} used in rules.yml"
            )
