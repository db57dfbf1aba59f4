"""The Rasa components: config validation, training, persist/load round trip, process."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException, RasaException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components import EmotionClassifier, StakesDeadlineExtractor

# The shipped defaults: the acceptance phrases are checked on the model rasa train builds.
FAST: dict[str, Any] = {}
FIXED_NOW = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc)  # a Wednesday


def _config(**overrides: Any) -> dict[str, Any]:
    return {**EmotionClassifier.get_default_config(), **FAST, **overrides}


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model-storage"))


@pytest.fixture(scope="module")
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture(scope="module")
def trained(storage: LocalModelStorage, context: ExecutionContext) -> EmotionClassifier:
    component = EmotionClassifier.create(_config(), storage, Resource("emotion"), context)
    component.train(TrainingData())
    return component


def _parse(component: Any, text: str, metadata: dict[str, Any] | None = None) -> Message:
    message = Message(data={"text": text, "metadata": metadata or {}})
    component.process([message])
    return message


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"epochs": 0}, "'epochs' must be an integer"),
        ({"epochs": "ten"}, "'epochs' must be an integer"),
        ({"dropout": 1.5}, "'dropout' must be a number"),
        ({"hash_dim": True}, "'hash_dim' must be an integer"),
        ({"learning_rat": 0.1}, "unknown config keys ['learning_rat']"),
        ({"training_data": ""}, "'training_data' must be a file path"),
        ({"problem_intents": "complaint"}, "'problem_intents' must be a list of intent names"),
    ],
)
def test_bad_emotion_config_is_a_clear_error(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidConfigException, match=reason.replace("[", r"\[").replace("]", r"\]")):
        EmotionClassifier.validate_config(_config(**overrides))


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"timezone": "Mars/Olympus"}, "not a known IANA time zone"),
        ({"urgent_within_days": -1}, "'urgent_within_days' must be an integer"),
        ({"day_first_dates": "yes"}, "'day_first_dates' must be true or false"),
        ({"urgent_days": 3}, "unknown config keys"),
    ],
)
def test_bad_context_config_is_a_clear_error(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidConfigException, match=reason):
        StakesDeadlineExtractor.validate_config({**StakesDeadlineExtractor.get_default_config(), **overrides})


def test_missing_training_file_fails_training_clearly(
    storage: LocalModelStorage, context: ExecutionContext, tmp_path: Path
) -> None:
    config = _config(training_data=str(tmp_path / "nope.yml"))
    component = EmotionClassifier.create(config, storage, Resource("missing"), context)
    with pytest.raises(InvalidConfigException, match="does not exist"):
        component.train(TrainingData())


def test_training_file_without_every_emotion_is_rejected(
    storage: LocalModelStorage, context: ExecutionContext, tmp_path: Path
) -> None:
    path = tmp_path / "few.yml"
    path.write_text("examples:\n  neutral: [hello]\n  positive: [thanks]\n", encoding="utf-8")
    component = EmotionClassifier.create(_config(training_data=str(path)), storage, Resource("few"), context)
    with pytest.raises(InvalidConfigException, match="no examples for"):
        component.train(TrainingData())


def test_acceptance_phrases(trained: EmotionClassifier) -> None:
    angry = _parse(trained, "This is the THIRD time I'm asking where order ORD-10234 is!!!")
    assert angry.get("emotion")["name"] == "frustrated"
    assert angry.get("frustration") >= 0.8
    assert "caps:THIRD" in angry.get("feelings_evidence")
    calm = _parse(trained, "I'm not upset, just curious when it comes")
    assert calm.get("emotion")["name"] in ("neutral", "positive")
    assert calm.get("frustration") < 0.2
    sad = _parse(trained, "the flowers for my dad's funeral on Saturday")
    assert sad.get("emotion")["name"] == "sad"


def test_a_problem_report_is_never_read_as_happy(trained: EmotionClassifier) -> None:
    # Occasion words make the text itself read as happy; the intent says something broke.
    text = "the lovely birthday present for my wonderful daughter, we are so happy and excited"
    happy = _parse(trained, text)
    assert happy.get("emotion")["name"] == "positive"
    report = Message(data={"text": text, "intent": {"name": "report_damaged_item", "confidence": 0.9}})
    trained.process([report])
    emotion = report.get("emotion")
    assert emotion["name"] != "positive"
    others = {k: v for k, v in emotion["scores"].items() if k != "positive"}
    assert emotion["name"] == max(others, key=others.__getitem__)
    assert emotion["confidence"] == others[emotion["name"]]
    thanks = Message(data={"text": text, "intent": {"name": "thank", "confidence": 0.9}})
    trained.process([thanks])
    assert thanks.get("emotion")["name"] == "positive"


def test_attributes_are_output_properties(trained: EmotionClassifier) -> None:
    message = _parse(trained, "where is my order")
    output = message.as_dict(only_output_properties=True)
    assert set(output) >= {"emotion", "frustration", "feelings_evidence"}
    assert abs(sum(output["emotion"]["scores"].values()) - 1.0) < 1e-3


def test_button_payloads_and_empty_text_are_neutral(trained: EmotionClassifier) -> None:
    for text in ("/affirm", "", "   "):
        message = _parse(trained, text)
        assert message.get("emotion")["name"] == "neutral"
        assert message.get("frustration") == 0.0


def test_persist_load_round_trip(
    trained: EmotionClassifier, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    loaded = EmotionClassifier.load(_config(), storage, Resource("emotion"), context)
    for text in ("I'm worried it won't come in time", "thanks, all sorted!", "WHY IS IT LATE"):
        assert _parse(loaded, text).get("emotion") == _parse(trained, text).get("emotion")
        assert _parse(loaded, text).get("frustration") == _parse(trained, text).get("frustration")


def test_weights_from_another_featurizer_are_refused_at_load(
    trained: EmotionClassifier, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    # The same weights read through a featurizer of another size (as after a change to the
    # features or a lexicon package without retraining) must not silently mislabel.
    with pytest.raises(RasaException, match="retrain with `make train`"):
        EmotionClassifier.load(_config(hash_dim=1024), storage, Resource("emotion"), context)


def test_load_without_a_trained_resource_tags_neutral(
    storage: LocalModelStorage, context: ExecutionContext
) -> None:
    loaded = EmotionClassifier.load(_config(), storage, Resource("never-trained"), context)
    assert _parse(loaded, "I am furious!!!").get("emotion")["name"] == "neutral"


def test_fingerprint_changes_with_the_training_file(tmp_path: Path) -> None:
    path = tmp_path / "examples.yml"
    path.write_text("examples: {neutral: [hi]}\n", encoding="utf-8")
    before = EmotionClassifier.fingerprint_addon(_config(training_data=str(path)))
    path.write_text("examples: {neutral: [hello]}\n", encoding="utf-8")
    assert EmotionClassifier.fingerprint_addon(_config(training_data=str(path))) != before


def _extractor(**overrides: Any) -> StakesDeadlineExtractor:
    config = {**StakesDeadlineExtractor.get_default_config(), **overrides}
    return StakesDeadlineExtractor(config, clock=lambda: FIXED_NOW)


def test_stakes_and_deadline_attributes() -> None:
    message = _parse(_extractor(), "the flowers for my dad's funeral on Saturday")
    assert message.get("stakes") == {
        "name": "bereavement",
        "families": ["bereavement"],
        "evidence": {"bereavement": ["funeral"]},
    }
    assert message.get("deadline") == {
        "date": "2026-11-21",
        "expression": "on Saturday",
        "days_left": 3,
    }
    assert message.get("urgent") is True


def test_no_stakes_no_deadline() -> None:
    message = _parse(_extractor(), "where is my order")
    assert message.get("stakes")["name"] == "none"
    assert message.get("deadline") is None
    assert message.get("urgent") is False


def test_message_time_from_metadata_overrides_the_clock() -> None:
    message = _parse(_extractor(), "tomorrow please", {"message_time": "2026-12-31T09:00:00+00:00"})
    assert message.get("deadline")["date"] == "2027-01-01"
    epoch = _parse(_extractor(), "tomorrow please", {"message_time": 1_767_225_600})  # 2026-01-01
    assert epoch.get("deadline")["date"] == "2026-01-02"


def test_bad_message_time_falls_back_to_the_clock(caplog: pytest.LogCaptureFixture) -> None:
    message = _parse(_extractor(), "tomorrow please", {"message_time": "not a time"})
    assert message.get("deadline")["date"] == "2026-11-19"
    assert "Ignoring metadata message_time" in caplog.text


def test_timezone_decides_the_customer_day() -> None:
    late_evening = datetime(2026, 11, 18, 23, 30, tzinfo=timezone.utc)
    extractor = StakesDeadlineExtractor(
        {**StakesDeadlineExtractor.get_default_config(), "timezone": "Europe/Berlin"},
        clock=lambda: late_evening,
    )
    # 23:30 UTC is already Thursday in Berlin, so "tomorrow" is Friday.
    assert _parse(extractor, "tomorrow").get("deadline")["date"] == "2026-11-20"


def test_fingerprint_accepts_the_config_of_a_cached_node() -> None:
    # Rasa's training hook passes {"output": ...} when the node was served from cache.
    assert EmotionClassifier.fingerprint_addon({"output": object()})
