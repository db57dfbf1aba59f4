"""What the bot can do next when a person hands a conversation back, read from domain.yml.

The console offers only these, and `resolve` refuses anything else with a clear error
instead of a Rasa 404 after the conversation has already changed hands.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handoff.errors import InvalidInput

logger = logging.getLogger(__name__)

# Plumbing intents a person would never choose as the bot's next step.
HIDDEN_INTENTS = frozenset({"nlu_fallback", "inform", "affirm", "deny"})


@dataclass(frozen=True)
class NextStepChoice:
    type: str  # "intent" | "action" | "none"
    name: str | None
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "label": self.label}


# Preferred default handback steps, first one the domain has wins: a neutral "what next?".
DEFAULT_ACTIONS = ("utter_anything_else", "utter_no_pending_offer")


class NextStepCatalog:
    def __init__(self, intents: frozenset[str], actions: frozenset[str]) -> None:
        self.intents = intents
        self.actions = actions

    @classmethod
    def from_domain(cls, path: Path) -> NextStepCatalog:
        """Read intents, responses and custom actions; an unreadable domain allows any name."""
        try:
            domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            logger.warning("cannot read %s (%s); next steps are not checked", path, error)
            return cls(frozenset(), frozenset())
        intents = frozenset(
            next(iter(item)) if isinstance(item, dict) else str(item) for item in domain.get("intents") or []
        )
        actions = frozenset(domain.get("responses") or {}) | frozenset(domain.get("actions") or [])
        return cls(intents, actions)

    def default(self) -> NextStepChoice:
        """What the bot does at handback when the agent does not choose."""
        for name in DEFAULT_ACTIONS:
            if name in self.actions:
                return NextStepChoice("action", name, "Ask what the customer would like to do next")
        return NextStepChoice("none", None, "Nothing: wait for the customer")

    def choices(self) -> list[NextStepChoice]:
        """The default first, then "nothing", custom actions and intents."""
        default = self.default()
        listed = [default]
        if default.type != "none":
            listed.append(NextStepChoice("none", None, "Nothing: wait for the customer"))
        listed += [
            # Agents read "Bot action: order status", not the Python name behind it.
            NextStepChoice("action", name, f"Bot action: {name.removeprefix('action_').replace('_', ' ')}")
            for name in sorted(self.actions)
            if name.startswith("action_") and not name.startswith("action_ask_")
        ]
        listed += [
            NextStepChoice("intent", name, f"Continue as if the customer said: {name.replace('_', ' ')}")
            for name in sorted(self.intents - HIDDEN_INTENTS)
        ]
        return listed

    def check(self, kind: str, name: str | None) -> None:
        """Refuse a next step the bot does not know (no check when the domain was unreadable)."""
        if kind == "intent" and self.intents and name not in self.intents:
            raise InvalidInput(f"the bot has no intent {name!r}")
        if kind == "action" and self.actions and name not in self.actions:
            raise InvalidInput(f"the bot has no action or response {name!r}")
