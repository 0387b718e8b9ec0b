"""What one session trains: its settings, its data and its model (or the 2-8 models of compare
mode), and the rules for what each change keeps. No I/O and no asyncio: `session.py` drives
it from the event loop and runs `train` on a worker thread.

Training runs on a snapshot while changes may arrive: a change that replaces the weights
bumps `generation`, and a result from an older generation is dropped on commit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import jax
import numpy as np

from nn_playground.engine.config import DatasetName, ModelConfig, Problem
from nn_playground.engine.numerics.data import Dataset, target_range
from nn_playground.engine.numerics.frames import Frame
from nn_playground.engine.numerics.hyper import HEAD_OF_LOSS, Hyper, loss_kind
from nn_playground.engine.numerics.state import ALL_STEPS, DeviceData, TrainState, device_data
from nn_playground.engine.runtime import runner
from nn_playground.export.from_session import code_request
from nn_playground.protocol import (
    CLIENT_MESSAGE,
    REGENERATE,
    REINITIALISE,
    AppliedSettings,
    Compare,
    Configure,
    Data,
    Explain,
    Export,
    Limits,
    ModelSettings,
    Point,
    Ready,
    Regenerate,
    Reset,
    SessionState,
    SetPoints,
    Settings,
    SettingsChange,
    Strict,
)
from nn_playground.sessions.frame_wire import TrainedModel, encode_frame
from nn_playground.sessions.training_setup import (
    SetupError,
    custom_data,
    generated_data,
    merged,
    model_config,
)
from nn_playground.teaching.step_explanation import explain_request


class Progress(NamedTuple):
    """A model's counters and halts as host values, from its latest frame: the session reads
    them several times a frame, and reading the device state costs about 7 us a value."""

    epoch: int = 0
    step: int = 0  # parameter updates taken
    diverged: bool = False
    stopped_early: bool = False
    diverged_epoch: int = 0
    diverged_step: int = 0


def progress_of(frame: Frame) -> Progress:
    return Progress(
        epoch=int(frame.epoch),
        step=int(frame.step),
        diverged=bool(frame.diverged),
        stopped_early=bool(frame.stopped_early),
        diverged_epoch=int(frame.diverged_epoch),
        diverged_step=int(frame.diverged_step),
    )


@dataclass
class Model:
    config: ModelConfig
    hyper: Hyper  # committed to the device, as runner.run_frame takes it
    state: TrainState
    progress: Progress = dataclasses.field(default_factory=Progress)  # a new model's


class FrameResult(NamedTuple):
    states: list[TrainState]  # on the device, for the next frame
    models: list[TrainedModel]  # the frames, on the host


@dataclass(frozen=True)
class Snapshot:
    """Everything a worker needs for one frame, taken at one moment."""

    generation: int
    states: list[TrainState]
    hypers: list[Hyper]
    configs: list[ModelConfig]
    data: DeviceData

    def run(self, epochs: int, steps: int = ALL_STEPS) -> FrameResult:
        return FrameResult(*train(self, epochs, steps))


@dataclass(frozen=True)
class CustomPoints:
    problem: Problem
    n_outputs: int
    points: tuple[Point, ...]


def train(
    snapshot: Snapshot, epochs: int, steps: int = ALL_STEPS
) -> tuple[list[TrainState], list[TrainedModel]]:
    """One frame of every model (blocking: call it on a worker thread); `steps` caps its
    updates (1: the single step of `apply_step`)."""
    datas = [snapshot.data] * len(snapshot.states)  # compared models share the data
    states, frames = runner.run_frames(snapshot.states, datas, snapshot.hypers, epochs, steps)
    return states, [TrainedModel(f, c) for f, c in zip(frames, snapshot.configs, strict=True)]


def _clear_halt(state: TrainState) -> TrainState:
    # Committed to the device like the rest of the state (see runner.run_frame).
    false = cast(jax.Array, np.bool_(False))
    return runner.committed(state._replace(diverged=false, stopped_early=false))


class Experiment:
    def __init__(self, max_points: int, settings: Settings | None = None) -> None:
        self.max_points = max_points
        self.settings = settings or Settings()
        self.custom: CustomPoints | None = None
        self.compare: list[dict[str, Any]] = []
        self.generation = 0
        self.data_due = True  # the client has not seen the current data yet
        self._clear_halts = False
        self.dataset = generated_data(self.settings, max_points)
        self.data = device_data(self.dataset)
        self.models: list[Model] = []
        self._start_models()

    # --- building -----------------------------------------------------------------------------

    def _configs(
        self, settings: Settings, compare: Sequence[dict[str, Any]], dataset: Dataset | None = None
    ) -> list[ModelConfig]:
        """The configuration of every model; raises SetupError naming a refused field."""
        dataset = dataset or self.dataset
        problem, outputs = dataset.problem, dataset.n_outputs
        base = model_config(settings, problem, outputs)  # an error here names "settings."
        if not compare:
            return [base]
        configs = []
        for index, change in enumerate(compare):
            try:
                configs.append(model_config(merged(settings, change), problem, outputs))
            except SetupError as error:
                field = error.field.removeprefix("settings.")
                raise SetupError(
                    f"models.{index}.{field}", error.expected, error.received
                ) from None
        return configs

    def _start_models(self) -> None:
        configs = self._configs(self.settings, self.compare)
        self.models = []
        for config in configs:
            state, hyper = runner.start_model(config)
            self.models.append(Model(config, hyper, state))
        self.generation += 1

    def _rebuild_data(self, settings: Settings, custom: CustomPoints | None) -> Dataset:
        if custom is None:
            return generated_data(settings, self.max_points)
        return custom_data(
            custom.problem, custom.n_outputs, custom.points, settings, self.max_points
        )

    def _replace_data(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.data = device_data(dataset)
        self.data_due = True

    # --- messages (see sessions/lab.py) --------------------------------------------------------

    def parse(self, text: str) -> Any:
        return CLIENT_MESSAGE.validate_json(text)

    def ready(self, version: str, epochs_per_frame: int) -> Ready:
        return Ready(
            version=version,
            limits=Limits(max_points=self.max_points),
            settings=self.settings,
            epochs_per_frame=epochs_per_frame,
            models=self.applied(0, epochs_per_frame).models,
        )

    def apply(self, message: Any) -> None:
        if isinstance(message, Configure):
            self.change(message.settings)
        elif isinstance(message, Reset):
            self.reset(message.seed)
        elif isinstance(message, Regenerate):
            self.regenerate(message.data_seed)
        elif isinstance(message, SetPoints):
            self.set_points(message.problem, message.n_outputs, message.points)
        elif isinstance(message, Compare):
            self.set_compare([change.given() for change in message.models])

    def request(self, message: Any) -> Callable[[], Strict] | None:
        if isinstance(message, Export):
            return code_request(self, message)
        if isinstance(message, Explain):
            return explain_request(self, message)
        return None

    def divergence(self) -> str:
        progress = next(m.progress for m in self.models if m.progress.diverged)
        return (
            f"the loss or the weights became infinite or NaN at epoch "
            f"{progress.diverged_epoch} (update {progress.diverged_step}): "
            "the learning rate is too large for this problem. The last good weights are "
            "kept: lower the learning rate to carry on, or reset."
        )

    # --- changes (each validates everything before it changes anything) ----------------------

    def change(self, sent: SettingsChange) -> None:
        """Apply the settings sent; see protocol.KEEP_WEIGHTS / REINITIALISE / REGENERATE. A
        setting sent with the value it already has changes nothing (re-sending the whole
        settings must not restart training)."""
        current = self.settings.model_dump()
        change = {name: value for name, value in sent.given().items() if current[name] != value}
        if not change:
            return
        settings = merged(self.settings, change)
        custom = None if "dataset" in change else self.custom
        # User points are re-split by these; generation settings do not apply to them.
        data_settings = {"train_fraction", "data_seed"} if custom else REGENERATE
        new_data = bool(data_settings & change.keys())
        dataset = self._rebuild_data(settings, custom) if new_data else self.dataset
        configs = self._configs(settings, self.compare, dataset)
        self.settings, self.custom = settings, custom
        if new_data:
            self._replace_data(dataset)
        if new_data or REINITIALISE & change.keys():
            self._start_models()
            return
        for model, config in zip(self.models, configs, strict=True):
            model.config, model.hyper = config, runner.model_hyper(config)
        self._clear_halts = True

    def reset(self, seed: int | None) -> None:
        """New weights (from `seed` if given), epoch 0, same data."""
        if seed is not None:
            self.settings = self.settings.model_copy(update={"seed": seed})
        self._start_models()

    def regenerate(self, data_seed: int | None) -> None:
        """New data (the next data seed unless one is given) and new weights."""
        chosen = (self.settings.data_seed + 1) % 2**31 if data_seed is None else data_seed
        settings = self.settings.model_copy(update={"data_seed": chosen})
        self._replace_data(self._rebuild_data(settings, self.custom))
        self.settings = settings
        self._start_models()

    def set_points(self, problem: Problem, n_outputs: int, points: Sequence[Point]) -> None:
        custom = CustomPoints(problem, n_outputs, tuple(points))
        settings = self.settings.model_copy(update={"dataset": DatasetName.CUSTOM})
        dataset = self._rebuild_data(settings, custom)
        model_config(settings, dataset.problem, dataset.n_outputs)
        self.settings, self.custom = settings, custom
        self._replace_data(dataset)
        self._start_models()

    def set_compare(self, changes: Sequence[dict[str, Any]]) -> None:
        """Train these variants of the settings together; none leaves compare mode."""
        if len(changes) == 1:
            raise SetupError("models", "none (to stop comparing) or 2 to 8 models", 1)
        for index, change in enumerate(changes):
            for field in sorted(REGENERATE & change.keys()):
                raise SetupError(
                    f"models.{index}.{field}",
                    "a model setting (compared models share the data)",
                    change[field],
                )
        self._configs(self.settings, changes)
        self.compare = [dict(change) for change in changes]
        self._start_models()

    # --- training -----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        if self._clear_halts:
            for model in self.models:
                model.state = _clear_halt(model.state)
                model.progress = model.progress._replace(diverged=False, stopped_early=False)
            self._clear_halts = False
        return Snapshot(
            generation=self.generation,
            states=[model.state for model in self.models],
            hypers=[model.hyper for model in self.models],
            configs=[model.config for model in self.models],
            data=self.data,
        )

    def commit(self, generation: int, result: FrameResult) -> bool:
        """Keep a worker's result unless the weights were replaced meanwhile."""
        if generation != self.generation:
            return False
        for model, state, done in zip(self.models, result.states, result.models, strict=True):
            model.state, model.progress = state, progress_of(done.frame)
        return True

    def encode_frame(
        self, number: int, revision: int, state: SessionState, result: FrameResult
    ) -> bytes:
        return encode_frame(number, revision, state, result.models)

    @property
    def epoch(self) -> int:
        return max(model.progress.epoch for model in self.models)

    @property
    def trained(self) -> bool:
        """Some model has taken an update (a single step leaves the epoch at 0)."""
        return any(model.progress.step for model in self.models)

    def halted(self) -> tuple[bool, bool]:
        """(every model diverged or stopped early, some model diverged)."""
        diverged = [model.progress.diverged for model in self.models]
        stopped = [
            model.progress.stopped_early and model.config.early_stopping for model in self.models
        ]
        every = all(d or s for d, s in zip(diverged, stopped, strict=True))
        return every, any(diverged)

    def applied(self, revision: int, epochs_per_frame: int) -> AppliedSettings:
        """The settings in effect as the page shows them: each model's whole settings with
        its lists fitted to its depth, and the loss and output the engine chose for them."""
        variants = self.compare or [{}]
        models = []
        for change, model in zip(variants, self.models, strict=True):
            kind = loss_kind(model.config)
            models.append(
                ModelSettings(
                    settings=merged(self.settings, change) if change else self.settings,
                    loss=model.config.loss,
                    loss_kind=kind.name.lower(),
                    output_activation=HEAD_OF_LOSS[kind].name.lower(),
                )
            )
        return AppliedSettings(
            revision=revision,
            settings=self.settings,
            compare=[dict(change) for change in self.compare],
            models=models,
            epochs_per_frame=epochs_per_frame,
            problem=self.dataset.problem,
            n_outputs=self.dataset.n_outputs,
        )

    def data_message(self) -> Data:
        def rows(points: Any) -> list[tuple[float, float, float]]:
            regression = self.dataset.problem is Problem.REGRESSION
            values = points.targets[:, 0] if regression else points.labels
            return [
                (round(float(x), 4), round(float(y), 4), round(float(v), 4))
                for (x, y), v in zip(points.x, values, strict=True)
            ]

        low, high = target_range(self.dataset)
        self.data_due = False
        return Data(
            problem=self.dataset.problem,
            n_outputs=self.dataset.n_outputs,
            train=rows(self.dataset.train),
            test=rows(self.dataset.test),
            target_low=float(low),
            target_high=float(high),
        )
