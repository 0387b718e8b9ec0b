"""The digits model's settings as runtime arrays of fixed shapes and dtypes (`ImageHyper`,
built by `make_image_hyper`), and the window table of a conv or local first layer: one
compiled program reads every setting within limits (DIGITS_)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, cast

import jax
import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.config import Activation, Decay, Init, Optimizer
from nn_playground.engine.numerics import image_model
from nn_playground.engine.numerics.hyper import ACTIVATION_IDS, DECAY_IDS, INIT_IDS, OPTIMIZER_IDS
from nn_playground.engine.numerics.image_model import (
    CLASSES,
    FILTERS,
    HIDDEN,
    PATCH,
    POSITIONS,
    UNITS,
    WINDOW,
    DigitsLoss,
    Kind,
)
from nn_playground.engine.numerics.windows import positions_per_side, windows


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
    early_stopping: jax.Array  # () bool: watch the test loss after every epoch
    patience: jax.Array  # () int32 epochs without a lower test loss before stopping
    seed: jax.Array  # () uint32: initial weights, shuffles and dropout


def host(value: np.ndarray) -> jax.Array:
    """A host array typed as the jax.Array it becomes once placed on the device."""
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
    early_stopping: bool = False,
    patience: int = 20,
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
        return host(np.asarray(value, np.float32))

    def i32(value: int) -> jax.Array:
        return host(np.asarray(value, np.int32))

    return ImageHyper(
        kind=i32(kind),
        windows=host(table),
        window_mask=host(window_mask),
        position_mask=host(position_mask),
        filter_mask=host(filter_mask),
        unit_mask=host(unit_mask),
        depth=i32(len(hidden)),
        activation=host(activation),
        class_mask=host(class_mask),
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
        dropout=host(rates),
        early_stopping=host(np.asarray(early_stopping, np.bool_)),
        patience=i32(patience),
        seed=host(np.asarray(seed, np.uint32)),
    )
