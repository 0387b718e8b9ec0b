"""The trained network at its exact size: padded parameters cut down to the configured
layers, for the weights download and for checks against the numpy reference."""

from __future__ import annotations

import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.config import ModelConfig
from nn_playground.engine.numerics import model


def feature_columns(config: ModelConfig) -> list[int]:
    """Indices of the selected features in limits.FEATURE_NAMES order (the padded input)."""
    return [i for i, name in enumerate(limits.FEATURE_NAMES) if name in config.features]


def exact_layers(params: np.ndarray, config: ModelConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weights (fan_in, fan_out), biases (fan_out,)) per layer, output layer last, from
    padded params of model.PARAM_SHAPE."""
    params = np.asarray(params)
    inputs = feature_columns(config)
    layers = []
    for layer, width in enumerate(config.hidden):
        layers.append((params[layer][inputs][:, :width], params[layer, model.WIDTH, :width]))
        inputs = list(range(width))
    output = params[model.OUTPUT]
    layers.append((output[inputs][:, : config.n_outputs], output[model.WIDTH, : config.n_outputs]))
    return layers


def feature_matrix(xy: np.ndarray, config: ModelConfig) -> np.ndarray:
    """(n, 2) points -> (n, len(features)) float32 in the network's input order."""
    x1, x2 = xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32)
    columns = {
        "x1": x1,
        "x2": x2,
        "x1^2": x1 * x1,
        "x2^2": x2 * x2,
        "x1*x2": x1 * x2,
        "sin_x1": np.sin(x1),
        "sin_x2": np.sin(x2),
    }
    return np.stack([columns[limits.FEATURE_NAMES[i]] for i in feature_columns(config)], axis=1)
