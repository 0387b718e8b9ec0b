"""The configurations the export tests run, the engine's outcome for each, and an exported
script run in a subprocess with the test's own Python (the venv's: jax, optax, keras)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from nn_playground.engine.config import (
    Activation,
    DatasetName,
    Decay,
    Init,
    Loss,
    ModelConfig,
    Optimizer,
    Problem,
    RegressionOutput,
)
from nn_playground.engine.numerics.data import Dataset, make_dataset
from nn_playground.engine.numerics.state import device_data
from nn_playground.engine.runtime import runner
from nn_playground.export import exported_run, write_script

RESULT = re.compile(
    r"^result epochs=(\d+) train_loss=(\S+) test_loss=(\S+) test_accuracy=(\S+)$", re.M
)
SCRIPT_TIMEOUT = 240  # seconds: importing jax or keras and compiling, on a loaded machine


@dataclass(frozen=True)
class Case:
    dataset: DatasetName
    config: ModelConfig
    n_points: int = 200
    noise: float = 0.1

    def data(self) -> Dataset:
        return make_dataset(
            self.dataset, n_points=self.n_points, noise=self.noise, n_classes=3, seed=1
        )


# Noisy data mostly: where classes overlap, accuracy leaves room for the Keras script to differ.
CASES = {
    "binary_extra_features": Case(
        DatasetName.CIRCLE,
        ModelConfig(features=("x1", "x2", "x1^2", "x2^2"), hidden=(4, 2), learning_rate=0.1),
        noise=0.6,
    ),
    "multiclass_softmax": Case(
        DatasetName.BLOBS,
        ModelConfig(
            problem=Problem.MULTICLASS,
            n_outputs=3,
            hidden=(8,),
            activations=(Activation.RELU,),
            dropout=(0.0,),
            optimizer=Optimizer.ADAM,
            learning_rate=0.01,
        ),
        noise=1.0,
    ),
    "multilabel": Case(
        DatasetName.OVERLAP,
        ModelConfig(
            problem=Problem.MULTILABEL,
            n_outputs=3,
            hidden=(8,),
            activations=(Activation.SWISH,),
            dropout=(0.0,),
            optimizer=Optimizer.RMSPROP,
            learning_rate=0.01,
        ),
    ),
    "regression": Case(
        DatasetName.PLANE,
        ModelConfig(
            problem=Problem.REGRESSION,
            loss=Loss.MSE,
            hidden=(8,),
            activations=(Activation.TANH,),
            dropout=(0.0,),
            optimizer=Optimizer.MOMENTUM,
            learning_rate=0.01,
        ),
    ),
    # Minibatches of 50 rows: the engine draws dropout masks 32 rows at a time.
    "l2_dropout_decay": Case(
        DatasetName.XOR,
        ModelConfig(
            hidden=(8, 4),
            activations=(Activation.RELU, Activation.ELU),
            dropout=(0.2, 0.1),
            l2=0.001,
            decay=Decay.EXPONENTIAL,
            decay_epochs=10,
            optimizer=Optimizer.NESTEROV,
            learning_rate=0.05,
            batch_size=50,
        ),
        n_points=400,
        noise=1.0,
    ),
    "perceptron": Case(
        DatasetName.LINEAR,
        ModelConfig(hidden=(), activations=(), dropout=(), loss=Loss.PERCEPTRON),
        noise=0.8,  # overlapping classes: the rule keeps correcting
    ),
}


# Further choices, checked over a few epochs only: every loss, decay and activation the cases
# above leave out, the penalties, early stopping and one-point minibatches.
FEW_EPOCHS = {
    "naive_sigmoid_mse_cosine": Case(
        DatasetName.MOONS,
        ModelConfig(
            hidden=(6,),
            activations=(Activation.LEAKY_RELU,),
            dropout=(0.3,),
            loss=Loss.MSE,
            decay=Decay.COSINE,
            decay_epochs=3,
            l1=0.001,
            learning_rate=0.3,
        ),
    ),
    "naive_cross_entropy_step": Case(
        DatasetName.SPIRAL,
        ModelConfig(
            hidden=(5, 5),
            activations=(Activation.SELU, Activation.SIGMOID),
            dropout=(0.0, 0.0),
            loss=Loss.CROSS_ENTROPY_NAIVE,
            decay=Decay.STEP,
            decay_epochs=2,
            init=Init.HE_NORMAL,
            batch_size=1,
        ),
        n_points=60,
    ),
    "softmax_mse_early_stopping": Case(
        DatasetName.SPIRAL3,
        ModelConfig(
            problem=Problem.MULTICLASS,
            n_outputs=3,
            hidden=(16,),
            activations=(Activation.LINEAR,),
            dropout=(0.5,),
            loss=Loss.MSE,
            optimizer=Optimizer.ADAM,
            learning_rate=0.05,
            early_stopping=True,
            patience=1,
            batch_size=64,
        ),
    ),
    "naive_softmax_relu_output": Case(
        DatasetName.BLOBS,
        ModelConfig(
            problem=Problem.MULTICLASS,
            n_outputs=3,
            hidden=(3,),
            activations=(Activation.TANH,),
            dropout=(0.0,),
            loss=Loss.CROSS_ENTROPY_NAIVE,
            init=Init.UNIFORM,
        ),
    ),
    "relu_regression": Case(
        DatasetName.BUMPS,
        ModelConfig(
            problem=Problem.REGRESSION,
            loss=Loss.MSE,
            regression_output=RegressionOutput.RELU,
            hidden=(6, 6, 6),
            activations=(Activation.RELU, Activation.SWISH, Activation.ELU),
            dropout=(0.0, 0.1, 0.0),
            init=Init.GLOROT_NORMAL,
            l2=0.01,
            optimizer=Optimizer.RMSPROP,
            learning_rate=0.003,
        ),
    ),
}


@dataclass(frozen=True)
class Outcome:
    epochs: int
    train_loss: float
    test_loss: float
    test_accuracy: float | None


def engine_outcome(case: Case, epochs: int) -> Outcome:
    """The engine's losses after `epochs`, trained the way a session trains one model."""
    state, hyper = runner.start_model(case.config)
    _, frame = runner.run_frame(state, device_data(case.data()), hyper, epochs)
    regression = case.config.problem is Problem.REGRESSION
    return Outcome(
        epochs=int(frame.epoch),
        train_loss=float(frame.train_loss),
        test_loss=float(frame.test_loss),
        test_accuracy=None if regression else float(frame.test_accuracy),
    )


def write(case: Case, format_name: str, folder: Path, epochs: int = 20) -> Path:
    run = exported_run(case.config, case.data(), case.dataset.value, "test data", epochs)
    script = write_script(format_name, run)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / script.filename
    path.write_text(script.code)
    return path


# Runs scripts one after another in one interpreter, as `python script.py --epochs N` would:
# importing jax or keras once instead of once a script.
RUNNER = """
import runpy, sys
epochs, paths = sys.argv[1], sys.argv[2:]
for path in paths:
    sys.argv = [path, "--epochs", epochs]
    runpy.run_path(path, run_name="__main__")
"""


def run_scripts(paths: list[Path], epochs: int) -> list[Outcome]:
    """Run exported scripts for `epochs` each and read the last line each printed."""
    # No KERAS_BACKEND: a Keras script chooses JAX by itself where TensorFlow is absent.
    environment = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(epochs), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT * len(paths),
        env=environment,
        cwd=paths[0].parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = RESULT.findall(done.stdout)
    assert len(found) == len(paths), done.stdout[-2000:]
    return [
        Outcome(
            epochs=int(epochs_run),
            train_loss=float(train_loss),
            test_loss=float(test_loss),
            test_accuracy=None if accuracy == "None" else float(accuracy),
        )
        for epochs_run, train_loss, test_loss, accuracy in found
    ]


def run_script(path: Path, epochs: int) -> Outcome:
    """Run one exported script as a user would: `python script.py --epochs N`."""
    return run_scripts([path], epochs)[0]
