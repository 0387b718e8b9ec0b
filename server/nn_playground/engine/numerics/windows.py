"""Where a convolution's windows sit on the 8 x 8 digit: the pixel indices each window reads.

The NumPy reference and the JAX model both gather their patches with this one table, so the
two cannot disagree on what "position" or "window" means. Imports only numpy and limits."""

from __future__ import annotations

import functools

import numpy as np

from nn_playground.engine import limits

IMAGE_SIDE = limits.DIGITS_SIDE
# 1 x 1 would be no window at all; 6 x 6 and up barely slides on 8 x 8.
KERNELS = range(limits.DIGITS_MIN_KERNEL, limits.DIGITS_MAX_KERNEL + 1)
STRIDES = range(limits.DIGITS_MIN_STRIDE, limits.DIGITS_MAX_STRIDE + 1)


def positions_per_side(kernel: int, stride: int, side: int = IMAGE_SIDE) -> int:
    """How many windows fit along one side with no padding ("valid"): (side - k) // s + 1."""
    if kernel not in KERNELS or stride not in STRIDES:
        raise ValueError(
            f"kernel must be in {KERNELS.start}..{KERNELS.stop - 1} and stride in "
            f"{STRIDES.start}..{STRIDES.stop - 1}, not kernel={kernel}, stride={stride}"
        )
    return (side - kernel) // stride + 1


@functools.cache  # every forward pass gathers with it; read-only so sharing is safe
def windows(kernel: int, stride: int, side: int = IMAGE_SIDE) -> np.ndarray:
    """(positions, kernel * kernel) int64: row p lists the pixels (row * side + col, the
    image flattened row by row) that window p covers, in row-major order inside the window.

    Positions are numbered row-major too (position = window_row * per_side + window_col),
    which is the order a layer's outputs are flattened in: output = position * filters + f.
    """
    per_side = positions_per_side(kernel, stride, side)
    corners = np.arange(per_side) * stride  # the top (or left) edge of each window
    offsets = np.arange(kernel)
    # Axes: window row, window col, row inside the window, col inside the window.
    rows = corners[:, None, None, None] + offsets[None, None, :, None]
    cols = corners[None, :, None, None] + offsets[None, None, None, :]
    table = (rows * side + cols).reshape(per_side * per_side, kernel * kernel).astype(np.int64)
    table.flags.writeable = False
    return table
