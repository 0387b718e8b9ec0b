"""The data part of an exported script, the same for every format: the session's points as
exact float32 rows, and how a script turns them into network inputs and loss targets the way
the engine does (engine/numerics/export.py feature_matrix, engine/numerics/data.py
encode_targets)."""

from __future__ import annotations

import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.config import Problem
from nn_playground.engine.numerics.data import Points
from nn_playground.export.literals import matrix, point_rows, section, vector
from nn_playground.export.run import ExportedRun

FEATURE_SOURCE = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1 * x1",
    "x2^2": "x2 * x2",
    "x1*x2": "x1 * x2",
    "sin_x1": "np.sin(x1)",
    "sin_x2": "np.sin(x2)",
}

LABEL_MEANING = {
    Problem.BINARY: "0 or 1",
    Problem.MULTICLASS: "the class",
    Problem.MULTILABEL: "a bitmask, label k on where bit k is set",
    Problem.REGRESSION: "the target value",
}


def feature_names(run: ExportedRun) -> list[str]:
    """The selected features in the network's input order."""
    return [name for name in limits.FEATURE_NAMES if name in run.config.features]


def inputs_source(run: ExportedRun) -> str:
    """`features(points)` and `targets(points)`: what the network reads and the loss wants."""
    columns = ", ".join(FEATURE_SOURCE[name] for name in feature_names(run))
    problem, outputs = run.config.problem, run.config.n_outputs
    if problem is Problem.MULTICLASS:
        target = f"np.eye({outputs}, dtype=np.float32)[labels(points)]  # one-hot"
    elif problem is Problem.MULTILABEL:
        target = f"((labels(points)[:, None] >> np.arange({outputs})) & 1).astype(np.float32)"
    else:
        target = "points[:, 2:3]"
    names = feature_names(run)
    return f'''def features(points):
    """(n, 3) points -> (n, {len(names)}) float32 inputs: {", ".join(names)}."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([{columns}], axis=1)


def labels(points):
    """(n,) int32: {LABEL_MEANING[problem]}."""
    return points[:, 2].astype(np.int32)


def targets(points):
    """(n, {outputs}) float32: what the loss compares the outputs with."""
    return {target}
'''


def _rows(points: Points, problem: Problem) -> np.ndarray:
    """(n, 3) float32 rows (x1, x2, label): the label column is the regression value or the
    class index / label bitmask, exactly as the engine holds them."""
    if problem is Problem.REGRESSION:
        value = points.targets[:, 0]
    else:
        value = points.labels.astype(np.float32)
    return np.column_stack([points.x.astype(np.float32), value]).astype(np.float32)


def points_source(run: ExportedRun) -> str:
    """The train and test points as the session split them."""
    data = run.dataset
    n_train, n_test = len(data.train.x), len(data.test.x)
    return f"""{section("The data")}
# Points of "{run.dataset_name}" ({run.dataset_detail}): {n_train} train and {n_test} test points,
# split as the playground split them. Each row is x1, x2, label ({LABEL_MEANING[data.problem]}),
# float32 written with the fewest digits that read back exactly.
TRAIN_POINTS = {point_rows(_rows(data.train, data.problem))}
TEST_POINTS = {point_rows(_rows(data.test, data.problem))}
"""


def weights_source(run: ExportedRun) -> str:
    """The epoch-0 weights the session started from, at their exact size."""
    config = run.config
    pad = " " * 8
    layers = "".join(
        f"\n    (\n{pad}{matrix(w, pad)},\n{pad}np.array({vector(b)}, np.float32),\n    ),"
        for w, b in run.layers
    )
    return f"""{section("The initial weights")}
# The weights the playground started from (seed {config.seed}, {config.init.value}), exactly:
# (weights (inputs, units), biases (units,)) per layer, the output layer last.
INITIAL_PARAMS = [{layers}
]
"""
