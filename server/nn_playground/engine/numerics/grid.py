"""The fixed points every picture is drawn on, and their input features, computed once on the
host with numpy: computing and masking the features of every point on every frame is a
large share of a frame's kernel time. The features travel to the device once and reach
every frame call as an argument (state.Shared): embedded as constants they would make every
program larger and every start slower."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nn_playground.engine import limits
from nn_playground.engine.numerics import model

OUTPUT_SIDE = limits.OUTPUT_GRID
NEURON_SIDE = limits.NEURON_GRID
OUTPUT_POINTS = OUTPUT_SIDE * OUTPUT_SIDE
NEURON_POINTS = NEURON_SIDE * NEURON_SIDE
FLAT = 128  # the uint8 code of zero in a signed map


def points(side: int) -> npt.NDArray[np.float32]:
    """(side*side, 2) pixel centres over the domain, row-major with x2 decreasing (image rows)."""
    step = 2.0 * limits.DOMAIN / side
    axis = (-limits.DOMAIN + step * (np.arange(side) + 0.5)).astype(np.float32)
    x1, x2 = np.meshgrid(axis, axis[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def _all_features(xy: npt.NDArray[np.float32], width: int) -> npt.NDArray[np.float32]:
    """(n, 2) -> (n, width): every feature, unmasked (the frame masks the first layer)."""
    columns = model.feature_columns(xy[:, 0], xy[:, 1], np.sin)
    features = np.zeros((len(xy), width), np.float32)
    features[:, : len(columns)] = np.stack(columns, axis=1)
    return features


def signed_codes(values: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.uint8], np.ndarray]:
    """numpy twin of frames' signed maps: (n, k) -> (k, n) uint8 centred on FLAT, (k,) scales."""
    scale = np.maximum(np.abs(values).max(axis=0), 1e-6).astype(np.float32)
    unit = np.clip(0.5 + 0.5 * values / scale, 0.0, 1.0)
    return np.round(unit * 255.0).astype(np.uint8).T, scale


# Every feature fits the narrowed network's input layer; a wider one pads with zeros.
assert len(limits.FEATURE_NAMES) <= limits.NARROW_NEURONS
_POINTS = np.concatenate([points(OUTPUT_SIDE), points(NEURON_SIDE)])
# The boundary grid's points, then the thumbnails': one forward pass serves both.
FEATURES = _all_features(_POINTS, limits.NARROW_NEURONS)
# Each feature's own thumbnail (a feature the model leaves out is drawn flat).
FEATURE_CODES, FEATURE_SCALES = signed_codes(_all_features(_POINTS[OUTPUT_POINTS:], model.WIDTH))
FEATURE_CODES = FEATURE_CODES.reshape(model.WIDTH, NEURON_SIDE, NEURON_SIDE)
