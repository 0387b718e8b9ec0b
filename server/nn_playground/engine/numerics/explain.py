"""One training step taken apart with the engine's own functions: a point's forward and
backward pass, the next minibatch's per-point gradients and their mean, the step's gradient
as training computes it, the regularisation term, the optimizer's direction, and the cost
with one weight nudged. Pure and jittable; `teaching/step_explanation.py` turns it into
what the page shows, and `runner.next_step` takes the step itself.

Everything here is in the padded layout (model.PARAM_SHAPE) at the full width: the step's
own arithmetic runs where training runs it (train.minibatch_gradient, optim.descent_direction),
and the point-by-point passes through every hidden slot, past the model's depth by its
pass-through rule (model.in_model), so one program serves every architecture."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.numerics import model
from nn_playground.engine.numerics.backprop import logits_and_pullback
from nn_playground.engine.numerics.hyper import Hyper
from nn_playground.engine.numerics.losses import loss_and_logit_grad, point_losses, predict
from nn_playground.engine.numerics.optim import (
    OptimizerState,
    descent_direction,
    scheduled_learning_rate,
)
from nn_playground.engine.numerics.state import DeviceData, TrainState
from nn_playground.engine.numerics.train import CHUNK, chunk_keep, epoch_plan, minibatch_gradient

# Rows of the next minibatch that the explanation holds: a minibatch is at most every train
# point (fewer than MAX_POINTS), in whole chunks.
BATCH_CHUNKS = -(-limits.MAX_POINTS // CHUNK)
BATCH_SLOTS = BATCH_CHUNKS * CHUNK


class PointPass(NamedTuple):
    """One point through the network and back, with its loss weighing 1."""

    features: jax.Array  # (WIDTH,) the inputs the first layer reads
    z: jax.Array  # (LAYERS, WIDTH) w.a + b of each hidden slot, the logits last
    a: jax.Array  # (HIDDEN, WIDTH) each hidden slot's output g(z), times mask and dropout
    slope: jax.Array  # (HIDDEN, WIDTH) d(a)/d(z): g'(z) times mask and dropout
    keep: jax.Array  # (HIDDEN, WIDTH) its dropout multipliers in the step (1: none)
    output: jax.Array  # (WIDTH,) the output activation of the logits (probabilities...)
    loss: jax.Array  # () its loss
    grad: jax.Array  # PARAM_SHAPE d(loss)/d(params); a bias's is its unit's d(loss)/d(z)


class StepExplanation(NamedTuple):
    point: PointPass
    in_batch: jax.Array  # () bool: the point is in the next minibatch
    rows: jax.Array  # (BATCH_SLOTS,) int32 data row of each slot of the next minibatch
    used: jax.Array  # (BATCH_SLOTS,) bool: the slot holds one of its points
    point_losses: jax.Array  # (BATCH_SLOTS,) each point's loss
    point_weight_grads: jax.Array  # (BATCH_SLOTS,) each point's d(loss)/d(the chosen weight)
    mean_grad: jax.Array  # PARAM_SHAPE mean of the points' gradients
    step_grad: jax.Array  # PARAM_SHAPE the minibatch gradient as the training step sums it
    penalty_grad: jax.Array  # PARAM_SHAPE d(L1 + L2 term)/d(params): weights, not biases
    cost: jax.Array  # () J: the minibatch's mean loss plus the L1 and L2 terms
    nudged_cost: jax.Array  # () J with the chosen weight moved by epsilon
    learning_rate: jax.Array  # () in effect at this epoch (decay applied)
    direction: jax.Array  # PARAM_SHAPE the optimizer's direction: w <- w - rate * direction
    optimizer: OptimizerState  # the optimizer's state after the step
    trainable: jax.Array  # PARAM_SHAPE 1 where a parameter belongs to the network


def _point_pass(
    params: jax.Array,
    x: jax.Array,
    target: jax.Array,
    label: jax.Array,
    keep: jax.Array,
    hyper: Hyper,
) -> PointPass:
    """`x` (2,), `target` (WIDTH,), `label` (), `keep` (HIDDEN, WIDTH)."""
    features = model.input_features(x[None], hyper)
    keep_rows = keep[:, None, :]
    done = model.forward(
        model.HIDDEN, True, params, features, hyper, model.activation_and_derivative, keep_rows
    )
    logits, pullback = logits_and_pullback(model.HIDDEN, params, features, hyper, keep_rows)
    weight = jnp.ones(1, jnp.float32)
    loss, _, logit_grad = loss_and_logit_grad(logits, target[None], label[None], weight, hyper)
    width = params.shape[-1]
    z = [
        read @ params[layer, :width] + params[layer, width] for layer, read in enumerate(done.reads)
    ]
    slopes = [slope for slope in done.slopes if slope is not None]
    return PointPass(
        features=features[0],
        z=jnp.stack([*z, logits])[:, 0],
        a=jnp.stack(done.outputs)[:, 0],
        slope=jnp.stack(slopes)[:, 0],
        keep=keep,
        output=predict(logits, hyper)[0],
        loss=loss,
        grad=pullback(logit_grad),
    )


def _penalty(params: jax.Array, hyper: Hyper) -> tuple[jax.Array, jax.Array]:
    """The L1 and L2 term of the cost and its gradient, as run_epoch's update adds it."""
    rows = model.weight_rows(params.shape)
    value = jnp.sum((hyper.l1 * jnp.abs(params) + hyper.l2 * jnp.square(params)) * rows)
    return value, (hyper.l1 * jnp.sign(params) + 2.0 * hyper.l2 * params) * rows


def explain_step(
    state: TrainState,
    data: DeviceData,
    hyper: Hyper,
    point: jax.Array,
    weight: jax.Array,
    epsilon: jax.Array,
) -> StepExplanation:
    """The next training step of `state` seen from train row `point` (() int32) and the
    parameter at `weight` ((3,) int32: slot, row, column of PARAM_SHAPE), with the cost
    nudged by `epsilon` (() float32) at that parameter."""
    params = state.params
    width = params.shape[-1]
    plan, dropout_seed = epoch_plan(state, data, hyper)
    first = state.batch * plan.per_batch
    numbers = first + jnp.arange(BATCH_CHUNKS, dtype=jnp.int32)  # chunk numbers
    in_step = jnp.arange(BATCH_CHUNKS) < plan.per_batch
    chunk_rows = plan.rows[jnp.clip(numbers, 0, limits.MAX_POINTS - 1)]  # (chunks, CHUNK)
    chunk_weights = jnp.where(
        in_step[:, None], plan.weight[jnp.clip(numbers, 0, limits.MAX_POINTS - 1)], 0.0
    )
    keeps = jax.vmap(lambda n: chunk_keep(dropout_seed, n, hyper, width))(numbers)
    rows = chunk_rows.reshape(-1)
    used = chunk_weights.reshape(-1) > 0
    # (slots, HIDDEN, WIDTH): each slot's own dropout multipliers; (HIDDEN, slots, WIDTH)
    slot_keep = jnp.moveaxis(keeps, 1, 2).reshape(BATCH_SLOTS, model.HIDDEN, width)
    keep_rows = jnp.moveaxis(slot_keep, 0, 1)

    def step_gradient() -> tuple[jax.Array, jax.Array]:
        """The minibatch's mean loss and its gradient, summed chunk by chunk by the function
        run_epoch calls."""

        def add_chunk(c: int, sums: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
            r, weights = chunk_rows[c], chunk_weights[c]
            x, targets, labels = data.x[r], data.targets[r], data.labels[r]
            loss, grad = minibatch_gradient(
                params, x, targets, labels, weights, hyper, None, keeps[c]
            )
            return sums[0] + loss, sums[1] + grad

        zero = (jnp.float32(0.0), jnp.zeros_like(params))
        sums: tuple[jax.Array, jax.Array] = lax.fori_loop(0, plan.per_batch, add_chunk, zero)
        return sums

    def cost(p: jax.Array) -> jax.Array:
        """J: the minibatch's mean loss (its dropout multipliers included) plus the L1 and
        L2 term, by the forward pass alone."""
        features = model.input_features(data.x[rows], hyper)
        activation = model.value_only(model.activate)
        logits = model.forward(model.HIDDEN, True, p, features, hyper, activation, keep_rows).logits
        losses = point_losses(logits, data.targets[rows], data.labels[rows], hyper)
        return jnp.sum(losses * chunk_weights.reshape(-1)) + _penalty(p, hyper)[0]

    passes = jax.vmap(
        lambda r, keep: _point_pass(params, data.x[r], data.targets[r], data.labels[r], keep, hyper)
    )(rows, slot_keep)
    slot, row, column = weight[0], weight[1], weight[2]
    count = jnp.maximum(jnp.sum(used), 1)
    mean_grad = jnp.sum(jnp.where(used[:, None, None, None], passes.grad, 0.0), axis=0) / count
    matches = used & (rows == point)
    in_batch = jnp.any(matches)
    # The chosen point as the step sees it: in the step, its own slot of the minibatch's passes
    # (so its numbers are those of the minibatch's list, to the last bit: a pass computed apart
    # may round differently); outside it, a pass of its own without dropout.
    in_step = jax.tree.map(lambda leaf: leaf[jnp.argmax(matches)], passes)
    alone = _point_pass(
        params,
        data.x[point],
        data.targets[point],
        data.labels[point],
        jnp.ones((model.HIDDEN, width)),
        hyper,
    )
    chosen = jax.tree.map(lambda a, b: jnp.where(in_batch, a, b), in_step, alone)

    _, step_grad = step_gradient()
    total_cost = cost(params)
    nudged_cost = cost(params.at[slot, row, column].add(epsilon))
    _, penalty_grad = _penalty(params, hyper)
    direction, optimizer = descent_direction(step_grad + penalty_grad, state.optimizer, hyper)
    return StepExplanation(
        point=chosen,
        in_batch=in_batch,
        rows=rows,
        used=used,
        point_losses=passes.loss,
        point_weight_grads=passes.grad[:, slot, row, column],
        mean_grad=mean_grad,
        step_grad=step_grad,
        penalty_grad=penalty_grad,
        cost=total_cost,
        nudged_cost=nudged_cost,
        learning_rate=scheduled_learning_rate(hyper, state.epoch),
        direction=direction,
        optimizer=optimizer,
        trainable=model.param_mask(hyper),
    )
