"""A frame: E epochs of training plus everything the page draws, in one jitted call.

Grids are quantised to uint8 inside the call, so a frame leaves the device small and ready
for the wire. `train_only` then `draw_frame` serve one model (a frame of no epochs needs the
second alone); `train_frames` runs several in one vmapped call (compare mode, seed ensembles,
on a GPU)."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.config import Problem
from nn_playground.engine.numerics import grid, model, narrowing, train
from nn_playground.engine.numerics.hyper import PROBLEM_IDS, Hyper
from nn_playground.engine.numerics.losses import accuracy_per_point, predict
from nn_playground.engine.numerics.optim import scheduled_learning_rate
from nn_playground.engine.numerics.state import DeviceData, Shared, TrainState

OUTPUT_SIDE = grid.OUTPUT_SIDE
NEURON_SIDE = grid.NEURON_SIDE


class Frame(NamedTuple):
    epoch: jax.Array  # () int32 epochs completed
    step: jax.Array  # () int32 updates applied
    train_loss: jax.Array  # () float32
    test_loss: jax.Array  # () float32
    train_accuracy: jax.Array  # () float32 (meaningless for regression)
    test_accuracy: jax.Array  # () float32
    learning_rate: jax.Array  # () float32 in effect after decay
    grad_norms: jax.Array  # (LAYERS,) float32: |dLoss/dW| per layer, output layer last
    params: jax.Array  # model.PARAM_SHAPE float32
    # (MAX_OUTPUTS, OUTPUT_SIDE, OUTPUT_SIDE) uint8: per-output value. The predicted class
    # and its probability are not sent alongside: a reader takes them from these codes.
    outputs: jax.Array
    neurons: jax.Array  # (HIDDEN, WIDTH, NEURON_SIDE, NEURON_SIDE) uint8, 128 = zero
    neuron_scale: jax.Array  # (HIDDEN, WIDTH) float32: activation at 0 and 255 is -/+ this
    features: jax.Array  # (WIDTH, NEURON_SIDE, NEURON_SIDE) uint8, same coding
    feature_scale: jax.Array  # (WIDTH,) float32
    diverged: jax.Array  # () bool
    diverged_epoch: jax.Array  # () int32
    diverged_step: jax.Array  # () int32
    stopped_early: jax.Array  # () bool
    best_epoch: jax.Array  # () int32 lowest test loss so far (with early stopping on)


def _to_uint8(unit: jax.Array) -> jax.Array:
    """[0, 1] -> 0..255; NaN (never expected: weights are kept finite) maps to 0."""
    return jnp.round(jnp.clip(jnp.nan_to_num(unit), 0.0, 1.0) * 255.0).astype(jnp.uint8)


def _signed_maps(values: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(points, k) activations -> (k, points) uint8 centred on grid.FLAT, and (k,) scales
    (grid.signed_codes is the numpy twin)."""
    scale = jnp.maximum(jnp.max(jnp.abs(values), axis=0), 1e-6)
    unit = 0.5 + 0.5 * values / scale
    return _to_uint8(unit.T), scale


def _output_grids(outputs: jax.Array, data: DeviceData, hyper: Hyper) -> jax.Array:
    """(OUTPUT_SIDE**2, MAX_OUTPUTS) head outputs -> (MAX_OUTPUTS, side, side) uint8 codes of
    each output's value: a probability, or a regression target scaled to the data's range."""
    is_regression = hyper.problem == PROBLEM_IDS[Problem.REGRESSION]
    span = jnp.maximum(data.target_high - data.target_low, 1e-6)
    unit = jnp.where(is_regression, (outputs - data.target_low) / span, outputs)
    grids = unit[:, : limits.MAX_OUTPUTS].T.reshape(limits.MAX_OUTPUTS, OUTPUT_SIDE, OUTPUT_SIDE)
    return _to_uint8(grids)


class _Pictures(NamedTuple):
    """The grid pass: computed on the narrowed network when it fits."""

    logits: jax.Array  # (OUTPUT_SIDE**2, MAX_OUTPUTS) over the boundary grid
    neurons: jax.Array  # (HIDDEN, WIDTH, NEURON_SIDE, NEURON_SIDE) uint8
    neuron_scale: jax.Array  # (HIDDEN, WIDTH) float32


def _grid_pass(
    params: jax.Array, hyper: Hyper, run_depth: jax.Array | None, grid_features: jax.Array
) -> _Pictures:
    width = params.shape[-1]  # model.WIDTH, or narrowing.NARROW
    # The grid's features hold every feature: masking the first layer's weights instead of
    # the 11,024 points' features leaves a model's unused inputs out.
    masked = params.at[0, :width].multiply(hyper.feature_mask[:, None])
    logits, hidden = model.forward_skipping(
        masked,
        grid_features,
        hyper,
        run_depth,
        grid.NEURON_POINTS,
        model.value_only(model.activate_only),
    )
    codes, scale = _signed_maps(jnp.transpose(hidden, (1, 0, 2)).reshape(grid.NEURON_POINTS, -1))
    codes = codes.reshape(model.HIDDEN, width, NEURON_SIDE, NEURON_SIDE)
    extra = model.WIDTH - width
    return _Pictures(
        # Only the first MAX_OUTPUTS columns can be outputs: the heads run on those alone.
        logits=logits[: grid.OUTPUT_POINTS, : limits.MAX_OUTPUTS],
        # Padded as uint8 codes, not as float activations: 16 times fewer bytes.
        neurons=jnp.pad(codes, ((0, 0), (0, extra), (0, 0), (0, 0)), constant_values=grid.FLAT),
        neuron_scale=jnp.pad(
            scale.reshape(model.HIDDEN, width), ((0, 0), (0, extra)), constant_values=1e-6
        ),
    )


def _narrow_grid_pass(
    params: jax.Array, hyper: Hyper, run_depth: jax.Array | None, grid_features: jax.Array
) -> _Pictures:
    narrow = narrowing.narrow_hyper(hyper)
    return _grid_pass(narrowing.narrow_params(params), narrow, run_depth, grid_features)


def _wide_grid_pass(
    params: jax.Array, hyper: Hyper, run_depth: jax.Array | None, grid_features: jax.Array
) -> _Pictures:
    padding = ((0, 0), (0, model.WIDTH - grid_features.shape[1]))
    return _grid_pass(params, hyper, run_depth, jnp.pad(grid_features, padding))


def measure(state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared) -> Frame:
    """Losses, accuracies, gradient norms and every grid for the current weights."""
    # One pass over the train and test rows; the test rows weigh nothing in the gradient.
    rows = train.dataset_gradient(state.params, data, hyper, shared.run_depth)
    # Only the first MAX_OUTPUTS columns can be outputs: the heads run on those alone.
    outputs = limits.MAX_OUTPUTS
    head_hyper = hyper._replace(output_mask=hyper.output_mask[:outputs])
    right = accuracy_per_point(
        predict(rows.logits[:, :outputs], head_hyper),
        data.targets[:, :outputs],
        data.labels,
        head_hyper,
    )
    # `shared.narrow` is the same for every model of a vmapped call: a real branch.
    pictures: _Pictures = lax.cond(
        shared.narrow,
        _narrow_grid_pass,
        _wide_grid_pass,
        state.params,
        hyper,
        shared.run_depth,
        shared.grid_features,
    )
    grids = _output_grids(predict(pictures.logits, head_hyper), data, head_hyper)
    selected = hyper.feature_mask > 0
    return Frame(
        epoch=state.epoch,
        step=state.step,
        train_loss=rows.train_loss,
        test_loss=rows.test_loss,
        train_accuracy=train.mean_over(train.train_rows(data), data.n_train, right),
        test_accuracy=train.mean_over(train.test_rows(data), data.n_test, right),
        learning_rate=scheduled_learning_rate(hyper, state.epoch),
        # Weight rows only, not the biases: |dLoss/dW| per layer.
        grad_norms=jnp.sqrt(jnp.sum(jnp.square(rows.grad[:, :-1, :]), axis=(1, 2))),
        params=state.params,
        outputs=grids,
        neurons=pictures.neurons,
        neuron_scale=pictures.neuron_scale,
        features=jnp.where(selected[:, None, None], grid.FEATURE_CODES, jnp.uint8(grid.FLAT)),
        feature_scale=jnp.where(selected, grid.FEATURE_SCALES, 1e-6),
        diverged=state.diverged,
        diverged_epoch=state.diverged_epoch,
        diverged_step=state.diverged_step,
        stopped_early=state.stopped_early,
        best_epoch=state.best_epoch,
    )


def _frame(
    state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared
) -> tuple[TrainState, Frame]:
    state = train.train_epochs(state, data, hyper, shared)
    return state, measure(state, data, hyper, shared)


# One model's frame is two programs: `train_only` (E epochs) and then `draw_frame` (the
# measurements alone, also a frame of no epochs: a new or reset model). The measurements are
# compiled and held in memory once instead of twice (in a combined program and in a
# draw-only one), and the two compile at once; the second call costs little beside the
# frame. Training stays one program: split in two (narrow and wide), the kernels both need
# would compile twice, and XLA already spreads one program's compiling over every core.
train_only = jax.jit(train.train_epochs)
draw_frame = jax.jit(measure)
# Both in one call: the body of the vmapped twin below, and what tests compare against.
train_frame = jax.jit(_frame)
# Several models stacked on a leading axis, sharing one `Shared`: where vmap pays (a GPU).
train_frames = jax.jit(jax.vmap(_frame, in_axes=(0, 0, 0, None)))
