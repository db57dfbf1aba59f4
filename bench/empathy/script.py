"""The scripted conversations of the benchmark (bench/empathy/conversations/*.yml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FEELINGS = ("negative", "neutral", "positive")


class ScriptError(ValueError):
    """A conversation file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class BotCall:
    """Synthetic mode: one message the bot would send (a domain response and its values)."""

    response: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    user: str
    feeling: str  # the script's ground truth: negative | neutral | positive
    specific: tuple[str, ...]  # any of these in the reply counts as naming the issue
    routine: bool  # a calm, routine message: the reply must not apologise
    intent: str = "inform"
    slots: dict[str, Any] = field(default_factory=dict)
    bot: tuple[BotCall, ...] = ()


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    turns: tuple[Turn, ...]
    metadata: dict[str, Any] = field(default_factory=dict)


def load_conversations(folder: Path) -> list[Conversation]:
    """Every conversation of every *.yml file in `folder`, in file order."""
    conversations: list[Conversation] = []
    files = sorted(folder.glob("*.yml"))
    if not files:
        raise ScriptError(f"{folder}: no conversation files (*.yml)")
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ScriptError(f"{path}: cannot load ({error})") from error
        for index, raw in enumerate(data.get("conversations") or []):
            conversations.append(_conversation(raw, f"{path.name}[{index}]"))
    ids = [c.id for c in conversations]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ScriptError(f"duplicate conversation ids: {sorted(duplicates)}")
    return conversations


def _conversation(raw: Any, where: str) -> Conversation:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ScriptError(f"{where}: a conversation needs an `id`")
    turns = raw.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ScriptError(f"{where} ({raw['id']}): needs a non-empty `turns` list")
    return Conversation(
        id=raw["id"],
        title=str(raw.get("title", raw["id"])),
        turns=tuple(_turn(t, f"{where}.turns[{i}]") for i, t in enumerate(turns)),
        metadata=dict(raw.get("metadata") or {}),
    )


def _turn(raw: Any, where: str) -> Turn:
    if not isinstance(raw, dict) or not isinstance(raw.get("user"), str):
        raise ScriptError(f"{where}: a turn needs a `user` message")
    feeling = raw.get("feeling", "neutral")
    if feeling not in FEELINGS:
        raise ScriptError(f"{where}: feeling must be one of {FEELINGS}, got {feeling!r}")
    synthetic = raw.get("synthetic") or {}
    bot = []
    for call in synthetic.get("bot") or []:
        if isinstance(call, str):
            bot.append(BotCall(call))
        elif isinstance(call, dict) and isinstance(call.get("response"), str):
            bot.append(BotCall(call["response"], dict(call.get("args") or {})))
        else:
            raise ScriptError(f"{where}: synthetic.bot entries are response names or {{response, args}}")
    if feeling == "negative" and not raw.get("specific"):
        raise ScriptError(f"{where}: a negative turn must list `specific` words (what the reply should name)")
    return Turn(
        user=raw["user"],
        feeling=feeling,
        specific=tuple(str(s) for s in raw.get("specific") or ()),
        routine=bool(raw.get("routine", feeling != "negative")),
        intent=str(synthetic.get("intent", "inform")),
        slots=dict(synthetic.get("slots") or {}),
        bot=tuple(bot),
    )
