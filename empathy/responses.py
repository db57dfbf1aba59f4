"""The plain responses designers write in domain.yml: choose a variation, fill it in.

This mirrors what Rasa's own templated generator does (channel- and condition-specific
variations first, `{placeholders}` from the action's values and the slots), because with an
NLG endpoint configured Rasa leaves that work to us.
"""

from __future__ import annotations

import copy
import logging
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

# Only identifiers are placeholders, so JSON in a button payload ('/inform{"offer_choice":"refund"}')
# passes through untouched; "{{" and "}}" are escaped braces, as in Rasa's format strings.
PLACEHOLDER = re.compile(r"(?<!{){\s*([A-Za-z_][A-Za-z0-9_]*)\s*}(?!})")


class ResponseError(ValueError):
    """The responses could not be loaded."""


@dataclass
class Draft:
    """One message before rephrasing: the fields of Rasa's NLG response format."""

    text: str | None = None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    image: str | None = None
    elements: list[dict[str, Any]] = field(default_factory=list)
    attachment: dict[str, Any] | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    missing_values: tuple[str, ...] = ()


class ResponseBank:
    """The responses of the domain (and optional extra files), by name."""

    def __init__(self, responses: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        self._responses = responses

    @classmethod
    def from_files(cls, domain_path: Path, extra_paths: Sequence[Path] = ()) -> ResponseBank:
        """Load `responses:` from the domain file (or folder) and extra files; the domain wins."""
        merged: dict[str, Sequence[Mapping[str, Any]]] = {}
        for path in [*extra_paths, domain_path]:
            merged.update(_load_responses(path))
        return cls(merged)

    def names(self) -> tuple[str, ...]:
        return tuple(self._responses)

    def __contains__(self, name: object) -> bool:
        return name in self._responses

    def render(
        self,
        name: str,
        values: Mapping[str, Any],
        channel: str | None,
        rng: random.Random,
        response_id: str | None = None,
    ) -> Draft | None:
        """The filled-in variation of `name`, or None when the response does not exist."""
        variations = self._responses.get(name)
        if not variations:
            return None
        chosen = _choose(variations, values, channel, rng, response_id)
        return _fill(copy.deepcopy(dict(chosen)), values)


def _load_responses(path: Path) -> dict[str, Sequence[Mapping[str, Any]]]:
    files = sorted(path.rglob("*.yml")) + sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    responses: dict[str, Sequence[Mapping[str, Any]]] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ResponseError(f"{file}: cannot load responses ({error})") from error
        section = data.get("responses") if isinstance(data, dict) else None
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ResponseError(f"{file}: `responses` must be a mapping")
        for name, variations in section.items():
            if not isinstance(variations, list) or not all(isinstance(v, dict) for v in variations):
                raise ResponseError(f"{file}: response {name!r} must be a list of variations")
            responses[str(name)] = variations
    return responses


def _choose(
    variations: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
    channel: str | None,
    rng: random.Random,
    response_id: str | None,
) -> Mapping[str, Any]:
    if response_id is not None:
        for variation in variations:
            if variation.get("id") == response_id:
                return variation
    usable = [v for v in variations if v.get("channel") in (None, channel) and _conditions_hold(v, values)]
    # Like Rasa: a variation that matches a channel or condition beats a generic one.
    specific = [v for v in usable if v.get("channel") or v.get("condition")]
    pool = specific or usable or list(variations)
    return pool[rng.randrange(len(pool))]


def _conditions_hold(variation: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    for condition in variation.get("condition") or []:
        is_slot = isinstance(condition, dict) and condition.get("type") == "slot"
        if is_slot and values.get(str(condition.get("name"))) != condition.get("value"):
            return False
    return True


def _fill(variation: dict[str, Any], values: Mapping[str, Any]) -> Draft:
    missing: list[str] = []

    def fill_text(text: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            key = match.group(1).strip()
            value = values.get(key)
            if value is None:
                missing.append(key)
                return match.group(0)
            return str(value)

        return PLACEHOLDER.sub(substitute, text).replace("{{", "{").replace("}}", "}")

    def fill(node: Any) -> Any:
        if isinstance(node, str):
            return fill_text(node)
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        return node

    draft = Draft(
        text=fill(variation["text"]) if isinstance(variation.get("text"), str) else None,
        buttons=fill(variation.get("buttons") or []),
        image=variation.get("image"),
        elements=fill(variation.get("elements") or []),
        attachment=variation.get("attachment"),
        custom=fill(variation.get("custom") or {}),
    )
    draft.missing_values = tuple(dict.fromkeys(missing))
    return draft
