"""Every lesson, trained headless as a session trains it (Experiment + train), shows what its
explanation claims, by a margin. The configurations come from nn_playground.teaching.lessons, so the
page and these tests cannot disagree; the numbers in comments were measured on a 2-core CPU."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np
import pytest
from pydantic import ValidationError

from nn_playground.engine import limits
from nn_playground.engine.config import Loss, Problem
from nn_playground.engine.numerics import model
from nn_playground.engine.numerics.export import exact_layers
from nn_playground.engine.numerics.frames import Frame
from nn_playground.engine.numerics.hyper import Hyper, make_hyper
from nn_playground.engine.numerics.losses import predict
from nn_playground.engine.numerics.state import TrainState
from nn_playground.engine.runtime import runner
from nn_playground.engine.runtime.compilation import enable_persistent_cache
from nn_playground.protocol import Explain, Explanation, WeightChoice
from nn_playground.sessions.experiment import Experiment
from nn_playground.teaching.lessons import BY_ID, LESSONS, Lesson, lesson_settings
from nn_playground.teaching.step_explanation import (
    explanation_of,
    trained_optimizer,
    weight_index,
)

enable_persistent_cache()

History = list[list[Frame]]  # per frame, one Frame per model
LOG_FLOAT32_MAX = float(np.log(np.finfo(np.float32).max))  # ~88.7: exp overflows above it
DOMAIN_POINTS = (
    np.random.default_rng(0)
    .uniform(-limits.DOMAIN, limits.DOMAIN, (limits.MAX_POINTS, 2))
    .astype(np.float32)
)


# --- running a lesson ------------------------------------------------------------------------


def open_lesson(lesson: Lesson, try_next: bool = False) -> Experiment:
    """What the page does on a lesson's click (and on its "try next" click)."""
    experiment = Experiment(limits.MAX_POINTS, lesson_settings(lesson))
    if lesson.compare:
        experiment.set_compare([change.given() for change in lesson.compare])
    if try_next:
        assert lesson.try_next is not None
        experiment.change(lesson.try_next)
    return experiment


def train_frames(experiment: Experiment, epochs: int, frames: int = 1) -> History:
    history = []
    for _ in range(frames):
        snapshot = experiment.snapshot()
        result = snapshot.run(epochs)
        assert experiment.commit(snapshot.generation, result)
        history.append([trained.frame for trained in result.models])
    return history


def which(lesson: Lesson, **setting: Any) -> int:
    """The index of the compared model that the lesson gives this setting."""
    ((name, value),) = setting.items()
    matches = [i for i, change in enumerate(lesson.compare) if change.given().get(name) == value]
    assert len(matches) == 1, f"{lesson.id}: no single model with {name}={value!r}"
    return matches[0]


def curve(history: History, index: int, field: str) -> np.ndarray:
    return np.array([float(getattr(frames[index], field)) for frames in history])


def rises(values: np.ndarray) -> int:
    return int(np.sum(np.diff(values) > 0))


@jax.jit
def _engine_outputs(
    params: jax.Array, xy: jax.Array, hyper: Hyper, run_depth: jax.Array
) -> tuple[jax.Array, jax.Array]:
    logits, _ = model.forward_skipping(params, model.input_features(xy, hyper), hyper, run_depth)
    return logits, predict(logits, hyper)


def engine_outputs(
    frame: Frame, hyper: Hyper, xy: np.ndarray = DOMAIN_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """The engine's own (logits, head outputs) at MAX_POINTS points, cut to the model's
    outputs: the network the page draws, not a re-implementation of it."""
    assert xy.shape == (limits.MAX_POINTS, 2)  # one compiled shape for every lesson
    outputs = int(np.asarray(hyper.output_mask).sum())
    depth = np.asarray(hyper.depth, np.int32)
    logits, predictions = jax.device_get(_engine_outputs(frame.params, xy, hyper, depth))
    return logits[:, :outputs], predictions[:, :outputs]


def training_points(experiment: Experiment) -> tuple[np.ndarray, int]:
    """The padded (MAX_POINTS, 2) inputs, training points first, and how many of those."""
    return np.asarray(experiment.data.x), int(experiment.data.n_train)


def affine_residual(xy: np.ndarray, values: np.ndarray) -> float:
    """The largest distance of `values` from the best affine function of `xy`."""
    design = np.c_[xy.astype(np.float64), np.ones(len(xy))]
    coefficients, *_ = np.linalg.lstsq(design, values.astype(np.float64), rcond=None)
    return float(np.max(np.abs(design @ coefficients - values)))


# --- the lessons as data ---------------------------------------------------------------------


def test_every_lesson_has_a_test_of_its_claim() -> None:
    names = {f"test_{lesson.id.replace('-', '_')}" for lesson in LESSONS}
    assert names <= set(globals()), names - set(globals())


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_opens_as_a_session_would(lesson: Lesson) -> None:
    experiment = open_lesson(lesson, try_next=lesson.try_next is not None)
    assert len(experiment.models) == max(1, len(lesson.compare))
    assert 2 <= len(lesson.explanation) <= 4


def test_a_mistake_in_a_lesson_fails_when_it_is_built() -> None:
    good = BY_ID["activations"].model_dump(mode="json", exclude_none=True)
    Lesson.model_validate(good, strict=False)
    for bad in (
        {**good, "settings": {"hiden": [4]}},
        {**good, "settings": {"activations": ["relu6"]}},
        {**good, "compare": [{"activations": ["linear"]}]},
        {**good, "compare": [{"n_points": 50}, {"n_points": 60}]},
        {**good, "hidden_controls": ["activation"]},
        {**good, "hidden_controls": ["activations"]},  # what the models vary
        {**good, "explanation": ["Two sentences. In one item.", "Fine."]},
        {**good, "explanation": ["Only one."]},
    ):
        with pytest.raises(ValidationError):
            Lesson.model_validate(bad, strict=False)


# --- one test per lesson ---------------------------------------------------------------------


def test_activations() -> None:
    """The linear network's logits are affine in the inputs; ReLU's are not, and it wins."""
    lesson = BY_ID["activations"]
    experiment = open_lesson(lesson)
    final = train_frames(experiment, 50, 4)[-1]  # 200 epochs
    linear, relu = which(lesson, activations=["linear"]), which(lesson, activations=["relu"])
    logits = {i: engine_outputs(final[i], experiment.models[i].hyper)[0][:, 0] for i in (0, 1)}
    # Float32 rounding only (measured 1.5e-7); ReLU's logits are far from any plane (24).
    assert affine_residual(DOMAIN_POINTS, logits[linear]) < 1e-4
    assert affine_residual(DOMAIN_POINTS, logits[relu]) > 1.0
    assert final[relu].test_accuracy >= 0.98  # 1.0
    assert final[linear].test_accuracy <= 0.7  # 0.46: a line cannot enclose the circle

    more_layers = open_lesson(lesson, try_next=True)
    final = train_frames(more_layers, 50, 2)[-1]
    assert len(more_layers.settings.hidden) == 4
    logits_deep = engine_outputs(final[linear], more_layers.models[linear].hyper)[0][:, 0]
    assert affine_residual(DOMAIN_POINTS, logits_deep) < 1e-4
    assert final[linear].test_accuracy <= 0.7


def test_features() -> None:
    """x1^2, x2^2 solve the circle with no hidden layer; x1, x2 cannot."""
    lesson = BY_ID["features"]
    experiment = open_lesson(lesson)
    squared, raw = which(lesson, features=["x1^2", "x2^2"]), which(lesson, features=["x1", "x2"])
    assert all(len(m.config.hidden) == 0 for m in experiment.models)
    early = train_frames(experiment, 25)[-1]
    assert early[squared].test_accuracy >= 0.95  # 1.0 after 25 epochs: "at once"
    final = train_frames(experiment, 75)[-1]
    assert final[squared].test_accuracy >= 0.98  # 1.0
    assert final[squared].test_loss < 0.15  # 0.042
    assert final[raw].test_accuracy <= 0.7  # 0.46
    assert final[raw].test_loss > 0.6  # 0.70: no better than a coin

    xor = open_lesson(lesson, try_next=True)
    final = train_frames(xor, 100)[-1]
    for index in (squared, raw):
        assert final[index].test_accuracy <= 0.7
    # The sign of x1*x2 is the label, so that one feature alone would separate xor.
    train_points = xor.dataset.train
    assert np.array_equal(train_points.x[:, 0] * train_points.x[:, 1] > 0, train_points.labels == 1)


def test_vanishing_gradients() -> None:
    """On six hidden layers sigmoid's first-layer gradient is thousands of times ReLU's, and
    sigmoid's loss stays flat while ReLU and tanh solve the circle."""
    lesson = BY_ID["vanishing-gradients"]
    experiment = open_lesson(lesson)
    relu = which(lesson, activations=["relu"])
    tanh = which(lesson, activations=["tanh"])
    sigmoid = which(lesson, activations=["sigmoid"])
    start = train_frames(experiment, 0)[-1]  # fresh weights: no training yet
    first, output = 0, -1  # grad_norms: hidden layers first, output layer last
    norms = [np.asarray(frame.grad_norms) for frame in start]
    # Measured: ReLU 0.058, sigmoid 1e-5 in the first layer; sigmoid's output layer 0.29.
    assert norms[relu][first] > 100 * norms[sigmoid][first]
    assert norms[sigmoid][first] < 1e-2 * norms[sigmoid][output]
    depth = len(experiment.settings.hidden)
    chain = np.append(norms[sigmoid][:depth], norms[sigmoid][output])  # first layer to last
    assert np.all(chain[1:] > 2 * chain[:-1])  # shrinks 2.6 to 29 times at every layer
    for index in (relu, tanh):  # passed back almost intact (ratios 1.3 and 0.7)
        assert norms[index][first] > 0.1 * norms[index][output]
    final = train_frames(experiment, 25, 2)[-1]  # 50 epochs
    assert final[relu].train_loss < 0.1  # 0.003
    assert final[tanh].train_loss < 0.1  # 0.004
    assert final[sigmoid].train_loss > 0.6  # 0.690: flat

    # The share of the gradient that reaches the first layer: 3e-5 of six, 0.024 of two.
    shallow = open_lesson(lesson, try_next=True)
    norms_shallow = np.asarray(train_frames(shallow, 0)[-1][sigmoid].grad_norms)
    reaching = norms[sigmoid][first] / norms[sigmoid][output]
    assert norms_shallow[first] / norms_shallow[output] > 100 * reaching


def test_learning_rate() -> None:
    """0.0003 crawls, 0.03 converges smoothly, 3 jumps about and ends far worse."""
    lesson = BY_ID["learning-rate"]
    experiment = open_lesson(lesson)
    small = which(lesson, learning_rate=0.0003)
    right = which(lesson, learning_rate=0.03)
    large = which(lesson, learning_rate=3.0)
    start = train_frames(experiment, 0)[-1]
    history = train_frames(experiment, 10, 10)  # 100 epochs
    final = history[-1]
    assert abs(float(start[small].train_loss - final[small].train_loss)) < 0.05  # 0.008
    assert final[small].train_loss > 0.6  # 0.687
    assert final[right].train_loss < 0.1  # 0.038
    assert rises(curve(history, right, "train_loss")) == 0
    assert rises(curve(history, large, "train_loss")) >= 2  # 3
    assert final[large].train_loss > 3 * final[right].train_loss  # 0.458 vs 0.038
    assert not any(frame[right].diverged for frame in history)


def test_batch_size() -> None:
    """Per epoch, gradient descent is smooth but slow, per-example SGD fast but jagged, and
    minibatches in between."""
    lesson = BY_ID["batch-size"]
    experiment = open_lesson(lesson)
    full = which(lesson, batch_size=1000)
    minibatch = which(lesson, batch_size=10)
    single = which(lesson, batch_size=1)
    start = float(train_frames(experiment, 0)[-1][full].train_loss)  # the same weights for all
    epochs = 20
    history = train_frames(experiment, 1, epochs)
    losses = {i: curve(history, i, "train_loss") for i in (full, minibatch, single)}
    n_train = int(experiment.data.n_train)  # 250
    assert int(history[-1][full].step) == epochs
    assert int(history[-1][minibatch].step) == epochs * n_train // 10
    assert int(history[-1][single].step) == epochs * n_train
    # Smoothness: gradient descent and minibatches never go up; per-example SGD often does
    # (6 of 19 epochs), climbing 0.17 in all.
    assert rises(losses[full]) == rises(losses[minibatch]) == 0
    assert rises(losses[single]) >= 4
    steps = np.diff(losses[single])
    assert steps[steps > 0].sum() > 0.08
    # Progress in 20 epochs (0.006, 0.20, 0.61; per-example averaged over its last five).
    progress = {i: start - losses[i][-1] for i in (full, minibatch)}
    progress[single] = start - np.mean(losses[single][-5:])
    assert progress[full] < 0.05
    assert progress[minibatch] > 3 * progress[full]
    assert progress[single] > 2 * progress[minibatch]


def test_optimizers() -> None:
    """On the spiral, momentum and Adam end far below plain SGD at the same learning rate."""
    lesson = BY_ID["optimizers"]
    experiment = open_lesson(lesson)
    sgd = which(lesson, optimizer="sgd")
    momentum = which(lesson, optimizer="momentum")
    adam = which(lesson, optimizer="adam")
    final = train_frames(experiment, 100, 3)[-1]  # 300 epochs
    loss = {i: float(final[i].train_loss) for i in (sgd, momentum, adam)}
    assert loss[momentum] < 0.5 * loss[sgd]  # 0.008 vs 0.587
    assert loss[adam] < 0.5 * loss[sgd]  # 0.0002
    assert final[momentum].train_accuracy > final[sgd].train_accuracy + 0.1
    assert final[adam].test_accuracy >= 0.9  # 1.0


def test_overfitting() -> None:
    """Test loss has an interior minimum while training loss keeps falling; early stopping
    stops `patience` epochs after that minimum and keeps its weights."""
    lesson = BY_ID["overfitting"]
    experiment = open_lesson(lesson)
    free = which(lesson, early_stopping=False)
    stopping = which(lesson, early_stopping=True)
    every = 5
    history = train_frames(experiment, every, 60)  # 300 epochs
    test_loss = curve(history, free, "test_loss")
    train_loss = curve(history, free, "train_loss")
    best = int(np.argmin(test_loss))
    best_epoch = every * (best + 1)  # measured 70
    assert 0.1 * len(history) < best < 0.9 * len(history)
    assert test_loss[-1] > 1.5 * test_loss[best]  # 1.12 vs 0.229
    assert train_loss[-1] < 0.1 * train_loss[best]  # 0.0009 vs 0.128
    stopped = history[-1][stopping]
    patience = lesson_settings(lesson).patience
    assert stopped.stopped_early
    assert abs(int(stopped.best_epoch) - best_epoch) <= 2 * every  # 69
    assert int(stopped.epoch) == int(stopped.best_epoch) + patience
    assert stopped.test_loss <= test_loss[best] + 1e-6  # the best weights, kept


def near_zero_share(frame: Frame, experiment: Experiment, index: int) -> float:
    """The share of the model's weights (not biases) within 0.01 of zero."""
    layers = exact_layers(np.asarray(frame.params), experiment.models[index].config)
    weights = np.concatenate([w.ravel() for w, _ in layers])
    return float(np.mean(np.abs(weights) < 1e-2))


def test_regularisation() -> None:
    """L2 and dropout shrink the train/test gap; L1 leaves far more near-zero weights."""
    lesson = BY_ID["regularisation"]
    experiment = open_lesson(lesson)
    plain = next(i for i, change in enumerate(lesson.compare) if not change.given())
    l2 = which(lesson, l2=0.03)
    dropout = which(lesson, dropout=[0.5])
    l1 = which(lesson, l1=0.01)
    final = train_frames(experiment, 100, 3)[-1]  # 300 epochs, long past the plain best (70)
    gap = {i: float(final[i].test_loss - final[i].train_loss) for i in range(len(final))}
    assert gap[l2] < 0.5 * gap[plain]  # 0.20 vs 1.12
    assert gap[dropout] < 0.5 * gap[plain]  # 0.04
    for index in (l2, dropout):  # not by failing to learn: they generalise better
        assert final[index].test_loss < 0.6 * final[plain].test_loss  # 0.27, 0.34 vs 1.12
        assert final[index].train_accuracy >= 0.75  # 1.0, 0.8
    zeros = {i: near_zero_share(final[i], experiment, i) for i in range(len(final))}
    assert zeros[l1] > zeros[l2] + 0.2  # 0.82 vs 0.39
    assert zeros[l1] > zeros[plain] + 0.4  # 0.02


def test_softmax() -> None:
    """At large logits the naive loss is non-finite where the stable one is finite."""
    lesson = BY_ID["softmax"]
    experiment = open_lesson(lesson)
    stable = which(lesson, loss="cross_entropy")
    naive = which(lesson, loss="cross_entropy_naive")
    assert experiment.dataset.n_outputs == 4
    final = train_frames(experiment, 5, 4)[-1]  # 20 epochs
    assert final[naive].diverged  # the loss went non-finite: training halted
    assert int(final[naive].diverged_epoch) < 5
    assert not final[stable].diverged
    assert np.isfinite(final[stable].train_loss)
    assert np.isfinite(final[stable].test_loss)
    assert final[stable].test_accuracy >= 0.95
    # The very same weights under both losses: logits beyond exp's range in float32.
    state, config = experiment.models[stable].state, experiment.models[stable].config
    x_train, n_train = training_points(experiment)
    logits, probabilities = engine_outputs(final[stable], experiment.models[stable].hyper, x_train)
    assert logits[:n_train].max() > LOG_FLOAT32_MAX
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    naive_hyper = make_hyper(dataclasses.replace(config, loss=Loss.CROSS_ENTROPY_NAIVE))
    _, measured = runner.run_frame(state, experiment.data, naive_hyper, 0)
    assert not np.isfinite(measured.train_loss)
    _, measured = runner.run_frame(state, experiment.data, experiment.models[stable].hyper, 0)
    assert np.isfinite(measured.train_loss)

    calmer = open_lesson(lesson, try_next=True)
    final = train_frames(calmer, 25, 4)[-1]  # 100 epochs
    for index in (stable, naive):
        assert not final[index].diverged
        assert final[index].test_accuracy >= 0.95
        x_train, n_train = training_points(calmer)
        logits, _ = engine_outputs(final[index], calmer.models[index].hyper, x_train)
        assert np.abs(logits[:n_train]).max() < LOG_FLOAT32_MAX


def test_multilabel() -> None:
    """Where labels overlap, several sigmoid outputs are on at once (their sum exceeds one,
    which softmax can never do); on blobs, softmax outputs always sum to one."""
    lesson = BY_ID["multilabel"]
    experiment = open_lesson(lesson)
    final = train_frames(experiment, 50, 4)[-1][0]  # 200 epochs
    assert final.test_accuracy >= 0.95  # per label, 0.968
    test = experiment.dataset.test
    x_test = np.zeros((limits.MAX_POINTS, 2), np.float32)
    x_test[: len(test.x)] = test.x
    _, outputs = engine_outputs(final, experiment.models[0].hyper, x_test)
    outputs = outputs[: len(test.x)]
    several = test.targets.sum(axis=1) >= 2  # 124 test points carry 2 or 3 labels
    assert several.sum() > 50
    on = outputs[several] > 0.5
    assert np.mean(on.sum(axis=1) >= 2) > 0.85  # 0.968
    assert np.mean(outputs[several].sum(axis=1)) > 1.5  # 2.26

    multiclass = open_lesson(lesson, try_next=True)
    final = train_frames(multiclass, 50)[-1][0]
    assert final.test_accuracy >= 0.95
    _, outputs = engine_outputs(final, multiclass.models[0].hyper)
    np.testing.assert_allclose(outputs.sum(axis=1), 1.0, atol=1e-5)
    assert np.all((outputs > 0.5).sum(axis=1) <= 1)


def test_regression_output() -> None:
    """Targets of both signs: linear output fits, ReLU cannot go below zero. Non-negative
    targets: ReLU fits too, and never predicts a negative value, which linear does."""
    lesson = BY_ID["regression-output"]
    experiment = open_lesson(lesson)
    linear = which(lesson, regression_output="linear")
    relu = which(lesson, regression_output="relu")
    final = train_frames(experiment, 50, 4)[-1]  # 200 epochs
    targets = experiment.dataset.test.targets[:, 0]
    below_zero = float(np.mean(np.minimum(targets, 0.0) ** 2))  # ReLU's best: 0.065
    assert final[linear].test_loss < 0.01  # 0.0002
    assert final[relu].test_loss > 0.9 * below_zero  # 0.067
    assert final[relu].test_loss > 20 * final[linear].test_loss

    bumps = open_lesson(lesson, try_next=True)
    final = train_frames(bumps, 50, 4)[-1]
    targets = bumps.dataset.test.targets[:, 0]
    assert targets.min() >= 0.0
    for index in (linear, relu):
        assert final[index].test_loss < 0.1 * targets.var()  # 0.001 and 0.004 of 0.052
    predicted = {i: engine_outputs(final[i], bumps.models[i].hyper)[1][:, 0] for i in (0, 1)}
    assert predicted[relu].min() >= 0.0
    assert predicted[linear].min() < -0.02  # -0.10

    # The caveat: from seed 1 a step leaves the ReLU output at zero everywhere, for good.
    bumps.reset(seed=1)
    start = train_frames(bumps, 0)[-1][relu]
    assert engine_outputs(start, bumps.models[relu].hyper)[1].max() > 0.5  # alive at first
    for frames in train_frames(bumps, 100, 2):  # dead by epoch 100, and still at 200
        assert engine_outputs(frames[relu], bumps.models[relu].hyper)[1].max() == 0.0
        assert frames[relu].test_loss == pytest.approx(np.mean(targets**2), rel=1e-4)


def test_perceptron() -> None:
    """The perceptron rule separates separable data and never xor; one hidden layer does."""
    lesson = BY_ID["perceptron"]
    experiment = open_lesson(lesson)
    perceptron = which(lesson, loss="perceptron")
    hidden = which(lesson, loss="cross_entropy")
    final = train_frames(experiment, 25)[-1]
    assert final[perceptron].train_accuracy == 1.0
    assert final[perceptron].train_loss == 0.0  # no misclassified point is left
    assert final[hidden].train_accuracy >= 0.99

    xor = open_lesson(lesson, try_next=True)
    history = train_frames(xor, 25, 4)  # 100 epochs
    for frames in history:
        assert frames[perceptron].train_accuracy < 0.7  # 0.49 to 0.53
        assert frames[perceptron].train_loss > 0.0
    assert history[-1][hidden].train_accuracy >= 0.95  # 0.996


def test_random_restarts() -> None:
    """Five seeds end in different places: losses, accuracies and boundaries."""
    lesson = BY_ID["random-restarts"]
    experiment = open_lesson(lesson)
    assert sorted(change.given()["seed"] for change in lesson.compare) == list(range(5))
    final = train_frames(experiment, 100, 3)[-1]  # 300 epochs
    losses = np.array([float(frame.train_loss) for frame in final])
    accuracy = np.array([float(frame.train_accuracy) for frame in final])
    assert losses.max() - losses.min() > 0.15  # 0.47 - 0.15
    assert losses.max() > 2 * losses.min()
    assert accuracy.max() - accuracy.min() > 0.1  # 0.93 - 0.77
    boundaries = [np.asarray(frame.outputs[0]) >= 128 for frame in final]  # binary classes
    for i, first in enumerate(boundaries):
        for second in boundaries[i + 1 :]:
            assert np.mean(first != second) > 0.05  # 11% to 31% of the picture


def neuron_spread(weights: np.ndarray, biases: np.ndarray) -> float:
    """How far a layer's neurons differ: the largest gap between any neuron's incoming
    weights and bias and the first neuron's."""
    columns = np.vstack([weights, biases[None]])
    return float(np.max(np.abs(columns - columns[:, :1])))


def test_initialisation() -> None:
    """From zeros every neuron of a layer stays identical (though the weights move); from
    Glorot they differ, and only that network closes the circle."""
    lesson = BY_ID["initialisation"]
    experiment = open_lesson(lesson)
    zeros = which(lesson, init="zeros")
    glorot = which(lesson, init="glorot_uniform")
    final = train_frames(experiment, 50, 4)[-1]  # 200 epochs
    for index, identical in ((zeros, True), (glorot, False)):
        config = experiment.models[index].config
        layers = exact_layers(np.asarray(final[index].params), config)[:-1]
        for layer, ((weights, biases), width) in enumerate(zip(layers, config.hidden, strict=True)):
            spread = neuron_spread(weights, biases)
            maps = np.asarray(final[index].neurons)[layer, :width]
            if identical:
                assert np.abs(weights).max() > 0.5  # trained (4.3), yet in lockstep
                assert spread <= 1e-5 * np.abs(weights).max()  # measured exactly 0
                assert all(np.array_equal(maps[0], other) for other in maps[1:])
            else:
                assert spread > 0.5  # 10 and 12
                assert not all(np.array_equal(maps[0], other) for other in maps[1:])
    assert final[glorot].test_accuracy >= 0.95  # 1.0
    assert final[zeros].test_accuracy <= 0.8  # 0.668


def explain_next_step(
    experiment: Experiment, state: TrainState, point: int, weight: WeightChoice
) -> tuple[Explanation, TrainState]:
    """The engine's explanation of `state`'s next step (as an `explain` request is answered)
    and the state after that step."""
    chosen = experiment.models[0]
    config, hyper, train = chosen.config, chosen.hyper, experiment.dataset.train
    assert config.problem is Problem.BINARY
    request = Explain(type="explain", point=point, weight=weight, epsilon=1e-3)
    at = weight_index(config, weight)
    done, after = runner.explain(state, experiment.data, hyper, point, at, request.epsilon)
    point_data = (
        [float(v) for v in train.x[point]],
        [float(v) for v in train.targets[point]],
        float(train.labels[point]),
    )
    message = explanation_of(
        config, request, 0, runner.to_host(state), done, after, trained_optimizer(hyper),
        point_data, len(train.x),
    )  # fmt: skip
    return message, after


def test_backprop_one_step() -> None:
    """For every weight and bias of the 2-2-1 network, over three steps (the epoch's two
    minibatches, then the next epoch's first): the chain rule's factors multiply out to the
    point's gradient, the step's gradient is the mean of its minibatch's point gradients, SGD
    moves the weight by -learning_rate * gradient, the nudged cost's slope agrees with the
    gradient, and the step lowers that minibatch's cost J."""
    lesson = BY_ID["backprop-one-step"]
    assert lesson.explain_view
    experiment = open_lesson(lesson)
    config = experiment.models[0].config
    assert (config.hidden, config.features, config.n_outputs) == ((2,), ("x1", "x2"), 1)
    n_train = len(experiment.dataset.train.x)
    assert n_train == 6
    assert config.batch_size == 3
    weights = [
        WeightChoice(layer=layer, source=source, unit=unit)
        for layer, units in ((0, 2), (1, 1))
        for unit in range(units)
        for source in (-1, 0, 1)
    ]
    state = experiment.models[0].state
    for number, epoch in ((1, 0), (2, 0), (1, 1)):
        first, after = explain_next_step(experiment, state, 0, weights[0])
        assert (first.batch.number, first.batch.of, first.epoch) == (number, 2, epoch)
        point = first.batch.points[0].index  # a point of this step's minibatch
        for weight in weights:
            shown, _ = explain_next_step(experiment, state, point, weight)
            assert shown.in_batch
            chain, batch, update, nudge = shown.chain, shown.batch, shown.update, shown.nudge
            scale = max(1e-3, abs(batch.gradient))
            assert len(chain.factors) == (2 if weight.layer == 1 else 3)
            assert np.prod([factor.value for factor in chain.factors]) == pytest.approx(
                chain.gradient, rel=1e-5, abs=1e-7
            )
            assert batch.points[0].gradient == chain.gradient  # the same point, the same number
            assert len(batch.points) == 3
            gradients = [entry.gradient for entry in batch.points]
            assert batch.mean == pytest.approx(np.mean(gradients), rel=1e-5, abs=1e-7)
            assert batch.step_gradient == pytest.approx(batch.mean, rel=1e-5, abs=1e-7)
            assert batch.penalty == 0.0
            assert update.gradient == batch.gradient == batch.step_gradient
            assert update.optimizer == "sgd"
            assert update.after == pytest.approx(
                update.before - update.learning_rate * update.gradient, rel=1e-6, abs=1e-7
            )
            assert update.after != update.before
            assert nudge.slope == pytest.approx(nudge.gradient, rel=0.05, abs=5e-3 * scale)
        # The step lowers the cost of the minibatch it trained on: J at the weights after
        # it, with the step's minibatch (the same key, epoch and batch counter) kept.
        moved = state._replace(params=after.params)
        again, _ = explain_next_step(experiment, moved, point, weights[0])
        assert [p.index for p in again.batch.points] == [p.index for p in first.batch.points]
        assert again.nudge.cost < first.nudge.cost
        state = after
