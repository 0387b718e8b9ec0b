"""Training: minibatch steps inside one epoch, epochs inside one frame, divergence and early
stopping. Pure functions of (state, data, hyper); `frames.py` jits and measures them."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.numerics import model, narrowing, randomness
from nn_playground.engine.numerics.backprop import logits_and_pullback
from nn_playground.engine.numerics.hyper import Hyper
from nn_playground.engine.numerics.losses import loss_and_logit_grad, point_losses
from nn_playground.engine.numerics.optim import descent_direction, scheduled_learning_rate
from nn_playground.engine.numerics.state import DeviceData, Shared, TrainState

CHUNK = limits.CHUNK


class _Pass(NamedTuple):
    """Forward and backward over some rows."""

    loss: jax.Array  # () float32 sum(point loss * weight)
    grad: jax.Array  # its gradient, params' shape
    logits: jax.Array  # (n, width)
    losses: jax.Array  # (n,) float32 point losses


def _rows_pass(
    depth: int,
    pass_through: bool,
    params: jax.Array,
    x: jax.Array,
    targets: jax.Array,
    labels: jax.Array,
    weight: jax.Array,
    hyper: Hyper,
    keep: jax.Array,
) -> _Pass:
    features = model.input_features(x, hyper)
    logits, pullback = logits_and_pullback(depth, params, features, hyper, keep, pass_through)
    loss, losses, logit_grad = loss_and_logit_grad(logits, targets, labels, weight, hyper)
    return _Pass(loss, pullback(logit_grad), logits, losses)


def _gradient_at_depth(*args: object) -> tuple[jax.Array, jax.Array]:
    done = _rows_pass(*args)  # type: ignore[arg-type]
    return done.loss, done.grad


def minibatch_gradient(
    params: jax.Array,
    x: jax.Array,
    targets: jax.Array,
    labels: jax.Array,
    weight: jax.Array,
    hyper: Hyper,
    run_depth: jax.Array | None,
    keep: jax.Array,
) -> tuple[jax.Array, jax.Array]:
    """sum(loss * weight) over the rows and its gradient (in the model's depth branch:
    model.on_depth_branch); `weight` is (n,) float32, 1/count on real rows and 0 on padding."""
    return model.on_depth_branch(
        hyper, run_depth, _gradient_at_depth, params, x, targets, labels, weight, hyper, keep
    )


def _ceil_div(a: jax.Array, b: jax.Array | int) -> jax.Array:
    return (a + b - 1) // b


class _Plan(NamedTuple):
    """Which rows each chunk of an epoch trains on, worked out once per epoch so that a step
    only looks its chunk up (scalar index arithmetic costs a kernel launch per operation)."""

    rows: jax.Array  # (MAX_POINTS, CHUNK) int32: data row of each slot
    weight: jax.Array  # (MAX_POINTS, CHUNK) float32: 1/minibatch size, 0 on unused slots
    closes: jax.Array  # (MAX_POINTS,) bool: the chunk ends its minibatch
    chunks: jax.Array  # () int32 chunks in this epoch (at most MAX_POINTS, with batch 1)
    per_batch: jax.Array  # () int32 chunks in one minibatch


def _plan_epoch(order: jax.Array, n: jax.Array, batch_size: jax.Array) -> _Plan:
    batch = jnp.clip(batch_size, 1, n)
    chunks_per_batch = _ceil_div(batch, CHUNK)
    # Chunk and row arithmetic in float32, exact for these integers (all below 2**24): an
    # integer division by a runtime value, which XLA repeats for every slot of the (chunk,
    # slot) arrays, takes LLVM about a second per kernel to compile and costs more to run.
    per_batch = chunks_per_batch.astype(jnp.float32)
    chunk = jnp.arange(limits.MAX_POINTS, dtype=jnp.float32)
    batch_number = jnp.floor((chunk + 0.5) / per_batch)
    in_batch_chunk = chunk - batch_number * per_batch  # chunk % chunks_per_batch
    batch_start = batch_number * batch.astype(jnp.float32)
    in_batch = in_batch_chunk[:, None] * CHUNK + jnp.arange(CHUNK, dtype=jnp.float32)
    batch_len = jnp.minimum(batch.astype(jnp.float32), n.astype(jnp.float32) - batch_start)
    used = in_batch < batch_len[:, None]
    positions = jnp.clip(batch_start[:, None] + in_batch, 0, limits.MAX_POINTS - 1)
    return _Plan(
        rows=jnp.where(used, order[positions.astype(jnp.int32)], 0),
        weight=jnp.where(used, 1.0 / jnp.maximum(batch_len, 1.0)[:, None], 0.0),
        closes=in_batch_chunk == per_batch - 1.0,
        chunks=_ceil_div(n, batch) * chunks_per_batch,
        per_batch=chunks_per_batch,
    )


class Epoch(NamedTuple):
    """How an epoch of `state` runs: its plan, and the seeds of its dropout masks."""

    plan: _Plan
    dropout_seed: jax.Array  # () uint32: chunk c draws randomness.stream(dropout_seed, c)


def epoch_plan(state: TrainState, data: DeviceData, hyper: Hyper) -> Epoch:
    """The epoch `state` is in: the shuffle and the dropout seeds follow from its key and
    epoch alone, so an epoch interrupted by single steps takes the same minibatches."""
    seed = randomness.seed_of(state.key)
    shuffle_seed = randomness.stream(seed, 2 * state.epoch)
    dropout_seed = randomness.stream(seed, 2 * state.epoch + 1)
    order = randomness.permutation(shuffle_seed, data.n_train)
    return Epoch(_plan_epoch(order, data.n_train, hyper.batch_size), dropout_seed)


def chunk_keep(dropout_seed: jax.Array, number: jax.Array, hyper: Hyper, width: int) -> jax.Array:
    """The dropout multipliers (HIDDEN, CHUNK, width) of chunk `number` of an epoch."""
    return model.dropout_keep(randomness.stream(dropout_seed, number), hyper.dropout, CHUNK, width)


class _Chunk(NamedTuple):
    state: TrainState
    number: jax.Array  # () int32 chunk number in this epoch
    grad_sum: jax.Array  # gradient of the current minibatch so far
    loss_sum: jax.Array  # () float32


def run_epoch(
    state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared, step_end: jax.Array
) -> TrainState:
    """The rest of the epoch under way (all of it unless single steps began it) in shuffled
    minibatches, stopping early once state.step reaches `step_end`.

    A compiled step handles CHUNK rows; a minibatch larger than that takes several chunks
    whose gradients add up before one update, so any batch size runs in the same code.
    """
    plan, dropout_seed = epoch_plan(state, data, hyper)
    learning_rate = scheduled_learning_rate(hyper, state.epoch)
    trainable = model.param_mask(hyper)
    weight_rows = model.weight_rows(state.params.shape)
    width = state.params.shape[-1]  # model.WIDTH, or narrowing.NARROW

    def step(carry: _Chunk) -> _Chunk:
        s = carry.state
        rows = plan.rows[carry.number]
        keep = lax.cond(
            shared.dropout,
            lambda: chunk_keep(dropout_seed, carry.number, hyper, width),
            lambda: jnp.ones((model.HIDDEN, CHUNK, width), jnp.float32),
        )
        loss, grad = minibatch_gradient(
            s.params,
            data.x[rows],
            data.targets[rows],
            data.labels[rows],
            plan.weight[carry.number],
            hyper,
            shared.run_depth,
            keep,
        )
        grad_sum = carry.grad_sum + grad
        loss_sum = carry.loss_sum + loss
        closes = plan.closes[carry.number]
        state = lax.cond(closes, update, lambda s, *_: s, s, grad_sum, loss_sum)
        state = state._replace(batch=state.batch + closes.astype(jnp.int32))
        return _Chunk(
            state=state,
            number=carry.number + 1,
            grad_sum=jnp.where(closes, 0.0, grad_sum),
            loss_sum=jnp.where(closes, 0.0, loss_sum),
        )

    def update(s: TrainState, grad_sum: jax.Array, loss_sum: jax.Array) -> TrainState:
        """One optimizer step with a minibatch's gradient. A non-finite loss or weights
        mark divergence: training halts and train_epochs restores the frame's starting
        point, so what this step leaves behind is never used. (A sum overflowing to inf also
        counts: weights near 1e38 have diverged in any sense that matters.)"""
        penalty = (hyper.l1 * jnp.sign(s.params) + 2.0 * hyper.l2 * s.params) * weight_rows
        direction, optimizer = descent_direction(grad_sum + penalty, s.optimizer, hyper)
        params = s.params - learning_rate * direction * trainable
        diverges = ~jnp.isfinite(loss_sum + jnp.sum(params))
        return s._replace(
            params=params,
            optimizer=optimizer,
            step=s.step + 1,
            diverged=diverges,
            diverged_epoch=jnp.where(diverges, s.epoch, s.diverged_epoch),
            diverged_step=jnp.where(diverges, s.step, s.diverged_step),
        )

    def more(carry: _Chunk) -> jax.Array:
        s = carry.state
        return (carry.number < plan.chunks) & ~s.diverged & (s.step < step_end)

    first = state.batch * plan.per_batch
    start = _Chunk(state, first, jnp.zeros_like(state.params), jnp.float32(0.0))
    done = lax.while_loop(more, step, start)
    finished = done.state
    completed = (done.number >= plan.chunks) & ~finished.diverged
    return finished._replace(
        epoch=finished.epoch + completed.astype(jnp.int32),
        batch=jnp.where(completed, 0, finished.batch),
    )


def train_rows(data: DeviceData) -> jax.Array:
    """(MAX_POINTS,) bool: the rows holding train points."""
    return jnp.arange(limits.MAX_POINTS) < data.n_train


def test_rows(data: DeviceData) -> jax.Array:
    """(MAX_POINTS,) bool: the rows holding test points."""
    rows = jnp.arange(limits.MAX_POINTS)
    return (rows >= data.n_train) & (rows < data.n_train + data.n_test)


def mean_over(rows: jax.Array, n: jax.Array, values: jax.Array) -> jax.Array:
    """The mean of (MAX_POINTS,) values over the n rows where `rows` holds."""
    return jnp.sum(jnp.where(rows, values, 0.0)) / jnp.maximum(n, 1)


def train_weights(data: DeviceData) -> jax.Array:
    """(MAX_POINTS,) 1/n_train on the train rows, 0 elsewhere: a mean over the train set."""
    return jnp.where(train_rows(data), 1.0 / jnp.maximum(data.n_train, 1), 0.0)


def test_weights(data: DeviceData) -> jax.Array:
    """(MAX_POINTS,) 1/n_test on the test rows, 0 elsewhere: a mean over the test set."""
    return jnp.where(test_rows(data), 1.0 / jnp.maximum(data.n_test, 1), 0.0)


def dataset_loss(
    params: jax.Array,
    data: DeviceData,
    weights: jax.Array,
    hyper: Hyper,
    run_depth: jax.Array | None,
) -> tuple[jax.Array, jax.Array]:
    """sum(point loss * weights) over every row (no dropout), and the logits."""
    features = model.input_features(data.x, hyper)
    logits, _ = model.forward_skipping(params, features, hyper, run_depth)
    return jnp.sum(point_losses(logits, data.targets, data.labels, hyper) * weights), logits


def test_set_loss(
    params: jax.Array, data: DeviceData, hyper: Hyper, run_depth: jax.Array | None
) -> jax.Array:
    """Mean loss on the test points: what early stopping watches."""
    loss, _ = dataset_loss(params, data, test_weights(data), hyper, run_depth)
    return loss


class DatasetPass(NamedTuple):
    train_loss: jax.Array  # () float32 mean over the train points
    test_loss: jax.Array  # () float32 mean over the test points
    grad: jax.Array  # gradient of train_loss (without regularisation), params' shape
    logits: jax.Array  # (MAX_POINTS, width) of every row


def dataset_gradient(
    params: jax.Array, data: DeviceData, hyper: Hyper, run_depth: jax.Array | None
) -> DatasetPass:
    """One forward and backward pass over every row, by the training step's hand-written
    backprop (autodiff through the forward pass cost twice as much): the test rows weigh
    nothing in the gradient, and the same point losses give the test loss."""
    keep = jnp.ones((model.HIDDEN, limits.MAX_POINTS, params.shape[-1]), jnp.float32)
    done: _Pass = model.on_depth_branch(
        hyper,
        run_depth,
        _rows_pass,
        params,
        data.x,
        data.targets,
        data.labels,
        train_weights(data),
        hyper,
        keep,
    )
    test_loss = jnp.sum(done.losses * test_weights(data))
    return DatasetPass(done.loss, test_loss, done.grad, done.logits)


def _watch_test_loss(
    state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared
) -> TrainState:
    """Early stopping: remember the best weights; restore them when patience runs out.
    Runs when any model of the call watches; only a watching, healthy model is changed."""
    test_loss = test_set_loss(state.params, data, hyper, shared.run_depth)
    watching = hyper.early_stopping & ~state.diverged
    improved = watching & (test_loss < state.best_test_loss)
    best_params = jnp.where(improved, state.params, state.best_params)
    best_epoch = jnp.where(improved, state.epoch, state.best_epoch)
    out_of_patience = watching & (state.epoch - best_epoch >= hyper.patience)
    return state._replace(
        params=jnp.where(out_of_patience, best_params, state.params),
        best_params=best_params,
        best_test_loss=jnp.where(improved, test_loss, state.best_test_loss),
        best_epoch=best_epoch,
        stopped_early=state.stopped_early | out_of_patience,
    )


def _train_epochs_at_width(
    state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared
) -> TrainState:
    target = state.epoch + shared.epochs
    step_end = state.step + shared.steps

    def more(s: TrainState) -> jax.Array:
        halted = s.diverged | (s.stopped_early & hyper.early_stopping)
        return (s.epoch < target) & ~halted & (s.step < step_end)

    def one_epoch(s: TrainState) -> TrainState:
        s = run_epoch(s, data, hyper, shared, step_end)
        # Early stopping judges whole epochs: not after a step that leaves one unfinished.
        watched: TrainState = lax.cond(
            shared.early_stopping & (s.batch == 0),
            _watch_test_loss,
            lambda s, *_: s,
            s,
            data,
            hyper,
            shared,
        )
        return watched

    trained: TrainState = lax.while_loop(more, one_epoch, state)
    return trained


def _train_narrowed(
    state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared
) -> TrainState:
    trained = _train_epochs_at_width(
        narrowing.narrow_state(state),
        narrowing.narrow_data(data),
        narrowing.narrow_hyper(hyper),
        shared,
    )
    return narrowing.widen_state(trained)


def _restored_on_divergence(state: TrainState, trained: TrainState) -> TrainState:
    """On divergence go back to the frame's starting point: the last weights the user saw,
    from which a lower learning rate can carry on (the weights just before the blow-up are
    finite but often already absurd)."""
    newly = trained.diverged & ~state.diverged
    restored = state._replace(
        diverged=trained.diverged,
        diverged_epoch=trained.diverged_epoch,
        diverged_step=trained.diverged_step,
    )
    kept: TrainState = jax.tree.map(lambda old, new: jnp.where(newly, old, new), restored, trained)
    return kept


def train_narrow(state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared) -> TrainState:
    """train_epochs for a network no wider than narrowing.NARROW (shared.narrow): it trains on
    the cut-down copy, at a fraction of the cost."""
    return _restored_on_divergence(state, _train_narrowed(state, data, hyper, shared))


def train_wide(state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared) -> TrainState:
    """train_epochs for any network, at the full width."""
    return _restored_on_divergence(state, _train_epochs_at_width(state, data, hyper, shared))


def train_epochs(state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared) -> TrainState:
    """Up to `shared.epochs` more epochs; fewer if training diverges or stops early
    (train_narrow where shared.narrow, else train_wide)."""
    trained: TrainState = lax.cond(
        shared.narrow, train_narrow, train_wide, state, data, hyper, shared
    )
    return trained
