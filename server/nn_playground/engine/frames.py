"""A frame: E epochs of training plus everything the page draws, in one jitted call.

Grids are quantised to uint8 inside the call, so a frame leaves the device small and ready
for the wire. `train_frame` serves one model; `train_frames` runs several in one vmapped
call (compare mode, seed ensembles); `draw_frame` measures a model without training it."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits, model, narrowing
from nn_playground.engine.config import Problem
from nn_playground.engine.hyper import PROBLEM_IDS, Hyper
from nn_playground.engine.losses import accuracy_per_point, predict
from nn_playground.engine.optim import scheduled_learning_rate
from nn_playground.engine.state import DeviceData, Shared, TrainState
from nn_playground.engine.train import dataset_gradient, test_set_loss, train_epochs

OUTPUT_SIDE = limits.OUTPUT_GRID
NEURON_SIDE = limits.NEURON_GRID


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
    outputs: jax.Array  # (MAX_OUTPUTS, OUTPUT_SIDE, OUTPUT_SIDE) uint8: per-output value
    predicted_class: jax.Array  # (OUTPUT_SIDE, OUTPUT_SIDE) uint8: argmax over outputs
    confidence: jax.Array  # (OUTPUT_SIDE, OUTPUT_SIDE) uint8: that output's probability
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


def _signed_maps(values: jax.Array, side: int) -> tuple[jax.Array, jax.Array]:
    """(side*side, k) activations -> (k, side, side) uint8 centred on 128, and (k,) scales."""
    scale = jnp.maximum(jnp.max(jnp.abs(values), axis=0), 1e-6)
    unit = 0.5 + 0.5 * values / scale
    return _to_uint8(unit.T.reshape(-1, side, side)), scale


def _output_grids(
    outputs: jax.Array, data: DeviceData, hyper: Hyper
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(OUTPUT_SIDE**2, MAX_OUTPUTS) head outputs -> per-output, class and confidence grids."""
    is_regression = hyper.problem == PROBLEM_IDS[Problem.REGRESSION]
    span = jnp.maximum(data.target_high - data.target_low, 1e-6)
    unit = jnp.where(is_regression, (outputs - data.target_low) / span, outputs)
    masked = jnp.where(hyper.output_mask > 0, outputs, -jnp.inf)
    chosen = jnp.argmax(masked, axis=1)
    top = jnp.max(masked, axis=1)
    # A single sigmoid output is a two-way choice: class 1 above one half, else class 0.
    single = jnp.sum(hyper.output_mask) == 1
    chosen = jnp.where(single, (outputs[:, 0] >= 0.5).astype(chosen.dtype), chosen)
    top = jnp.where(single, jnp.maximum(outputs[:, 0], 1.0 - outputs[:, 0]), top)
    shape = (OUTPUT_SIDE, OUTPUT_SIDE)
    grids = unit[:, : limits.MAX_OUTPUTS].T.reshape(limits.MAX_OUTPUTS, *shape)
    return _to_uint8(grids), chosen.astype(jnp.uint8).reshape(shape), _to_uint8(top).reshape(shape)


def _grad_norms(grads: jax.Array) -> jax.Array:
    return jnp.sqrt(jnp.sum(jnp.square(grads[:, : model.WIDTH, :]), axis=(1, 2)))


def _accuracy(
    logits: jax.Array, targets: jax.Array, labels: jax.Array, n: jax.Array, hyper: Hyper
) -> jax.Array:
    right = accuracy_per_point(predict(logits, hyper), targets, labels, hyper)
    real = jnp.arange(limits.MAX_POINTS) < n
    return jnp.sum(jnp.where(real, right, 0.0)) / jnp.maximum(n, 1)


def _grid_pass(
    params: jax.Array, features: jax.Array, hyper: Hyper, hidden_rows: int, shared: Shared
) -> tuple[jax.Array, jax.Array]:
    """forward_skipping over many points, on the narrowed network when `shared.narrow` (the
    same for every model of the call, so it stays a real branch when vmapped)."""

    def wide() -> tuple[jax.Array, jax.Array]:
        return model.forward_skipping(
            params, features, hyper, shared.run_depth, hidden_rows, model.activate_only
        )

    def cut() -> tuple[jax.Array, jax.Array]:
        logits, hidden = model.forward_skipping(
            narrowing.narrow_params(params),
            features[:, : narrowing.NARROW],
            narrowing.narrow_hyper(hyper),
            shared.run_depth,
            hidden_rows,
            model.activate_only,
        )
        extra = model.WIDTH - narrowing.NARROW
        return jnp.pad(logits, ((0, 0), (0, extra))), jnp.pad(hidden, ((0, 0), (0, 0), (0, extra)))

    result: tuple[jax.Array, jax.Array] = lax.cond(shared.narrow, cut, wide)
    return result


def measure(state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared) -> Frame:
    """Losses, accuracies, gradient norms and every grid for the current weights."""
    params = state.params
    train_loss, grads, train_logits = dataset_gradient(
        params,
        data.x_train,
        data.targets_train,
        data.labels_train,
        data.n_train,
        hyper,
        shared.run_depth,
    )
    test_loss, test_logits = test_set_loss(params, data, hyper, shared.run_depth)
    # One forward pass serves the boundary (OUTPUT_SIDE grid) and the neuron thumbnails.
    n_output = OUTPUT_SIDE * OUTPUT_SIDE
    side = NEURON_SIDE
    thumbnail_features = model.input_features(model.grid_points(side), hyper)
    grid_features = model.input_features(model.grid_points(OUTPUT_SIDE), hyper)
    logits, hidden = _grid_pass(
        params,
        jnp.concatenate([grid_features, thumbnail_features]),
        hyper,
        side * side,
        shared,
    )
    # Only the first MAX_OUTPUTS columns can be outputs: the heads run on those alone.
    head_hyper = hyper._replace(output_mask=hyper.output_mask[: limits.MAX_OUTPUTS])
    outputs, predicted_class, confidence = _output_grids(
        predict(logits[:n_output, : limits.MAX_OUTPUTS], head_hyper), data, head_hyper
    )
    per_neuron = jnp.transpose(hidden, (1, 0, 2)).reshape(side * side, -1)
    neurons, neuron_scale = _signed_maps(per_neuron, side)
    features, feature_scale = _signed_maps(thumbnail_features, side)
    return Frame(
        epoch=state.epoch,
        step=state.step,
        train_loss=train_loss,
        test_loss=test_loss,
        train_accuracy=_accuracy(
            train_logits, data.targets_train, data.labels_train, data.n_train, hyper
        ),
        test_accuracy=_accuracy(
            test_logits, data.targets_test, data.labels_test, data.n_test, hyper
        ),
        learning_rate=scheduled_learning_rate(hyper, state.epoch),
        grad_norms=_grad_norms(grads),
        params=params,
        outputs=outputs,
        predicted_class=predicted_class,
        confidence=confidence,
        neurons=neurons.reshape(model.HIDDEN, model.WIDTH, side, side),
        neuron_scale=neuron_scale.reshape(model.HIDDEN, model.WIDTH),
        features=features,
        feature_scale=feature_scale,
        diverged=state.diverged,
        diverged_epoch=state.diverged_epoch,
        diverged_step=state.diverged_step,
        stopped_early=state.stopped_early,
        best_epoch=state.best_epoch,
    )


def _frame(
    state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared
) -> tuple[TrainState, Frame]:
    state = train_epochs(state, data, hyper, shared)
    return state, measure(state, data, hyper, shared)


def _draw(
    state: TrainState, data: DeviceData, hyper: Hyper, shared: Shared
) -> tuple[TrainState, Frame]:
    return state, measure(state, data, hyper, shared)


train_frame = jax.jit(_frame)
# A frame of no epochs (a new or reset model) without the training code: a program a quarter
# the size of train_frame's, which a starting server loads in ~0.4 s instead of ~2.7 s.
draw_frame = jax.jit(_draw)
# Several models stacked on a leading axis, sharing one `Shared`.
train_frames = jax.jit(jax.vmap(_frame, in_axes=(0, 0, 0, None)))
