"""The page's idea of the wire against protocol.py's pydantic models: web/shared/protocol.js's
message typedefs and SERVER_FIELDS, the client messages it builds (protocol.send and
csv_points.pointsMessage), and the node tests' copy of GET /api/config. A field renamed on
either side fails here."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from nn_playground import protocol

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_JS = ROOT / "web" / "shared" / "protocol.js"
INDEX_HTML = ROOT / "web" / "index.html"
CONTROL = re.compile(r'<input [^>]*data-param="(\w+)"[^>]*>|<select [^>]*data-param="(\w+)"')
CHECKBOX_VALUE = re.compile(r'data-param="features" value="([^"]+)"')
CONFIG_FIXTURE = ROOT / "tests" / "web" / "fixtures" / "config.json"
TYPEDEF = re.compile(r"@typedef \{\{(.*?)\}\} (\w+)$", re.MULTILINE)
# The page's typedef names that differ from the model's (Error would hide the JS builtin).
TYPEDEF_MODELS = {"ErrorMessage": "Error"}

# Each client message as the page builds it, by the functions it builds them with.
PAGE_MESSAGES = """
import { SERVER_FIELDS, send } from "./web/shared/protocol.js";
import { pointsMessage } from "./web/shared/csv_points.js";
const built = [
  send.configure({}), send.play(), send.pause(), send.step(1), send.reset(), send.regenerate(),
  send.speed(1), send.compare([]), send.ack(1), send.export("jax"),
  send.explain(3, { layer: 1, source: -1, unit: 0 }, 0.01), send.applyStep(),
  pointsMessage([{ x: 0, y: 0, label: 0 }], "binary"),
];
console.log(JSON.stringify({ serverFields: SERVER_FIELDS, client: built }));
"""


def members(union: Any) -> list[type[BaseModel]]:
    models: list[type[BaseModel]] = list(get_args(get_args(union)[0]))
    return models


def type_tag(model: type[BaseModel]) -> str:
    tag: str = get_args(model.model_fields["type"].annotation)[0]
    return tag


def fields(model: type[BaseModel]) -> list[str]:
    return list(model.model_json_schema()["properties"])


def top_level_names(body: str) -> list[str]:
    """`a: string, b: Record<string, any>, c: {d: number}[]` -> ["a", "b", "c"]."""
    names, depth, start = [], 0, 0
    for index, char in enumerate(body + ","):
        if char in "<{[(":
            depth += 1
        elif char in ">}])":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(body[start:index].split(":", 1)[0].strip())
            start = index + 1
    return names


@pytest.fixture(scope="module")
def page() -> dict[str, Any]:
    printed = subprocess.run(
        ["node", "--input-type=module", "-e", PAGE_MESSAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(printed)
    return result


def test_the_page_lists_every_server_message_with_the_models_fields(page: dict[str, Any]) -> None:
    listed = page["serverFields"]
    served = {type_tag(model): fields(model) for model in members(protocol.ServerMessage)}
    assert sorted(listed) == sorted(served), "a server message the page does not list, or gone"
    for tag, names in served.items():
        assert listed[tag] == names, f"{tag}: the page lists {listed[tag]}, the server {names}"


def test_busy_is_read_by_its_reason(page: dict[str, Any]) -> None:
    # An old page read busy's `message`; the server sends `reason`, and the page reads it as
    # protocol.js's Busy (tests/browser/test_reconnect.py shows it in the banner).
    assert fields(protocol.Busy) == ["type", "reason", "max_sessions"]
    assert page["serverFields"]["busy"] == ["type", "reason", "max_sessions"]
    handler = (ROOT / "web" / "page" / "server_messages.js").read_text()
    assert re.search(r"\.Busy\} \*/ \(message\)\.reason\b", handler)


def test_the_page_typedefs_have_the_models_fields() -> None:
    typedefs = {name: body for body, name in TYPEDEF.findall(PROTOCOL_JS.read_text())}
    checked = {
        "Ready", "Data", "Status", "ErrorMessage", "Busy", "AppliedSettings", "ModelSettings",
        "FrameHeader", "Buffer", "Explanation", "WeightChoice", "UnitNumbers", "LayerNumbers",
        "OutputNumbers", "Factor", "ChainRule", "BatchPoint", "BatchNumbers", "Term",
        "UpdateNumbers", "Nudge",
    }  # fmt: skip
    assert checked <= set(typedefs)
    for name in checked:
        model = getattr(protocol, TYPEDEF_MODELS.get(name, name))
        assert top_level_names(typedefs[name]) == fields(model), name


def test_the_client_messages_the_page_builds_are_the_models(page: dict[str, Any]) -> None:
    models = {type_tag(model): model for model in members(protocol.ClientMessage)}
    built = {message["type"]: message for message in page["client"]}
    assert sorted(built) == sorted(models), "a client message the page cannot build, or gone"
    for tag, message in built.items():
        assert sorted(message) == sorted(fields(models[tag])), tag
        protocol.CLIENT_MESSAGE.validate_json(json.dumps(message | points_enough(message)))
    assert sorted(built["points"]["points"][0]) == sorted(fields(protocol.Point))
    assert sorted(built["explain"]["weight"]) == sorted(fields(protocol.WeightChoice))


def points_enough(message: dict[str, Any]) -> dict[str, Any]:
    """A points message with its one point twice, as the least a message may hold."""
    if message["type"] != "points":
        return {}
    return {"points": message["points"] * protocol.MIN_USER_POINTS}


def test_every_control_of_the_page_is_a_setting_and_every_feature_a_choice() -> None:
    html = INDEX_HTML.read_text()
    names = {first or second for first, second in CONTROL.findall(html)}
    assert names <= set(protocol.Settings.model_fields), names - set(protocol.Settings.model_fields)
    assert CHECKBOX_VALUE.findall(html) == list(get_args(protocol.Feature))


def test_the_node_tests_config_is_the_servers() -> None:
    served = protocol.describe_config(1000, 32).model_dump(mode="json")
    assert json.loads(CONFIG_FIXTURE.read_text()) == served, (
        "tests/web/fixtures/config.json is stale: write describe_config(1000, 32) into it"
    )
