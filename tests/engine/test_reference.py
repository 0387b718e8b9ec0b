"""The NumPy reference: activations, losses and the delta rule against finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from nn_playground.engine.config import Activation, Loss, Problem, RegressionOutput
from nn_playground.engine.numerics.reference import (
    SELU_ALPHA,
    SELU_SCALE,
    DenseNetwork,
    activate,
    activation_derivative,
    forward,
    gradients,
    init_network,
    loss_and_logit_delta,
    sgd_epoch,
)

Array = npt.NDArray[Any]
Batch = tuple[Array, Array, Array]

EPS = 1e-6  # central differences in float64: truncation ~EPS^2, round-off ~1e-16 / EPS
N_OUTPUTS = {Problem.BINARY: 1, Problem.MULTILABEL: 3, Problem.MULTICLASS: 4, Problem.REGRESSION: 1}
LIN, RELU_OUT = RegressionOutput.LINEAR, RegressionOutput.RELU

COMBINATIONS = [
    (Problem.BINARY, Loss.CROSS_ENTROPY, LIN),
    (Problem.BINARY, Loss.CROSS_ENTROPY_NAIVE, LIN),
    (Problem.BINARY, Loss.MSE, LIN),
    (Problem.BINARY, Loss.PERCEPTRON, LIN),
    (Problem.MULTILABEL, Loss.CROSS_ENTROPY, LIN),
    (Problem.MULTILABEL, Loss.CROSS_ENTROPY_NAIVE, LIN),
    (Problem.MULTILABEL, Loss.MSE, LIN),
    (Problem.MULTICLASS, Loss.CROSS_ENTROPY, LIN),
    (Problem.MULTICLASS, Loss.CROSS_ENTROPY_NAIVE, LIN),
    (Problem.MULTICLASS, Loss.MSE, LIN),
    (Problem.REGRESSION, Loss.MSE, LIN),
    (Problem.REGRESSION, Loss.MSE, RELU_OUT),
]
COMBINATION_IDS = [f"{p}-{loss}-{out}" for p, loss, out in COMBINATIONS]


def _random_net(sizes: list[int], activation: Activation, seed: int) -> DenseNetwork:
    """A float64 net with non-zero biases, so bias gradients are tested off the origin."""
    rng = np.random.default_rng(seed)
    net = init_network(sizes, [activation] * (len(sizes) - 2), rng)
    net.weights = [w.astype(np.float64) for w in net.weights]
    net.biases = [rng.normal(0.0, 0.5, size=b.shape) for b in net.biases]
    return net


def _batch(problem: Problem, n: int, n_features: int, seed: int) -> Batch:
    """Random inputs with targets and labels of the shapes the problem uses."""
    rng = np.random.default_rng(seed)
    k = N_OUTPUTS[problem]
    x = rng.normal(size=(n, n_features))
    labels = np.zeros(n, dtype=np.int64)
    if problem is Problem.BINARY:
        labels = rng.integers(0, 2, size=n)
        targets = labels[:, None].astype(np.float64)
    elif problem is Problem.MULTILABEL:
        targets = rng.integers(0, 2, size=(n, k)).astype(np.float64)
    elif problem is Problem.MULTICLASS:
        labels = rng.integers(0, k, size=n)
        targets = np.eye(k)[labels]
    else:
        targets = rng.normal(size=(n, k))
    return x, targets, labels


def _numeric_gradients(
    net: DenseNetwork, loss_of: Callable[[], float]
) -> tuple[list[Array], list[Array]]:
    """Central differences of loss_of() over every weight and bias, perturbed in place."""
    result: list[list[Array]] = []
    for params in (net.weights, net.biases):
        grads = []
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + EPS
                up = loss_of()
                p[idx] = old - EPS
                down = loss_of()
                p[idx] = old
                g[idx] = (up - down) / (2 * EPS)
            grads.append(g)
        result.append(grads)
    return result[0], result[1]


def _check_against_finite_differences(
    net: DenseNetwork,
    batch: Batch,
    combination: tuple[Problem, Loss, RegressionOutput],
    l1: float = 0.0,
    l2: float = 0.0,
) -> None:
    problem, loss, output = combination
    x, targets, labels = batch
    args = (x, targets, labels, loss, problem, output, l1, l2)
    _, grad_w, grad_b = gradients(net, *args)
    num_w, num_b = _numeric_gradients(net, lambda: gradients(net, *args)[0])
    # A vanishing gradient would agree with anything; make sure there is something to compare.
    assert max(float(np.abs(g).max()) for g in grad_w) > 1e-3
    for analytic, numeric in zip(grad_w + grad_b, num_w + num_b, strict=True):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


# --- activations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activation", "z", "expected"),
    [
        (Activation.SIGMOID, [-1000.0, 0.0, 2.0, 1000.0], [0.0, 0.5, 1 / (1 + np.exp(-2)), 1.0]),
        (Activation.TANH, [-1.0, 0.5], [np.tanh(-1.0), np.tanh(0.5)]),
        (Activation.RELU, [-2.0, 0.0, 3.0], [0.0, 0.0, 3.0]),
        (Activation.LEAKY_RELU, [-2.0, 3.0], [-0.02, 3.0]),
        (Activation.ELU, [-1.0, 3.0, -1000.0, 1000.0], [np.exp(-1) - 1, 3.0, -1.0, 1000.0]),
        (
            Activation.SELU,
            [-1.0, 2.0],
            [SELU_SCALE * SELU_ALPHA * (np.exp(-1) - 1), SELU_SCALE * 2.0],
        ),
        (Activation.SWISH, [-1.0, 1.0], [-1 / (1 + np.e), 1 / (1 + np.exp(-1))]),
        (Activation.LINEAR, [-7.0, 4.0], [-7.0, 4.0]),
    ],
)
def test_activation_values(activation: Activation, z: list[float], expected: list[float]) -> None:
    # pytest turns RuntimeWarnings into errors, so the extreme points also check no overflow.
    np.testing.assert_allclose(activate(np.array(z), activation), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("activation", list(Activation))
def test_activation_derivative_matches_finite_differences(activation: Activation) -> None:
    z = np.array([-3.0, -1.2, -0.3, 0.2, 0.9, 2.5])
    numeric = (activate(z + EPS, activation) - activate(z - EPS, activation)) / (2 * EPS)
    np.testing.assert_allclose(activation_derivative(z, activation), numeric, rtol=1e-6)


@pytest.mark.parametrize(
    ("activation", "slope"),
    [(Activation.RELU, 0.0), (Activation.LEAKY_RELU, 0.01), (Activation.ELU, 1.0)],
)
def test_kinked_derivatives_take_the_left_slope_at_zero(
    activation: Activation, slope: float
) -> None:
    assert activation_derivative(np.zeros(1), activation)[0] == pytest.approx(slope)


@pytest.mark.parametrize("activation", list(Activation))
def test_activations_keep_float32(activation: Activation) -> None:
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    assert activate(z, activation).dtype == np.float32
    assert activation_derivative(z, activation).dtype == np.float32


# --- back-propagation against finite differences ---------------------------------------------


@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATION_IDS)
@pytest.mark.parametrize("activation", list(Activation))
def test_gradients_match_finite_differences(
    activation: Activation, combination: tuple[Problem, Loss, RegressionOutput]
) -> None:
    problem = combination[0]
    net = _random_net([3, 4, 3, N_OUTPUTS[problem]], activation, seed=1)
    batch = _batch(problem, n=6, n_features=3, seed=2)
    # Centre the logits so the ReLU output and the perceptron's step see both signs, without
    # which their gradients would be all zero.
    net.biases[-1] -= np.median(forward(net, batch[0])[0][-1], axis=0)
    _check_against_finite_differences(net, batch, combination)


@pytest.mark.parametrize("combination", COMBINATIONS[::3], ids=COMBINATION_IDS[::3])
def test_regularised_gradients_match_finite_differences(
    combination: tuple[Problem, Loss, RegressionOutput],
) -> None:
    problem = combination[0]
    net = _random_net([3, 4, 3, N_OUTPUTS[problem]], Activation.TANH, seed=3)
    batch = _batch(problem, n=6, n_features=3, seed=4)
    _check_against_finite_differences(net, batch, combination, l1=0.03, l2=0.05)


def test_penalty_covers_weights_but_not_biases() -> None:
    net = _random_net([3, 4, 1], Activation.TANH, seed=5)
    x, targets, labels = _batch(Problem.BINARY, n=8, n_features=3, seed=6)
    args = (x, targets, labels, Loss.CROSS_ENTROPY, Problem.BINARY, LIN)
    plain, plain_w, plain_b = gradients(net, *args)
    value, grad_w, grad_b = gradients(net, *args, l1=0.1, l2=0.2)
    penalty = sum(0.1 * np.abs(w).sum() + 0.2 * (w * w).sum() for w in net.weights)
    assert value - plain == pytest.approx(penalty, rel=1e-12)
    for w, g, g0 in zip(net.weights, grad_w, plain_w, strict=True):
        np.testing.assert_allclose(g - g0, 0.1 * np.sign(w) + 0.4 * w, atol=1e-12)
    for g, g0 in zip(grad_b, plain_b, strict=True):
        np.testing.assert_array_equal(g, g0)


def test_float32_inputs_give_float32_gradients() -> None:
    net = init_network([2, 5, 3], [Activation.SWISH], np.random.default_rng(0))
    x, targets, labels = _batch(Problem.MULTICLASS, n=7, n_features=2, seed=0)
    targets = np.eye(3)[labels % 3]
    value, grad_w, grad_b = gradients(
        net, x.astype(np.float32), targets, labels % 3, Loss.MSE, Problem.MULTICLASS, LIN
    )
    assert np.isfinite(value)
    assert all(g.dtype == np.float32 for g in grad_w + grad_b)
    assert [g.shape for g in grad_w] == [(2, 5), (5, 3)]
    assert [g.shape for g in grad_b] == [(5,), (3,)]


# --- losses ----------------------------------------------------------------------------------

# Logits at +-1000 with the loss the stable formulas must give exactly (in float32).
EXTREME_CASES = {
    Problem.BINARY: (
        [[1000.0], [-1000.0], [1000.0], [-1000.0]],
        [[1.0], [0.0], [0.0], [1.0]],
        [1, 0, 0, 1],
        (0 + 0 + 1000 + 1000) / 4,
    ),
    Problem.MULTILABEL: (
        [[1000.0, -1000.0], [1000.0, 1000.0]],
        [[1.0, 1.0], [1.0, 0.0]],
        [0, 0],
        (0 + 1000 + 0 + 1000) / 4,
    ),
    Problem.MULTICLASS: (
        [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -1000.0]],
        [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        [0, 0, 2],
        (0 + 2000 + np.log(3)) / 3,
    ),
}


def _extreme(problem: Problem) -> tuple[Array, Array, Array, float]:
    logits, targets, labels, expected = EXTREME_CASES[problem]
    return (
        np.array(logits, dtype=np.float32),
        np.array(targets, dtype=np.float32),
        np.array(labels),
        float(expected),
    )


@pytest.mark.parametrize("problem", list(EXTREME_CASES))
def test_stable_cross_entropy_is_finite_and_exact_at_extreme_logits(problem: Problem) -> None:
    logits, targets, labels, expected = _extreme(problem)
    value, delta = loss_and_logit_delta(logits, targets, labels, Loss.CROSS_ENTROPY, problem, LIN)
    assert value == pytest.approx(expected, rel=1e-6)
    assert np.isfinite(delta).all()
    assert delta.dtype == np.float32


@pytest.mark.parametrize("problem", list(EXTREME_CASES))
def test_naive_cross_entropy_breaks_at_extreme_logits(problem: Problem) -> None:
    logits, targets, labels, _ = _extreme(problem)
    value, _ = loss_and_logit_delta(logits, targets, labels, Loss.CROSS_ENTROPY_NAIVE, problem, LIN)
    assert not np.isfinite(value)


@pytest.mark.parametrize("problem", [Problem.BINARY, Problem.MULTILABEL, Problem.MULTICLASS])
def test_stable_and_naive_cross_entropy_agree_at_moderate_logits(problem: Problem) -> None:
    rng = np.random.default_rng(7)
    _, targets, labels = _batch(problem, n=20, n_features=1, seed=8)
    logits = rng.uniform(-5.0, 5.0, size=targets.shape)
    stable, stable_delta = loss_and_logit_delta(
        logits, targets, labels, Loss.CROSS_ENTROPY, problem, LIN
    )
    naive, naive_delta = loss_and_logit_delta(
        logits, targets, labels, Loss.CROSS_ENTROPY_NAIVE, problem, LIN
    )
    assert naive == pytest.approx(stable, rel=1e-5)
    np.testing.assert_allclose(naive_delta, stable_delta, rtol=1e-5, atol=1e-12)


def test_relu_regression_output_has_no_gradient_below_zero() -> None:
    logits = np.array([[-2.0], [-0.5], [1.5]])
    targets = np.array([[1.0], [0.0], [1.0]])
    value, delta = loss_and_logit_delta(
        logits, targets, np.zeros(3, dtype=np.int64), Loss.MSE, Problem.REGRESSION, RELU_OUT
    )
    assert value == pytest.approx((1.0 + 0.0 + 0.25) / 3)
    np.testing.assert_allclose(delta[:, 0], [0.0, 0.0, 2 * 0.5 / 3])


@pytest.mark.parametrize(
    ("problem", "loss"),
    [
        (Problem.MULTICLASS, Loss.PERCEPTRON),
        (Problem.MULTILABEL, Loss.PERCEPTRON),
        (Problem.REGRESSION, Loss.PERCEPTRON),
        (Problem.REGRESSION, Loss.CROSS_ENTROPY),
        (Problem.REGRESSION, Loss.CROSS_ENTROPY_NAIVE),
    ],
)
def test_combinations_that_do_not_exist_are_refused(problem: Problem, loss: Loss) -> None:
    logits = np.zeros((2, N_OUTPUTS[problem]))
    with pytest.raises(ValueError, match=r"perceptron|regression"):
        loss_and_logit_delta(logits, logits, np.zeros(2, dtype=np.int64), loss, problem, LIN)


def test_targets_must_match_the_logits() -> None:
    with pytest.raises(ValueError, match="targets"):
        loss_and_logit_delta(
            np.zeros((4, 1)),
            np.zeros(4),
            np.zeros(4, dtype=np.int64),
            Loss.MSE,
            Problem.BINARY,
            LIN,
        )


# --- the perceptron --------------------------------------------------------------------------


def _perceptron_data() -> tuple[DenseNetwork, Array, Array, Array]:
    """Points at least 0.5 from the line x1 + x2 = 0, labelled by its side, and that line."""
    rng = np.random.default_rng(9)
    x = rng.uniform(-3.0, 3.0, size=(40, 2))
    x = x[np.abs(x.sum(axis=1)) > 0.5]
    labels = (x.sum(axis=1) > 0).astype(np.int64)
    net = DenseNetwork([np.array([[1.0], [1.0]])], [np.zeros(1)], [])
    return net, x, labels[:, None].astype(np.float64), labels


def test_perceptron_criterion_is_zero_when_everything_is_right() -> None:
    net, x, targets, labels = _perceptron_data()
    args = (Loss.PERCEPTRON, Problem.BINARY, LIN)
    value, grad_w, grad_b = gradients(net, x, targets, labels, *args)
    assert value == 0.0
    assert not grad_w[0].any()
    assert not grad_b[0].any()
    # One flipped label costs its |z| / n.
    targets[0] = 1.0 - targets[0]
    value, _, _ = gradients(net, x, targets, labels, *args)
    assert value == pytest.approx(abs(x[0].sum()) / len(x))


def test_gradient_descent_on_the_perceptron_criterion_is_the_perceptron_rule() -> None:
    _, x, targets, labels = _perceptron_data()
    w, b = np.array([[0.3], [-1.0]]), np.array([0.2])
    net = DenseNetwork([w.copy()], [b.copy()], [])
    args = (Loss.PERCEPTRON, Problem.BINARY, LIN)
    sgd_epoch(net, x, targets, labels, *args, 0.1, len(x), np.random.default_rng(0))
    error = targets - (x @ w + b >= 0)
    assert error.any()
    np.testing.assert_allclose(net.weights[0], w + 0.1 * (error * x).mean(axis=0)[:, None])
    np.testing.assert_allclose(net.biases[0], b + 0.1 * error.mean(axis=0))


# --- training --------------------------------------------------------------------------------


def _two_clouds(seed: int) -> Batch:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=100)
    centres = np.where(labels[:, None] == 1, 2.0, -2.0)
    x = (centres + rng.normal(size=(100, 2))).astype(np.float32)
    return x, labels[:, None].astype(np.float32), labels


def test_sgd_learns_two_separated_clouds() -> None:
    x, targets, labels = _two_clouds(seed=10)
    rng = np.random.default_rng(11)
    net = init_network([2, 4, 1], [Activation.TANH], rng)
    args = (targets, labels, Loss.CROSS_ENTROPY, Problem.BINARY, LIN)
    before = gradients(net, x, *args)[0]
    for _ in range(20):
        sgd_epoch(net, x, *args, 0.1, 10, rng)
    after = gradients(net, x, *args)[0]
    assert after < 0.25 * before
    predictions = forward(net, x)[0][-1][:, 0] > 0
    assert (predictions == labels.astype(bool)).mean() > 0.95
    assert net.weights[0].dtype == np.float32


def test_sgd_epoch_walks_rng_permutation_in_batches() -> None:
    # With a zero learning rate nothing moves, so the returned value is the plain mean of the
    # minibatch losses in rng.permutation order, the last batch being the short one.
    x, targets, labels = _two_clouds(seed=12)
    x, targets, labels = x[:25], targets[:25], labels[:25]
    net = init_network([2, 3, 1], [Activation.RELU], np.random.default_rng(13))
    weights = [w.copy() for w in net.weights]
    args = (Loss.MSE, Problem.BINARY, LIN)
    value = sgd_epoch(net, x, targets, labels, *args, 0.0, 10, np.random.default_rng(14))
    order = np.random.default_rng(14).permutation(25)
    batches = [order[:10], order[10:20], order[20:]]
    expected = np.mean([gradients(net, x[i], targets[i], labels[i], *args)[0] for i in batches])
    assert value == pytest.approx(expected, rel=1e-6)
    for w, w0 in zip(net.weights, weights, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_full_batch_epoch_takes_one_gradient_step() -> None:
    x, targets, labels = _batch(Problem.MULTICLASS, n=12, n_features=2, seed=15)
    net = _random_net([2, 5, 4], Activation.ELU, seed=16)
    args = (targets, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS, LIN)
    value, grad_w, grad_b = gradients(net, x, *args, l2=0.01)
    expected_w = [w - 0.5 * g for w, g in zip(net.weights, grad_w, strict=True)]
    expected_b = [b - 0.5 * g for b, g in zip(net.biases, grad_b, strict=True)]
    returned = sgd_epoch(net, x, *args, 0.5, 12, np.random.default_rng(0), l2=0.01)
    assert returned == pytest.approx(value, rel=1e-12)
    for got, want in zip(net.weights + net.biases, expected_w + expected_b, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def _train(init_seed: int, shuffle_seed: int) -> list[Array]:
    x, targets, labels = _two_clouds(seed=17)
    net = init_network([2, 3, 1], [Activation.SIGMOID], np.random.default_rng(init_seed))
    rng = np.random.default_rng(shuffle_seed)
    for _ in range(3):
        sgd_epoch(net, x, targets, labels, Loss.CROSS_ENTROPY, Problem.BINARY, LIN, 0.2, 7, rng)
    return net.weights + net.biases


def test_training_is_deterministic_for_a_seed() -> None:
    first, again, other = _train(1, 2), _train(1, 2), _train(1, 3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(first, other, strict=True))


# --- construction ----------------------------------------------------------------------------


def test_init_network_is_glorot_uniform_float32() -> None:
    net = init_network([2, 16, 8, 3], [Activation.RELU, Activation.TANH], np.random.default_rng(0))
    assert [w.shape for w in net.weights] == [(2, 16), (16, 8), (8, 3)]
    assert [b.shape for b in net.biases] == [(16,), (8,), (3,)]
    for w, b in zip(net.weights, net.biases, strict=True):
        limit = np.sqrt(6.0 / sum(w.shape))
        assert w.dtype == np.float32
        assert b.dtype == np.float32
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.5 * limit
        assert not b.any()
    assert net.activations == [Activation.RELU, Activation.TANH]


@pytest.mark.parametrize(
    ("sizes", "activations"),
    [([3], []), ([3, 2], [Activation.TANH]), ([3, 4, 2], [])],
)
def test_init_network_refuses_mismatched_activations(
    sizes: list[int], activations: list[Activation]
) -> None:
    with pytest.raises(ValueError, match="activation"):
        init_network(sizes, activations, np.random.default_rng(0))


def test_network_shapes_must_chain() -> None:
    with pytest.raises(ValueError, match="chain"):
        DenseNetwork(
            [np.zeros((2, 3)), np.zeros((4, 1))], [np.zeros(3), np.zeros(1)], [Activation.TANH]
        )
