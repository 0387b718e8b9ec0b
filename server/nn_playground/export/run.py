"""What an export reproduces: one model's configuration, the data it trains on, its epoch-0
weights at their exact size and the seed of its shuffles and dropout masks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn_playground.engine.config import ModelConfig
from nn_playground.engine.numerics import randomness
from nn_playground.engine.numerics.data import Dataset
from nn_playground.engine.numerics.export import exact_layers
from nn_playground.engine.runtime import runner

# Epochs a script trains when the model has not trained yet (a script of 0 epochs shows
# nothing); otherwise it trains as many as the page showed.
DEFAULT_EPOCHS = 100


@dataclass(frozen=True, eq=False)
class ExportedRun:
    config: ModelConfig
    dataset: Dataset
    dataset_name: str  # what the header calls the data, e.g. "circle" or "custom"
    dataset_detail: str  # how it was made, e.g. "500 points, noise 0.1, data seed 0"
    layers: list[tuple[np.ndarray, np.ndarray]]  # epoch-0 (weights, biases), output last
    train_seed: int  # uint32 seed the engine derives its shuffles and dropout masks from
    epochs: int  # epochs the script trains unless told otherwise


def exported_run(
    config: ModelConfig, dataset: Dataset, dataset_name: str, dataset_detail: str, epochs: int
) -> ExportedRun:
    """The run as the engine starts it: the same seed gives the same weights and key (the
    initial-state program is the one every session already compiled)."""
    state, _ = runner.start_model(config)
    params = np.asarray(state.params)
    seed = int(np.asarray(randomness.seed_of(state.key)))
    return ExportedRun(
        config=config,
        dataset=dataset,
        dataset_name=dataset_name,
        dataset_detail=dataset_detail,
        layers=[(np.asarray(w), np.asarray(b)) for w, b in exact_layers(params, config)],
        train_seed=seed,
        epochs=epochs if epochs > 0 else DEFAULT_EPOCHS,
    )
