"""Dataset generation, custom points and their validation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from nn_playground.engine import limits
from nn_playground.engine.config import DATASET_PROBLEM, DatasetName, Problem
from nn_playground.engine.numerics.data import (
    DataError,
    Dataset,
    dataset_from_points,
    make_dataset,
    target_range,
)

GENERATED = list(DATASET_PROBLEM)
CLASSIFIED = [
    name for name, problem in DATASET_PROBLEM.items() if problem is not Problem.REGRESSION
]


def merged(dataset: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, targets and labels of train and test together."""
    parts = (dataset.train, dataset.test)
    return (
        np.concatenate([p.x for p in parts]),
        np.concatenate([p.targets for p in parts]),
        np.concatenate([p.labels for p in parts]),
    )


def fingerprint(dataset: Dataset) -> bytes:
    parts = (dataset.train, dataset.test)
    return b"".join(a.tobytes() for p in parts for a in (p.x, p.targets, p.labels))


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_gives_identical_bytes_and_other_seeds_differ(name: DatasetName) -> None:
    first = fingerprint(make_dataset(name, n_points=200, noise=0.3, seed=7))
    again = fingerprint(make_dataset(name, n_points=200, noise=0.3, seed=7))
    other = fingerprint(make_dataset(name, n_points=200, noise=0.3, seed=8))
    assert first == again
    assert first != other


@pytest.mark.parametrize("name", GENERATED)
def test_clean_positions_differ_across_seeds(name: DatasetName) -> None:
    # The shuffle alone would make seeds differ; the points themselves must too.
    xs = [np.sort(merged(make_dataset(name, noise=0.0, seed=s))[0], axis=0) for s in (1, 2)]
    assert not np.array_equal(xs[0], xs[1])


@pytest.mark.parametrize("noise", [0.0, 1.0])
@pytest.mark.parametrize("name", GENERATED)
def test_shapes_dtypes_and_ranges(name: DatasetName, noise: float) -> None:
    dataset = make_dataset(name, n_points=301, noise=noise, train_fraction=0.3, n_classes=4)
    problem = DATASET_PROBLEM[name]
    expected_outputs = {Problem.MULTICLASS: 4, Problem.MULTILABEL: 3}.get(problem, 1)
    assert dataset.problem is problem
    assert dataset.n_outputs == expected_outputs
    assert (len(dataset.train.x), len(dataset.test.x)) == (90, 211)
    for points in (dataset.train, dataset.test):
        n = len(points.x)
        assert points.x.shape == (n, 2)
        assert points.x.dtype == np.float32
        assert points.targets.shape == (n, expected_outputs)
        assert points.targets.dtype == np.float32
        assert points.labels.shape == (n,)
        assert points.labels.dtype == np.int32
        assert np.abs(points.x).max() <= limits.DOMAIN
        assert np.isfinite(points.targets).all()


@pytest.mark.parametrize("name", CLASSIFIED)
def test_targets_encode_labels(name: DatasetName) -> None:
    dataset = make_dataset(name, n_points=100, n_classes=5)
    _, targets, labels = merged(dataset)
    if dataset.problem is Problem.BINARY:
        np.testing.assert_array_equal(targets[:, 0], labels)
    elif dataset.problem is Problem.MULTICLASS:
        np.testing.assert_array_equal(targets.argmax(axis=1), labels)
        np.testing.assert_array_equal(targets.sum(axis=1), 1.0)
    else:
        np.testing.assert_array_equal(targets @ (1 << np.arange(3)), labels)
        assert set(np.unique(targets)) == {0.0, 1.0}


@pytest.mark.parametrize(
    ("name", "n_classes"),
    [(name, 5) for name in CLASSIFIED]
    + [(DatasetName.BLOBS, 3), (DatasetName.BLOBS, 4), (DatasetName.SPIRAL3, 3)],
)
def test_classes_are_balanced(name: DatasetName, n_classes: int) -> None:
    dataset = make_dataset(name, n_points=101, n_classes=n_classes)
    _, _, labels = merged(dataset)
    counts = np.bincount(labels)
    # Multilabel balances the 8 Venn regions, which puts each label on half the points.
    expected = {Problem.BINARY: 2, Problem.MULTICLASS: n_classes}.get(dataset.problem, 8)
    assert len(counts) == expected
    assert counts.max() - counts.min() <= 1


def test_circle_labels_follow_the_radius_at_noise_zero() -> None:
    x, _, labels = merged(make_dataset(DatasetName.CIRCLE, n_points=1000, noise=0.0))
    radius = np.linalg.norm(x, axis=1)
    assert radius[labels == 1].max() <= 2.5 + 1e-5
    assert radius[labels == 0].min() >= 3.5 - 1e-5
    assert radius[labels == 0].max() <= 5.0 + 1e-5


def test_xor_labels_follow_the_sign_at_noise_zero() -> None:
    x, _, labels = merged(make_dataset(DatasetName.XOR, n_points=1000, noise=0.0))
    np.testing.assert_array_equal(labels, (x[:, 0] * x[:, 1] > 0).astype(np.int32))
    assert np.abs(x).min() >= 0.3 - 1e-6


def test_gaussians_sit_around_their_centres() -> None:
    x, _, labels = merged(make_dataset(DatasetName.GAUSSIANS, n_points=1000, noise=0.0))
    np.testing.assert_allclose(x[labels == 1].mean(axis=0), [2.0, 2.0], atol=0.15)
    np.testing.assert_allclose(x[labels == 0].mean(axis=0), [-2.0, -2.0], atol=0.15)


@pytest.mark.parametrize("seed", range(4))
def test_linear_is_separable_at_noise_zero(seed: int) -> None:
    x, _, labels = merged(make_dataset(DatasetName.LINEAR, n_points=400, noise=0.0, seed=seed))
    # Sweep every line through the origin (0.2 degree steps); the best one must leave an
    # empty band between the classes, as wide as the generator's margin promises.
    angles = np.linspace(0.0, 2 * np.pi, 1800, endpoint=False)
    normals = np.stack([-np.sin(angles), np.cos(angles)])
    distances = x.astype(np.float64) @ normals
    gaps = distances[labels == 1].min(axis=0) - distances[labels == 0].max(axis=0)
    assert gaps.max() > 0.9


def test_linear_label_one_lies_above_the_line() -> None:
    x, _, labels = merged(make_dataset(DatasetName.LINEAR, n_points=500, noise=0.0))
    assert x[labels == 1, 1].mean() > 1.0 > -1.0 > x[labels == 0, 1].mean()


def test_blobs_form_separate_clouds_at_noise_zero() -> None:
    x, _, labels = merged(make_dataset(DatasetName.BLOBS, n_points=500, noise=0.0, n_classes=5))
    centres = np.stack([x[labels == k].mean(axis=0) for k in range(5)])
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 3.5, atol=0.2)
    nearest = np.linalg.norm(x[:, None] - centres[None], axis=2).argmin(axis=1)
    assert (nearest == labels).mean() > 0.99


def test_overlap_has_points_with_every_label_count() -> None:
    _, targets, labels = merged(make_dataset(DatasetName.OVERLAP, n_points=200, noise=0.0))
    assert set(targets.sum(axis=1).astype(int)) == {0, 1, 2, 3}
    assert set(labels) == set(range(8))
    np.testing.assert_allclose(targets.mean(axis=0), 0.5, atol=0.01)


def test_overlap_labels_are_discs_at_noise_zero() -> None:
    x, targets, _ = merged(make_dataset(DatasetName.OVERLAP, n_points=400, noise=0.0))
    for k in range(3):
        inside = x[targets[:, k] == 1]
        outside = x[targets[:, k] == 0]
        centre = inside.mean(axis=0)
        spread = np.linalg.norm(inside - centre, axis=1).max()
        assert np.linalg.norm(outside - centre, axis=1).min() > 0.6 * spread


@pytest.mark.parametrize("noise", [0.0, 0.5, 1.0])
def test_bumps_are_non_negative(noise: float) -> None:
    _, targets, _ = merged(make_dataset(DatasetName.BUMPS, n_points=1000, noise=noise))
    assert targets.min() >= 0.0
    assert targets.max() <= 1.0
    assert targets.max() > 0.8  # the tallest bump is actually sampled


def test_plane_values_at_noise_zero() -> None:
    x, targets, labels = merged(make_dataset(DatasetName.PLANE, noise=0.0))
    np.testing.assert_allclose(targets[:, 0], (x[:, 0] + x[:, 1]) / 12, atol=1e-6)
    assert not labels.any()


def test_sine_values_at_noise_zero() -> None:
    x, targets, _ = merged(make_dataset(DatasetName.SINE, noise=0.0))
    np.testing.assert_allclose(targets[:, 0], np.sin(x[:, 0]) * np.cos(x[:, 1]), atol=1e-5)


def test_regression_noise_perturbs_only_the_targets() -> None:
    clean = make_dataset(DatasetName.PLANE, noise=0.0)
    noisy = make_dataset(DatasetName.PLANE, noise=1.0)
    np.testing.assert_array_equal(clean.train.x, noisy.train.x)
    residual = noisy.train.targets - clean.train.targets
    assert 0.4 < float(residual.std()) < 0.6


def test_noise_jitters_the_same_points() -> None:
    clean = make_dataset(DatasetName.CIRCLE, noise=0.0)
    noisy = make_dataset(DatasetName.CIRCLE, noise=0.5)
    np.testing.assert_array_equal(clean.train.labels, noisy.train.labels)
    shift = np.linalg.norm(noisy.train.x - clean.train.x, axis=1)
    assert 0.3 < float(shift.mean()) < 1.0


@pytest.mark.parametrize(
    ("n_points", "fraction"), [(10, 0.1), (10, 0.9), (15, 0.5), (500, 0.5), (999, 0.7), (1000, 0.3)]
)
def test_train_fraction_is_respected(n_points: int, fraction: float) -> None:
    dataset = make_dataset(DatasetName.MOONS, n_points=n_points, train_fraction=fraction)
    assert len(dataset.train.x) == round(n_points * fraction)
    assert len(dataset.train.x) + len(dataset.test.x) == n_points


def test_arrays_are_read_only() -> None:
    dataset = make_dataset(DatasetName.XOR, n_points=20)
    with pytest.raises(ValueError, match="read-only"):
        dataset.train.x[0, 0] = 0.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": DatasetName.CUSTOM}, "dataset"),
        ({"name": "nonsense"}, "dataset"),
        ({"n_points": limits.MIN_POINTS - 1}, "n_points"),
        ({"n_points": limits.MAX_POINTS + 1}, "n_points"),
        ({"n_points": 100.0}, "n_points"),
        ({"noise": -0.01}, "noise"),
        ({"noise": 1.01}, "noise"),
        ({"noise": math.nan}, "noise"),
        ({"train_fraction": 0.05}, "train_fraction"),
        ({"train_fraction": 0.95}, "train_fraction"),
        ({"train_fraction": math.inf}, "train_fraction"),
        ({"seed": -1}, "seed"),
        ({"n_classes": 2}, "n_classes"),
        ({"n_classes": limits.MAX_OUTPUTS + 1}, "n_classes"),
    ],
)
def test_make_dataset_errors_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"name": DatasetName.BLOBS, **kwargs}
    with pytest.raises(DataError) as caught:
        make_dataset(**arguments)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: expected ")


def test_custom_is_not_generated() -> None:
    with pytest.raises(DataError) as caught:
        make_dataset(DatasetName.CUSTOM)
    assert caught.value.expected == "a generated dataset; use dataset_from_points for custom points"
    assert caught.value.received is DatasetName.CUSTOM
    assert (
        str(caught.value)
        == f"dataset: expected {caught.value.expected}, received {DatasetName.CUSTOM!r}"
    )


GOOD_ROW = (1.0, -2.0, 1.0)


@pytest.mark.parametrize(
    ("problem", "n_outputs", "rows", "field"),
    [
        (Problem.BINARY, 2, [GOOD_ROW] * 4, "n_outputs"),
        (Problem.MULTICLASS, 2, [GOOD_ROW] * 4, "n_outputs"),
        (Problem.MULTICLASS, 6, [GOOD_ROW] * 4, "n_outputs"),
        (Problem.MULTILABEL, 4, [GOOD_ROW] * 4, "n_outputs"),
        (Problem.REGRESSION, 3, [GOOD_ROW] * 4, "n_outputs"),
        ("nonsense", 1, [GOOD_ROW] * 4, "problem"),
        (Problem.BINARY, 1, [GOOD_ROW], "points"),
        (Problem.BINARY, 1, [GOOD_ROW] * (limits.MAX_POINTS + 1), "points"),
        (Problem.BINARY, 1, [GOOD_ROW, (1.0, 2.0)], "points[1]"),
        (Problem.BINARY, 1, [GOOD_ROW, "abc"], "points[1]"),
        (Problem.BINARY, 1, [GOOD_ROW, (6.5, 0.0, 1.0)], "points[1].x"),
        (Problem.BINARY, 1, [GOOD_ROW, (math.nan, 0.0, 1.0)], "points[1].x"),
        (Problem.BINARY, 1, [GOOD_ROW, ("1", 0.0, 1.0)], "points[1].x"),
        (Problem.BINARY, 1, [GOOD_ROW, GOOD_ROW, (0.0, -math.inf, 0.0)], "points[2].y"),
        (Problem.BINARY, 1, [GOOD_ROW, (0.0, -6.01, 0.0)], "points[1].y"),
        (Problem.BINARY, 1, [GOOD_ROW, (0.0, 0.0, 0.5)], "points[1].label"),
        (Problem.BINARY, 1, [GOOD_ROW, (0.0, 0.0, 2)], "points[1].label"),
        (Problem.BINARY, 1, [GOOD_ROW, (0.0, 0.0, -1)], "points[1].label"),
        (Problem.BINARY, 1, [GOOD_ROW, (0.0, 0.0, math.nan)], "points[1].label"),
        (Problem.BINARY, 1, [GOOD_ROW, (0.0, 0.0, True)], "points[1].label"),
        (Problem.MULTICLASS, 3, [GOOD_ROW, (0.0, 0.0, 3)], "points[1].label"),
        (Problem.MULTICLASS, 3, [GOOD_ROW, (0.0, 0.0, 1.5)], "points[1].label"),
        (Problem.MULTILABEL, 2, [GOOD_ROW, (0.0, 0.0, 4)], "points[1].label"),
        (Problem.MULTILABEL, 3, [GOOD_ROW, (0.0, 0.0, 8)], "points[1].label"),
        (Problem.MULTILABEL, 3, [GOOD_ROW, (0.0, 0.0, math.inf)], "points[1].label"),
        (Problem.REGRESSION, 1, [GOOD_ROW, (0.0, 0.0, 1000.5)], "points[1].label"),
        (Problem.REGRESSION, 1, [GOOD_ROW, (0.0, 0.0, -math.inf)], "points[1].label"),
        (Problem.REGRESSION, 1, [GOOD_ROW, (0.0, 0.0, math.nan)], "points[1].label"),
    ],
)
def test_custom_point_errors_name_the_field(
    problem: Problem, n_outputs: int, rows: list[Any], field: str
) -> None:
    with pytest.raises(DataError) as caught:
        dataset_from_points(problem, n_outputs, rows)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: expected ")


@pytest.mark.parametrize(("field", "value"), [("train_fraction", 0.95), ("seed", -1)])
def test_custom_split_arguments_are_checked(field: str, value: float) -> None:
    with pytest.raises(DataError) as caught:
        dataset_from_points(Problem.BINARY, 1, [GOOD_ROW] * 4, **{field: value})
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("problem", "n_outputs", "labels"),
    [
        (Problem.BINARY, 1, [0, 1.0, 1, 0, 1, 0, 0]),
        (Problem.MULTICLASS, 4, [0, 1, 2, 3.0, 3, 2, 1]),
        (Problem.MULTILABEL, 3, [0, 1, 2, 3, 4, 5, 7.0]),
        (Problem.REGRESSION, 1, [-1000.0, 0.25, 3, 999.5, -0.5, 0.0, 1000]),
    ],
)
def test_custom_points_round_trip(problem: Problem, n_outputs: int, labels: list[float]) -> None:
    rows = [(-6.0 + i, 6.0 - 1.5 * i, label) for i, label in enumerate(labels)]
    dataset = dataset_from_points(problem, n_outputs, rows, train_fraction=0.3, seed=5)
    assert dataset.problem is problem
    assert dataset.n_outputs == n_outputs
    assert (len(dataset.train.x), len(dataset.test.x)) == (2, 5)
    x, targets, kept = merged(dataset)
    order = np.argsort(x[:, 0])
    np.testing.assert_array_equal(x[order], [row[:2] for row in rows])
    if problem is Problem.REGRESSION:
        np.testing.assert_array_equal(targets[order, 0], labels)
        assert not kept.any()
        return
    np.testing.assert_array_equal(kept[order], labels)
    classes = np.array(labels, dtype=int)
    if problem is Problem.BINARY:
        expected = classes[:, None]
    elif problem is Problem.MULTICLASS:
        expected = np.eye(n_outputs)[classes]
    else:
        expected = (classes[:, None] >> np.arange(n_outputs)) & 1
    np.testing.assert_array_equal(targets[order], expected)


def test_custom_split_depends_on_the_seed_only() -> None:
    rows = [(i / 10, 0.0, i % 2) for i in range(40)]
    first = dataset_from_points(Problem.BINARY, 1, rows, seed=1)
    again = dataset_from_points(Problem.BINARY, 1, rows, seed=1)
    other = dataset_from_points(Problem.BINARY, 1, rows, seed=2)
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(other)


def test_two_custom_points_give_one_each() -> None:
    dataset = dataset_from_points(Problem.BINARY, 1, [GOOD_ROW, (0.0, 0.0, 0)], train_fraction=0.9)
    assert (len(dataset.train.x), len(dataset.test.x)) == (1, 1)


def test_target_range_spans_regression_values() -> None:
    dataset = dataset_from_points(Problem.REGRESSION, 1, [(0, 0, -3.0), (1, 1, 2.5), (2, 2, 7)])
    assert target_range(dataset) == (-3.0, 7.0)


def test_target_range_widens_a_flat_scale() -> None:
    dataset = dataset_from_points(Problem.REGRESSION, 1, [(0, 0, 4.0), (1, 1, 4.0)])
    assert target_range(dataset) == (3.5, 4.5)


@pytest.mark.parametrize("name", [DatasetName.CIRCLE, DatasetName.BLOBS, DatasetName.OVERLAP])
def test_target_range_of_classification_is_unit(name: DatasetName) -> None:
    assert target_range(make_dataset(name, n_points=50)) == (0.0, 1.0)


def test_target_range_of_noisy_regression() -> None:
    dataset = make_dataset(DatasetName.SINE, noise=1.0)
    _, targets, _ = merged(dataset)
    low, high = target_range(dataset)
    assert (low, high) == (float(targets.min()), float(targets.max()))
    assert low < -1.0
    assert high > 1.0
