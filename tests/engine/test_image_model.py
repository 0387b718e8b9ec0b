"""The padded digits network against plain JAX models, masks through training, no compilation
while settings change, and how well it learns the digits."""

from __future__ import annotations

import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_playground.engine import limits
from nn_playground.engine.config import Activation, Optimizer
from nn_playground.engine.numerics import (
    image_batch,
    image_frame,
    image_hyper,
    image_model,
    image_params,
    image_train,
)
from nn_playground.engine.numerics.digits import digits_data
from nn_playground.engine.numerics.image_hyper import ImageHyper, make_image_hyper
from nn_playground.engine.numerics.image_model import (
    FILTERS,
    PATCH,
    DigitsLoss,
    Kind,
    Params,
)
from nn_playground.engine.numerics.windows import positions_per_side, windows
from nn_playground.engine.runtime.compilation import count_compilations

SIDE = limits.DIGITS_SIDE
PAIRS = [
    (k, s)
    for k in range(limits.DIGITS_MIN_KERNEL, limits.DIGITS_MAX_KERNEL + 1)
    for s in range(limits.DIGITS_MIN_STRIDE, limits.DIGITS_MAX_STRIDE + 1)
]


def images(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 1, (n, limits.DIGITS_PIXELS)).astype(np.float32)


def test_windows_are_row_major_pixel_indices() -> None:
    table = windows(3, 2)
    assert table.shape == (9, 9)
    assert list(table[0]) == [0, 1, 2, 8, 9, 10, 16, 17, 18]
    assert list(table[1]) == [2, 3, 4, 10, 11, 12, 18, 19, 20]
    assert table[3, 0] == 16  # the second row of windows starts two pixel rows down
    assert all(positions_per_side(k, s) <= limits.DIGITS_MAX_SIDE_POSITIONS for k, s in PAIRS)


@pytest.mark.parametrize(("kernel", "stride"), PAIRS)
def test_conv_layer_is_a_convolution(kernel: int, stride: int) -> None:
    """The gathered windows times a shared kernel equal lax.conv_general_dilated (valid
    padding, strides), flattened position-major."""
    rng = np.random.default_rng(kernel * 10 + stride)
    x = images(5, kernel + stride)
    conv = rng.normal(size=(PATCH * PATCH + 1, FILTERS)).astype(np.float32)
    table, window_mask, position_mask = image_hyper.window_table(kernel, stride)
    got = image_model.conv_preactivation(jnp.asarray(x), conv, table, window_mask)
    kernels = conv[: PATCH * PATCH].reshape(PATCH, PATCH, 1, FILTERS)[:kernel, :kernel]
    expected = (
        jax.lax.conv_general_dilated(
            x.reshape(-1, SIDE, SIDE, 1),
            kernels,
            window_strides=(stride, stride),
            padding="VALID",
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
        )
        + conv[-1]
    )
    side = positions_per_side(kernel, stride)
    assert expected.shape == (5, side, side, FILTERS)
    valid = int(position_mask.sum())
    assert valid == side * side
    np.testing.assert_allclose(
        np.asarray(got)[:, :valid], np.asarray(expected).reshape(5, valid, FILTERS), atol=1e-5
    )


@pytest.mark.parametrize(("kernel", "stride"), [(2, 1), (3, 2), (5, 3)])
def test_local_layer_with_shared_weights_is_the_conv_layer(kernel: int, stride: int) -> None:
    rng = np.random.default_rng(1)
    conv = rng.normal(size=(PATCH * PATCH + 1, FILTERS)).astype(np.float32)
    local = np.broadcast_to(conv, (limits.DIGITS_MAX_POSITIONS, *conv.shape))
    table, window_mask, _ = image_hyper.window_table(kernel, stride)
    x = jnp.asarray(images(4))
    np.testing.assert_allclose(
        image_model.local_preactivation(x, jnp.asarray(local), table, window_mask),
        image_model.conv_preactivation(x, jnp.asarray(conv), table, window_mask),
        atol=1e-5,
    )


# The exact-size model, written plainly: weights cut out of the padded parameters.


def exact_params(
    params: Params,
    kind: Kind,
    kernel: int,
    stride: int,
    filters: int,
    hidden: tuple[int, ...],
    outputs: int,
) -> dict[str, jax.Array]:
    side = positions_per_side(kernel, stride)
    positions = side * side
    flat_rows = np.asarray([p * FILTERS + f for p in range(positions) for f in range(filters)])
    out: dict[str, jax.Array] = {}
    if kind is Kind.DENSE:
        out["w1"] = params.first_dense[:-1, : hidden[0]]
        out["b1"] = params.first_dense[-1, : hidden[0]]
        rows, width = np.arange(hidden[0]), hidden[0]
    elif kind is Kind.CONV:
        out["w1"] = params.conv[:-1].reshape(PATCH, PATCH, FILTERS)[:kernel, :kernel, :filters]
        out["b1"] = params.conv[-1, :filters]
        rows, width = flat_rows, positions * filters
    else:
        grid = params.local[:positions, :-1].reshape(positions, PATCH, PATCH, FILTERS)
        out["w1"] = grid[:, :kernel, :kernel, :filters]
        out["b1"] = params.local[:positions, -1, :filters]
        rows, width = flat_rows, positions * filters
    dense = kind is Kind.DENSE
    if len(hidden) == 1:
        matrix = params.out_dense if dense else params.out_flat
        out["wo"], out["bo"] = matrix[rows, :outputs], matrix[-1, :outputs]
        return out
    matrix = params.next_dense if dense else params.next_flat
    out["w2"], out["b2"] = matrix[rows, : hidden[1]], matrix[-1, : hidden[1]]
    last = hidden[1]
    if len(hidden) == 3:
        out["w3"] = params.third[: hidden[1], : hidden[2]]
        out["b3"] = params.third[-1, : hidden[2]]
        last = hidden[2]
    out["wo"], out["bo"] = params.out_dense[:last, :outputs], params.out_dense[-1, :outputs]
    assert width > 0
    return out


ACTIVATIONS = {
    Activation.TANH: jnp.tanh,
    Activation.RELU: jax.nn.relu,
    Activation.SIGMOID: jax.nn.sigmoid,
    Activation.ELU: jax.nn.elu,
}


def exact_loss(
    p: dict[str, jax.Array],
    x: jax.Array,
    labels: jax.Array,
    kind: Kind,
    kernel: int,
    stride: int,
    activations: tuple[Activation, ...],
    loss: DigitsLoss,
) -> jax.Array:
    n = x.shape[0]
    img = x.reshape(n, SIDE, SIDE)
    if kind is Kind.DENSE:
        z = x @ p["w1"] + p["b1"]
    elif kind is Kind.CONV:
        z = (
            jax.lax.conv_general_dilated(
                img[..., None],
                p["w1"][:, :, None, :],
                (stride, stride),
                "VALID",
                dimension_numbers=("NHWC", "HWIO", "NHWC"),
            ).reshape(n, -1, p["b1"].shape[-1])
            + p["b1"]
        )
        z = z.reshape(n, -1)
    else:
        side = positions_per_side(kernel, stride)
        columns = []
        for r, c in itertools.product(range(side), range(side)):
            patch = img[:, r * stride : r * stride + kernel, c * stride : c * stride + kernel]
            w = p["w1"][r * side + c]
            columns.append(jnp.einsum("nij,ijf->nf", patch, w) + p["b1"][r * side + c])
        z = jnp.stack(columns, axis=1).reshape(n, -1)
    h = ACTIVATIONS[activations[0]](z)
    for layer in (2, 3):
        if f"w{layer}" in p:
            h = ACTIVATIONS[activations[layer - 1]](h @ p[f"w{layer}"] + p[f"b{layer}"])
    logits = h @ p["wo"] + p["bo"]
    if loss is DigitsLoss.SIGMOID_CE:
        y = labels.astype(jnp.float32)
        losses = -(
            y * jax.nn.log_sigmoid(logits[:, 0]) + (1 - y) * jax.nn.log_sigmoid(-logits[:, 0])
        )
    else:
        losses = -jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], 1)[:, 0]
    return jnp.mean(losses)


CASES = [
    (Kind.DENSE, 3, 1, 4, (7, 5, 6), (Activation.TANH, Activation.RELU, Activation.ELU), 10),
    (Kind.CONV, 3, 2, 3, (1, 6, 5), (Activation.RELU, Activation.TANH, Activation.SIGMOID), 4),
    (Kind.LOCAL, 2, 3, 5, (1, 6), (Activation.ELU, Activation.TANH), 10),
    (Kind.CONV, 4, 1, 2, (1,), (Activation.TANH,), 2),  # a sigmoid output
    (Kind.LOCAL, 5, 1, 8, (1,), (Activation.SIGMOID,), 7),
]


@pytest.mark.parametrize(
    ("kind", "kernel", "stride", "filters", "hidden", "acts", "classes"), CASES
)
def test_gradients_equal_those_of_the_exact_model(
    kind: Kind,
    kernel: int,
    stride: int,
    filters: int,
    hidden: tuple[int, ...],
    acts: tuple[Activation, ...],
    classes: int,
) -> None:
    loss = DigitsLoss.SIGMOID_CE if classes == 2 else DigitsLoss.SOFTMAX_CE
    hyper = make_image_hyper(
        kind=kind,
        kernel=kernel,
        stride=stride,
        filters=filters,
        hidden=hidden,
        activations=acts,
        classes=classes,
        loss=loss,
    )
    mask = image_params.param_mask(hyper)
    params = image_params.init_params(jnp.uint32(3), hyper)
    noise = jax.tree.map(
        lambda p, k: 0.2 * jax.random.normal(k, p.shape),
        params,
        Params(*jax.random.split(jax.random.key(0), len(params))),
    )
    params = jax.tree.map(lambda p, e, m: (p + e) * m, params, noise, mask)
    n = 12
    x = jnp.asarray(images(n, 5))
    labels = jnp.asarray(np.arange(n) % classes, jnp.int32)
    weight = jnp.full(n, 1.0 / n, jnp.float32)
    value, grad = jax.jit(image_batch.batch_gradient)(params, x, labels, weight, None, hyper)
    outputs = 1 if loss is DigitsLoss.SIGMOID_CE else classes
    cut = functools.partial(
        exact_params,
        kind=kind,
        kernel=kernel,
        stride=stride,
        filters=filters,
        hidden=hidden,
        outputs=outputs,
    )
    exact = functools.partial(
        exact_loss,
        x=x,
        labels=labels,
        kind=kind,
        kernel=kernel,
        stride=stride,
        activations=acts,
        loss=loss,
    )
    expected_value, expected = jax.value_and_grad(exact)(cut(params))
    assert float(value) == pytest.approx(float(expected_value), rel=1e-5)
    got = cut(grad)
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=2e-4, atol=2e-6, err_msg=name)
    # Nothing outside the model gets a gradient.
    for g, m in zip(grad, mask, strict=True):
        assert np.all(np.asarray(g)[np.asarray(m) == 0] == 0)


def test_losses_from_logits_and_the_naive_one() -> None:
    mask = jnp.ones(10, jnp.float32)
    labels = jnp.asarray([3, 0], jnp.int32)
    small = jnp.asarray(np.random.default_rng(0).normal(size=(2, 10)), jnp.float32)
    np.testing.assert_allclose(
        image_model.softmax_ce(small, labels, mask),
        image_model.softmax_ce_naive(small, labels, mask),
        rtol=1e-5,
    )
    large = small.at[:, 5].set(200.0)
    assert np.all(np.isfinite(image_model.softmax_ce(large, labels, mask)))
    assert not np.any(np.isfinite(image_model.softmax_ce_naive(large, labels, mask)))
    # A task of 3 classes ignores the other logits.
    three = jnp.asarray([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], jnp.float32)
    np.testing.assert_allclose(
        image_model.softmax_ce(large, jnp.asarray([1, 2], jnp.int32), three),
        jax.nn.logsumexp(small[:, :3], axis=1) - small[jnp.arange(2), jnp.asarray([1, 2])],
        rtol=1e-5,
    )
    mse = image_model.softmax_mse(jnp.zeros((1, 10)), jnp.asarray([0], jnp.int32), three)
    assert float(mse[0]) == pytest.approx(((2 / 3) ** 2 + 2 * (1 / 3) ** 2) / 3)


@pytest.fixture(scope="module")
def all_digits() -> image_train.ImageData:
    return image_train.image_data(digits_data())


def test_masked_parameters_stay_zero_through_training(all_digits: image_train.ImageData) -> None:
    hyper = make_image_hyper(
        kind=Kind.LOCAL,
        kernel=3,
        stride=2,
        filters=5,
        hidden=(1, 9, 4),
        l1=0.001,
        l2=0.001,
        dropout=(0.2, 0.1, 0.0),
    )
    state = image_frame.start(hyper)
    before = state.params
    state, frame = image_frame.run_frame(state, all_digits, hyper, np.int32(2))
    assert int(frame.epoch) == 2
    assert not bool(frame.diverged)
    mask = image_params.param_mask(hyper)
    for name, p, m, old in zip(Params._fields, state.params, mask, before, strict=True):
        p, m = np.asarray(p), np.asarray(m)
        assert np.all(p[m == 0] == 0), name
        if m.any():
            assert not np.array_equal(p, np.asarray(old)), name


def _settings() -> list[tuple[str, ImageHyper, image_train.ImageData]]:
    data = image_train.image_data(digits_data())
    small = image_train.image_data(digits_data(train_size=300))
    pair = image_train.image_data(digits_data(classes=(3, 8)))
    three = image_train.image_data(digits_data(classes=(1, 7, 9), seed=4))
    return [
        ("base", make_image_hyper(hidden=(25, 15)), data),
        ("learning rate", make_image_hyper(hidden=(25, 15), learning_rate=0.05), data),
        ("optimizer", make_image_hyper(hidden=(25, 15), optimizer=Optimizer.MOMENTUM), data),
        ("units", make_image_hyper(hidden=(9, 31)), data),
        ("depth", make_image_hyper(hidden=(12, 4, 6)), data),
        ("shallower", make_image_hyper(hidden=(12,)), data),
        ("no hidden layer", make_image_hyper(hidden=()), data),
        ("activation", make_image_hyper(hidden=(25, 15), activations=(Activation.TANH,) * 2), data),
        ("conv", make_image_hyper(kind=Kind.CONV, hidden=(1, 15)), data),
        ("kernel", make_image_hyper(kind=Kind.CONV, kernel=5, hidden=(1, 15)), data),
        ("stride", make_image_hyper(kind=Kind.CONV, kernel=2, stride=3, hidden=(1, 15)), data),
        ("filters", make_image_hyper(kind=Kind.CONV, filters=8, hidden=(1,)), data),
        ("local", make_image_hyper(kind=Kind.LOCAL, filters=2, hidden=(1, 15)), data),
        ("batch size", make_image_hyper(hidden=(25, 15), batch_size=100), data),
        ("train size", make_image_hyper(hidden=(25, 15)), small),
        ("task digits", make_image_hyper(hidden=(25, 15), classes=3), three),
        ("loss", make_image_hyper(hidden=(25, 15), loss=DigitsLoss.SOFTMAX_MSE), data),
        ("naive loss", make_image_hyper(hidden=(25,), loss=DigitsLoss.SOFTMAX_CE_NAIVE), data),
        ("sigmoid", make_image_hyper(classes=2, loss=DigitsLoss.SIGMOID_CE), pair),
        ("dropout", make_image_hyper(hidden=(25, 15), dropout=(0.5, 0.2)), data),
        ("early stopping", make_image_hyper(hidden=(25, 15), early_stopping=True), data),
        ("patience", make_image_hyper(hidden=(25, 15), early_stopping=True, patience=1), small),
    ]


def test_no_compilation_while_settings_change() -> None:
    settings = _settings()
    _, warm_hyper, warm_data = settings[0]
    state = image_frame.start(warm_hyper)
    image_frame.run_frame(state, warm_data, warm_hyper, np.int32(1))
    with count_compilations() as counted:
        for name, hyper, data in settings:
            state = image_frame.start(hyper)
            state, frame = image_frame.run_frame(state, data, hyper, np.int32(1))
            assert int(frame.epoch) == 1, name
            assert np.isfinite(float(frame.test_loss)), name
    assert counted[0] == 0


def test_a_dense_network_learns_the_ten_digits(all_digits: image_train.ImageData) -> None:
    """64-25-15-10 ReLU, Adam (lr 0.003), batch 32: at least 0.9 test accuracy in 20 epochs."""
    hyper = make_image_hyper(hidden=(25, 15), learning_rate=0.003, batch_size=32)
    state = image_frame.start(hyper)
    state, frame = image_frame.run_frame(state, all_digits, hyper, np.int32(20))
    assert float(frame.test_accuracy) >= 0.9
    assert int(np.sum(frame.confusion)) == int(all_digits.n_test)
    accuracy = np.trace(frame.confusion) / np.sum(frame.confusion)
    assert accuracy == pytest.approx(float(frame.test_accuracy), abs=1e-6)
    shown = np.asarray(frame.probabilities)
    np.testing.assert_allclose(shown.sum(axis=1), 1.0, rtol=1e-5)
    assert frame.dense_images.shape == (limits.DIGITS_MAX_UNITS, SIDE, SIDE)
    assert np.count_nonzero(np.abs(frame.dense_images).sum(axis=(1, 2))) == 25


def test_early_stopping_restores_the_best_weights_and_halts() -> None:
    """Twenty training images overfit within fifteen epochs: with patience 2 training stops,
    the weights are those of the lowest test loss, and further frames train no more."""
    data = image_train.image_data(digits_data(train_size=20))
    hyper = make_image_hyper(hidden=(25, 15), learning_rate=0.03, early_stopping=True, patience=2)
    state = image_frame.start(hyper)
    state, frame = image_frame.run_frame(state, data, hyper, np.int32(30))
    assert bool(frame.stopped_early)
    stopped = int(frame.epoch)
    assert stopped < 30
    assert stopped - int(frame.best_epoch) == 2
    assert float(frame.test_loss) == float(state.best_test_loss)
    for name, best, now in zip(Params._fields, state.best_params, state.params, strict=True):
        assert np.array_equal(np.asarray(best), np.asarray(now)), name
    state, again = image_frame.run_frame(state, data, hyper, np.int32(5))
    assert int(again.epoch) == stopped
    assert float(again.test_loss) == float(frame.test_loss)
    # Turned off, early stopping lets the model train on (a session clears the halt too).
    off = hyper._replace(early_stopping=np.asarray(False))
    _, resumed = image_frame.run_frame(state, data, off, np.int32(3))
    assert int(resumed.epoch) == stopped + 3


def test_zero_versus_one_with_a_sigmoid_output() -> None:
    data = image_train.image_data(digits_data(classes=(0, 1)))
    hyper = make_image_hyper(hidden=(25, 15), classes=2, loss=DigitsLoss.SIGMOID_CE)
    state = image_frame.start(hyper)
    state, frame = image_frame.run_frame(state, data, hyper, np.int32(5))
    assert float(frame.test_accuracy) >= 0.98
    assert np.all(np.asarray(frame.confusion)[2:] == 0)
    probabilities = np.asarray(frame.probabilities)
    np.testing.assert_allclose(probabilities[:, :2].sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(probabilities[:, 2:] == 0)


def test_training_touches_only_the_matrices_of_the_network(
    all_digits: image_train.ImageData,
) -> None:
    """Each branch trains the matrices image_model.used_fields names; the others, and their
    moments, stay as they were (here a dense first layer left over from another setting)."""
    hyper = make_image_hyper(kind=Kind.CONV, hidden=(1, 15))
    state = image_frame.start(hyper)
    leftover = jnp.ones_like(state.params.first_dense)
    state = state._replace(params=state.params._replace(first_dense=leftover))
    trained, frame = image_frame.run_frame(state, all_digits, hyper, np.int32(1))
    assert int(frame.epoch) == 1
    used = image_model.used_fields(2, Kind.CONV)
    assert used == ("conv", "next_flat", "out_dense")
    for name, before, after in zip(Params._fields, state.params, trained.params, strict=True):
        assert np.array_equal(np.asarray(before), np.asarray(after)) == (name not in used), name
    assert np.all(np.asarray(trained.optimizer.adam.mu.first_dense) == 0)
    assert np.any(np.asarray(trained.optimizer.adam.mu.conv) != 0)
