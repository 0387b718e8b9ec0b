"""Gradients of the compiled training step against the numpy reference (the delta rule) and
against finite differences; losses at extreme logits."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_playground.engine import limits
from nn_playground.engine.config import (
    Activation,
    DatasetName,
    Init,
    Loss,
    ModelConfig,
    Problem,
    RegressionOutput,
)
from nn_playground.engine.numerics import losses, model, reference, train
from nn_playground.engine.numerics.data import Points, make_dataset
from nn_playground.engine.numerics.export import exact_layers, feature_matrix
from nn_playground.engine.numerics.hyper import Hyper, make_hyper
from tests.engine.conftest import reference_network

ROWS = limits.CHUNK

# (problem, loss, outputs, regression output, dataset)
PROBLEMS = [
    (Problem.BINARY, Loss.CROSS_ENTROPY, 1, RegressionOutput.LINEAR, DatasetName.CIRCLE),
    (Problem.BINARY, Loss.CROSS_ENTROPY_NAIVE, 1, RegressionOutput.LINEAR, DatasetName.XOR),
    (Problem.BINARY, Loss.MSE, 1, RegressionOutput.LINEAR, DatasetName.MOONS),
    (Problem.MULTICLASS, Loss.CROSS_ENTROPY, 4, RegressionOutput.LINEAR, DatasetName.BLOBS),
    (Problem.MULTICLASS, Loss.CROSS_ENTROPY_NAIVE, 4, RegressionOutput.LINEAR, DatasetName.BLOBS),
    (Problem.MULTICLASS, Loss.MSE, 4, RegressionOutput.LINEAR, DatasetName.BLOBS),
    (Problem.MULTILABEL, Loss.CROSS_ENTROPY, 3, RegressionOutput.LINEAR, DatasetName.OVERLAP),
    (Problem.MULTILABEL, Loss.CROSS_ENTROPY_NAIVE, 3, RegressionOutput.LINEAR, DatasetName.OVERLAP),
    (Problem.MULTILABEL, Loss.MSE, 3, RegressionOutput.LINEAR, DatasetName.OVERLAP),
    (Problem.REGRESSION, Loss.MSE, 1, RegressionOutput.LINEAR, DatasetName.SINE),
    (Problem.REGRESSION, Loss.MSE, 1, RegressionOutput.RELU, DatasetName.BUMPS),
]


@functools.cache
def _gradient_fn() -> jax.stages.Wrapped:
    return jax.jit(train.minibatch_gradient)


def _batch(dataset: DatasetName, outputs: int) -> Points:
    classes = outputs if dataset is DatasetName.BLOBS else 3
    return make_dataset(dataset, n_points=80, noise=0.1, seed=4, n_classes=classes).train


def _engine_gradient(params: jax.Array, points: Points, hyper: Hyper) -> tuple[float, np.ndarray]:
    targets = np.zeros((ROWS, model.WIDTH), np.float32)
    targets[:, : points.targets.shape[1]] = points.targets[:ROWS]
    keep = jnp.ones((model.HIDDEN, ROWS, model.WIDTH), jnp.float32)
    weight = jnp.full(ROWS, 1.0 / ROWS, jnp.float32)
    loss, grad = _gradient_fn()(
        params,
        jnp.asarray(points.x[:ROWS]),
        jnp.asarray(targets),
        jnp.asarray(points.labels[:ROWS]),
        weight,
        hyper,
        hyper.depth,
        keep,
    )
    return float(loss), np.asarray(grad)


def _reference_gradient(
    params: np.ndarray, points: Points, config: ModelConfig
) -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
    net = reference_network(params, config)
    x = feature_matrix(points.x[:ROWS], config).astype(np.float64)
    loss, grad_w, grad_b = reference.gradients(
        net,
        x,
        points.targets[:ROWS].astype(np.float64),
        points.labels[:ROWS],
        config.loss,
        config.problem,
        config.regression_output,
    )
    return loss, list(zip(grad_w, grad_b, strict=True))


def _params_with_biases(config: ModelConfig, hyper: Hyper) -> jax.Array:
    params = model.init_params(jax.random.PRNGKey(config.seed), hyper)
    bias_row = (jnp.arange(model.WIDTH + 1) == model.WIDTH)[None, :, None]
    noise = jax.random.normal(jax.random.PRNGKey(99), params.shape) * 0.3
    # A positive output bias keeps a ReLU output alive, so its gradient is not all zero.
    noise = noise.at[model.OUTPUT, model.WIDTH].add(1.0)
    return params + noise * bias_row * model.param_mask(hyper)


def _assert_gradients_match(config: ModelConfig) -> None:
    hyper = make_hyper(config)
    params = _params_with_biases(config, hyper)
    points = _batch(*_dataset_for(config))
    loss, grad = _engine_gradient(params, points, hyper)
    expected_loss, expected = _reference_gradient(np.asarray(params), points, config)
    assert loss == pytest.approx(expected_loss, rel=1e-5, abs=1e-6)
    got = exact_layers(grad, config)
    scale = max(1e-3, max(float(np.max(np.abs(w))) for w, _ in expected))
    assert scale > 1e-3 or config.loss is Loss.PERCEPTRON  # the check is not vacuous
    # The naive losses lose digits in float32 by design (1 - p near p = 1).
    rtol = 3e-3 if config.loss is Loss.CROSS_ENTROPY_NAIVE else 1e-4
    for (gw, gb), (ew, eb) in zip(got, expected, strict=True):
        np.testing.assert_allclose(gw, ew, rtol=rtol, atol=2e-5 * scale)
        np.testing.assert_allclose(gb, eb, rtol=rtol, atol=2e-5 * scale)
    # Nothing outside the architecture gets a gradient.
    assert not np.any(grad[np.asarray(model.param_mask(hyper)) == 0])


def _dataset_for(config: ModelConfig) -> tuple[DatasetName, int]:
    for problem, loss, outputs, output, dataset in PROBLEMS:
        same_output = problem is not Problem.REGRESSION or output is config.regression_output
        same_problem = (problem, loss, outputs) == (config.problem, config.loss, config.n_outputs)
        if same_problem and same_output:
            return dataset, outputs
    return DatasetName.LINEAR, 1  # the perceptron


@pytest.mark.parametrize("activation", list(Activation))
@pytest.mark.parametrize(
    ("problem", "loss", "outputs", "output", "dataset"), PROBLEMS, ids=lambda v: str(v)
)
def test_gradient_matches_reference(
    activation: Activation,
    problem: Problem,
    loss: Loss,
    outputs: int,
    output: RegressionOutput,
    dataset: DatasetName,
) -> None:
    config = ModelConfig(
        problem=problem,
        n_outputs=outputs,
        loss=loss,
        regression_output=output,
        features=("x1", "x2", "sin_x2"),  # moderate logits: the naive losses stay finite
        hidden=(5, 4),
        activations=(activation, activation),
        init=Init.GLOROT_NORMAL,
        seed=11,
    )
    _assert_gradients_match(config)


def test_perceptron_gradient_is_the_perceptron_rule() -> None:
    config = ModelConfig(
        loss=Loss.PERCEPTRON, hidden=(), activations=(), dropout=(), init=Init.UNIFORM, seed=2
    )
    _assert_gradients_match(config)


def test_gradient_matches_finite_differences() -> None:
    """Central differences of the compiled loss itself, in float32 (so loosely)."""
    config = ModelConfig(hidden=(3,), activations=(Activation.TANH,), dropout=(0.0,), seed=3)
    hyper = make_hyper(config)
    params = _params_with_biases(config, hyper)
    points = _batch(DatasetName.CIRCLE, 1)
    _, grad = _engine_gradient(params, points, hyper)
    step = 1e-2
    checked = 0
    for index in zip(*np.nonzero(np.asarray(model.param_mask(hyper))), strict=True):
        bump = jnp.zeros_like(params).at[index].set(step)
        up, _ = _engine_gradient(params + bump, points, hyper)
        down, _ = _engine_gradient(params - bump, points, hyper)
        assert grad[index] == pytest.approx((up - down) / (2 * step), rel=2e-2, abs=2e-4)
        checked += 1
    assert checked == (2 * 3 + 3) + (3 + 1)


_LOGITS = jnp.asarray([[-1000.0], [-20.0], [0.0], [20.0], [1000.0]], jnp.float32)


def _losses_at(logits: jax.Array, config: ModelConfig, targets: np.ndarray) -> np.ndarray:
    hyper = make_hyper(config)
    width = (
        jnp.zeros((logits.shape[0], model.WIDTH), jnp.float32).at[:, : logits.shape[1]].set(logits)
    )
    padded = np.zeros((logits.shape[0], model.WIDTH), np.float32)
    padded[:, : targets.shape[1]] = targets
    labels = jnp.asarray(np.argmax(targets, axis=1), jnp.int32)
    return np.asarray(losses.point_losses(width, jnp.asarray(padded), labels, hyper))


def test_stable_binary_cross_entropy_is_finite_at_extreme_logits() -> None:
    ones = np.ones((5, 1), np.float32)
    stable = _losses_at(_LOGITS, ModelConfig(loss=Loss.CROSS_ENTROPY), ones)
    naive = _losses_at(_LOGITS, ModelConfig(loss=Loss.CROSS_ENTROPY_NAIVE), ones)
    assert np.all(np.isfinite(stable))
    np.testing.assert_allclose(
        stable, [1000.0, 20.0, np.log(2.0), 2.06e-9, 0.0], rtol=1e-2, atol=1e-6
    )
    assert not np.isfinite(naive[0])  # log(0): the round-off the naive form suffers
    zeros = np.zeros((5, 1), np.float32)
    naive_zero = _losses_at(_LOGITS, ModelConfig(loss=Loss.CROSS_ENTROPY_NAIVE), zeros)
    assert not np.isfinite(naive_zero[-1])


def test_stable_softmax_cross_entropy_is_finite_at_extreme_logits() -> None:
    config = ModelConfig(problem=Problem.MULTICLASS, n_outputs=3)
    logits = jnp.asarray([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]], jnp.float32)
    targets = np.eye(3, dtype=np.float32)[[0, 0]]
    stable = _losses_at(logits, config, targets)
    naive = _losses_at(
        logits,
        ModelConfig(problem=Problem.MULTICLASS, n_outputs=3, loss=Loss.CROSS_ENTROPY_NAIVE),
        targets,
    )
    np.testing.assert_allclose(stable, [0.0, 2000.0], atol=1e-3)
    assert not np.any(np.isfinite(naive))


@pytest.mark.parametrize(
    ("problem", "outputs"), [(Problem.BINARY, 1), (Problem.MULTICLASS, 4), (Problem.MULTILABEL, 3)]
)
def test_stable_and_naive_losses_agree_at_moderate_logits(problem: Problem, outputs: int) -> None:
    rng = np.random.default_rng(0)
    logits = jnp.asarray(rng.uniform(-5, 5, (50, outputs)), jnp.float32)
    labels = rng.integers(0, outputs, 50)
    if problem is Problem.MULTILABEL:
        targets = rng.integers(0, 2, (50, outputs)).astype(np.float32)
    else:
        targets = np.eye(max(outputs, 2), dtype=np.float32)[labels][:, :outputs]
        if outputs == 1:
            targets = rng.integers(0, 2, (50, 1)).astype(np.float32)
    stable = _losses_at(logits, ModelConfig(problem=problem, n_outputs=outputs), targets)
    naive_config = ModelConfig(problem=problem, n_outputs=outputs, loss=Loss.CROSS_ENTROPY_NAIVE)
    naive = _losses_at(logits, naive_config, targets)
    np.testing.assert_allclose(stable, naive, rtol=1e-4, atol=1e-5)
