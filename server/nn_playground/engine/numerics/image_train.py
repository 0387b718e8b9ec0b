"""Training the digits network (image_model): the task's images padded to a fixed row count
(`ImageData`), the training state (`ImageState`), and epochs of shuffled minibatches in one
compiled loop that touches only the matrices of the configured network, with early stopping
on the test loss (as the 2-D engine's train.py)."""

from __future__ import annotations

from typing import NamedTuple, cast

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from nn_playground.engine.numerics import image_model, image_params, randomness
from nn_playground.engine.numerics.digits import DigitsData
from nn_playground.engine.numerics.image_batch import (
    CHUNK,
    MAX_IMAGES,
    Keep,
    batch_loss,
    dropout_keep,
    plan_epoch,
)
from nn_playground.engine.numerics.image_hyper import ImageHyper, host
from nn_playground.engine.numerics.image_layout import BranchLayout, pick, put
from nn_playground.engine.numerics.image_model import PIXELS, Kind, Params
from nn_playground.engine.numerics.optim import (
    OptimizerState,
    fused_descent_direction,
    init_optimizer,
    scheduled_learning_rate,
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
        x=host(x),
        labels=host(labels),
        n_train=host(np.asarray(n_train, np.int32)),
        n_test=host(np.asarray(n_test, np.int32)),
    )


class ImageState(NamedTuple):
    params: Params
    optimizer: OptimizerState  # moments shaped as Params: one per matrix
    epoch: jax.Array  # () int32 epochs completed
    step: jax.Array  # () int32 optimizer steps taken
    diverged: jax.Array  # () bool: a loss or weight went non-finite; training halts
    best_params: Params  # weights at the lowest test loss (early stopping)
    best_test_loss: jax.Array  # () float32
    best_epoch: jax.Array  # () int32
    stopped_early: jax.Array  # () bool: early stopping ran out of patience


def init_state(hyper: ImageHyper) -> ImageState:
    """A fresh model: weights from hyper.seed (image_params.init_params), optimizers at rest."""
    params = image_params.init_params(hyper.seed, hyper)
    return ImageState(
        params=params,
        optimizer=init_optimizer(params, hyper),
        epoch=jnp.int32(0),
        step=jnp.int32(0),
        diverged=jnp.bool_(False),
        best_params=params,
        best_test_loss=jnp.float32(jnp.inf),
        best_epoch=jnp.int32(0),
        stopped_early=jnp.bool_(False),
    )


# Inside a branch, training reads and writes only the matrices its network uses
# (image_model.used_fields), raveled into one vector (image_layout), and so do their moments:
# the step's optimizer is then a few fused loops over a few thousand floats, whatever the
# branch.


class _Run(NamedTuple):
    """ImageState cut down to one branch's matrices."""

    flat: jax.Array  # the branch's matrices raveled (BranchLayout)
    optimizer: OptimizerState  # over `flat`
    epoch: jax.Array
    step: jax.Array
    diverged: jax.Array
    best_flat: jax.Array  # the best weights, as `flat`
    best_test_loss: jax.Array
    best_epoch: jax.Array
    stopped_early: jax.Array


class _Branch(NamedTuple):
    """What every epoch of one (depth, kind) branch reads."""

    depth: int
    kind: Kind
    params: Params  # the other matrices (unread by the branch's network)
    data: ImageData
    hyper: ImageHyper
    layout: BranchLayout
    trainable: jax.Array  # image_params.param_mask, raveled as `flat`
    penalised: jax.Array  # image_params.weight_rows: what L1 and L2 reach


def _run_epoch(b: _Branch, run: _Run) -> _Run:
    """One epoch of shuffled minibatches (randomness.permutation of the epoch's seed), each
    one optimizer step on the branch's matrices; stops at divergence."""
    hyper, data = b.hyper, b.data
    seed = randomness.stream(hyper.seed, 2 * run.epoch)
    dropout_seed = randomness.stream(hyper.seed, 2 * run.epoch + 1)
    order = randomness.permutation(seed, data.n_train, MAX_IMAGES)
    plan = plan_epoch(order, data.n_train, hyper.batch_size)
    learning_rate = scheduled_learning_rate(hyper, run.epoch)
    dropping = jnp.any(hyper.dropout > 0) & (b.depth > 0)

    def loss(flat: jax.Array, rows: jax.Array, weight: jax.Array, keep: Keep | None) -> jax.Array:
        params = b.layout.params(b.params, flat)
        x, labels = data.x[rows], data.labels[rows]
        return batch_loss(b.depth, b.kind, params, x, labels, weight, keep, hyper)

    def gradient(flat: jax.Array, chunk: jax.Array) -> tuple[jax.Array, jax.Array]:
        rows, weight = plan.rows[chunk], plan.weight[chunk]
        value_and_grad = jax.value_and_grad(loss)
        if b.depth == 0:
            return value_and_grad(flat, rows, weight, None)

        def dropped() -> tuple[jax.Array, jax.Array]:
            seed = randomness.stream(dropout_seed, chunk)
            keep = dropout_keep(b.depth, b.kind, seed, hyper.dropout, CHUNK)
            return value_and_grad(flat, rows, weight, keep)

        # Two programs rather than multiplying by ones: most models train without dropout.
        return cast(
            tuple[jax.Array, jax.Array],
            lax.cond(dropping, dropped, lambda: value_and_grad(flat, rows, weight, None)),
        )

    def minibatch(r: _Run, number: jax.Array) -> _Run:
        """The minibatch's gradient, summed over its chunks (one unless it is larger than
        CHUNK), and one optimizer step."""
        first = number * plan.per_batch
        loss_sum, grad_sum = gradient(r.flat, first)

        def add(k: jax.Array, sums: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
            value, grad = gradient(r.flat, first + k)
            return sums[0] + value, sums[1] + grad

        loss_sum, grad_sum = lax.fori_loop(1, plan.per_batch, add, (loss_sum, grad_sum))
        p = r.flat
        penalty = (hyper.l1 * jnp.sign(p) + 2.0 * hyper.l2 * p) * b.penalised
        direction, optimizer = fused_descent_direction(grad_sum + penalty, r.optimizer, hyper)
        flat = p - learning_rate * direction * b.trainable
        return r._replace(
            flat=flat,
            optimizer=optimizer,
            step=r.step + 1,
            diverged=~jnp.isfinite(loss_sum + jnp.sum(flat)),
        )

    def more(carry: tuple[_Run, jax.Array]) -> jax.Array:
        return (carry[1] < plan.batches) & ~carry[0].diverged

    def step(carry: tuple[_Run, jax.Array]) -> tuple[_Run, jax.Array]:
        return minibatch(*carry), carry[1] + 1

    done, _ = lax.while_loop(more, step, (run, jnp.int32(0)))
    return done._replace(epoch=done.epoch + (~done.diverged).astype(jnp.int32))


def test_loss(
    depth: int, kind: Kind, params: Params, data: ImageData, hyper: ImageHyper
) -> jax.Array:
    """Mean loss over the test images (no dropout): what early stopping watches, computed as
    image_frame.measure reports it."""
    z = image_model.forward(depth, kind, params, data.x, hyper)
    losses = image_model.point_losses(z, data.labels, hyper)
    row = jnp.arange(MAX_IMAGES)
    test_rows = (row >= data.n_train) & (row < data.n_train + data.n_test)
    total = jnp.sum(jnp.where(test_rows, losses, 0.0))
    return total / jnp.maximum(data.n_test, 1).astype(jnp.float32)


def _watch_test_loss(b: _Branch, run: _Run) -> _Run:
    """Early stopping after a healthy epoch, as the 2-D engine (train._watch_test_loss):
    remember the weights of the lowest test loss; once it has not improved for `patience`
    epochs, go back to them and stop (the optimizer's moments stay as they are)."""
    loss = test_loss(b.depth, b.kind, b.layout.params(b.params, run.flat), b.data, b.hyper)
    improved = loss < run.best_test_loss
    best_flat = jnp.where(improved, run.flat, run.best_flat)
    best_epoch = jnp.where(improved, run.epoch, run.best_epoch)
    out_of_patience = run.epoch - best_epoch >= b.hyper.patience
    return run._replace(
        flat=jnp.where(out_of_patience, best_flat, run.flat),
        best_flat=best_flat,
        best_test_loss=jnp.where(improved, loss, run.best_test_loss),
        best_epoch=best_epoch,
        stopped_early=run.stopped_early | out_of_patience,
    )


def _epoch_and_watch(b: _Branch, run: _Run) -> _Run:
    trained = _run_epoch(b, run)
    # A branch of lax.cond: with early stopping off, the test images cost nothing.
    watched: _Run = lax.cond(
        b.hyper.early_stopping & ~trained.diverged,
        lambda r: _watch_test_loss(b, r),
        lambda r: r,
        trained,
    )
    return watched


def _train_branch(
    depth: int,
    kind: Kind,
    state: ImageState,
    data: ImageData,
    hyper: ImageHyper,
    target: jax.Array,
) -> ImageState:
    """Epochs until `target`, divergence or early stopping, in the switch branch of the
    model's (depth, kind)."""
    layout = BranchLayout(image_model.used_fields(depth, kind))
    branch = _Branch(
        depth=depth,
        kind=kind,
        params=state.params,
        data=data,
        hyper=hyper,
        layout=layout,
        trainable=layout.flat(image_params.param_mask(hyper)),
        penalised=layout.flat(image_params.weight_rows()),
    )

    def more(r: _Run) -> jax.Array:
        # A model stopped early trains on once early stopping is turned off.
        halted = r.diverged | (r.stopped_early & hyper.early_stopping)
        return (r.epoch < target) & ~halted

    start = _Run(
        flat=layout.flat(state.params),
        optimizer=pick(state.optimizer, layout),
        epoch=state.epoch,
        step=state.step,
        diverged=state.diverged,
        best_flat=layout.flat(state.best_params),
        best_test_loss=state.best_test_loss,
        best_epoch=state.best_epoch,
        stopped_early=state.stopped_early,
    )
    done = lax.while_loop(more, lambda r: _epoch_and_watch(branch, r), start)
    return ImageState(
        params=layout.params(state.params, done.flat),
        optimizer=put(state.optimizer, done.optimizer, layout),
        epoch=done.epoch,
        step=done.step,
        diverged=done.diverged,
        best_params=layout.params(state.best_params, done.best_flat),
        best_test_loss=done.best_test_loss,
        best_epoch=done.best_epoch,
        stopped_early=done.stopped_early,
    )


def train_epochs(
    state: ImageState, data: ImageData, hyper: ImageHyper, epochs: jax.Array
) -> ImageState:
    """Up to `epochs` (runtime int32) more epochs, fewer if training stops early; on
    divergence the state goes back to where this call began, marked diverged. The matrices
    the network does not use, and their moments, stay as they are."""
    target = state.epoch + epochs
    trained = image_model.on_branch(hyper, _train_branch, state, data, hyper, target)
    newly = trained.diverged & ~state.diverged
    restored = state._replace(diverged=trained.diverged)
    kept: ImageState = jax.tree.map(lambda old, new: jnp.where(newly, old, new), restored, trained)
    return kept
