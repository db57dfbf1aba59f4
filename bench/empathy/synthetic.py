"""Rasa-shaped NLG request bodies from scripted turns, built with Rasa's own classes.

Used by the synthetic benchmark mode and by the tests: the tracker is a real
`DialogueStateTracker`, the body comes from Rasa's `nlg_request_format`, and a reply is
recorded as Rasa records it (`create_bot_utterance`), so the NLG server sees exactly what
it would see behind a running Rasa server.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa.core.actions.action import create_bot_utterance
from rasa.core.nlg.callback import nlg_request_format
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def load_domain(path: Path) -> Domain:
    return Domain.load(str(path))


class SyntheticConversation:
    """One conversation: add user turns, ask for request bodies, record the bot's replies."""

    def __init__(self, domain: Domain, sender_id: str, start: datetime, channel: str = "rest") -> None:
        self._domain = domain
        self._sender_id = sender_id
        self._clock = start.replace(tzinfo=start.tzinfo or timezone.utc).timestamp()
        self._channel = channel
        self._events: list[Event] = [
            ActionExecuted("action_session_start", timestamp=self._tick()),
            SessionStarted(timestamp=self._tick()),
            ActionExecuted("action_listen", timestamp=self._tick()),
        ]

    def user(self, text: str, intent: str = "inform", slots: dict[str, Any] | None = None) -> None:
        """The customer says `text`; NLU classified it as `intent` and filled `slots`."""
        self._events.append(
            UserUttered(
                text,
                intent={"name": intent, "confidence": 0.95},
                parse_data={"intent": {"name": intent, "confidence": 0.95}, "entities": [], "text": text},
                timestamp=self._tick(),
            )
        )
        for name, value in (slots or {}).items():
            self._events.append(SlotSet(name, value, timestamp=self._tick()))

    def request_body(self, response: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """The body Rasa would POST to the NLG endpoint for `response` now."""
        tracker = DialogueStateTracker.from_events(
            self._sender_id, self._events, slots=self._domain.slots, domain=self._domain
        )
        return nlg_request_format(response, tracker, self._channel, **(arguments or {}))

    def record_bot(self, reply: dict[str, Any], response: str) -> None:
        """Append the bot event Rasa would create from the NLG `reply`."""
        message = dict(reply)
        message["utter_action"] = response
        event = create_bot_utterance(message)
        event.timestamp = self._tick()
        self._events.append(event)

    def _tick(self) -> float:
        self._clock += 1.0
        return self._clock
