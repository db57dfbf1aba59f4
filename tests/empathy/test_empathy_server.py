"""The NLG endpoint through the real aiohttp app, with the bodies Rasa really sends."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestServer
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from empathy.content import ContentError
from empathy.rephraser import Rephraser
from empathy.settings import EmpathySettings
from nlg.server import create_app
from tests.empathy.conftest import DAMAGED_GIFT


@pytest.fixture()
async def client(aiohttp_client, settings):
    return await aiohttp_client(create_app(settings))


async def test_health_reports_the_loaded_responses(client):
    response = await client.get("/health")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["responses"] >= 10


async def test_rasa_shaped_body_gets_a_valid_rephrased_reply(client, conversation):
    chat = conversation()
    chat.user(
        "my order arrived smashed and it was my daughter's birthday present, the party is tomorrow",
        "report_damaged_item",
        DAMAGED_GIFT,
    )
    response = await client.post("/nlg", json=chat.request_body("utter_ask_order_id"))
    assert response.status == 200
    reply = await response.json()
    # Rasa validates every NLG reply against this schema before using it.
    assert CallbackNaturalLanguageGenerator.validate_response(reply)
    assert "tomorrow, Saturday 14 March" in reply["text"]
    assert reply["empathy"]["validation"] in reply["text"]


async def test_buttons_and_values_are_filled(client, conversation):
    chat = conversation()
    chat.user("it's broken", "report_damaged_item", {"emotion": "neutral", "order_id": "ORD-10234"})
    body = chat.request_body("utter_test_damaged_offer", {"item": "lamp", "amount": "25.00 EUR"})
    reply = await (await client.post("/nlg", json=body)).json()
    assert (
        reply["text"]
        == "I can send a new lamp for order ORD-10234, or refund 25.00 EUR. Which would you prefer?"
    )
    assert reply["buttons"][0] == {"title": "Refund 25.00 EUR", "payload": '/inform{"offer_choice":"refund"}'}


async def test_the_root_path_works_too(client, conversation):
    chat = conversation()
    chat.user("hi", "greet", {"emotion": "neutral"})
    response = await client.post("/", json=chat.request_body("utter_greet"))
    assert response.status == 200
    assert (await response.json())["text"].startswith("Hi! I'm the shop's support assistant.")


async def test_invalid_json_is_a_clear_400(client):
    response = await client.post("/nlg", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "not valid JSON" in (await response.json())["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"tracker": {}}, "`response`"),
        ({"response": "utter_greet", "arguments": [1]}, "`arguments`"),
        ({"response": "utter_greet", "tracker": "x"}, "`tracker`"),
        ({"response": "utter_greet", "tracker": {"events": "nope"}}, "tracker.events"),
    ],
)
async def test_malformed_requests_are_rejected_with_the_reason(client, body, message):
    response = await client.post("/nlg", json=body)
    assert response.status == 400
    assert message in (await response.json())["error"]


async def test_unknown_response_gets_an_honest_message_not_silence(client, conversation):
    chat = conversation()
    chat.user("hello", "greet", {"emotion": "neutral"})
    reply = await (await client.post("/nlg", json=chat.request_body("utter_does_not_exist"))).json()
    assert reply["text"].startswith("I couldn't put that answer together just now.")


async def test_a_failing_rephraser_returns_the_plain_response(client, conversation, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Rephraser, "rephrase", explode)
    chat = conversation()
    chat.user("where is it?!", "order_status", {"emotion": "frustrated", "frustration": 0.8})
    reply = await (await client.post("/nlg", json=chat.request_body("utter_test_robotic"))).json()
    # Plain, but still through the safety filter.
    assert reply["text"] == "Refunds take 5 days."
    reply = await (await client.post("/nlg", json=chat.request_body("utter_test_cheerful"))).json()
    # ... with the upset customer's limits: no cheer, no exclamation marks.
    assert reply["text"] == "Your order is on its way."
    assert reply["empathy"] == {"plain": True}
    assert "empathy.rephrase_failed" in caplog.text


async def test_rasa_callback_generator_talks_to_the_server(aiohttp_server, settings, domain):
    """Rasa's own NLG client against our server: the protocol as Rasa speaks it."""
    server: TestServer = await aiohttp_server(create_app(settings))
    generator = CallbackNaturalLanguageGenerator(EndpointConfig(url=str(server.make_url("/nlg"))))
    tracker = DialogueStateTracker.from_dict(
        "rasa-client",
        [
            {"event": "action", "name": "action_listen", "timestamp": 1773396000.0},
            {
                "event": "user",
                "text": "thanks, that was quick!",
                "timestamp": 1773396001.0,
                "parse_data": {"intent": {"name": "thank", "confidence": 0.99}, "entities": []},
            },
            {"event": "slot", "name": "emotion", "value": "positive", "timestamp": 1773396001.5},
        ],
        domain.slots,
    )
    reply = await generator.generate("utter_thank", tracker, "rest", domain_responses=domain.responses)
    assert reply["text"] == "You're welcome. Is there anything else I can help with?"
    json.dumps(reply)


async def test_bad_content_stops_the_server_at_start(tmp_path):
    (tmp_path / "phrases.yml").write_text("validations: [not, a, mapping]\n")
    (tmp_path / "rules.yml").write_text("{}\n")
    (tmp_path / "banned.yml").write_text("{}\n")
    with pytest.raises(ContentError, match=r"phrases\.yml: validations: expected a mapping"):
        create_app(EmpathySettings(content_dir=tmp_path))
