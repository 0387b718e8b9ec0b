"""Training the digits network (image_model): hyperparameters as runtime arrays
(`ImageHyper`), the images padded to a fixed row count (`ImageData`), epochs of shuffled
minibatches inside one compiled loop, and a frame: E epochs, then the measurements a page
shows. `frame` jitted once serves every setting within limits (DIGITS_)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, cast

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.flatten_util import ravel_pytree

from nn_playground.engine import limits
from nn_playground.engine.config import Activation, Decay, Init, Optimizer
from nn_playground.engine.numerics import image_model, randomness
from nn_playground.engine.numerics.digits import DigitsData
from nn_playground.engine.numerics.hyper import ACTIVATION_IDS, DECAY_IDS, INIT_IDS, OPTIMIZER_IDS
from nn_playground.engine.numerics.image_model import (
    CLASSES,
    FILTERS,
    FLAT,
    HIDDEN,
    PATCH,
    PIXELS,
    POSITIONS,
    UNITS,
    WINDOW,
    DigitsLoss,
    Kind,
    Params,
)
from nn_playground.engine.numerics.optim import (
    OptimizerState,
    descent_direction,
    init_optimizer,
    scheduled_learning_rate,
)
from nn_playground.engine.numerics.windows import positions_per_side, windows

MAX_IMAGES = limits.DIGITS_MAX_IMAGES
CHUNK = limits.CHUNK  # rows per gradient pass; a larger minibatch adds several up
SHOWN = 64  # test images whose probabilities a frame carries


class ImageHyper(NamedTuple):
    """Runtime hyperparameters of one digits model (shapes fixed by limits)."""

    kind: jax.Array  # () int32 image_model.Kind of the first hidden layer
    windows: jax.Array  # (POSITIONS, WINDOW) int32 pixel of each window slot (0 if unused)
    window_mask: jax.Array  # (WINDOW,) float32 slots inside the k x k kernel
    position_mask: jax.Array  # (POSITIONS,) float32 valid windows
    filter_mask: jax.Array  # (FILTERS,) float32
    unit_mask: jax.Array  # (HIDDEN, UNITS) float32 units of dense hidden layers
    depth: jax.Array  # () int32 hidden layers, 0..HIDDEN
    activation: jax.Array  # (HIDDEN,) int32 Activation ids
    class_mask: jax.Array  # (CLASSES,) float32 the task's classes
    loss: jax.Array  # () int32 DigitsLoss
    init: jax.Array  # () int32 Init id
    optimizer: jax.Array  # () int32 Optimizer id
    learning_rate: jax.Array  # () float32
    momentum: jax.Array  # () float32
    beta1: jax.Array  # () float32
    beta2: jax.Array  # () float32
    rho: jax.Array  # () float32
    epsilon: jax.Array  # () float32
    decay: jax.Array  # () int32 Decay id
    decay_rate: jax.Array  # () float32
    decay_epochs: jax.Array  # () float32
    batch_size: jax.Array  # () int32
    l1: jax.Array  # () float32
    l2: jax.Array  # () float32
    dropout: jax.Array  # (HIDDEN,) float32 rate per hidden layer
    seed: jax.Array  # () uint32: initial weights, shuffles and dropout


def _host(value: np.ndarray) -> jax.Array:
    return cast(jax.Array, value)


def window_table(kernel: int, stride: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The window table of (kernel, stride) padded to fixed shapes: (POSITIONS, WINDOW) int32
    pixel indices, the k x k kernel at the top left of a PATCH x PATCH slot square (row-major);
    (WINDOW,) float32 slots in the kernel; (POSITIONS,) float32 valid positions."""
    found = windows(kernel, stride)
    table = np.zeros((POSITIONS, PATCH, PATCH), np.int32)
    table[: len(found), :kernel, :kernel] = found.reshape(-1, kernel, kernel)
    slots = np.zeros((PATCH, PATCH), np.float32)
    slots[:kernel, :kernel] = 1.0
    positions = np.zeros(POSITIONS, np.float32)
    positions[: len(found)] = 1.0
    return table.reshape(POSITIONS, WINDOW), slots.reshape(WINDOW), positions


def check_limits(kernel: int, stride: int, filters: int, hidden: Sequence[int]) -> None:
    if len(hidden) > HIDDEN or any(not 1 <= units <= UNITS for units in hidden):
        raise ValueError(f"at most {HIDDEN} hidden layers of 1 to {UNITS} units: {hidden}")
    if not limits.DIGITS_MIN_KERNEL <= kernel <= limits.DIGITS_MAX_KERNEL:
        raise ValueError(f"kernel {kernel} outside {limits.DIGITS_MIN_KERNEL}..{PATCH}")
    if not limits.DIGITS_MIN_STRIDE <= stride <= limits.DIGITS_MAX_STRIDE:
        raise ValueError(f"stride {stride} outside 1..{limits.DIGITS_MAX_STRIDE}")
    if positions_per_side(kernel, stride) > limits.DIGITS_MAX_SIDE_POSITIONS:
        raise ValueError(f"kernel {kernel}, stride {stride}: too many positions")
    if not 1 <= filters <= FILTERS:
        raise ValueError(f"filters {filters} outside 1..{FILTERS}")


def make_image_hyper(
    *,
    kind: Kind = Kind.DENSE,
    kernel: int = 3,
    stride: int = 1,
    filters: int = 4,
    hidden: Sequence[int] = (25, 15),
    activations: Sequence[Activation] | None = None,
    classes: int = CLASSES,
    loss: DigitsLoss = DigitsLoss.SOFTMAX_CE,
    init: Init = Init.GLOROT_UNIFORM,
    optimizer: Optimizer = Optimizer.ADAM,
    learning_rate: float = 0.003,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    rho: float = 0.9,
    epsilon: float = 1e-7,
    decay: Decay = Decay.NONE,
    decay_rate: float = 0.5,
    decay_epochs: float = 10.0,
    batch_size: int = 32,
    l1: float = 0.0,
    l2: float = 0.0,
    dropout: Sequence[float] | None = None,
    seed: int = 0,
) -> ImageHyper:
    """A digits model's settings as host arrays of fixed dtypes (place them on the device
    once per change). `hidden` holds each hidden layer's units; a conv or local first layer
    has `filters` filters at every window instead, its entry in `hidden` unused. `classes`
    is the task's class count (a sigmoid loss uses one output)."""
    check_limits(kernel, stride, filters, hidden)
    if not 2 <= classes <= CLASSES or (loss in image_model.SIGMOID_LOSSES and classes != 2):
        raise ValueError(f"{classes} classes with loss {loss.name}")
    table, window_mask, position_mask = window_table(kernel, stride)
    filter_mask = np.zeros(FILTERS, np.float32)
    filter_mask[:filters] = 1.0
    unit_mask = np.zeros((HIDDEN, UNITS), np.float32)
    for layer, units in enumerate(hidden):
        unit_mask[layer, :units] = 1.0
    chosen = list(activations or [Activation.RELU] * len(hidden))
    activation = np.zeros(HIDDEN, np.int32)
    activation[: len(chosen)] = [ACTIVATION_IDS[a] for a in chosen]
    class_mask = np.zeros(CLASSES, np.float32)
    class_mask[:classes] = 1.0
    rates = np.zeros(HIDDEN, np.float32)
    rates[: len(dropout or ())] = list(dropout or ())

    def f32(value: float) -> jax.Array:
        return _host(np.asarray(value, np.float32))

    def i32(value: int) -> jax.Array:
        return _host(np.asarray(value, np.int32))

    return ImageHyper(
        kind=i32(kind),
        windows=_host(table),
        window_mask=_host(window_mask),
        position_mask=_host(position_mask),
        filter_mask=_host(filter_mask),
        unit_mask=_host(unit_mask),
        depth=i32(len(hidden)),
        activation=_host(activation),
        class_mask=_host(class_mask),
        loss=i32(loss),
        init=i32(INIT_IDS[init]),
        optimizer=i32(OPTIMIZER_IDS[optimizer]),
        learning_rate=f32(learning_rate),
        momentum=f32(momentum),
        beta1=f32(beta1),
        beta2=f32(beta2),
        rho=f32(rho),
        epsilon=f32(epsilon),
        decay=i32(DECAY_IDS[decay]),
        decay_rate=f32(decay_rate),
        decay_epochs=f32(decay_epochs),
        batch_size=i32(batch_size),
        l1=f32(l1),
        l2=f32(l2),
        dropout=_host(rates),
        seed=_host(np.asarray(seed, np.uint32)),
    )


class ImageData(NamedTuple):
    """A task's images padded to MAX_IMAGES rows: the train rows, then the test rows."""

    x: jax.Array  # (MAX_IMAGES, PIXELS) float32 in [0, 1]
    labels: jax.Array  # (MAX_IMAGES,) int32 class index among the task's digits
    n_train: jax.Array  # () int32
    n_test: jax.Array  # () int32


def image_data(data: DigitsData) -> ImageData:
    """`data` as host arrays of fixed shapes and dtypes."""
    n_train, n_test = len(data.train.labels), len(data.test.labels)
    x = np.zeros((MAX_IMAGES, PIXELS), np.float32)
    labels = np.zeros(MAX_IMAGES, np.int32)
    x[:n_train], x[n_train : n_train + n_test] = data.train.x, data.test.x
    labels[:n_train], labels[n_train : n_train + n_test] = data.train.labels, data.test.labels
    return ImageData(
        x=_host(x),
        labels=_host(labels),
        n_train=_host(np.asarray(n_train, np.int32)),
        n_test=_host(np.asarray(n_test, np.int32)),
    )


class ImageState(NamedTuple):
    params: Params
    optimizer: OptimizerState  # over the parameters raveled into one vector
    epoch: jax.Array  # () int32 epochs completed
    step: jax.Array  # () int32 optimizer steps taken
    diverged: jax.Array  # () bool: a loss or weight went non-finite; training halts


def init_state(hyper: ImageHyper) -> ImageState:
    """A fresh model: weights from hyper.seed (image_model.init_params), optimizers at rest."""
    params = image_model.init_params(hyper.seed, hyper)
    flat, _ = ravel_pytree(params)
    return ImageState(
        params=params,
        optimizer=init_optimizer(flat, hyper),
        epoch=jnp.int32(0),
        step=jnp.int32(0),
        diverged=jnp.bool_(False),
    )


class _Plan(NamedTuple):
    """Which rows each chunk of an epoch trains on (as train._plan_epoch, MAX_IMAGES rows)."""

    rows: jax.Array  # (MAX_IMAGES, CHUNK) int32
    weight: jax.Array  # (MAX_IMAGES, CHUNK) float32: 1/minibatch size, 0 on unused slots
    closes: jax.Array  # (MAX_IMAGES,) bool: the chunk ends its minibatch
    chunks: jax.Array  # () int32 chunks in this epoch


def _plan_epoch(order: jax.Array, n: jax.Array, batch_size: jax.Array) -> _Plan:
    batch = jnp.clip(batch_size, 1, jnp.maximum(n, 1))
    chunks_per_batch = (batch + CHUNK - 1) // CHUNK
    per_batch = chunks_per_batch.astype(jnp.float32)  # float arithmetic: see train.py
    chunk = jnp.arange(MAX_IMAGES, dtype=jnp.float32)
    batch_number = jnp.floor((chunk + 0.5) / per_batch)
    in_batch_chunk = chunk - batch_number * per_batch
    batch_start = batch_number * batch.astype(jnp.float32)
    in_batch = in_batch_chunk[:, None] * CHUNK + jnp.arange(CHUNK, dtype=jnp.float32)
    batch_len = jnp.minimum(batch.astype(jnp.float32), n.astype(jnp.float32) - batch_start)
    used = in_batch < batch_len[:, None]
    positions = jnp.clip(batch_start[:, None] + in_batch, 0, MAX_IMAGES - 1)
    return _Plan(
        rows=jnp.where(used, order[positions.astype(jnp.int32)], 0),
        weight=jnp.where(used, 1.0 / jnp.maximum(batch_len, 1.0)[:, None], 0.0),
        closes=in_batch_chunk == per_batch - 1.0,
        chunks=((n + batch - 1) // batch) * chunks_per_batch,
    )


Keep = tuple[jax.Array, jax.Array, jax.Array]


def dropout_keep(seed: jax.Array, rates: jax.Array, rows: int) -> Keep:
    """Inverted-dropout multipliers per hidden layer: (rows, FLAT), (rows, UNITS) twice."""
    uniform = randomness.uniform(seed, (rows, FLAT + 2 * UNITS))
    parts = (uniform[:, :FLAT], uniform[:, FLAT : FLAT + UNITS], uniform[:, FLAT + UNITS :])
    return cast(
        Keep,
        tuple(
            jnp.where(u >= rate, 1.0 / (1.0 - rate), 0.0)
            for u, rate in zip(parts, (rates[0], rates[1], rates[2]), strict=True)
        ),
    )


def _no_dropout(rows: int) -> Keep:
    return (
        jnp.ones((rows, FLAT), jnp.float32),
        jnp.ones((rows, UNITS), jnp.float32),
        jnp.ones((rows, UNITS), jnp.float32),
    )


def batch_loss(
    depth: int,
    kind: Kind,
    params: Params,
    x: jax.Array,
    labels: jax.Array,
    weight: jax.Array,
    keep: Keep | None,
    hyper: ImageHyper,
) -> jax.Array:
    """sum(point loss * weight) of a (depth, kind) network (no regularisation)."""
    z = image_model.forward(depth, kind, params, x, hyper, keep)
    return jnp.sum(image_model.point_losses(z, labels, hyper) * weight)


def batch_gradient(
    params: Params,
    x: jax.Array,
    labels: jax.Array,
    weight: jax.Array,
    keep: Keep | None,
    hyper: ImageHyper,
) -> tuple[jax.Array, Params]:
    """batch_loss and its gradient, differentiated inside the model's switch branch."""

    def at(depth: int, kind: Kind, *args: object) -> tuple[jax.Array, Params]:
        def loss(p: Params) -> jax.Array:
            return batch_loss(depth, kind, p, x, labels, weight, keep, hyper)

        value, grad = jax.value_and_grad(loss)(params)
        return value, grad

    return image_model.on_branch(hyper, at)


class _Chunk(NamedTuple):
    state: ImageState
    number: jax.Array  # () int32 chunk of this epoch
    grad_sum: Params
    loss_sum: jax.Array


def run_epoch(state: ImageState, data: ImageData, hyper: ImageHyper) -> ImageState:
    """One epoch of shuffled minibatches (randomness.permutation of the epoch's seed), each
    one optimizer step; stops at divergence."""
    seed = randomness.stream(hyper.seed, 2 * state.epoch)
    dropout_seed = randomness.stream(hyper.seed, 2 * state.epoch + 1)
    order = randomness.permutation(seed, data.n_train, MAX_IMAGES)
    plan = _plan_epoch(order, data.n_train, hyper.batch_size)
    learning_rate = scheduled_learning_rate(hyper, state.epoch)
    trainable, _ = ravel_pytree(image_model.param_mask(hyper))
    penalised, _ = ravel_pytree(image_model.weight_rows())
    dropping = jnp.any(hyper.dropout > 0)

    def step(carry: _Chunk) -> _Chunk:
        rows = plan.rows[carry.number]
        keep = lax.cond(
            dropping,
            lambda: dropout_keep(
                randomness.stream(dropout_seed, carry.number), hyper.dropout, CHUNK
            ),
            lambda: _no_dropout(CHUNK),
        )
        loss, grad = batch_gradient(
            carry.state.params,
            data.x[rows],
            data.labels[rows],
            plan.weight[carry.number],
            keep,
            hyper,
        )
        grad_sum = jax.tree.map(jnp.add, carry.grad_sum, grad)
        loss_sum = carry.loss_sum + loss
        closes = plan.closes[carry.number]
        state = lax.cond(closes, update, lambda s, *_: s, carry.state, grad_sum, loss_sum)
        return _Chunk(
            state=state,
            number=carry.number + 1,
            grad_sum=jax.tree.map(lambda g: jnp.where(closes, 0.0, g), grad_sum),
            loss_sum=jnp.where(closes, 0.0, loss_sum),
        )

    def update(s: ImageState, grad_sum: Params, loss_sum: jax.Array) -> ImageState:
        flat, unravel = ravel_pytree(s.params)
        grad, _ = ravel_pytree(grad_sum)
        penalty = (hyper.l1 * jnp.sign(flat) + 2.0 * hyper.l2 * flat) * penalised
        direction, optimizer = descent_direction(grad + penalty, s.optimizer, hyper)
        flat = flat - learning_rate * direction * trainable
        diverges = ~jnp.isfinite(loss_sum + jnp.sum(flat))
        return s._replace(
            params=unravel(flat), optimizer=optimizer, step=s.step + 1, diverged=diverges
        )

    def more(carry: _Chunk) -> jax.Array:
        return (carry.number < plan.chunks) & ~carry.state.diverged

    zeros = jax.tree.map(jnp.zeros_like, state.params)
    done = lax.while_loop(more, step, _Chunk(state, jnp.int32(0), zeros, jnp.float32(0.0)))
    finished = done.state
    return finished._replace(epoch=finished.epoch + (~finished.diverged).astype(jnp.int32))


def train_epochs(
    state: ImageState, data: ImageData, hyper: ImageHyper, epochs: jax.Array
) -> ImageState:
    """Up to `epochs` (runtime int32) more epochs; on divergence the state goes back to where
    this call began, marked diverged."""
    target = state.epoch + epochs

    def more(s: ImageState) -> jax.Array:
        return (s.epoch < target) & ~s.diverged

    trained = lax.while_loop(more, lambda s: run_epoch(s, data, hyper), state)
    newly = trained.diverged & ~state.diverged
    restored = state._replace(diverged=trained.diverged)
    kept: ImageState = jax.tree.map(lambda old, new: jnp.where(newly, old, new), restored, trained)
    return kept


class ImageFrame(NamedTuple):
    """What the page shows after a frame's epochs."""

    epoch: jax.Array  # () int32
    diverged: jax.Array  # () bool
    train_loss: jax.Array  # () float32 mean over the training images (no regularisation)
    test_loss: jax.Array  # () float32
    train_accuracy: jax.Array  # () float32
    test_accuracy: jax.Array  # () float32
    confusion: jax.Array  # (CLASSES, CLASSES) int32 test counts, rows the true class
    probabilities: jax.Array  # (SHOWN, CLASSES) float32 of the first test images (0 past n_test)
    dense_images: jax.Array  # (UNITS, 8, 8) float32 a dense first layer's weights per unit
    conv_images: jax.Array  # (FILTERS, PATCH, PATCH) float32 kernels, k x k at the top left
    local_images: jax.Array  # (POSITIONS, FILTERS, PATCH, PATCH) float32 per position, filter


def first_layer_images(params: Params) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The first layer's weights as images: dense (UNITS, 8, 8), conv (FILTERS, PATCH, PATCH),
    local (POSITIONS, FILTERS, PATCH, PATCH); zero where not part of the model."""
    side = limits.DIGITS_SIDE
    dense = params.first_dense[:PIXELS].T.reshape(UNITS, side, side)
    conv = params.conv[:WINDOW].T.reshape(FILTERS, PATCH, PATCH)
    local = jnp.transpose(params.local[:, :WINDOW], (0, 2, 1)).reshape(
        POSITIONS, FILTERS, PATCH, PATCH
    )
    return dense, conv, local


def measure(state: ImageState, data: ImageData, hyper: ImageHyper) -> ImageFrame:
    """Losses, accuracies, the test confusion matrix, the first test images' probabilities
    and the first layer's weights of `state`."""
    z = image_model.logits(state.params, data.x, hyper)
    losses = image_model.point_losses(z, data.labels, hyper)
    correct = (image_model.predictions(z, hyper) == data.labels).astype(jnp.float32)
    row = jnp.arange(MAX_IMAGES)
    train_rows = row < data.n_train
    test_rows = (row >= data.n_train) & (row < data.n_train + data.n_test)

    def mean(rows: jax.Array, n: jax.Array, values: jax.Array) -> jax.Array:
        return jnp.sum(jnp.where(rows, values, 0.0)) / jnp.maximum(n, 1).astype(jnp.float32)

    true = jax.nn.one_hot(data.labels, CLASSES, dtype=jnp.float32) * test_rows[:, None]
    predicted = jax.nn.one_hot(image_model.predictions(z, hyper), CLASSES, dtype=jnp.float32)
    confusion = jnp.round(true.T @ predicted).astype(jnp.int32)
    shown = lax.dynamic_slice_in_dim(
        image_model.probabilities(z, hyper), jnp.minimum(data.n_train, MAX_IMAGES - SHOWN), SHOWN
    )
    shown = jnp.where((jnp.arange(SHOWN) < data.n_test)[:, None], shown, 0.0)
    dense, conv, local = first_layer_images(state.params)
    return ImageFrame(
        epoch=state.epoch,
        diverged=state.diverged,
        train_loss=mean(train_rows, data.n_train, losses),
        test_loss=mean(test_rows, data.n_test, losses),
        train_accuracy=mean(train_rows, data.n_train, correct),
        test_accuracy=mean(test_rows, data.n_test, correct),
        confusion=confusion,
        probabilities=shown,
        dense_images=dense,
        conv_images=conv,
        local_images=local,
    )


def frame(
    state: ImageState, data: ImageData, hyper: ImageHyper, epochs: jax.Array
) -> tuple[ImageState, ImageFrame]:
    """`epochs` (runtime int32) more epochs, then the measurements: one compiled program."""
    trained = train_epochs(state, data, hyper, epochs)
    return trained, measure(trained, data, hyper)


# The compiled entry points: one program each for every setting within limits.
run_frame = jax.jit(frame)
start = jax.jit(init_state)
