"""The digits lab's export: the JAX + optax script replays the engine's run (the same images,
split, initial weights, shuffles, dropout masks and optimizer) to float32 round-off; the Keras
script starts from the very same logits and lands near the engine; a digits session answers
`export` with a script, and a model it does not have with an error naming `model`; with early
stopping the JAX script halts after the engine's epoch, on its best weights."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pytest
from fastapi.testclient import TestClient

from nn_playground.digits_protocol import DigitsSettings
from nn_playground.edge.app import create_app
from nn_playground.engine.numerics import image_model
from nn_playground.protocol import Export
from nn_playground.sessions.digits_experiment import DigitsExperiment
from tests.export.cases import SCRIPT_TIMEOUT, Outcome, run_scripts

EPOCHS = 8
LOSS_TOLERANCE = 1e-4  # as the 2-D JAX export: float32 round-off over a few hundred steps
KERAS_ACCURACY_TOLERANCE = 0.05  # Keras shuffles and drops units its own way

# Each first-layer kind, each loss and optimizer, on small training sets (an epoch costs little).
CASES: dict[str, dict[str, Any]] = {
    "dense": dict(
        train_size=300,
        hidden=[16],
        activations=["relu"],
        dropout=[0.2],
        batch_size=50,
        learning_rate=0.01,
        l2=0.001,
    ),
    "conv": dict(
        digits=[3, 5, 8],
        train_size=200,
        first_layer="conv",
        kernel=3,
        stride=2,
        filters=4,
        hidden=[12],
        activations=["relu", "tanh"],
        dropout=[0.1, 0.0],
        loss="softmax_mse",
        optimizer="momentum",
        learning_rate=0.5,
        decay="exponential",
        decay_epochs=4,
    ),
    "local": dict(
        digits=[1, 7],
        train_size=150,
        first_layer="local",
        kernel=4,
        stride=2,
        filters=3,
        hidden=[],
        activations=["elu"],  # z = 0 exactly on blank windows: the slope of a tie matters
        dropout=[0.0],
        loss="sigmoid_ce",
        optimizer="rmsprop",
        learning_rate=0.01,
        l1=0.001,
    ),
    "naive_two_dense": dict(
        digits=[0, 6, 9],
        train_size=120,
        hidden=[10, 8],
        activations=["leaky_relu", "selu"],
        dropout=[0.0, 0.2],
        loss="softmax_ce_naive",
        optimizer="sgd",
        learning_rate=0.3,
        batch_size=40,
    ),
    "no_hidden_layer": dict(
        digits=[0, 8],
        train_size=100,
        hidden=[],
        activations=["relu"],
        dropout=[0.0],
        optimizer="nesterov",
        learning_rate=0.05,
        decay="step",
        decay_epochs=3,
        batch_size=16,
    ),
}

# Twenty training images overfit within fifteen epochs: early stopping halts well before
# STOPPING_EPOCHS, and the script must halt after the same epoch with the same weights.
STOPPING_EPOCHS = 30
STOPPING: dict[str, Any] = dict(
    train_size=20,
    hidden=[25, 15],
    activations=["relu"],
    dropout=[0.1],
    learning_rate=0.03,
    early_stopping=True,
    patience=2,
)

# Loads scripts without running main() and saves each one's Keras model's epoch-0 test logits.
KERAS_LOGITS = """
import runpy, sys
import numpy as np
for script, saved in zip(sys.argv[1::2], sys.argv[2::2]):
    namespace = runpy.run_path(script)
    images, _ = namespace["unpack"](namespace["TEST_TABLE"])
    model = namespace["build_model"]()
    np.save(saved, model.predict(namespace["pixels"](images), verbose=0))
"""


def experiment(name: str) -> DigitsExperiment:
    settings = STOPPING if name == "early_stopping" else CASES[name]
    return DigitsExperiment(DigitsSettings.model_validate(settings, strict=False))


def write(name: str, format_name: str, folder: Path) -> Path:
    code = experiment(name).request(Export(type="export", format=format_name))
    assert code is not None
    answer = code()
    assert isinstance(answer.code, str)
    path = folder / f"{name}_{answer.filename}"
    path.write_text(answer.code)
    return path


@pytest.fixture(scope="module")
def engine() -> dict[str, tuple[Outcome, int]]:
    """Each case's engine outcome after EPOCHS, and its test-set size."""
    found = {}
    for name in CASES:
        trained = experiment(name)
        frame = trained.snapshot().run(EPOCHS, 0).frames[0]
        outcome = Outcome(
            epochs=int(frame.epoch),
            train_loss=float(frame.train_loss),
            test_loss=float(frame.test_loss),
            test_accuracy=float(frame.test_accuracy),
        )
        found[name] = (outcome, len(trained.images.test.labels))
    return found


def test_jax_export_replays_the_engine(
    engine: dict[str, tuple[Outcome, int]], tmp_path: Path
) -> None:
    paths = [write(name, "jax", tmp_path) for name in CASES]
    for name, script in zip(CASES, run_scripts(paths, EPOCHS), strict=True):
        expected, n_test = engine[name]
        assert script.epochs == expected.epochs == EPOCHS, name
        assert abs(script.train_loss - expected.train_loss) <= LOSS_TOLERANCE, name
        assert abs(script.test_loss - expected.test_loss) <= LOSS_TOLERANCE, name
        assert script.test_accuracy is not None
        # The same predictions but for an image on the boundary to round-off.
        assert abs(script.test_accuracy - expected.test_accuracy) <= 1.01 / n_test, name


def test_jax_export_stops_early_as_the_engine(tmp_path: Path) -> None:
    frame = experiment("early_stopping").snapshot().run(STOPPING_EPOCHS, 0).frames[0]
    assert bool(frame.stopped_early)
    assert int(frame.epoch) < STOPPING_EPOCHS
    script = run_scripts([write("early_stopping", "jax", tmp_path)], STOPPING_EPOCHS)[0]
    assert script.epochs == int(frame.epoch)
    assert abs(script.train_loss - float(frame.train_loss)) <= LOSS_TOLERANCE
    assert abs(script.test_loss - float(frame.test_loss)) <= LOSS_TOLERANCE
    assert script.test_accuracy is not None
    assert abs(script.test_accuracy - float(frame.test_accuracy)) <= 1.01 / 360


def test_keras_export_starts_from_the_engines_logits(tmp_path: Path) -> None:
    paths = {name: write(name, "keras", tmp_path) for name in CASES}
    saved = {name: tmp_path / f"{name}_logits.npy" for name in CASES}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            KERAS_LOGITS,
            *(str(part) for name in CASES for part in (paths[name], saved[name])),
        ],
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    logits = jax.jit(image_model.logits)
    for name in CASES:
        started = experiment(name)
        model, test_x = started.models[0], started.images.test.x
        expected = np.asarray(logits(model.state.params, test_x, model.hyper))
        found = np.load(saved[name])
        np.testing.assert_allclose(
            found, expected[:, : found.shape[1]], atol=1e-5, rtol=1e-5, err_msg=name
        )


def test_keras_export_lands_near_the_engine(
    engine: dict[str, tuple[Outcome, int]], tmp_path: Path
) -> None:
    paths = [write(name, "keras", tmp_path) for name in CASES]
    for name, script in zip(CASES, run_scripts(paths, EPOCHS), strict=True):
        expected, _ = engine[name]
        assert script.epochs == EPOCHS, name
        assert script.test_accuracy is not None
        difference = abs(script.test_accuracy - expected.test_accuracy)
        assert difference <= KERAS_ACCURACY_TOLERANCE, (name, script, expected)


def test_every_digits_script_is_clean_python(tmp_path: Path) -> None:
    """Valid Python naming nothing it does not define (pyflakes, through ruff)."""
    names = [*CASES, "early_stopping"]
    paths = [write(name, fmt, tmp_path) for name in names for fmt in ("jax", "keras")]
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", "--isolated", "--select", "F,E9", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def receive_json(websocket: Any, kind: str, limit: int = 200) -> dict[str, Any]:
    """The next text message of type `kind` (frames and others read and dropped)."""
    for _ in range(limit):
        message = websocket.receive()
        if message.get("text"):
            parsed: dict[str, Any] = json.loads(message["text"])
            if parsed["type"] == kind:
                return parsed
    raise AssertionError(f"no {kind} message in {limit}")


def test_a_digits_session_answers_export() -> None:
    with (
        TestClient(create_app()) as client,
        client.websocket_connect("/ws?lab=digits") as websocket,
    ):
        receive_json(websocket, "ready")
        websocket.send_text(json.dumps({"type": "export", "format": "jax"}))
        code = receive_json(websocket, "code")
        assert (code["format"], code["model"]) == ("jax", 0)
        assert code["filename"] == "nn_playground_digits_jax.py"
        assert "the digits 0, 1, 2, 3, 4, 5, 6, 7, 8, 9; 1437 train and 360 test" in code["code"]
        assert "CC BY 4.0" in code["code"]
        compile(code["code"], code["filename"], "exec")
        websocket.send_text(json.dumps({"type": "export", "format": "keras", "model": 1}))
        error = receive_json(websocket, "error")
        assert error["field"] == "model"
        assert error["expected"] == "0 (one model)"
        websocket.send_text(json.dumps({"type": "export", "format": "keras"}))
        assert receive_json(websocket, "code")["format"] == "keras"
