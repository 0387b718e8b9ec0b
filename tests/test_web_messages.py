"""The page's client messages (web/protocol.js `send`) are messages the server accepts: each
builder's output validates against protocol.CLIENT_MESSAGE, and every client message type but
`points` (built by web/data_editor.js) has a builder."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import get_args

from nn_playground.protocol import CLIENT_MESSAGE, ClientMessage

ROOT = Path(__file__).resolve().parent.parent
BUILT = """import('./web/protocol.js').then(({ send }) => console.log(JSON.stringify([
  send.configure({ learning_rate: 0.1 }), send.play(), send.pause(), send.step(3),
  send.reset(), send.reset(4), send.regenerate(), send.speed(5), send.compare([]),
  send.ack(1), send.export("jax"), send.export("keras", 1),
])))"""


def test_the_pages_messages_are_valid_client_messages() -> None:
    printed = subprocess.run(
        ["node", "-e", BUILT], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    messages = json.loads(printed)
    for message in messages:
        CLIENT_MESSAGE.validate_json(json.dumps(message))
    members = get_args(get_args(ClientMessage)[0])
    types = {get_args(model.model_fields["type"].annotation)[0] for model in members}
    assert {message["type"] for message in messages} == types - {"points"}
