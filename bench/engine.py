"""Engine benchmark: training speed against the NumPy reference, frame rate, what a frame of
several models (compare mode) costs against as many frames of one, and proof that no setting
compiles after warm-up.

Every function returns a dict of figures (numbers only) keyed as in the benchmark's JSON
line; `bench/run.py` prints them. Timings are medians over repetitions, and the engine and
NumPy measurements of one configuration alternate (A B A B ...) so that a neighbour's load
hits both sides alike. Pass `quick=True` for tiny repetition counts (tests): the figures
then prove the code runs, not how fast.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
import numpy.typing as npt

from nn_playground.engine import limits
from nn_playground.engine.config import (
    Activation,
    DatasetName,
    Decay,
    Init,
    Loss,
    ModelConfig,
    Optimizer,
    Problem,
    RegressionOutput,
)
from nn_playground.engine.numerics import reference, train
from nn_playground.engine.numerics.data import Dataset, dataset_from_points, make_dataset
from nn_playground.engine.numerics.export import feature_matrix
from nn_playground.engine.numerics.hyper import Hyper
from nn_playground.engine.numerics.state import (
    DeviceData,
    Shared,
    TrainState,
    device_data,
    shared_settings,
)
from nn_playground.engine.runtime import compilation, runner

Figures = dict[str, float]
Log = Callable[[str], None]
FloatArray = npt.NDArray[np.float32]

# The timed function, jitted once here so that every measurement reuses one compilation.
_train_epochs = jax.jit(train.train_epochs)

COMPARED_MODELS = 8
LARGE_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1")


@dataclass(frozen=True)
class Repetitions:
    """How much work each measurement does; one repetition is one engine call and one
    NumPy run (or one batch of frames), and the figure is the median over repetitions."""

    repeats: int  # repetitions per measurement
    engine_epochs: int  # epochs per timed train_epochs call
    numpy_epochs: int  # epochs per timed NumPy run
    frames: int  # run_frame calls per repetition
    compare_epochs: int  # epochs a frame in the compare-mode comparison


FULL = Repetitions(repeats=15, engine_epochs=50, numpy_epochs=10, frames=10, compare_epochs=5)
QUICK = Repetitions(repeats=2, engine_epochs=2, numpy_epochs=1, frames=2, compare_epochs=1)


def _silent(message: str) -> None:
    del message


# --- the benchmark's configurations ----------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """One benchmarked configuration: the engine's model and data and the same network for
    the NumPy reference (layer sizes, features, loss, batch and learning rate)."""

    name: str
    config: ModelConfig
    dataset: Dataset


def default_setup() -> Setup:
    """The TensorFlow Playground's default: x1, x2 -> 4 -> 2 tanh, SGD at 0.03, batch 10,
    circle with 500 points, no noise, half of them for training."""
    dataset = make_dataset(DatasetName.CIRCLE, n_points=500, noise=0.0, train_fraction=0.5)
    return Setup("default", ModelConfig(), dataset)


def large_setup() -> Setup:
    """Six features, six hidden tanh layers of 8, SGD at 0.03, batch 10, spiral with 500
    points (no noise), half of them for training."""
    config = ModelConfig(
        features=LARGE_FEATURES,
        hidden=(8,) * 6,
        activations=(Activation.TANH,) * 6,
        dropout=(0.0,) * 6,
    )
    dataset = make_dataset(DatasetName.SPIRAL, n_points=500, noise=0.0, train_fraction=0.5)
    return Setup("large", config, dataset)


# --- timing helpers --------------------------------------------------------------------------


def _seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def _run_engine(
    fn: Callable[..., TrainState], state: TrainState, data: Any, hyper: Any, shared: Shared
) -> TrainState:
    """One engine call, waited for (jax dispatches asynchronously)."""
    result: TrainState = fn(state, data, hyper, shared)
    jax.block_until_ready(result)  # type: ignore[no-untyped-call]
    return result


def _epochs_done(before: TrainState, after: TrainState) -> int:
    """Epochs a call really ran (fewer than asked if a model diverged or stopped early);
    for stacked models, the least any of them ran."""
    return int(np.min(np.asarray(after.epoch) - np.asarray(before.epoch)))


# --- training speed: engine against NumPy ----------------------------------------------------


def _numpy_trainer(setup: Setup, seed: int = 0) -> Callable[[int], None]:
    """A closure that trains the reference network `epochs` more epochs in place."""
    config = setup.config
    train_points = setup.dataset.train
    x = feature_matrix(train_points.x, config)
    targets = train_points.targets.astype(np.float32)
    labels = train_points.labels
    rng = np.random.default_rng(seed)
    sizes = [len(config.features), *config.hidden, setup.dataset.n_outputs]
    net = reference.init_network(sizes, config.activations, rng)

    def run(epochs: int) -> None:
        for _ in range(epochs):
            reference.sgd_epoch(
                net,
                x,
                targets,
                labels,
                config.loss,
                config.problem,
                config.regression_output,
                config.learning_rate,
                config.batch_size,
                rng,
                config.l1,
                config.l2,
            )

    return run


def epoch_rates(setup: Setup, reps: Repetitions) -> tuple[float, float]:
    """Median epochs per second of the jitted train_epochs (timed per call of
    `reps.engine_epochs` epochs, frames and metrics excluded) and of reference.sgd_epoch on
    the same configuration, measured alternately."""
    data = device_data(setup.dataset)
    state, hyper = runner.start_model(setup.config)
    shared = shared_settings([hyper], reps.engine_epochs)
    state = _run_engine(_train_epochs, state, data, hyper, shared)  # not timed: first call
    numpy_run = _numpy_trainer(setup)
    numpy_run(1)
    engine_rates: list[float] = []
    numpy_rates: list[float] = []
    for _ in range(reps.repeats):
        before = state
        start = time.perf_counter()
        state = _run_engine(_train_epochs, state, data, hyper, shared)
        elapsed = time.perf_counter() - start
        engine_rates.append(_epochs_done(before, state) / elapsed)
        numpy_rates.append(reps.numpy_epochs / _seconds(lambda: numpy_run(reps.numpy_epochs)))
    return _median(engine_rates), _median(numpy_rates)


def training_speed(reps: Repetitions) -> Figures:
    """Epochs per second, engine and NumPy, on the default and the large configuration."""
    figures: Figures = {}
    for setup in (default_setup(), large_setup()):
        engine_rate, numpy_rate = epoch_rates(setup, reps)
        figures[f"epochs_per_s_{setup.name}"] = engine_rate
        figures[f"numpy_epochs_per_s_{setup.name}"] = numpy_rate
        figures[f"speedup_{setup.name}"] = engine_rate / numpy_rate
    return figures


# --- frames ----------------------------------------------------------------------------------


def frame_rate(reps: Repetitions) -> Figures:
    """Full frames per second on the large configuration: runner.run_frame with one epoch,
    every grid and metric, and the transfer to the host (runner.to_host) included."""
    setup = large_setup()
    data = device_data(setup.dataset)
    state, hyper = runner.start_model(setup.config)
    state, _ = runner.run_frame(state, data, hyper, 1)
    rates: list[float] = []
    for _ in range(reps.repeats):
        start = time.perf_counter()
        for _ in range(reps.frames):
            state, _ = runner.run_frame(state, data, hyper, 1)
        rates.append(reps.frames / (time.perf_counter() - start))
    return {"frames_per_s_large": _median(rates)}


# --- compare mode ------------------------------------------------------------------------------


def compare_cost(reps: Repetitions) -> Figures:
    """The time of one frame of COMPARED_MODELS default models (seeds 0..7) by
    runner.run_frames, over the time of as many runner.run_frame calls, one model each, one
    after the other; the two alternate and each is the median over repetitions. Each frame
    trains `reps.compare_epochs` epochs and draws every picture, as compare mode does."""
    setup = default_setup()
    data = device_data(setup.dataset)
    models = [runner.start_model(setup.config, seed=i) for i in range(COMPARED_MODELS)]
    together = [state for state, _ in models]
    alone = list(together)
    hypers = [hyper for _, hyper in models]
    datas = [data] * COMPARED_MODELS
    epochs = reps.compare_epochs

    def group() -> None:
        nonlocal together
        together, _ = runner.run_frames(together, datas, hypers, epochs)

    def singles() -> None:
        for i in range(COMPARED_MODELS):
            alone[i], _ = runner.run_frame(alone[i], data, hypers[i], epochs)

    group()
    singles()
    group_times: list[float] = []
    single_times: list[float] = []
    for _ in range(reps.repeats):
        group_times.append(_seconds(group))
        single_times.append(_seconds(singles))
    return {"compare_8_cost_ratio": _median(group_times) / _median(single_times)}


# --- recompilation ---------------------------------------------------------------------------

# (problem, outputs, loss, regression output, datasets to train on)
_PROBLEMS: tuple[tuple[Problem, int, Loss, RegressionOutput, tuple[str, ...]], ...] = (
    (Problem.BINARY, 1, Loss.CROSS_ENTROPY, RegressionOutput.LINEAR, ("circle", "xor")),
    (Problem.MULTICLASS, 3, Loss.CROSS_ENTROPY, RegressionOutput.LINEAR, ("blobs3", "spiral3")),
    (Problem.MULTILABEL, 3, Loss.CROSS_ENTROPY, RegressionOutput.LINEAR, ("overlap",)),
    (Problem.REGRESSION, 1, Loss.MSE, RegressionOutput.LINEAR, ("plane", "sine")),
    (Problem.BINARY, 1, Loss.CROSS_ENTROPY_NAIVE, RegressionOutput.LINEAR, ("gaussians",)),
    (Problem.MULTICLASS, 4, Loss.CROSS_ENTROPY_NAIVE, RegressionOutput.LINEAR, ("blobs4",)),
    (Problem.MULTILABEL, 2, Loss.CROSS_ENTROPY_NAIVE, RegressionOutput.LINEAR, ("custom2",)),
    (Problem.REGRESSION, 1, Loss.MSE, RegressionOutput.RELU, ("bumps",)),
    (Problem.BINARY, 1, Loss.MSE, RegressionOutput.LINEAR, ("moons", "circle1000")),
    (Problem.MULTICLASS, 5, Loss.MSE, RegressionOutput.LINEAR, ("blobs5",)),
    (Problem.MULTILABEL, 3, Loss.MSE, RegressionOutput.LINEAR, ("overlap",)),
    (Problem.BINARY, 1, Loss.PERCEPTRON, RegressionOutput.LINEAR, ("linear", "circle10")),
)
_FEATURE_SETS: tuple[tuple[str, ...], ...] = (
    ("x1", "x2"),
    limits.FEATURE_NAMES,
    ("x1^2", "x2^2"),
    ("sin_x2",),
    LARGE_FEATURES,
    ("x1", "x1*x2", "sin_x1"),
)
_BATCH_SIZES = (1, 7, 10, 31, 32, 33, 100, 250, 500)
_LEARNING_RATES = (1e-5, 0.001, 0.03, 0.3, 3.0, 10.0)
_SETTINGS = 28  # configurations in the cycle: every value of every list above comes up


def _custom_multilabel() -> Dataset:
    """User-drawn points with two labels (the built-in multilabel set has three)."""
    rng = np.random.default_rng(3)
    xy = rng.uniform(-limits.DOMAIN, limits.DOMAIN, (60, 2))
    rows = [(float(a), float(b), float(int(a > 0) + 2 * int(b > 0))) for a, b in xy]
    return dataset_from_points(Problem.MULTILABEL, 2, rows, train_fraction=0.7, seed=1)


def _dataset(key: str) -> Dataset:
    """A dataset by the keys of _PROBLEMS: a DatasetName, optionally with classes or points."""
    if key == "custom2":
        return _custom_multilabel()
    if key.startswith("blobs"):
        return make_dataset(DatasetName.BLOBS, noise=0.2, n_classes=int(key[-1]))
    if key == "circle1000":
        return make_dataset(DatasetName.CIRCLE, n_points=1000, noise=0.3, train_fraction=0.5)
    if key == "circle10":
        return make_dataset(DatasetName.CIRCLE, n_points=10, noise=0.0, train_fraction=0.9)
    return make_dataset(DatasetName(key), n_points=300, noise=0.1, train_fraction=0.6, seed=2)


def _cycle(values: Sequence[Any], i: int) -> Any:
    return values[i % len(values)]


def setting_cycle() -> Iterator[tuple[ModelConfig, str, int]]:
    """(config, dataset key, epochs) covering every kind of setting: depths 0..6, widths
    1..16 varied per layer, every activation, problem, loss, optimizer, decay and init,
    learning rates, batch sizes 1..500, l1/l2, dropout, early stopping, features, seeds."""
    activations = list(Activation)
    for i in range(_SETTINGS):
        problem, outputs, loss, output, datasets = _cycle(_PROBLEMS, i)
        depth = 0 if loss is Loss.PERCEPTRON else i % (limits.MAX_HIDDEN_LAYERS + 1)
        hidden = tuple((3 * i + 5 * layer) % limits.MAX_NEURONS + 1 for layer in range(depth))
        dropout = tuple(0.5 * ((i + layer) % 3 == 0) for layer in range(depth))
        config = ModelConfig(
            problem=problem,
            n_outputs=outputs,
            features=_cycle(_FEATURE_SETS, i),
            hidden=hidden,
            activations=tuple(_cycle(activations, i + layer) for layer in range(depth)),
            loss=loss,
            regression_output=output,
            init=_cycle(list(Init), i),
            optimizer=_cycle(list(Optimizer), i),
            learning_rate=_cycle(_LEARNING_RATES, i),
            decay=_cycle(list(Decay), i),
            decay_rate=_cycle((0.5, 0.9, 0.1), i),
            decay_epochs=_cycle((1, 2, 100), i),
            batch_size=_cycle(_BATCH_SIZES, i),
            l1=_cycle((0.0, 0.001, 0.0, 0.1), i),
            l2=_cycle((0.0, 0.0, 0.01, 0.1), i),
            dropout=dropout if i % 2 else (0.0,) * depth,
            early_stopping=i % 3 == 1,
            patience=_cycle((1, 20), i),
            seed=7 * i,
        )
        yield config, _cycle(datasets, i // len(_PROBLEMS)), 1 + i % 3


def recompiles_after_warmup() -> Figures:
    """Compilations while cycling through every kind of setting with runner.run_frame, then
    several mixed models at once with runner.run_frames (2..8 models). Call after
    runner.warm_up(); anything but 0 means some setting makes a user wait for the compiler."""
    with compilation.count_compilations() as counted:
        datas: dict[str, DeviceData] = {}
        models: list[tuple[TrainState, DeviceData, Hyper]] = []
        for config, key, epochs in setting_cycle():
            if key not in datas:
                datas[key] = device_data(_dataset(key))
            state, hyper = runner.start_model(config)
            state, _ = runner.run_frame(state, datas[key], hyper, epochs)
            models.append((state, datas[key], hyper))
        for count in range(2, runner.MAX_MODELS + 1):
            group = list(itertools.islice(itertools.cycle(models), 3 * count, 4 * count))
            states, group_datas, hypers = (list(column) for column in zip(*group, strict=True))
            runner.run_frames(states, group_datas, hypers, 1 + count % 3)
    return {"recompiles_after_warmup": counted[0]}


# --- everything ------------------------------------------------------------------------------


def prepare() -> None:
    """Compile (or, with a persistent cache, load) everything the measurements call:
    runner.warm_up() and the jitted train_epochs timed here."""
    runner.warm_up()
    default = default_setup()
    data = device_data(default.dataset)
    state, hyper = runner.start_model(default.config)
    _run_engine(_train_epochs, state, data, hyper, shared_settings([hyper], 1))


def measure(quick: bool = False, log: Log = _silent) -> Figures:
    """Every engine figure: warm-up, then speed, frames and compare mode, then the recompile
    count (last, so it also proves the timed functions compiled nothing new for other
    settings)."""
    reps = QUICK if quick else FULL
    steps: tuple[tuple[str, Callable[[], Figures]], ...] = (
        ("training speed (engine vs numpy)", lambda: training_speed(reps)),
        ("frames", lambda: frame_rate(reps)),
        ("compare mode", lambda: compare_cost(reps)),
        ("recompiles after warm-up", recompiles_after_warmup),
    )
    start = time.perf_counter()
    prepare()
    log(
        f"engine: warm-up and compiling took {time.perf_counter() - start:.1f} s "
        "(a cold persistent cache compiles each function in ~20 s; later runs load them)"
    )
    figures: Figures = {}
    for title, step in steps:
        start = time.perf_counter()
        figures |= step()
        log(f"engine: {title} took {time.perf_counter() - start:.1f} s")
    return figures
