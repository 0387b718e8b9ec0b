"""Training the digits network (image_model): the task's images padded to a fixed row count
(`ImageData`), the training state (`ImageState`), and epochs of shuffled minibatches in one
compiled loop that touches only the matrices of the configured network."""

from __future__ import annotations

import math
from typing import NamedTuple, TypeVar, cast

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


def init_state(hyper: ImageHyper) -> ImageState:
    """A fresh model: weights from hyper.seed (image_params.init_params), optimizers at rest."""
    params = image_params.init_params(hyper.seed, hyper)
    return ImageState(
        params=params,
        optimizer=init_optimizer(params, hyper),
        epoch=jnp.int32(0),
        step=jnp.int32(0),
        diverged=jnp.bool_(False),
    )


# Inside a branch, training reads and writes only the matrices its network uses
# (image_model.used_fields), raveled into one vector, and so do their moments: the step's
# optimizer is then a few fused loops over a few thousand floats, whatever the branch.
T = TypeVar("T")


class _Layout(NamedTuple):
    """Where each of a branch's matrices lies in its vector."""

    fields: tuple[str, ...]

    def shapes(self) -> list[tuple[int, ...]]:
        return [image_model.PARAM_SHAPES[Params._fields.index(f)] for f in self.fields]

    def flat(self, params: Params) -> jax.Array:
        return jnp.concatenate([getattr(params, f).reshape(-1) for f in self.fields])

    def params(self, base: Params, flat: jax.Array) -> Params:
        """`base` with the branch's matrices read from `flat`."""
        sizes = [math.prod(shape) for shape in self.shapes()]
        edges = np.cumsum([0, *sizes])
        found = {
            f: flat[a:b].reshape(shape)
            for f, a, b, shape in zip(
                self.fields, edges[:-1], edges[1:], self.shapes(), strict=True
            )
        }
        return base._replace(**found)


def _is_params(node: object) -> bool:
    return isinstance(node, Params)


def _pick(tree: T, layout: _Layout) -> T:
    """`tree` (optimizer moments) with every Params in it cut down to the branch's vector."""

    def cut(node: object) -> object:
        return layout.flat(node) if isinstance(node, Params) else node

    return cast(T, jax.tree.map(cut, tree, is_leaf=_is_params))


def _put(tree: T, picked: T, layout: _Layout) -> T:
    """`tree` with the parts _pick took replaced by `picked` (and its other leaves too)."""

    def put(node: object, part: object) -> object:
        return layout.params(node, cast(jax.Array, part)) if isinstance(node, Params) else part

    return cast(T, jax.tree.map(put, tree, picked, is_leaf=_is_params))


class _Run(NamedTuple):
    """ImageState cut down to one branch's matrices."""

    flat: jax.Array  # the branch's matrices raveled (_Layout)
    optimizer: OptimizerState  # over `flat`
    epoch: jax.Array
    step: jax.Array
    diverged: jax.Array


class _Branch(NamedTuple):
    """What every epoch of one (depth, kind) branch reads."""

    depth: int
    kind: Kind
    params: Params  # the other matrices (unread by the branch's network)
    data: ImageData
    hyper: ImageHyper
    layout: _Layout
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


def _train_branch(
    depth: int,
    kind: Kind,
    state: ImageState,
    data: ImageData,
    hyper: ImageHyper,
    target: jax.Array,
) -> ImageState:
    """Epochs until `target` or divergence, in the switch branch of the model's (depth, kind)."""
    layout = _Layout(image_model.used_fields(depth, kind))
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
        return (r.epoch < target) & ~r.diverged

    start = _Run(
        flat=layout.flat(state.params),
        optimizer=_pick(state.optimizer, layout),
        epoch=state.epoch,
        step=state.step,
        diverged=state.diverged,
    )
    done = lax.while_loop(more, lambda r: _run_epoch(branch, r), start)
    return ImageState(
        params=layout.params(state.params, done.flat),
        optimizer=_put(state.optimizer, done.optimizer, layout),
        epoch=done.epoch,
        step=done.step,
        diverged=done.diverged,
    )


def train_epochs(
    state: ImageState, data: ImageData, hyper: ImageHyper, epochs: jax.Array
) -> ImageState:
    """Up to `epochs` (runtime int32) more epochs; on divergence the state goes back to where
    this call began, marked diverged. The matrices the network does not use, and their
    moments, stay as they are."""
    target = state.epoch + epochs
    trained = image_model.on_branch(hyper, _train_branch, state, data, hyper, target)
    newly = trained.diverged & ~state.diverged
    restored = state._replace(diverged=trained.diverged)
    kept: ImageState = jax.tree.map(lambda old, new: jnp.where(newly, old, new), restored, trained)
    return kept
