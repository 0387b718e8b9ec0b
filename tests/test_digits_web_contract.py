"""The digits page's idea of the wire against digits_protocol.py's models: protocol.js's
DIGITS_SERVER_FIELDS, the predict message it builds, the controls digits.html declares, and
the node tests' copy of GET /api/digits/config. A field renamed on either side fails here."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from nn_playground import digits_protocol, protocol

ROOT = Path(__file__).resolve().parent.parent
DIGITS_HTML = ROOT / "web" / "digits.html"
CONFIG_FIXTURE = ROOT / "tests" / "web" / "fixtures" / "digits_config.json"
CONTROL = re.compile(r'data-param="(\w+)"')

PAGE = """
import { DIGITS_SERVER_FIELDS, send } from "./web/shared/protocol.js";
const predict = send.predict(8, Array(64).fill(0));
console.log(JSON.stringify({ fields: DIGITS_SERVER_FIELDS, predict }));
"""

SERVER_MESSAGES: dict[str, type[BaseModel]] = {
    "ready": digits_protocol.DigitsReady,
    "settings": digits_protocol.DigitsApplied,
    "digits": digits_protocol.ShownDigits,
    "prediction": digits_protocol.Prediction,
    "status": protocol.Status,
    "error": protocol.Error,
    "busy": protocol.Busy,
    "code": protocol.Code,
}


def fields(model: type[BaseModel]) -> list[str]:
    return list(model.model_json_schema()["properties"])


def page() -> dict[str, Any]:
    printed = subprocess.run(
        ["node", "--input-type=module", "-e", PAGE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(printed)
    return result


def test_the_digits_page_reads_every_message_with_the_models_fields() -> None:
    built = page()
    assert built["fields"] == {tag: fields(model) for tag, model in SERVER_MESSAGES.items()}
    digits_protocol.DIGITS_CLIENT_MESSAGE.validate_json(json.dumps(built["predict"]))


def test_every_control_of_the_digits_page_is_a_digits_setting() -> None:
    names = set(CONTROL.findall(DIGITS_HTML.read_text()))
    assert names <= set(digits_protocol.DigitsSettings.model_fields)


def test_the_node_tests_digits_config_is_the_servers() -> None:
    served = digits_protocol.describe_digits_config(32).model_dump(mode="json")
    assert json.loads(CONFIG_FIXTURE.read_text()) == served, (
        "tests/web/fixtures/digits_config.json is stale: write describe_digits_config(32) into it"
    )
