"""A tiny config trains the bot/ components with `rasa train` and parses with them.

Also proves the entities-vs-attributes choice: a conversation test without feelings
annotations passes `rasa test core --fail-on-prediction-errors` with the components in
the pipeline, and the order_id entity comes through untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rasa.core.test as core_test
from rasa.api import train
from rasa.core.agent import Agent, load_agent

DATA = Path(__file__).resolve().parent / "data"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    output = tmp_path_factory.mktemp("models")
    result = train(
        domain=str(DATA / "domain.yml"),
        config=str(DATA / "config.yml"),
        training_files=[str(DATA / "nlu.yml")],
        output=str(output),
        fixed_model_name="tiny",
    )
    assert result.code == 0, "training failed"
    assert result.model is not None
    yield result.model


@pytest.fixture
async def agent(model_path: str) -> Agent:
    return await load_agent(model_path=model_path)


async def test_parse_output_carries_the_feelings(agent: Agent) -> None:
    parsed = await agent.parse_message("This is the THIRD time I'm asking where order ORD-10234 is!!!")
    assert parsed["intent"]["name"] == "order_status"
    assert parsed["emotion"]["name"] == "frustrated"
    assert parsed["frustration"] >= 0.8
    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == [("order_id", "ORD-10234")]
    funeral = await agent.parse_message("the flowers for my dad's funeral on Saturday")
    assert funeral["stakes"]["name"] == "bereavement"
    assert funeral["deadline"]["expression"] == "on Saturday"
    assert funeral["urgent"] is True


async def test_conversation_tests_without_feelings_annotations_pass(agent: Agent, tmp_path: Path) -> None:
    results = await core_test.test(
        str(DATA / "test_stories.yml"),
        agent,
        out_directory=str(tmp_path),
        fail_on_prediction_errors=True,
        e2e=True,  # compares the predicted entities of each user text with the story's
        disable_plotting=True,
    )
    assert results["accuracy"] == 1.0
