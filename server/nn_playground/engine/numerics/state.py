"""What one model carries between frames (TrainState) and the padded data it trains on."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.numerics import grid, model
from nn_playground.engine.numerics.data import Dataset, target_range
from nn_playground.engine.numerics.hyper import Hyper
from nn_playground.engine.numerics.optim import OptimizerState, init_optimizer


class TrainState(NamedTuple):
    params: jax.Array  # model.PARAM_SHAPE float32
    optimizer: OptimizerState
    key: jax.Array  # (2,) uint32 PRNG key: shuffling and dropout
    epoch: jax.Array  # () int32 epochs completed
    step: jax.Array  # () int32 parameter updates applied
    # () int32 minibatches taken in the epoch under way: 0 between epochs, more after single
    # steps ("Apply this step"), from which the epoch carries on where it stopped.
    batch: jax.Array
    best_params: jax.Array  # weights at the lowest test loss (early stopping)
    best_test_loss: jax.Array  # () float32
    best_epoch: jax.Array  # () int32
    diverged: jax.Array  # () bool: loss or weights went non-finite; training halted
    diverged_epoch: jax.Array  # () int32
    diverged_step: jax.Array  # () int32
    stopped_early: jax.Array  # () bool: early stopping ran out of patience


class Shared(NamedTuple):
    """Run settings common to every model of one call: several models trained together
    (vmapped) share them, which keeps their conditionals real branches instead of
    computing both sides for every model."""

    epochs: jax.Array  # () int32 epochs to run in this frame
    steps: jax.Array  # () int32 most parameter updates in this call: one step, or ALL_STEPS
    # () int32 hidden layers of the deepest model when several run together (vmapped); None
    # for a model run alone, which runs at its own depth (model.depth_branches).
    run_depth: jax.Array | None
    early_stopping: jax.Array  # () bool: some model watches its test loss
    dropout: jax.Array  # () bool: some model uses dropout
    narrow: jax.Array  # () bool: no model has more than limits.NARROW_NEURONS neurons in a layer
    grid_features: jax.Array  # grid.FEATURES: every feature at every point the frame draws


def _committed(value: np.ndarray) -> jax.Array:
    """On the default device, committed to it: what runner.run_frame passes (see there)."""
    placed: jax.Array = jax.device_put(value, jax.devices()[0])
    return placed


@functools.cache
def _grid_features() -> jax.Array:
    """grid.FEATURES on the device, made once: calls pass it without copying it again."""
    return _committed(grid.FEATURES)


@functools.lru_cache(maxsize=4096)
def _scalar(value: int | bool, dtype: type[np.generic]) -> jax.Array:
    """A device scalar made once per value: a host one would be copied on every call."""
    return _committed(np.asarray(value, dtype))


def fits_narrow(hypers: Sequence[Hyper]) -> bool:
    """No model has more than limits.NARROW_NEURONS neurons in a layer (Shared.narrow)."""
    widest = max(int(np.asarray(h.neuron_mask).sum(axis=1).max()) for h in hypers)
    return widest <= limits.NARROW_NEURONS


# A frame's step budget: more updates than any frame of whole epochs takes.
ALL_STEPS = 2**30


def shared_settings(
    hypers: Sequence[Hyper], epochs: int, together: bool = False, steps: int = ALL_STEPS
) -> Shared:
    """The settings of one call of `hypers`' models: `together` for a vmapped call (whose
    models share one depth's branch), else of a model run alone. `steps` caps the updates:
    1 takes the one minibatch step that training would take next."""
    # Read on the host with numpy (on the CPU a device array is a view): a jnp operation
    # here would cost a dispatch and a sync per model on every frame.
    run_depth = max(int(np.asarray(h.depth)) for h in hypers) if together else None
    early_stopping = any(bool(np.asarray(h.early_stopping)) for h in hypers)
    dropout = any(bool(np.any(np.asarray(h.dropout) > 0)) for h in hypers)
    return Shared(
        epochs=_scalar(epochs, np.int32),
        steps=_scalar(steps, np.int32),
        run_depth=None if run_depth is None else _scalar(run_depth, np.int32),
        early_stopping=_scalar(early_stopping, np.bool_),
        dropout=_scalar(dropout, np.bool_),
        narrow=_scalar(fits_narrow(hypers), np.bool_),
        grid_features=_grid_features(),
    )


class DeviceData(NamedTuple):
    """The train points, then the test points, in one array padded to limits.MAX_POINTS rows
    (a dataset never has more): one pass over the rows measures both sets."""

    x: jax.Array  # (MAX_POINTS, 2) float32
    targets: jax.Array  # (MAX_POINTS, WIDTH) float32
    labels: jax.Array  # (MAX_POINTS,) int32
    n_train: jax.Array  # () int32: rows 0 .. n_train - 1 train
    n_test: jax.Array  # () int32: the next n_test rows test
    target_low: jax.Array  # () float32: regression colour scale
    target_high: jax.Array


def device_data(dataset: Dataset) -> DeviceData:
    parts = (dataset.train, dataset.test)
    n = sum(len(part.x) for part in parts)
    if n > limits.MAX_POINTS:
        raise ValueError(f"points: expected at most {limits.MAX_POINTS}, received {n}")
    x = np.zeros((limits.MAX_POINTS, 2), np.float32)
    targets = np.zeros((limits.MAX_POINTS, model.WIDTH), np.float32)
    labels = np.zeros(limits.MAX_POINTS, np.int32)
    start = 0
    for part in parts:
        end = start + len(part.x)
        x[start:end] = part.x
        targets[start:end, : part.targets.shape[1]] = part.targets
        labels[start:end] = part.labels
        start = end
    low, high = target_range(dataset)
    return DeviceData(
        x=_committed(x),
        targets=_committed(targets),
        labels=_committed(labels),
        n_train=_committed(np.asarray(len(dataset.train.x), np.int32)),
        n_test=_committed(np.asarray(len(dataset.test.x), np.int32)),
        target_low=_committed(np.asarray(low, np.float32)),
        target_high=_committed(np.asarray(high, np.float32)),
    )


def init_state(hyper: Hyper, seed: jax.Array) -> TrainState:
    """Fresh weights for `hyper`'s architecture from `seed` (a () int32 array)."""
    init_key, train_key = jax.random.split(jax.random.PRNGKey(seed))
    params = model.init_params(init_key, hyper)
    zero = jnp.int32(0)
    return TrainState(
        params=params,
        optimizer=init_optimizer(params, hyper),
        key=train_key,
        epoch=zero,
        step=zero,
        batch=zero,
        best_params=params,
        best_test_loss=jnp.float32(jnp.inf),
        best_epoch=zero,
        diverged=jnp.bool_(False),
        diverged_epoch=zero,
        diverged_step=zero,
        stopped_early=jnp.bool_(False),
    )
