"""Fixtures for the empathy layer: the real content, the real domain, Rasa-shaped conversations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain

from bench.empathy.synthetic import SyntheticConversation, load_domain
from empathy.content import EmpathyContent, load_content
from empathy.service import NlgRequest, NlgService
from empathy.settings import REPO_ROOT, EmpathySettings

# Friday 13 March 2026, 10:00 UTC: "tomorrow" is Saturday 14 March.
NOW = datetime(2026, 3, 13, 10, 0, tzinfo=timezone.utc)
TOMORROW = "2026-03-14"
TEST_RESPONSES = Path(__file__).parent / "responses.yml"


@pytest.fixture(scope="session")
def content() -> EmpathyContent:
    return load_content(REPO_ROOT / "content" / "empathy")


@pytest.fixture(scope="session")
def domain() -> Domain:
    return load_domain(REPO_ROOT / "domain.yml")


@pytest.fixture()
def settings() -> EmpathySettings:
    # The actions' lines (content/responses.yml), the check-ins, and a few test-only responses.
    return EmpathySettings(
        extra_response_paths=(
            TEST_RESPONSES,
            REPO_ROOT / "content" / "responses.yml",
            REPO_ROOT / "content" / "empathy" / "responses.yml",
        ),
        seed="tests",
    )


@pytest.fixture()
def service(settings: EmpathySettings) -> NlgService:
    return NlgService.from_settings(settings)


@pytest.fixture()
def conversation(domain: Domain) -> Callable[..., SyntheticConversation]:
    def make(sender_id: str = "customer-1", start: datetime = NOW) -> SyntheticConversation:
        return SyntheticConversation(domain, sender_id, start)

    return make


def say(service: NlgService, chat: SyntheticConversation, response: str, **arguments: Any) -> dict[str, Any]:
    """Ask the service for `response` now, record the reply in the chat, return the reply JSON."""
    reply = service.generate(NlgRequest.parse(chat.request_body(response, arguments))).to_json()
    chat.record_bot(reply, response)
    return reply


DAMAGED_GIFT = {
    "goal": "report_damaged_item",
    "emotion": "sad",
    "frustration": 0.3,
    "frustration_level": 0.3,
    "stakes": "gift",
    "deadline": TOMORROW,
    "urgent": True,
}
