"""The digits network's first layer, in NumPy: dense, convolutional or locally connected.

All three read the flattened 8 x 8 image (n, 64). "conv" and "local" look at the same
windows (engine.numerics.windows) with no padding; a convolution shares one k x k kernel
per filter across every position, a locally connected layer gives each position its own.
Outputs are flattened position-major (output = position * filters + filter), as the JAX
model does. Imports only numpy and the windows table (no jax)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from nn_playground.engine.numerics.reference_losses import FloatArray
from nn_playground.engine.numerics.windows import IMAGE_SIDE, positions_per_side, windows

PIXELS = IMAGE_SIDE * IMAGE_SIDE


class FirstLayerKind(StrEnum):
    DENSE = "dense"  # every pixel to every unit: (64, units)
    CONV = "conv"  # shared kernels: (k * k, filters)
    LOCAL = "local"  # a kernel per position: (positions, k * k, filters)


@dataclass(frozen=True)
class FirstLayer:
    """The first layer's geometry: `width` counts units (dense) or filters (conv, local);
    `kernel` and `stride` matter only to conv and local."""

    kind: FirstLayerKind
    width: int
    kernel: int = 3
    stride: int = 1

    def __post_init__(self) -> None:
        if self.width < 1:
            raise ValueError(f"the first layer needs at least one unit or filter, not {self.width}")
        if self.kind is not FirstLayerKind.DENSE:
            positions_per_side(self.kernel, self.stride)  # raises on a bad kernel or stride

    @property
    def positions(self) -> int:
        """Windows on the image (1 for dense: the whole image is one 'window')."""
        if self.kind is FirstLayerKind.DENSE:
            return 1
        return positions_per_side(self.kernel, self.stride) ** 2

    @property
    def outputs(self) -> int:
        return self.positions * self.width

    @property
    def weight_shape(self) -> tuple[int, ...]:
        taps = self.kernel * self.kernel
        if self.kind is FirstLayerKind.DENSE:
            return (PIXELS, self.width)
        if self.kind is FirstLayerKind.CONV:
            return (taps, self.width)
        return (self.positions, taps, self.width)

    @property
    def bias_shape(self) -> tuple[int, ...]:
        # A locally connected layer has a bias per position too (Keras' LocallyConnected2D).
        if self.kind is FirstLayerKind.LOCAL:
            return (self.positions, self.width)
        return (self.width,)

    @property
    def glorot_fans(self) -> tuple[int, int]:
        """(fan_in, fan_out) for Glorot-uniform, as Keras counts them for Conv2D: the
        receptive field multiplies both, so conv and local kernels start as Keras' would."""
        if self.kind is FirstLayerKind.DENSE:
            return PIXELS, self.width
        taps = self.kernel * self.kernel
        return taps, taps * self.width


def patches(layer: FirstLayer, x: FloatArray) -> FloatArray:
    """(n, positions, k * k): the pixels under every window, gathered by the shared table."""
    table = windows(layer.kernel, layer.stride)
    gathered: FloatArray = x[:, table]
    return gathered


def first_layer_forward(
    layer: FirstLayer, w: FloatArray, b: FloatArray, x: FloatArray
) -> FloatArray:
    """Pre-activations (n, outputs) of the first layer on images x (n, 64)."""
    if layer.kind is FirstLayerKind.DENSE:
        dense: FloatArray = x @ w + b
        return dense
    p = patches(layer, x)
    # conv: one kernel (k*k, filters) for every position; local: position p uses w[p].
    # Either way z is (n, positions, filters).
    z = p @ w + b if layer.kind is FirstLayerKind.CONV else np.einsum("npk,pkf->npf", p, w) + b
    flat: FloatArray = z.reshape(len(x), layer.outputs)  # position-major
    return flat


def first_layer_gradients(
    layer: FirstLayer, x: FloatArray, delta: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """dL/dW and dL/db of the first layer, given delta = dL/dz (n, outputs).

    Nothing flows further back: the layer's input is the image itself.
    """
    if layer.kind is FirstLayerKind.DENSE:
        return x.T @ delta, delta.sum(axis=0)
    per_position = delta.reshape(len(x), layer.positions, layer.width)
    p = patches(layer, x)
    if layer.kind is FirstLayerKind.CONV:
        # A shared weight touches every position, so its gradient sums over positions (and
        # over the batch): dW[k, f] = sum_{n, p} x[n, window[p, k]] * delta[n, p, f].
        # (Written as one matrix product over the (n * positions) rows: einsum is slower.)
        rows = len(x) * layer.positions
        grad_w: FloatArray = p.reshape(rows, -1).T @ per_position.reshape(rows, layer.width)
        grad_b: FloatArray = per_position.sum(axis=(0, 1))
        return grad_w, grad_b
    # Locally connected: each position's weights see only that position's delta.
    return np.einsum("npk,npf->pkf", p, per_position), per_position.sum(axis=0)
