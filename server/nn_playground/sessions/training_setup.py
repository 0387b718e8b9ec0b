"""Wire settings (protocol.Settings) turned into what the engine trains: a ModelConfig and a
Dataset. Here live the few rules that make partial changes friendly: per-layer lists follow
`hidden`, regression always trains with MSE, and the output count follows the data."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nn_playground.engine.config import (
    ConfigError,
    DatasetName,
    FieldError,
    Loss,
    ModelConfig,
    Problem,
)
from nn_playground.engine.numerics.data import DataError, Dataset, dataset_from_points, make_dataset
from nn_playground.protocol import Point, Settings


class SetupError(FieldError):
    """Settings the engine refuses as a whole (each field alone was in bounds)."""

    @classmethod
    def of(cls, error: ConfigError | DataError, prefix: str = "") -> SetupError:
        """An engine refusal located as the wire writes it (see wire_field)."""
        return cls(prefix + wire_field(error.field), error.expected, error.received)


def wire_field(engine_field: str) -> str:
    """An engine's field name as the wire writes it: "points[3].label" -> "points.3.label"."""
    return re.sub(r"\[(\d+)\]", r".\1", engine_field)


def fit_to_depth(values: Sequence[Any], depth: int) -> list[Any]:
    """A per-layer list for `depth` layers: cut, or extended by repeating its last entry."""
    return [values[min(i, len(values) - 1)] for i in range(depth)]


def merged(settings: Settings, change: dict[str, Any]) -> Settings:
    """`settings` with `change` applied and its per-layer lists fitted to `hidden`."""
    values = settings.model_dump() | change
    depth = len(values["hidden"])
    # Keep lists non-empty even with no hidden layer, so that adding one later has a value.
    values["activations"] = fit_to_depth(values["activations"], max(depth, 1))
    values["dropout"] = fit_to_depth(values["dropout"], max(depth, 1))
    return Settings.model_validate(values, strict=False)


def model_config(settings: Settings, problem: Problem, n_outputs: int) -> ModelConfig:
    """The engine's configuration of one model for data of this problem and output count."""
    depth = len(settings.hidden)
    loss = Loss.MSE if problem is Problem.REGRESSION else settings.loss
    try:
        return ModelConfig(
            problem=problem,
            n_outputs=n_outputs,
            features=tuple(settings.features),
            hidden=tuple(settings.hidden),
            activations=tuple(fit_to_depth(settings.activations, depth)),
            loss=loss,
            regression_output=settings.regression_output,
            init=settings.init,
            optimizer=settings.optimizer,
            learning_rate=settings.learning_rate,
            momentum=settings.momentum,
            beta1=settings.beta1,
            beta2=settings.beta2,
            rho=settings.rho,
            epsilon=settings.epsilon,
            decay=settings.decay,
            decay_rate=settings.decay_rate,
            decay_epochs=settings.decay_epochs,
            batch_size=settings.batch_size,
            l1=settings.l1,
            l2=settings.l2,
            dropout=tuple(fit_to_depth(settings.dropout, depth)),
            early_stopping=settings.early_stopping,
            patience=settings.patience,
            seed=settings.seed,
        )
    except ConfigError as error:
        raise SetupError.of(error, "settings.") from None


def generated_data(settings: Settings, max_points: int) -> Dataset:
    """The built-in dataset the settings name."""
    if settings.dataset is DatasetName.CUSTOM:
        raise SetupError(
            "settings.dataset", "a built-in dataset (send points for custom)", "custom"
        )
    if settings.n_points > max_points:
        raise SetupError(
            "settings.n_points", f"at most {max_points} on this server", settings.n_points
        )
    try:
        return make_dataset(
            settings.dataset,
            n_points=settings.n_points,
            noise=settings.noise,
            train_fraction=settings.train_fraction,
            seed=settings.data_seed,
            n_classes=settings.n_classes,
        )
    except DataError as error:
        raise SetupError.of(error, "settings.") from None


def custom_data(
    problem: Problem, n_outputs: int, points: Sequence[Point], settings: Settings, max_points: int
) -> Dataset:
    """User-supplied points, split by the settings' train fraction and data seed."""
    if len(points) > max_points:
        raise SetupError("points", f"at most {max_points} points on this server", len(points))
    rows = [(p.x, p.y, p.label) for p in points]
    try:
        return dataset_from_points(
            problem,
            n_outputs,
            rows,
            train_fraction=settings.train_fraction,
            seed=settings.data_seed,
        )
    except DataError as error:
        raise SetupError.of(error) from None
