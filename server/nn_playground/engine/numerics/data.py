"""Datasets: the public API for built-in and user-supplied points, their validation, the
train/test split and the target encoding; the shapes themselves live in engine.shapes.
Imports only numpy and the engine's config, limits and shapes (no jax, no pydantic)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nn_playground.engine import limits
from nn_playground.engine.config import DATASET_PROBLEM, DatasetName, FieldError, Problem
from nn_playground.engine.numerics.shapes import (
    REGRESSIONS,
    SAMPLERS,
    VENN_LABELS,
    Floats,
    Ints,
    Regression,
    Rng,
)

Float32s = npt.NDArray[np.float32]
Int32s = npt.NDArray[np.int32]

# Noise means "how far the data strays from its clean shape": for classification the
# coordinates get gaussian jitter with std JITTER_STD * noise (domain units), so noise 1 blurs
# every boundary by about one unit; for regression the target gets gaussian noise with std
# TARGET_NOISE * noise * (span of the clean values), i.e. 0.5 * noise for values in [-1, 1].
JITTER_STD = 1.0
TARGET_NOISE = 0.25

OUTPUT_RANGE = {
    Problem.BINARY: (1, 1),
    Problem.MULTICLASS: (3, limits.MAX_OUTPUTS),
    Problem.MULTILABEL: (2, VENN_LABELS),
    Problem.REGRESSION: (1, 1),
}


class DataError(FieldError):
    """Data outside what the engine supports."""


# eq=False: comparing arrays field by field has no single truth value.
@dataclass(frozen=True, eq=False)
class Points:
    """One split. `x` is (n, 2) in the domain; `targets` is (n, n_outputs) in the form the
    loss wants (0/1, one-hot, 0/1 per label, or the value); `labels` is (n,): the class
    index, the multilabel bitmask sum(label_k << k), or 0 for regression. Read-only."""

    x: Float32s
    targets: Float32s
    labels: Int32s


@dataclass(frozen=True, eq=False)
class Dataset:
    problem: Problem
    n_outputs: int  # 1 for binary and regression, classes for multiclass, labels for multilabel
    train: Points
    test: Points


def make_dataset(
    name: DatasetName,
    n_points: int = 500,
    noise: float = 0.1,
    train_fraction: float = 0.5,
    seed: int = 0,
    n_classes: int = 3,
) -> Dataset:
    """Generate a built-in dataset; the same arguments always give the same arrays."""
    name = check_generated_name(name)
    check_generation_arguments(n_points, noise, train_fraction, seed, n_classes)
    problem = DATASET_PROBLEM[name]
    rng = np.random.default_rng(seed)
    if problem is Problem.REGRESSION:
        x, values = generate_regression(rng, REGRESSIONS[name], n_points, noise)
        labels = np.zeros(n_points, dtype=np.int64)
        n_outputs = 1
    else:
        n_outputs = {Problem.BINARY: 1, Problem.MULTICLASS: n_classes}.get(problem, VENN_LABELS)
        n_labels = {Problem.BINARY: 2, Problem.MULTICLASS: n_classes}.get(problem, 1 << VENN_LABELS)
        labels = balance_labels(n_points, n_labels)
        x = jitter(rng, SAMPLERS[name](rng, labels, n_labels), noise)
        values = labels.astype(np.float64)
    targets = encode_targets(problem, n_outputs, labels, values)
    train, test = split(rng, x, targets, labels, train_fraction)
    return Dataset(problem, n_outputs, train, test)


def dataset_from_points(
    problem: Problem,
    n_outputs: int,
    rows: Sequence[tuple[float, float, float]],
    train_fraction: float = 0.5,
    seed: int = 0,
) -> Dataset:
    """Build a dataset from user-drawn (x, y, label) rows, validating every row."""
    problem = check_problem(problem)
    check_outputs(problem, n_outputs)
    check_fraction(train_fraction)
    check_seed(seed)
    if not isinstance(rows, Sequence) or not 2 <= len(rows) <= limits.MAX_POINTS:
        received = len(rows) if isinstance(rows, Sequence) else rows
        raise DataError("points", f"2 to {limits.MAX_POINTS} points", received)
    parsed = [parse_row(i, row, problem, n_outputs) for i, row in enumerate(rows)]
    x = np.array([(x1, x2) for x1, x2, _ in parsed], dtype=np.float64)
    values = np.array([value for _, _, value in parsed], dtype=np.float64)
    regression = problem is Problem.REGRESSION
    labels = np.zeros(len(rows), np.int64) if regression else values.astype(np.int64)
    targets = encode_targets(problem, n_outputs, labels, values)
    train, test = split(np.random.default_rng(seed), x, targets, labels, train_fraction)
    return Dataset(problem, n_outputs, train, test)


def target_range(dataset: Dataset) -> tuple[float, float]:
    """The span of the regression colour scale; classification always spans 0 to 1."""
    if dataset.problem is not Problem.REGRESSION:
        return (0.0, 1.0)
    targets = np.concatenate([dataset.train.targets, dataset.test.targets])
    low, high = float(targets.min()), float(targets.max())
    if low == high:  # a flat scale would divide by zero when colouring
        return (low - 0.5, high + 0.5)
    return (low, high)


# --- validation -------------------------------------------------------------------------


def check_generated_name(name: DatasetName) -> DatasetName:
    try:
        name = DatasetName(name)
    except ValueError:
        raise DataError("dataset", "a dataset name", name) from None
    if name not in DATASET_PROBLEM:
        expected = "a generated dataset; use dataset_from_points for custom points"
        raise DataError("dataset", expected, name)
    return name


def check_generation_arguments(
    n_points: int, noise: float, train_fraction: float, seed: int, n_classes: int
) -> None:
    if not is_integer(n_points) or not limits.MIN_POINTS <= n_points <= limits.MAX_POINTS:
        raise DataError("n_points", f"{limits.MIN_POINTS} to {limits.MAX_POINTS}", n_points)
    if not is_real(noise) or not 0.0 <= noise <= 1.0:
        raise DataError("noise", "0 to 1", noise)
    check_fraction(train_fraction)
    check_seed(seed)
    if not is_integer(n_classes) or not 3 <= n_classes <= limits.MAX_OUTPUTS:
        raise DataError("n_classes", f"3 to {limits.MAX_OUTPUTS}", n_classes)


def check_fraction(train_fraction: float) -> None:
    if not is_real(train_fraction) or not 0.1 <= train_fraction <= 0.9:
        raise DataError("train_fraction", "0.1 to 0.9", train_fraction)


def check_seed(seed: int) -> None:
    if not is_integer(seed) or not 0 <= seed < 2**31:
        raise DataError("seed", "0 <= seed < 2**31", seed)


def check_problem(problem: Problem) -> Problem:
    try:
        return Problem(problem)
    except ValueError:
        raise DataError("problem", f"one of {[p.value for p in Problem]}", problem) from None


def check_outputs(problem: Problem, n_outputs: int) -> None:
    low, high = OUTPUT_RANGE[problem]
    if not is_integer(n_outputs) or not low <= n_outputs <= high:
        raise DataError("n_outputs", f"{low} to {high} for {problem}", n_outputs)


def parse_row(index: int, row: object, problem: Problem, n_outputs: int) -> tuple[float, ...]:
    """Return (x1, x2, label) as floats, or raise naming the row's bad part."""
    if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != 3:
        raise DataError(f"points[{index}]", "an (x, y, label) triple", row)
    for name, value in zip(("x", "y"), row[:2], strict=True):
        if not is_real(value) or not abs(value) <= limits.DOMAIN:
            expected = f"a finite number from {-limits.DOMAIN} to {limits.DOMAIN}"
            raise DataError(f"points[{index}].{name}", expected, value)
    label = row[2]
    if not is_real(label) or not is_valid_label(problem, n_outputs, float(label)):
        raise DataError(f"points[{index}].label", describe_label(problem, n_outputs), label)
    return (float(row[0]), float(row[1]), float(label))


def is_valid_label(problem: Problem, n_outputs: int, label: float) -> bool:
    if problem is Problem.REGRESSION:
        return abs(label) <= limits.MAX_REGRESSION_TARGET  # False for NaN too
    if not math.isfinite(label) or not label.is_integer():
        return False
    count = {Problem.BINARY: 2, Problem.MULTICLASS: n_outputs}.get(problem, 1 << n_outputs)
    return 0 <= label < count


def describe_label(problem: Problem, n_outputs: int) -> str:
    if problem is Problem.BINARY:
        return "0 or 1"
    if problem is Problem.MULTICLASS:
        return f"a class index from 0 to {n_outputs - 1}"
    if problem is Problem.MULTILABEL:
        return f"a label bitmask from 0 to {(1 << n_outputs) - 1}"
    return f"a finite value with magnitude at most {limits.MAX_REGRESSION_TARGET}"


def is_real(value: object) -> bool:
    # bool is an int to Python, but True as a coordinate is a client bug, not a number.
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def is_integer(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


# --- assembly ---------------------------------------------------------------------------


def balance_labels(n_points: int, n_labels: int) -> Ints:
    """Labels 0..n_labels-1 in turn, so class sizes differ by at most one."""
    return np.arange(n_points, dtype=np.int64) % n_labels


def jitter(rng: Rng, x: Floats, noise: float) -> Floats:
    # Drawn even at noise 0 so the split that follows is the same at every noise level.
    offsets = rng.standard_normal(x.shape) * (JITTER_STD * noise)
    return np.clip(x + offsets, -limits.DOMAIN, limits.DOMAIN)


def generate_regression(
    rng: Rng, regression: Regression, n_points: int, noise: float
) -> tuple[Floats, Floats]:
    x = rng.uniform(-limits.DOMAIN, limits.DOMAIN, (n_points, 2))
    span = regression.high - regression.low
    values = regression.function(x) + rng.standard_normal(n_points) * (TARGET_NOISE * noise * span)
    if regression.clip:
        values = np.clip(values, regression.low, regression.high)
    return x, values


def encode_targets(problem: Problem, n_outputs: int, labels: Ints, values: Floats) -> Float32s:
    if problem is Problem.MULTICLASS:
        return np.eye(n_outputs, dtype=np.float32)[labels]
    if problem is Problem.MULTILABEL:
        bits = (labels[:, None] >> np.arange(n_outputs)) & 1
        return bits.astype(np.float32)
    return values.astype(np.float32)[:, None]


def split(
    rng: Rng, x: Floats, targets: Float32s, labels: Ints, train_fraction: float
) -> tuple[Points, Points]:
    """Shuffle, then the first round(n * train_fraction) rows train; neither side is empty."""
    n = len(x)
    order = rng.permutation(n)
    n_train = min(max(round(n * train_fraction), 1), n - 1)
    parts = (order[:n_train], order[n_train:])
    train, test = (make_points(x[i], targets[i], labels[i]) for i in parts)
    return train, test


def make_points(x: Floats, targets: Float32s, labels: Ints) -> Points:
    arrays = (x.astype(np.float32), targets.astype(np.float32), labels.astype(np.int32))
    for array in arrays:
        array.setflags(write=False)  # shared by every run on this data: nobody may edit it
    return Points(*arrays)
