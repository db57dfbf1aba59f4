"""Honest failures, settings file validation, and the action server's registry."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor

from actions.changes import ActionCheckAddressChange
from actions.offers import ActionAcceptOffer
from actions.orders import ActionOrderStatus
from actions.services import build_services
from shop.settings import REPO_ROOT, ShopSettings
from shop.settings_files import MakeItRightBudget, SettingsFileError, SetupGuides
from tests.actions.harness import make_tracker, run
from tests.store.demo_store import services_on

# Actions other engineers own (feelings, empathy); everything else in domain.yml is ours.
OTHER_ENGINEERS_ACTIONS = {"action_validate_slot_mappings"}
OTHER_ENGINEERS_MODULES = {"feelings.py"}
SLOTS = {"order_id": "ORD-10003", "email": "sofia.rossi@example.com"}


@pytest.fixture
def broken_services(tmp_path: Path) -> Any:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database" * 100)
    return services_on(broken)


async def test_database_failure_gets_an_honest_answer_and_is_logged(
    broken_services: Any, domain: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    tracker = make_tracker(domain, slots=SLOTS, sender_id="conv-42")
    outcome = await run(ActionOrderStatus(broken_services), tracker, domain)
    assert outcome.responses == ["utter_something_went_wrong"]
    assert outcome.said[0].values == {"task": "check on your order"}
    assert outcome.events == []
    assert "Action action_order_status failed in conversation conv-42" in caplog.text


async def test_failures_keep_the_dialogue_contract(broken_services: Any, domain: dict[str, Any]) -> None:
    check = await run(ActionCheckAddressChange(broken_services), make_tracker(domain, slots=SLOTS), domain)
    assert check.events == [SlotSet("order_changeable", False)]
    accept = await run(
        ActionAcceptOffer(broken_services),
        make_tracker(domain, slots={**SLOTS, "pending_offer": "refund"}, intent="affirm"),
        domain,
    )
    assert accept.events == [SlotSet("offer_choice", None), SlotSet("pending_offer", None)]
    assert accept.responses == ["utter_something_went_wrong"]


async def test_bad_settings_file_is_an_honest_failure_too(tmp_path: Path, domain: dict[str, Any]) -> None:
    bad = tmp_path / "make_it_right.yml"
    bad.write_text("currency: EUR\nmax_automatic_refund: lots\n", encoding="utf-8")
    settings = ShopSettings.from_env(
        {"STORE_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}", "MAKE_IT_RIGHT_FILE": str(bad)}
    )
    with pytest.raises(SettingsFileError, match=r"unknown keys|must be"):
        build_services(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency: EUR\nmax_automatic_refnd: 10\n", "unknown keys"),
        ("- a list\n", "expected a mapping"),
        ("currency: [\n", "not valid YAML"),
    ],
)
def test_budget_file_errors_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "budget.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsFileError, match=message):
        MakeItRightBudget.load(path)


def test_budget_amount_must_be_a_number(tmp_path: Path) -> None:
    shipped = yaml.safe_load((REPO_ROOT / "settings" / "make_it_right.yml").read_text(encoding="utf-8"))
    shipped["max_store_credit"] = "plenty"
    path = tmp_path / "budget.yml"
    path.write_text(yaml.safe_dump(shipped), encoding="utf-8")
    with pytest.raises(SettingsFileError, match="'max_store_credit' must be an amount"):
        MakeItRightBudget.load(path)


def test_shipped_settings_files_load() -> None:
    budget = MakeItRightBudget.load(REPO_ROOT / "settings" / "make_it_right.yml")
    assert budget.max_automatic_refund_cents == 25000
    assert budget.max_automatic_remedies_per_30_days == 2
    guides = SetupGuides.load(REPO_ROOT / "settings" / "setup_guides.yml")
    assert guides.find("wifi router")
    assert guides.find("Wi-Fi router").family == "router"  # type: ignore[union-attr]
    assert guides.find("robot vacuum").family == "robot_vacuum"  # type: ignore[union-attr]
    assert guides.find("toaster") is None


def test_settings_resolve_relative_paths_against_the_repo() -> None:
    settings = ShopSettings.from_env({})
    assert settings.store_database_url == f"sqlite:///{REPO_ROOT / 'var' / 'store.db'}"
    assert settings.make_it_right_file == REPO_ROOT / "settings" / "make_it_right.yml"
    assert (
        ShopSettings.from_env({"STORE_DATABASE_URL": "postgresql://u@h/db"}).store_database_url
        == "postgresql://u@h/db"
    )


def test_every_domain_action_is_registered(domain: dict[str, Any]) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    ours = set(domain["actions"]) - OTHER_ENGINEERS_ACTIONS
    assert ours <= set(executor.actions), sorted(ours - set(executor.actions))


def test_every_response_the_actions_send_exists(domain: dict[str, Any]) -> None:
    sent = set()
    for path in (REPO_ROOT / "actions").glob("*.py"):
        if path.name in OTHER_ENGINEERS_MODULES:
            continue
        sent |= set(re.findall(r'"(utter_[a-z_]+)"', path.read_text(encoding="utf-8")))
    sent.discard("utter_action")  # the metadata key, not a response
    # The check-in's lines belong to the empathy layer's own responses.
    empathy_lines = yaml.safe_load((REPO_ROOT / "content" / "empathy" / "responses.yml").read_text())
    known = set(domain["responses"]) | set(empathy_lines["responses"])
    assert sent <= known, sorted(sent - known)


def test_responses_avoid_empty_phrases(domain: dict[str, Any]) -> None:
    banned = ("check your email", "received your inquiry", "as per our policy", "have a great day")
    for name, variants in domain["responses"].items():
        for variant in variants:
            assert not any(b in variant.get("text", "").lower() for b in banned), name
