"""The page's code generator falls back on the protocol's defaults for settings it is not
given; its copy (web/codegen/plan.js, plain JavaScript) must equal protocol.Settings'."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from nn_playground.protocol import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_code_generator_defaults_are_the_protocols() -> None:
    script = (
        "import('./web/codegen/plan.js').then((plan) => console.log(JSON.stringify(plan.DEFAULTS)))"
    )
    printed = subprocess.run(
        ["node", "-e", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert json.loads(printed) == Settings().model_dump(mode="json")
