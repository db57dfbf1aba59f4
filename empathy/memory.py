"""What the NLG server said earlier in the current turn.

Rasa asks for every message of one action run before it records any of them in the
tracker, so an action that sends two messages would otherwise get two acknowledgements.
The tracker stays the source of truth across turns; this bounded map only bridges the
messages of one turn, and forgetting it (a restart) costs at most one extra
acknowledgement.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class TurnState:
    messages: int = 0
    acknowledged: bool = False
    recapped: bool = False
    name_uses: int = 0
    validations: set[str] = field(default_factory=set)


class TurnMemory:
    """A least-recently-used map from a turn key to its `TurnState`."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._turns: OrderedDict[str, TurnState] = OrderedDict()

    def get(self, turn_key: str) -> TurnState:
        state = self._turns.pop(turn_key, None) or TurnState()
        self._turns[turn_key] = state
        while len(self._turns) > self._capacity:
            self._turns.popitem(last=False)
        return state

    def __len__(self) -> int:
        return len(self._turns)
