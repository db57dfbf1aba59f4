"""The frozen escalation scenarios (bench/escalation/scenarios/*.yml) as typed records.

The files were written apart from the policy and are never edited to fit it (their README),
so this module only reads them. A malformed entry is refused with its file and index
rather than skipped or guessed at: every figure must count exactly the conversations the
files hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# The five reasons a good agent steps in for, as the scenario writers were told them.
REASONS = ("request", "frustration", "stakes", "repeated_failure", "risk")
EXPECTS = {"escalate": "must_escalate", "no_escalation": "must_not"}
SUPPORTED_VERSION = 1


class ScenarioError(ValueError):
    """A scenario file is malformed, or a selection names no scenario; the message says where."""


@dataclass(frozen=True)
class Scenario:
    """One scripted conversation and what should happen in it."""

    id: str
    part: str  # must_escalate | must_not
    persona: str
    why: str
    turns: tuple[str, ...]
    # Only for must_escalate: which of REASONS, and the customer turn by which a good agent
    # would have stepped in (1-based).
    reason: str | None = None
    by_turn: int | None = None

    @property
    def must_escalate(self) -> bool:
        return self.part == "must_escalate"


def load_scenarios(folder: Path) -> list[Scenario]:
    """Every scenario of every *.yml file in `folder`, files in name order, entries in file order."""
    files = sorted(folder.glob("*.yml"))
    if not files:
        raise ScenarioError(f"{folder}: no scenario files (*.yml)")
    scenarios: list[Scenario] = []
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ScenarioError(f"{path}: cannot load ({error})") from error
        if not isinstance(data, dict) or data.get("version") != SUPPORTED_VERSION:
            raise ScenarioError(f"{path}: expected `version: {SUPPORTED_VERSION}` at the top")
        entries = data.get("conversations")
        if not isinstance(entries, list):
            raise ScenarioError(f"{path}: needs a `conversations` list")
        scenarios += [_scenario(raw, f"{path.name}[{i}]") for i, raw in enumerate(entries)]
    ids = [s.id for s in scenarios]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScenarioError(f"duplicate scenario ids: {duplicates}")
    return scenarios


def _scenario(raw: Any, where: str) -> Scenario:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ScenarioError(f"{where}: a scenario needs an `id`")
    where = f"{where} ({raw['id']})"
    part = EXPECTS.get(str(raw.get("expect")))
    if part is None:
        raise ScenarioError(f"{where}: `expect` must be one of {sorted(EXPECTS)}, got {raw.get('expect')!r}")
    turns = raw.get("turns")
    if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
        raise ScenarioError(f"{where}: `turns` must be a non-empty list of messages")
    reason, by_turn = raw.get("reason"), raw.get("by_turn")
    if part == "must_escalate":
        if reason not in REASONS:
            raise ScenarioError(f"{where}: `reason` must be one of {REASONS}, got {reason!r}")
        if isinstance(by_turn, bool) or not isinstance(by_turn, int) or not 1 <= by_turn <= len(turns):
            raise ScenarioError(f"{where}: `by_turn` must be a turn number from 1 to {len(turns)}")
    elif reason is not None or by_turn is not None:
        raise ScenarioError(f"{where}: a must_not scenario has no `reason` or `by_turn`")
    return Scenario(
        id=raw["id"],
        part=part,
        persona=str(raw.get("persona", "")),
        why=str(raw.get("why", "")),
        turns=tuple(turns),
        reason=reason,
        by_turn=by_turn,
    )


def select(
    scenarios: Sequence[Scenario], only: Sequence[str] = (), limit: int | None = None
) -> list[Scenario]:
    """The scenarios to play: those named in `only` (all when empty), then at most `limit` of
    each part, spread evenly over the part so a short run still covers every reason."""
    chosen = list(scenarios)
    if only:
        known = {s.id for s in scenarios}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise ScenarioError(f"unknown scenario id(s): {unknown}")
        chosen = [s for s in chosen if s.id in set(only)]
    if limit is None:
        return chosen
    picked: list[Scenario] = []
    for part in EXPECTS.values():
        members = [s for s in chosen if s.part == part]
        count = min(limit, len(members))
        picked += [members[i * len(members) // count] for i in range(count)]
    return picked
