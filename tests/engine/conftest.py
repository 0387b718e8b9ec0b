"""Engine tests share compiled functions through the persistent compilation cache."""

from __future__ import annotations

import numpy as np
import pytest

from nn_playground.engine.config import DatasetName, ModelConfig
from nn_playground.engine.numerics import reference
from nn_playground.engine.numerics.data import Dataset, make_dataset
from nn_playground.engine.numerics.export import exact_layers
from nn_playground.engine.numerics.state import DeviceData, device_data
from nn_playground.engine.runtime.compilation import enable_persistent_cache

enable_persistent_cache()


@pytest.fixture(scope="session")
def circle() -> Dataset:
    return make_dataset(DatasetName.CIRCLE, n_points=400, noise=0.0, seed=1)


@pytest.fixture(scope="session")
def circle_data(circle: Dataset) -> DeviceData:
    return device_data(circle)


def random_points(n: int, seed: int = 0) -> np.ndarray:
    """(n, 2) float32 points spread over the playground's domain."""
    return np.random.default_rng(seed).uniform(-6, 6, (n, 2)).astype(np.float32)


def reference_network(params: np.ndarray, config: ModelConfig) -> reference.DenseNetwork:
    """The numpy reference network (float64) holding padded `params` at their exact size."""
    layers = exact_layers(np.asarray(params), config)
    return reference.DenseNetwork(
        weights=[w.astype(np.float64) for w, _ in layers],
        biases=[b.astype(np.float64) for _, b in layers],
        activations=list(config.activations),
    )
