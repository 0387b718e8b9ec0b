"""The windows of a convolution over the 8 x 8 digit images: which pixels each valid window
(no padding) covers. A table, passed to the compiled code as data, so that the kernel size
and stride never compile."""

from __future__ import annotations

import numpy as np

from nn_playground.engine import limits

SIDE = limits.DIGITS_SIDE


def positions_per_side(kernel: int, stride: int) -> int:
    """Valid windows along one side: (8 - kernel) // stride + 1."""
    return (SIDE - kernel) // stride + 1


def windows(kernel: int, stride: int) -> np.ndarray:
    """(positions, kernel * kernel) int: the row-major pixel indices (row * 8 + column) of
    every valid window, windows in row-major order of their top-left corner."""
    if not 1 <= kernel <= SIDE or stride < 1:
        raise ValueError(f"no windows of kernel {kernel}, stride {stride}")
    side = positions_per_side(kernel, stride)
    starts = np.arange(side) * stride
    top = starts[:, None, None, None]
    left = starts[None, :, None, None]
    rows = np.arange(kernel)[None, None, :, None]
    columns = np.arange(kernel)[None, None, None, :]
    pixels = (top + rows) * SIDE + left + columns  # (side, side, kernel, kernel)
    return pixels.reshape(side * side, kernel * kernel).astype(np.int64)
