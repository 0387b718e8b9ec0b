"""GET /api/config and the OpenAPI documents: everything the page builds its controls from."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from nn_playground.edge.app import create_app
from nn_playground.engine import limits
from nn_playground.engine.config import (
    Activation,
    DatasetName,
    Decay,
    Init,
    Loss,
    Optimizer,
    RegressionOutput,
)
from nn_playground.options import ServerOptions
from nn_playground.protocol import (
    KEEP_WEIGHTS,
    PALETTE,
    REGENERATE,
    REINITIALISE,
    ConfigDescription,
    Limits,
    Settings,
)
from tests.server.client_helpers import strict_json


def config(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/config")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = strict_json(response.text)
    ConfigDescription.model_validate_json(response.text)
    return body


def resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with a $ref (direct, or of its items) followed."""
    if "$ref" in spec:
        return resolve(schema, schema["$defs"][spec["$ref"].split("/")[-1]])
    return spec


def choices(schema: dict[str, Any], name: str) -> list[str]:
    spec = resolve(schema, schema["properties"][name])
    if spec.get("type") == "array":
        spec = resolve(schema, spec["items"])
    enum: list[str] = spec["enum"]
    return enum


def test_schema_lists_every_choice(client: TestClient) -> None:
    schema = config(client)["settings_schema"]
    assert choices(schema, "activations") == [a.value for a in Activation]
    assert choices(schema, "optimizer") == [o.value for o in Optimizer]
    assert choices(schema, "dataset") == [d.value for d in DatasetName]
    assert choices(schema, "loss") == [loss.value for loss in Loss]
    assert choices(schema, "init") == [i.value for i in Init]
    assert choices(schema, "decay") == [d.value for d in Decay]
    assert choices(schema, "regression_output") == [r.value for r in RegressionOutput]
    assert choices(schema, "features") == list(Limits().features)
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(Settings.model_fields)


def test_defaults_are_the_protocol_defaults(client: TestClient) -> None:
    body = config(client)
    assert Settings.model_validate_json(json.dumps(body["defaults"])) == Settings()
    for name, spec in body["settings_schema"]["properties"].items():
        if "default" in spec:
            assert spec["default"] == body["defaults"][name], name


def test_bounds_are_in_the_schema(client: TestClient) -> None:
    properties = config(client)["settings_schema"]["properties"]
    assert properties["learning_rate"]["minimum"] == 1e-05
    assert properties["learning_rate"]["maximum"] == 10
    assert properties["n_points"]["minimum"] == 10
    assert properties["n_points"]["maximum"] == 1000
    assert properties["noise"] == {**properties["noise"], "minimum": 0, "maximum": 1}
    assert properties["momentum"]["exclusiveMaximum"] == 1
    assert properties["hidden"]["maxItems"] == Limits().max_hidden_layers
    assert properties["hidden"]["items"]["maximum"] == Limits().max_neurons
    assert properties["dropout"]["items"]["maximum"] == 0.9
    numeric = [
        name for name, spec in properties.items() if spec.get("type") in ("number", "integer")
    ]
    assert numeric
    for name in numeric:
        spec = properties[name]
        assert "minimum" in spec or "exclusiveMinimum" in spec, name
        assert "maximum" in spec or "exclusiveMaximum" in spec, name


def test_limits_and_effects(client: TestClient) -> None:
    body = config(client)
    assert body["limits"] == Limits().model_dump()
    assert set(body["effects"]["keep_weights"]) == KEEP_WEIGHTS
    assert set(body["effects"]["reinitialise"]) == REINITIALISE
    assert set(body["effects"]["regenerate"]) == REGENERATE


def test_server_point_limit_is_served() -> None:
    with TestClient(create_app(ServerOptions(max_points=200))) as client:
        body = config(client)
    assert body["settings_schema"]["properties"]["n_points"]["maximum"] == 200
    assert body["limits"]["max_points"] == 200


def test_the_pages_constants_are_served() -> None:
    """The palette (one, Okabe-Ito), the plotting domain and the session cap: the page
    hard-codes none of them."""
    with TestClient(create_app(ServerOptions(max_sessions=7))) as client:
        body = config(client)
    assert body["palette"] == list(PALETTE)
    assert body["palette"][:2] == ["#E69F00", "#0072B2"]  # class 0 orange, class 1 blue
    assert len(set(body["palette"])) == len(body["palette"]) >= limits.MAX_OUTPUTS
    assert all(re.fullmatch(r"#[0-9A-F]{6}", colour) for colour in body["palette"])
    assert body["limits"]["domain"] == limits.DOMAIN
    assert body["limits"]["outputs"]["multiclass"] == [3, limits.MAX_OUTPUTS]
    assert body["max_sessions"] == 7


def test_openapi_and_docs_list_the_routes(client: TestClient) -> None:
    openapi = client.get("/openapi.json")
    assert openapi.status_code == 200
    paths = openapi.json()["paths"]
    assert {"/api/config", "/healthz"} <= set(paths)
    assert "get" in paths["/api/config"]
    assert paths["/api/config"]["get"]["summary"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "openapi.json" in docs.text
    assert "swagger" in docs.text.lower()
