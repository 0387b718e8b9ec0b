"""GET /api/datasets: a small sample of every generated dataset at the default settings, for
the page's picker to draw a thumbnail beside each name. Imports the engine's data and
pydantic; no FastAPI, no JAX."""

from __future__ import annotations

import functools

from pydantic import Field

from nn_playground.engine import limits
from nn_playground.engine.config import DATASET_PROBLEM, DatasetName, Problem
from nn_playground.engine.numerics.data import make_dataset
from nn_playground.protocol import Settings, Strict

# Enough to show a dataset's shape in a 56-pixel thumbnail; few enough that all of them
# together stay a small reply (about 30 kB).
PREVIEW_POINTS = 120


class DatasetPreview(Strict):
    name: DatasetName
    problem: Problem
    n_outputs: int  # as in the `data` message: 1, the classes, or the labels
    # (x, y, label) rows as in the `data` message: the class, the label bitmask, or the value.
    points: list[tuple[float, float, float]]


class DatasetPreviews(Strict):
    domain: float = Field(description="x and y lie in [-domain, domain]")
    datasets: list[DatasetPreview]


@functools.cache
def preview_datasets() -> DatasetPreviews:
    """Every dataset but `custom`, drawn with the default noise, classes and data seed (so a
    thumbnail looks like the data a new session trains on); computed once per process."""
    defaults = Settings()
    return DatasetPreviews(
        domain=limits.DOMAIN,
        datasets=[
            preview(name, defaults.noise, defaults.n_classes, defaults.data_seed)
            for name in DATASET_PROBLEM
        ],
    )


def preview(name: DatasetName, noise: float, n_classes: int, seed: int) -> DatasetPreview:
    dataset = make_dataset(name, PREVIEW_POINTS, noise=noise, seed=seed, n_classes=n_classes)
    regression = dataset.problem is Problem.REGRESSION
    points = [
        (round(float(x), 3), round(float(y), 3), round(float(value), 3))
        for part in (dataset.train, dataset.test)
        for (x, y), value in zip(
            part.x, part.targets[:, 0] if regression else part.labels, strict=True
        )
    ]
    return DatasetPreview(
        name=name, problem=dataset.problem, n_outputs=dataset.n_outputs, points=points
    )
