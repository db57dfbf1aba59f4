"""Acknowledge → recap → act: adapts a plain response to how the customer feels.

The rephraser never invents facts: the recap only uses what the tracker and the action's
values hold (order, item, occasion, deadline), and the act is the designer's response
itself, with a phrase-bank step added only when the response has none.
"""

from __future__ import annotations

import fnmatch
import logging
import random
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from empathy.content import EmpathyContent, FastestFirst, StakesRule, Variant
from empathy.conversation import ConversationView
from empathy.memory import TurnState
from empathy.responses import Draft
from empathy.safety import SafetyFilter, Tone
from empathy.wording import detect_register, occasion_phrase, parse_deadline, relative_date

logger = logging.getLogger(__name__)

ITEM_KEYS = ("item", "item_name", "items", "product")
NAME_KEYS = ("customer_name", "first_name")
LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class Feeling:
    """How the customer feels this turn, in the phrase bank's terms."""

    emotion: str
    family: str
    negative: bool
    intensity: str
    stakes: str
    stakes_rule: StakesRule
    carried: bool = False  # an earlier feeling that still colours a neutral answer

    @property
    def gentle(self) -> bool:
        return self.stakes_rule.gentle


@dataclass(frozen=True)
class Facts:
    """The specifics a recap may name; None when unknown."""

    goal: str | None
    item: str | None
    order_id: str | None
    deadline: date | None
    deadline_phrase: str | None
    days_left: int | None
    event: str | None

    def fields(self) -> dict[str, str]:
        values = {
            "item": self.item,
            "order_id": self.order_id,
            "deadline": self.deadline_phrase,
            "event": self.event,
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Rephrased:
    text: str | None
    buttons: list[dict[str, Any]]
    feeling: Feeling
    register: str
    validation: str | None = None
    parts: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()

    def metadata(self) -> dict[str, Any]:
        """Recorded in the bot event so later turns know what was said."""
        return {
            "validation": self.validation,
            "family": self.feeling.family,
            "intensity": self.feeling.intensity,
            "stakes": self.feeling.stakes,
            "register": self.register,
            "parts": list(self.parts),
            "filtered": list(self.changes),
        }


@dataclass
class _Composer:
    """The pieces of one reply, in the order the customer reads them."""

    parts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str, text: str | None) -> None:
        if text:
            self.parts.append((kind, text.strip()))

    def text(self) -> str:
        return " ".join(text for _, text in self.parts)

    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind, _ in self.parts)


class Rephraser:
    """Rephrases drafts with the phrase bank and rules of `content`."""

    def __init__(self, content: EmpathyContent) -> None:
        self._content = content
        self._safety = SafetyFilter(content.safety)
        self._known_validations = tuple(sorted(set(content.phrases.all_validations()), key=len, reverse=True))

    @property
    def safety(self) -> SafetyFilter:
        return self._safety

    def feeling(self, view: ConversationView, response: str = "") -> Feeling:
        """Read the emotion, intensity and stakes slots into a `Feeling`."""
        rules = self._content.rules
        if _matches(response, rules.routine_responses):
            return Feeling("neutral", "neutral", False, "low", "none", StakesRule())
        emotion = _text(view.slot("emotion")) or "neutral"
        if view.emotion_confidence is not None and view.emotion_confidence < rules.acknowledge_min_confidence:
            # Too unsure to tell a customer how they feel: answer them as calm.
            emotion = "neutral"
        stakes = _text(view.slot("stakes")) or "none"
        stakes_rule = rules.stakes.get(stakes, StakesRule())
        rule = rules.emotions.get(emotion) or rules.emotions.get("neutral")
        family, negative = (rule.family, rule.negative) if rule else ("neutral", False)
        carried = False
        if stakes_rule.negative and not negative:
            # The stakes alone make it serious: validate once, then stay gentle without repeating.
            negative = True
            carried = any(m.validation for m in view.bot_messages)
        level = _number(view.slot("frustration_level"))
        if not negative and level >= rules.carry_over_level:
            earlier = self._last_negative_emotion(view.emotion_history)
            if earlier is not None:
                still_pushing = level >= rules.high and (view.intent or "") not in rules.answer_intents
                family, negative, carried = rules.emotions[earlier].family, True, not still_pushing
        if negative and stakes_rule.family:
            # Once the stakes were acknowledged (condolences), a new frustration, worry or
            # confusion is acknowledged in its own words rather than with more grief wording.
            fresh = emotion in rules.fresh_feelings_after_stakes and not carried
            if not (fresh and self._family_validated(view, stakes_rule.family)):
                family = stakes_rule.family
        return Feeling(
            emotion=emotion,
            family=family,
            negative=negative,
            intensity=self._intensity(view, family),
            stakes=stakes,
            stakes_rule=stakes_rule,
            carried=carried,
        )

    def rephrase(
        self,
        draft: Draft,
        view: ConversationView,
        arguments: Mapping[str, Any],
        *,
        rng: random.Random,
        turn: TurnState,
        response: str = "",
    ) -> Rephrased:
        """Adapt `draft` (of domain response `response`) to the conversation.

        `turn` records what this turn has said so far and is updated.
        """
        feeling = self.feeling(view, response)
        register = detect_register(view.user_texts)
        # Buttons we may reorder or trim: the response's own and an action's `choices` value.
        # An action's `buttons` value is appended by Rasa after our reply, out of our reach,
        # but still counts as offering the customer a concrete choice.
        buttons = [*draft.buttons, *_button_list(arguments.get("choices"))]
        offers_choice = bool(buttons) or bool(_button_list(arguments.get("buttons")))
        if draft.text is None:
            return Rephrased(None, buttons, feeling, register)
        base = self._we_language(draft.text)
        facts = self._facts(view, arguments, feeling)
        composer = _Composer()
        validation: str | None = None
        first_in_turn = not view.replied_this_turn and not turn.acknowledged and not turn.recapped
        # A feeling carried over from earlier (or stakes already acknowledged) keeps the tone
        # gentle but is not validated, recapped or acted on again: the customer just answered.
        speaks_to_feeling = feeling.negative and first_in_turn and not feeling.carried
        if speaks_to_feeling:
            validation = self._validation(feeling, register, view, rng, turn)
            composer.add("acknowledge", self._with_name(validation, view, arguments, feeling, turn))
            composer.add("recap", self._recap(facts, feeling, register, base, rng))
            simplest = feeling.stakes_rule.simplest_path if feeling.gentle else None
            said = [m.text for m in view.bot_messages] + [validation or ""]
            if simplest and not any(_shares_phrase(simplest, text) for text in said):
                composer.add("simplest_path", simplest)
        # The fastest fix comes first whenever the stakes and the date call for it, whatever
        # the mood of this particular message.
        fastest = self._fastest_first(feeling, facts)
        if fastest is not None:
            leads = fastest.leads.get(facts.goal or "") or fastest.leads["default"]
            # Said once per conversation, never to a happy customer, not when the reply
            # already offers the express option itself.
            lead_already_said = any(lead in m.text for m in view.bot_messages for lead in leads)
            if (
                first_in_turn
                and not lead_already_said
                and feeling.emotion != "positive"
                and "express" not in base.lower()
            ):
                composer.add("fastest_first", _pick(leads, rng))
            buttons = _prefer_buttons(buttons, fastest.prefer)
        # Our acknowledgement already says sorry: the designer's opening apology would double it.
        composer.add("response", _without_opening_apology(base) if validation else base)
        if speaks_to_feeling and not offers_choice and not self._has_step(base):
            acts = self._content.phrases.acts.get(facts.goal or "") or self._content.phrases.acts["default"]
            composer.add("act", _pick(acts, rng))
        if feeling.gentle and feeling.stakes_rule.max_buttons is not None:
            buttons = buttons[: feeling.stakes_rule.max_buttons]
        turn.acknowledged = turn.acknowledged or validation is not None
        turn.recapped = turn.recapped or "recap" in composer.kinds()
        filtered = self._safety.apply(composer.text(), self.tone(feeling, facts.goal, response))
        return Rephrased(
            text=filtered.text,
            buttons=buttons,
            feeling=feeling,
            register=register,
            validation=validation,
            parts=composer.kinds(),
            changes=filtered.changes,
        )

    def tone(self, feeling: Feeling, goal: str | None = None, response: str = "") -> Tone:
        """The safety filter's limits for a reply to someone who feels `feeling`."""
        rules = self._content.rules
        about_a_problem = (goal or "") in rules.apology_goals or _matches(response, rules.apology_responses)
        return Tone(
            upset=feeling.negative,
            calm=not feeling.negative,
            no_apology=not feeling.negative and not about_a_problem,
            no_exclamation=feeling.negative
            and (feeling.family in rules.no_exclamation_families or feeling.gentle),
            upsell_markers=rules.upsell_markers if feeling.gentle else (),
        )

    # --- feeling -------------------------------------------------------------------------

    def _last_negative_emotion(self, history: Sequence[str]) -> str | None:
        for emotion in reversed(history):
            rule = self._content.rules.emotions.get(emotion)
            if rule is not None and rule.negative:
                return emotion
        return None

    def _intensity(self, view: ConversationView, family: str) -> str:
        rules = self._content.rules
        level = max(_number(view.slot("frustration")), _number(view.slot("frustration_level")))
        intensity = "high" if level >= rules.high else "medium" if level >= rules.medium else "low"
        if view.slot("urgent") is True and family in ("worry", "disappointment"):
            floor = rules.urgent_floor if rules.urgent_floor in LEVELS else "low"
            intensity = max(intensity, floor, key=LEVELS.index)
        return intensity

    # --- acknowledge ---------------------------------------------------------------------

    def _validation(
        self, feeling: Feeling, register: str, view: ConversationView, rng: random.Random, turn: TurnState
    ) -> str | None:
        levels = self._content.phrases.validations.get(feeling.family, {})
        used = self._used_validations(view) | turn.validations
        # Nearest intensity first, the customer's register first; never a used sentence.
        order = [
            feeling.intensity,
            "any",
            *sorted(LEVELS, key=lambda lvl: abs(LEVELS.index(lvl) - _level_index(feeling.intensity))),
        ]
        for strict_register in (True, False):
            for level in dict.fromkeys(order):
                pool = [
                    v.text
                    for v in levels.get(level, ())
                    if _fits(v, register, strict_register) and v.text not in used
                ]
                if pool:
                    chosen = _pick(pool, rng)
                    turn.validations.add(chosen)
                    return chosen
        logger.info("empathy.validations_exhausted family=%s sender=%s", feeling.family, view.sender_id)
        return None

    def _family_validated(self, view: ConversationView, family: str) -> bool:
        """Whether an earlier bot message already carried a validation of `family`."""
        texts = {v.text for vs in self._content.phrases.validations.get(family, {}).values() for v in vs}
        return bool(texts & self._used_validations(view))

    def _used_validations(self, view: ConversationView) -> set[str]:
        used = {m.validation for m in view.bot_messages if m.validation}
        # Messages sent without our metadata (e.g. before this server ran) are matched by text.
        for message in view.bot_messages:
            lowered = message.text.lower()
            used.update(v for v in self._known_validations if v.lower() in lowered)
        return used

    def _with_name(
        self,
        validation: str | None,
        view: ConversationView,
        arguments: Mapping[str, Any],
        feeling: Feeling,
        turn: TurnState,
    ) -> str | None:
        full_name = _first_text(arguments, view.slots, NAME_KEYS)
        if not validation or not full_name:
            return validation
        name = full_name.split()[0]  # "Mia Dubois" from the store: we say "Mia"
        pattern = re.compile(rf"\b{re.escape(name)}\b")
        uses = sum(len(pattern.findall(m.text)) for m in view.bot_messages) + turn.name_uses
        # The name opens the first acknowledgement; a second use only when things are serious.
        if uses >= self._content.rules.name_max_uses or (
            uses > 0 and feeling.intensity != "high" and not feeling.gentle
        ):
            return validation
        turn.name_uses += 1
        return f"{name}, {_lower_first(validation)}"

    # --- recap ---------------------------------------------------------------------------

    def _facts(self, view: ConversationView, arguments: Mapping[str, Any], feeling: Feeling) -> Facts:
        deadline = parse_deadline(view.slot("deadline"))
        stakes_rule = feeling.stakes_rule
        return Facts(
            goal=_text(view.slot("goal")) or view.intent,
            item=_first_text(arguments, view.slots, ITEM_KEYS)
            or self._customers_word_for_it(view)
            or stakes_rule.item_noun,
            order_id=_order_id(arguments, view.slots),
            deadline=deadline,
            deadline_phrase=relative_date(deadline, view.today) if deadline else None,
            days_left=(deadline - view.today).days if deadline else None,
            event=occasion_phrase(view.user_texts),
        )

    def _customers_word_for_it(self, view: ConversationView) -> str | None:
        words = set(re.findall(r"[a-z]+", " ".join(view.user_texts).lower()))
        return next((w for w in self._content.rules.item_words if w in words), None)

    def _recap(
        self, facts: Facts, feeling: Feeling, register: str, base: str, rng: random.Random
    ) -> str | None:
        phrases = self._content.phrases
        known = facts.fields()
        if _mentions_all(base, known):
            return None
        issue = _first_fitting(phrases.recaps.get(facts.goal or "") or phrases.recaps["default"], known)
        if issue is None:
            return None
        clauses = phrases.stakes_clauses.get(feeling.stakes) or phrases.stakes_clauses.get("none", ("",))
        stakes = _first_fitting(clauses, known) or ""
        frames = [*phrases.recap_frames.get("any", ()), *phrases.recap_frames.get(register, ())]
        frame = _pick(frames, rng) if frames else "{issue}{stakes}."
        return frame.format(issue=issue.format(**known), stakes=stakes.format(**known))

    def _fastest_first(self, feeling: Feeling, facts: Facts) -> FastestFirst | None:
        fastest = feeling.stakes_rule.fastest_first
        if fastest is None or (facts.goal or "") not in fastest.goals or facts.days_left is None:
            return None
        return fastest if 0 <= facts.days_left <= fastest.within_days else None

    # --- act -----------------------------------------------------------------------------

    def _has_step(self, text: str) -> bool:
        lowered = f" {text.lower()} "
        # A question to the customer moves the case on too (which order, shall I, is there...).
        return "?" in text or any(marker in lowered for marker in self._content.rules.step_markers)

    def _we_language(self, text: str) -> str:
        for rewrite in self._content.rules.we_language:
            text = rewrite.pattern.sub(rewrite.replacement, text)
        return text


def _button_list(value: Any) -> list[dict[str, Any]]:
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


OPENING_APOLOGY = re.compile(
    r"^((?:you're right,? and )?)(?:i'm|i am|we're|we are) (?:so |really |very |truly )?sorry\b[:,]?\s*(?:that\s+)?",
    re.IGNORECASE,
)


def _shares_phrase(a: str, b: str, words: int = 4) -> bool:
    """Whether `a` and `b` share a run of `words` words: saying it twice reads as a script."""

    def runs(text: str) -> set[tuple[str, ...]]:
        tokens = re.findall(r"[a-z']+", text.lower())
        return {tuple(tokens[i : i + words]) for i in range(len(tokens) - words + 1)}

    return bool(runs(a) & runs(b))


def _without_opening_apology(text: str) -> str:
    stripped = OPENING_APOLOGY.sub(lambda m: m.group(1), text, count=1)
    return stripped[:1].upper() + stripped[1:] if stripped != text else text


def _first_fitting(templates: Sequence[str], known: Mapping[str, str]) -> str | None:
    for template in templates:
        needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        if needed <= known.keys():
            return template
    return None


def _mentions_all(text: str, known: Mapping[str, str]) -> bool:
    lowered = text.lower()
    specifics = [known[key].lower() for key in ("order_id", "item") if key in known]
    if "deadline" in known:
        specifics.append(known["deadline"].split(", ")[-1].lower())
    return bool(specifics) and all(value in lowered for value in specifics)


def _prefer_buttons(buttons: list[dict[str, Any]], prefer: Sequence[str]) -> list[dict[str, Any]]:
    def rank(button: dict[str, Any]) -> int:
        label = f"{button.get('title', '')} {button.get('payload', '')}".lower()
        return 0 if any(word in label for word in prefer) else 1

    return sorted(buttons, key=rank)


def _fits(variant: Variant, register: str, strict: bool) -> bool:
    if variant.register == "any":
        return True
    return not strict or variant.register == register


def _level_index(intensity: str) -> int:
    return LEVELS.index(intensity) if intensity in LEVELS else 0


def _pick(options: Sequence[str], rng: random.Random) -> str:
    return options[rng.randrange(len(options))]


def _lower_first(sentence: str) -> str:
    if sentence.startswith(("I ", "I'")):
        return sentence
    return sentence[:1].lower() + sentence[1:]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


ORDER_ID = re.compile(r"^ORD-\d{5}$", re.IGNORECASE)


def _order_id(arguments: Mapping[str, Any], slots: Mapping[str, Any]) -> str | None:
    # Actions fill `order_id` with wording like "your order" when none is known yet: only a
    # real order number (docs/dialogue-contract.md: ORD-12345) is worth naming in a recap.
    for source in (arguments, slots):
        value = _text(source.get("order_id"))
        if value and ORDER_ID.match(value):
            return value.upper()
    return None


def _first_text(arguments: Mapping[str, Any], slots: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for source in (arguments, slots):
        for key in keys:
            value = _text(source.get(key))
            if value:
                return value
    return None
