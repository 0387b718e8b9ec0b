"""The NumPy digits reference: the window table, the conv and locally connected layers
against direct loops, the delta rule against finite differences, and training on digits."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from nn_playground.engine.config import Activation, Loss, Problem
from nn_playground.engine.numerics.digits import digits_data
from nn_playground.engine.numerics.image_first_layer import (
    FirstLayer,
    FirstLayerKind,
    first_layer_forward,
)
from nn_playground.engine.numerics.image_reference import (
    ImageNetwork,
    forward,
    gradients,
    init_image_network,
)
from nn_playground.engine.numerics.image_training import (
    adam_epoch,
    adam_state,
    sgd_epoch,
)
from nn_playground.engine.numerics.windows import KERNELS, STRIDES, positions_per_side, windows

Array = npt.NDArray[Any]

EPS = 1e-6  # central differences in float64: truncation ~EPS^2, round-off ~1e-16 / EPS
GEOMETRIES = [(k, s) for k in KERNELS for s in STRIDES]
DENSE = FirstLayer(FirstLayerKind.DENSE, 4)
CONV = FirstLayer(FirstLayerKind.CONV, 2, kernel=3, stride=2)
LOCAL = FirstLayer(FirstLayerKind.LOCAL, 2, kernel=4, stride=2)


def _images(n: int, seed: int) -> Array:
    """Random float64 'images' (n, 64) in [0, 1], as DigitImages.x scales them."""
    return np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, 64))


def _random_net(first: FirstLayer, outputs: int, activation: Activation, seed: int) -> ImageNetwork:
    """A float64 net with non-zero biases, so bias gradients are tested off the origin."""
    rng = np.random.default_rng(seed)
    net = init_image_network(first, [5], outputs, [activation, activation], rng)
    net.weights = [w.astype(np.float64) for w in net.weights]
    net.biases = [rng.normal(0.0, 0.3, size=b.shape) for b in net.biases]
    return net


# --- the window table ------------------------------------------------------------------------


@pytest.mark.parametrize(("kernel", "stride"), GEOMETRIES)
def test_windows_are_the_valid_positions_row_major(kernel: int, stride: int) -> None:
    table = windows(kernel, stride)
    side = (8 - kernel) // stride + 1
    assert table.shape == (side * side, kernel * kernel)
    top_left = [r * 8 + c for r in range(kernel) for c in range(kernel)]
    assert table[0].tolist() == top_left
    # Position 1 is one stride to the right, position `side` one stride down.
    if side > 1:
        assert table[1].tolist() == [p + stride for p in top_left]
        assert table[side].tolist() == [p + 8 * stride for p in top_left]
    assert table.max() < 64
    assert not table.flags.writeable  # cached and shared by every caller


@pytest.mark.parametrize(("kernel", "stride"), [(1, 1), (6, 1), (3, 0), (3, 4)])
def test_windows_refuse_sizes_outside_the_bounds(kernel: int, stride: int) -> None:
    with pytest.raises(ValueError, match=r"kernel must be in 2\.\.5 and stride in 1\.\.3"):
        positions_per_side(kernel, stride)


# --- the first layer against direct loops ----------------------------------------------------


def _convolve_by_loops(images: Array, kernels: Array, bias: Array, stride: int) -> Array:
    """The textbook valid cross-correlation (no flip, as Keras' Conv2D), flattened
    position-major: out[n, (row * side + col) * filters + f]."""
    k = kernels.shape[0]
    filters = kernels.shape[2]
    side = (8 - k) // stride + 1
    out = np.zeros((len(images), side, side, filters))
    for n, image in enumerate(images):
        for row in range(side):
            for col in range(side):
                for f in range(filters):
                    patch = image[row * stride : row * stride + k, col * stride : col * stride + k]
                    out[n, row, col, f] = np.sum(patch * kernels[:, :, f]) + bias[f]
    return out.reshape(len(images), side * side * filters)


@pytest.mark.parametrize(("kernel", "stride"), GEOMETRIES)
def test_conv_equals_a_direct_convolution(kernel: int, stride: int) -> None:
    rng = np.random.default_rng(kernel * 10 + stride)
    layer = FirstLayer(FirstLayerKind.CONV, 3, kernel, stride)
    kernels = rng.normal(size=(kernel, kernel, 3))
    bias = rng.normal(size=3)
    x = _images(4, seed=stride)
    z = first_layer_forward(layer, kernels.reshape(kernel * kernel, 3), bias, x)
    expected = _convolve_by_loops(x.reshape(4, 8, 8), kernels, bias, stride)
    np.testing.assert_allclose(z, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("kernel", "stride"), GEOMETRIES)
def test_local_equals_conv_when_every_position_shares_its_weights(kernel: int, stride: int) -> None:
    rng = np.random.default_rng(kernel + 100 * stride)
    conv = FirstLayer(FirstLayerKind.CONV, 2, kernel, stride)
    local = FirstLayer(FirstLayerKind.LOCAL, 2, kernel, stride)
    w = rng.normal(size=conv.weight_shape)
    b = rng.normal(size=conv.bias_shape)
    shared_w = np.broadcast_to(w, local.weight_shape)
    shared_b = np.broadcast_to(b, local.bias_shape)
    x = _images(3, seed=kernel)
    np.testing.assert_allclose(
        first_layer_forward(local, shared_w, shared_b, x),
        first_layer_forward(conv, w, b, x),
        rtol=1e-12,
        atol=1e-12,
    )


def test_local_positions_have_their_own_weights() -> None:
    # Changing one position's kernel changes that position's outputs and no other's.
    rng = np.random.default_rng(7)
    w = rng.normal(size=LOCAL.weight_shape)
    b = rng.normal(size=LOCAL.bias_shape)
    x = _images(2, seed=8)
    before = first_layer_forward(LOCAL, w, b, x).reshape(2, LOCAL.positions, LOCAL.width)
    w[3] += 1.0
    after = first_layer_forward(LOCAL, w, b, x).reshape(2, LOCAL.positions, LOCAL.width)
    changed = np.abs(after - before).max(axis=(0, 2)) > 1e-9
    assert changed.tolist() == [p == 3 for p in range(LOCAL.positions)]


# --- back-propagation against finite differences ---------------------------------------------


def _numeric_gradients(net: ImageNetwork, loss_of: Any) -> list[Array]:
    """Central differences of loss_of() over every weight, then every bias, perturbed in place."""
    result = []
    for p in net.weights + net.biases:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + EPS
            up = loss_of()
            p[idx] = old - EPS
            down = loss_of()
            p[idx] = old
            g[idx] = (up - down) / (2 * EPS)
        result.append(g)
    return result


OBJECTIVES = [
    (Problem.BINARY, Loss.CROSS_ENTROPY, 1),
    (Problem.MULTICLASS, Loss.CROSS_ENTROPY, 10),
    (Problem.MULTICLASS, Loss.MSE, 10),
]


@pytest.mark.parametrize("first", [DENSE, CONV, LOCAL], ids=lambda layer: str(layer.kind))
@pytest.mark.parametrize("activation", [Activation.RELU, Activation.TANH])
@pytest.mark.parametrize(
    ("problem", "loss", "outputs"), OBJECTIVES, ids=[f"{p}-{loss}" for p, loss, _ in OBJECTIVES]
)
@pytest.mark.parametrize("l2", [0.0, 0.02])
def test_gradients_match_finite_differences(
    first: FirstLayer,
    activation: Activation,
    problem: Problem,
    loss: Loss,
    outputs: int,
    l2: float,
) -> None:
    net = _random_net(first, outputs, activation, seed=1)
    x = _images(6, seed=2)
    labels = np.random.default_rng(3).integers(0, max(outputs, 2), size=6)
    _, grad_w, grad_b = gradients(net, x, labels, loss, problem, l2=l2)
    numeric = _numeric_gradients(net, lambda: gradients(net, x, labels, loss, problem, l2=l2)[0])
    # A vanishing gradient would agree with anything; make sure there is something to compare,
    # in the first layer above all (the part this module adds to engine.reference).
    assert float(np.abs(grad_w[0]).max()) > 1e-3
    for analytic, expected in zip(grad_w + grad_b, numeric, strict=True):
        np.testing.assert_allclose(analytic, expected, rtol=1e-6, atol=1e-9)


def test_penalty_covers_the_first_layers_kernels() -> None:
    net = _random_net(CONV, 10, Activation.TANH, seed=4)
    x = _images(5, seed=5)
    labels = np.arange(5)
    plain, plain_w, _ = gradients(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS)
    value, grad_w, _ = gradients(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS, l2=0.1)
    assert value == pytest.approx(plain + 0.1 * sum(float((w * w).sum()) for w in net.weights))
    np.testing.assert_allclose(grad_w[0] - plain_w[0], 0.2 * net.weights[0], rtol=1e-12)


# --- training --------------------------------------------------------------------------------


def _mean_loss(net: ImageNetwork, x: Array, labels: Array) -> float:
    return gradients(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS)[0]


def test_first_adam_step_moves_every_parameter_by_the_learning_rate() -> None:
    # At t = 1 the bias corrections make m_hat = g and v_hat = g^2, so the step is
    # lr * g / (|g| + eps): the learning rate itself wherever |g| >> eps.
    net = _random_net(DENSE, 10, Activation.RELU, seed=6)
    x = _images(8, seed=7)
    labels = np.arange(8)
    _, grad_w, grad_b = gradients(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS)
    before = [p.copy() for p in net.weights + net.biases]
    state = adam_state(net)
    rng = np.random.default_rng(0)
    adam_epoch(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS, 0.01, 8, rng, state)
    assert state.steps == 1
    for old, new, grad in zip(before, net.weights + net.biases, grad_w + grad_b, strict=True):
        np.testing.assert_allclose(new - old, -0.01 * grad / (np.abs(grad) + 1e-8), atol=1e-12)


def test_adam_epochs_lower_the_loss_of_a_64_25_15_10_relu_network_on_the_digits() -> None:
    data = digits_data()
    x, labels = data.train.x, data.train.labels
    rng = np.random.default_rng(0)
    relu = Activation.RELU
    net = init_image_network(FirstLayer(FirstLayerKind.DENSE, 25), [15], 10, [relu, relu], rng)
    state = adam_state(net)
    start = _mean_loss(net, x, labels)
    losses = [
        adam_epoch(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS, 0.01, 32, rng, state)
        for _ in range(5)
    ]
    assert state.steps == 5 * 45  # 1,437 images in batches of 32
    assert losses == sorted(losses, reverse=True)
    assert _mean_loss(net, x, labels) < 0.2 * start
    test_logits = forward(net, data.test.x)[0][-1]
    assert np.mean(test_logits.argmax(axis=1) == data.test.labels) > 0.9


def test_sgd_epochs_train_a_convolutional_network_on_the_digits() -> None:
    data = digits_data()
    x, labels = data.train.x, data.train.labels
    rng = np.random.default_rng(1)
    tanh = Activation.TANH
    net = init_image_network(FirstLayer(FirstLayerKind.CONV, 4, 3, 1), [], 10, [tanh], rng)
    start = _mean_loss(net, x, labels)
    for _ in range(3):
        sgd_epoch(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS, 0.1, 32, rng)
    assert _mean_loss(net, x, labels) < 0.5 * start
