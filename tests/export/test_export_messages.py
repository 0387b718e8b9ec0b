"""The `export` message over /ws: a session answers with the script of the model it trains,
holding its data (generated or the user's points) and its settings; a bad request gets an
error naming the field, and the session carries on."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from nn_playground.edge.app import create_app
from nn_playground.protocol import Code, Data, Error
from tests.server.client_helpers import Conversation, Frame


@pytest.fixture
def conversation() -> Iterator[Conversation]:
    with TestClient(create_app()) as client, client.websocket_connect("/ws") as websocket:
        yield Conversation(websocket)


def ask(conversation: Conversation, **request: Any) -> Code:
    """Send an export request (not a change: the revision stays) and read its answer."""
    conversation.send_raw(json.dumps({"type": "export", **request}))
    return conversation.next(Code)


def embedded(code: str, name: str) -> np.ndarray:
    """A module-level array of a script (TRAIN_POINTS...), read without running the script."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == name:
            value: np.ndarray = eval(ast.unparse(node.value), {"np": np})
            return value
    raise AssertionError(f"no {name} in the script")


def rows(points: list[tuple[float, float, float]]) -> np.ndarray:
    return np.asarray(points, np.float32).reshape(-1, 3)


def test_export_gives_the_script_of_the_sessions_model(conversation: Conversation) -> None:
    _, data, _ = conversation.start()
    for format_name in ("jax", "keras"):
        code = ask(conversation, format=format_name)
        assert (code.format, code.model) == (format_name, 0)
        assert code.filename == f"nn_playground_circle_{format_name}.py"
        assert '# Points of "circle" (500 points, noise 0, data seed 0)' in code.code
        compile(code.code, code.filename, "exec")
        # The page's data are rounded to 4 decimals; the script's are exact.
        np.testing.assert_allclose(embedded(code.code, "TRAIN_POINTS"), rows(data.train), atol=6e-5)
        np.testing.assert_allclose(embedded(code.code, "TEST_POINTS"), rows(data.test), atol=6e-5)
    assert "EPOCHS = 100" in code.code  # an untrained model: the default length


def test_exported_points_are_the_users_points(conversation: Conversation) -> None:
    conversation.start()
    rng = np.random.default_rng(3)
    xy = rng.uniform(-5, 5, (30, 2)).round(2)
    points = [{"x": x, "y": y, "label": float(x + y > 0)} for x, y in xy.tolist()]
    conversation.send({"type": "points", "problem": "binary", "n_outputs": 1, "points": points})
    data = conversation.next(Data)
    conversation.send({"type": "step", "epochs": 3})
    assert conversation.current_frame().epoch == 3
    code = ask(conversation, format="jax")
    assert code.filename == "nn_playground_custom_jax.py"
    assert "points the user gave" in code.code
    assert "EPOCHS = 3 " in code.code
    # Exactly the points sent, split as the session split them (train, then test).
    np.testing.assert_array_equal(embedded(code.code, "TRAIN_POINTS"), rows(data.train))
    np.testing.assert_array_equal(embedded(code.code, "TEST_POINTS"), rows(data.test))
    sent = rows([(p["x"], p["y"], p["label"]) for p in points])
    exported = np.concatenate(
        [embedded(code.code, "TRAIN_POINTS"), embedded(code.code, "TEST_POINTS")]
    )
    assert sorted(map(tuple, exported.tolist())) == sorted(map(tuple, sent.tolist()))


def test_export_picks_a_compared_model(conversation: Conversation) -> None:
    conversation.start()
    models = [{"learning_rate": 0.003}, {"learning_rate": 0.3, "optimizer": "adam"}]
    conversation.send({"type": "compare", "models": models})
    conversation.current_frame()
    code = ask(conversation, format="keras", model=1)
    assert code.model == 1
    assert "keras.optimizers.Adam(learning_rate=0.3," in code.code
    assert "learning_rate=0.003" not in code.code
    error = conversation.error_for({"type": "export", "format": "keras", "model": 2})
    assert error.field == "model"
    assert "0 to 1" in error.expected


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        pytest.param({"format": "tensorflow"}, "format", id="unknown-format"),
        pytest.param({}, "format", id="no-format"),
        pytest.param({"format": "jax", "model": 1}, "model", id="model-out-of-range"),
        pytest.param({"format": "jax", "model": 8}, "model", id="model-beyond-compare"),
        pytest.param({"format": "jax", "model": -1}, "model", id="negative-model"),
        pytest.param({"format": "jax", "epochs": 5}, "epochs", id="unknown-field"),
    ],
)
def test_a_bad_export_gets_an_error_and_the_session_carries_on(
    conversation: Conversation, request_: dict[str, Any], field: str
) -> None:
    conversation.start()
    error = conversation.error_for({"type": "export", **request_})
    assert isinstance(error, Error)
    assert error.field == field
    assert ask(conversation, format="jax").model == 0
    conversation.send({"type": "step", "epochs": 1})
    assert conversation.frame_where(lambda frame: frame.epoch == 1).epoch == 1
    assert not [m for m in conversation.received if isinstance(m, Frame) and m.epoch > 1]
