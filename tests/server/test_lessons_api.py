"""GET /api/lessons: the lessons as the page receives them, and that a client can apply one
over /ws exactly as served (configure, compare, speed) and train it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from nn_playground.protocol import CLIENT_MESSAGE, Error, Settings, SettingsChange
from nn_playground.teaching.lessons import LESSONS, Lessons, lesson_settings
from tests.server.client_helpers import Conversation, strict_json


def lessons(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/api/lessons")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    Lessons.model_validate_json(response.text)
    served: list[dict[str, Any]] = strict_json(response.text)["lessons"]
    return served


def changes_in(lesson: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        lesson["settings"],
        *lesson["compare"],
        *([lesson["try_next"]] if "try_next" in lesson else []),
    ]


def test_every_lesson_is_served_in_teaching_order(client: TestClient) -> None:
    served = lessons(client)
    assert [lesson["id"] for lesson in served] == [lesson.id for lesson in LESSONS]
    for lesson, original in zip(served, LESSONS, strict=True):
        whole = lesson.pop("whole_settings")
        assert lesson == original.model_dump(mode="json", exclude_none=True)
        # The whole settings it trains, so that the page fills in no defaults of its own.
        assert whole == lesson_settings(original).model_dump(mode="json")
        assert 2 <= len(lesson["explanation"]) <= 4
        assert set(lesson["hidden_controls"]) < set(Settings.model_fields)


def test_settings_list_only_what_a_lesson_changes(client: TestClient) -> None:
    """No field arrives as null: what is served is what a client sends back."""
    for lesson in lessons(client):
        for change in changes_in(lesson):
            assert None not in change.values(), lesson["id"]
            SettingsChange.model_validate_json(json.dumps(change))


def test_a_served_lesson_is_valid_client_messages(client: TestClient) -> None:
    for lesson in lessons(client):
        configure = {"type": "configure", "settings": lesson["whole_settings"]}
        messages = [
            configure,
            {"type": "compare", "models": lesson["compare"]},
            {"type": "speed", "epochs_per_frame": lesson["epochs_per_frame"]},
        ]
        for message in messages:
            CLIENT_MESSAGE.validate_json(json.dumps(message))


def test_a_lesson_applied_over_the_websocket_trains(
    client: TestClient, conversation: Conversation
) -> None:
    """The restarts lesson (five seeds, the most models) as the page would open it."""
    lesson = next(lesson for lesson in lessons(client) if lesson["id"] == "random-restarts")
    conversation.start()
    conversation.send({"type": "configure", "settings": lesson["whole_settings"]})
    conversation.send({"type": "compare", "models": lesson["compare"]})
    conversation.send({"type": "speed", "epochs_per_frame": lesson["epochs_per_frame"]})
    conversation.send({"type": "step", "epochs": 2 * lesson["epochs_per_frame"]})
    frame = conversation.frame_where(
        lambda frame: frame.revision >= conversation.changes and frame.epoch > 0
    )
    assert len(frame.header.models) == len(lesson["compare"]) == 5
    assert all(model.epoch == 2 * lesson["epochs_per_frame"] for model in frame.header.models)
    assert frame.header.models[0].hidden == lesson["settings"]["hidden"]
    assert not any(isinstance(message, Error) for message in conversation.received)


def test_openapi_documents_the_route(client: TestClient) -> None:
    route = client.get("/openapi.json").json()["paths"]["/api/lessons"]["get"]
    assert route["summary"]
    schema = route["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/Lessons")
