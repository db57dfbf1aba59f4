"""One NLG request in, one rephrased message out: the protocol-independent core of the server."""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from empathy.content import EmpathyContent, load_content
from empathy.conversation import (
    EMPATHY_METADATA_KEY,
    ConversationView,
    TrackerFormatError,
    read_tracker,
)
from empathy.memory import TurnMemory
from empathy.rephraser import Rephraser
from empathy.responses import Draft, ResponseBank
from empathy.safety import Tone
from empathy.settings import EmpathySettings

logger = logging.getLogger(__name__)


class RequestError(ValueError):
    """The request body does not follow Rasa's NLG request format."""


@dataclass(frozen=True)
class NlgRequest:
    """Rasa's NLG request body (rasa/core/nlg/callback.py: `nlg_request_format`)."""

    response: str
    arguments: Mapping[str, Any]
    tracker: Mapping[str, Any]
    channel: str | None = None
    response_id: str | None = None

    @classmethod
    def parse(cls, body: Any) -> NlgRequest:
        if not isinstance(body, Mapping):
            raise RequestError("the body must be a JSON object")
        response = body.get("response") or body.get("template")  # `template` in Rasa 1.x/2.x
        if not isinstance(response, str) or not response:
            raise RequestError("`response` (the name of the domain response) is required")
        arguments = body.get("arguments") or {}
        tracker = body.get("tracker") or {}
        channel = body.get("channel") or {}
        if not isinstance(arguments, Mapping):
            raise RequestError("`arguments` must be an object")
        if not isinstance(tracker, Mapping):
            raise RequestError("`tracker` must be an object")
        if not isinstance(channel, Mapping):
            raise RequestError('`channel` must be an object like {"name": "rest"}')
        response_id = body.get("id")
        return cls(
            response=response,
            arguments=arguments,
            tracker=tracker,
            channel=channel.get("name") if isinstance(channel.get("name"), str) else None,
            response_id=response_id if isinstance(response_id, str) else None,
        )


@dataclass(frozen=True)
class NlgReply:
    """Rasa's NLG response format, plus our metadata (Rasa stores it in the bot event)."""

    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    image: str | None = None
    elements: list[dict[str, Any]] = field(default_factory=list)
    attachment: dict[str, Any] | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    empathy: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": self.buttons,
            "image": self.image,
            "elements": self.elements,
            "attachment": self.attachment,
            "custom": self.custom,
            EMPATHY_METADATA_KEY: self.empathy,
        }


class NlgService:
    """Renders a domain response and passes it through the rephraser and the safety filter."""

    def __init__(self, responses: ResponseBank, content: EmpathyContent, settings: EmpathySettings) -> None:
        self._responses = responses
        self._content = content
        self._rephraser = Rephraser(content)
        self._memory = TurnMemory(settings.turn_memory_size)
        self._settings = settings

    @classmethod
    def from_settings(cls, settings: EmpathySettings) -> NlgService:
        responses = ResponseBank.from_files(settings.domain_path, settings.extra_response_paths)
        return cls(responses, load_content(settings.content_dir), settings)

    @property
    def response_count(self) -> int:
        return len(self._responses.names())

    def generate(self, request: NlgRequest) -> NlgReply:
        """The message for `request`; raises `RequestError` only for a malformed tracker."""
        try:
            view = read_tracker(request.tracker, self._settings.timezone_offset_hours)
        except TrackerFormatError as error:
            raise RequestError(str(error)) from error
        turn = self._memory.get(view.turn_key)
        rng = self._rng(view.sender_id, view.turn_index, request.response, turn.messages)
        turn.messages += 1
        values = {**view.slots, **request.arguments}
        draft = self._responses.render(request.response, values, request.channel, rng, request.response_id)
        if draft is None:
            logger.error(
                "empathy.unknown_response response=%s sender=%s: not in the domain or extra responses",
                request.response,
                view.sender_id,
            )
            draft = Draft(text=self._content.phrases.missing_response)
        if draft.missing_values:
            logger.warning(
                "empathy.missing_values response=%s sender=%s values=%s",
                request.response,
                view.sender_id,
                ",".join(draft.missing_values),
            )
        try:
            rephrased = self._rephraser.rephrase(
                draft, view, request.arguments, rng=rng, turn=turn, response=request.response
            )
        except Exception:
            # Rephrasing must never cost the customer the message: send the plain one.
            logger.exception(
                "empathy.rephrase_failed response=%s sender=%s", request.response, view.sender_id
            )
            return self._plain(draft, view, request.response)
        return NlgReply(
            text=rephrased.text,
            buttons=rephrased.buttons,
            image=draft.image,
            elements=draft.elements,
            attachment=draft.attachment,
            custom=draft.custom,
            empathy={"response": request.response, **rephrased.metadata()},
        )

    def _plain(self, draft: Draft, view: ConversationView, response: str) -> NlgReply:
        text = draft.text
        if text is not None:
            try:
                tone = self._rephraser.tone(self._rephraser.feeling(view, response))
            except Exception:
                tone = Tone()  # the feeling could not be read: the "always" rules still hold
            try:
                text = self._rephraser.safety.apply(text, tone).text
            except Exception:
                logger.exception("empathy.safety_failed response=%s", response)
        return NlgReply(
            text=text,
            buttons=draft.buttons,
            image=draft.image,
            elements=draft.elements,
            attachment=draft.attachment,
            custom=draft.custom,
            empathy={"plain": True},
        )

    def _rng(self, sender_id: str, turn_index: int, response: str, message_index: int) -> random.Random:
        # hashlib, not hash(): Python salts str hashes per process, which would break replay.
        key = f"{self._settings.seed}|{sender_id}|{turn_index}|{response}|{message_index}"
        return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))
