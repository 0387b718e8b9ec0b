"""Training behaviour through the engine's entry points: optimizers, the perceptron,
batching, determinism, early stopping, divergence, regularisation, decay."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_playground.engine import limits
from nn_playground.engine.config import (
    Activation,
    DatasetName,
    Decay,
    Loss,
    ModelConfig,
    Optimizer,
)
from nn_playground.engine.numerics import model, reference, train
from nn_playground.engine.numerics.data import Dataset, make_dataset
from nn_playground.engine.numerics.export import exact_layers, feature_matrix
from nn_playground.engine.numerics.hyper import make_hyper
from nn_playground.engine.numerics.optim import scheduled_learning_rate
from nn_playground.engine.numerics.state import DeviceData, device_data, shared_settings
from nn_playground.engine.runtime import runner
from tests.engine.conftest import reference_network


def _train(config: ModelConfig, data: DeviceData, epochs: int, frames: int = 1) -> runner.Frame:
    state, hyper = runner.start_model(config)
    frame = None
    for _ in range(frames):
        state, frame = runner.run_frame(state, data, hyper, epochs)
    assert frame is not None
    return frame


@pytest.mark.parametrize("optimizer", list(Optimizer))
def test_every_optimizer_lowers_the_loss(optimizer: Optimizer, circle_data: DeviceData) -> None:
    rate = {Optimizer.RMSPROP: 0.01, Optimizer.ADAM: 0.01}.get(optimizer, 0.03)
    config = ModelConfig(
        optimizer=optimizer,
        learning_rate=rate,
        hidden=(6,),
        activations=(Activation.TANH,),
        dropout=(0.0,),
    )
    before = _train(config, circle_data, 0)
    after = _train(config, circle_data, 60)
    assert after.train_loss < 0.5 * before.train_loss
    assert after.train_accuracy > 0.9


@pytest.mark.parametrize("n_train", [45, 250])
def test_full_batch_epoch_is_one_gradient_descent_step(n_train: int) -> None:
    """A minibatch bigger than one compiled chunk adds the chunks' gradients exactly."""
    dataset = make_dataset(DatasetName.MOONS, n_points=n_train * 2, noise=0.1, seed=2)
    config = ModelConfig(batch_size=limits.MAX_POINTS, learning_rate=0.5, seed=4)
    state, hyper = runner.start_model(config)
    before = np.asarray(state.params)
    state, frame = runner.run_frame(state, device_data(dataset), hyper, 1)
    assert frame.step == 1
    layers = exact_layers(before, config)
    net = reference_network(before, config)
    train = dataset.train
    _, grad_w, grad_b = reference.gradients(
        net,
        feature_matrix(train.x, config).astype(np.float64),
        train.targets.astype(np.float64),
        train.labels,
        config.loss,
        config.problem,
        config.regression_output,
    )
    for (w, b), (w0, b0), gw, gb in zip(
        exact_layers(np.asarray(state.params), config), layers, grad_w, grad_b, strict=True
    ):
        np.testing.assert_allclose(w, w0 - 0.5 * gw, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(b, b0 - 0.5 * gb, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("batch", "steps"), [(1, 200), (10, 20), (33, 7), (64, 4), (200, 1)])
def test_an_epoch_takes_one_step_per_minibatch(batch: int, steps: int) -> None:
    data = device_data(make_dataset(DatasetName.CIRCLE, n_points=400, seed=3))
    frame = _train(ModelConfig(batch_size=batch), data, 1)
    assert frame.epoch == 1
    assert frame.step == steps


def test_perceptron_separates_separable_data_and_never_xor() -> None:
    config = ModelConfig(
        loss=Loss.PERCEPTRON,
        hidden=(),
        activations=(),
        dropout=(),
        batch_size=1,
        learning_rate=0.1,
    )
    separable = device_data(make_dataset(DatasetName.LINEAR, n_points=200, noise=0.0, seed=1))
    solved = _train(config, separable, 100)
    assert solved.train_accuracy == 1.0
    assert solved.train_loss == 0.0
    xor = device_data(make_dataset(DatasetName.XOR, n_points=200, noise=0.0, seed=1))
    frames = [_train(config, xor, 25, frames=k) for k in (1, 4)]
    assert all(f.train_accuracy < 0.9 for f in frames)
    assert all(f.train_loss > 0.0 for f in frames)


def test_one_hidden_layer_solves_xor() -> None:
    config = ModelConfig(
        hidden=(4,),
        activations=(Activation.TANH,),
        dropout=(0.0,),
        optimizer=Optimizer.ADAM,
        learning_rate=0.03,
    )
    xor = device_data(make_dataset(DatasetName.XOR, n_points=200, noise=0.0, seed=1))
    assert _train(config, xor, 200).train_accuracy >= 0.95


def test_same_seed_same_frames_other_seed_other_frames(circle_data: DeviceData) -> None:
    config = ModelConfig(hidden=(5, 5), activations=(Activation.RELU,) * 2, dropout=(0.2, 0.0))
    first, again = _train(config, circle_data, 7), _train(config, circle_data, 7)
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a, b)
    other = _train(ModelConfig(**{**config.__dict__, "seed": 1}), circle_data, 7)
    assert not np.array_equal(first.params, other.params)
    assert not np.array_equal(first.outputs, other.outputs)


def test_early_stopping_keeps_the_best_weights() -> None:
    noisy = device_data(make_dataset(DatasetName.SPIRAL, n_points=60, noise=0.5, seed=0))
    config = ModelConfig(
        hidden=(16, 16, 16),
        activations=(Activation.RELU,) * 3,
        dropout=(0.0,) * 3,
        optimizer=Optimizer.ADAM,
        learning_rate=0.03,
        batch_size=5,
        early_stopping=True,
        patience=30,
    )
    frame = _train(config, noisy, 1000)
    assert frame.stopped_early
    assert frame.epoch == frame.best_epoch + config.patience
    assert frame.test_loss == pytest.approx(float(frame.test_loss))
    # The weights kept are the best ones: continuing does not train further.
    state, hyper = runner.start_model(config)
    state, stopped = runner.run_frame(state, noisy, hyper, 1000)
    state, again = runner.run_frame(state, noisy, hyper, 50)
    assert again.epoch == stopped.epoch
    assert np.array_equal(again.params, stopped.params)


def test_divergence_keeps_finite_weights_and_reports_when() -> None:
    spiral = device_data(make_dataset(DatasetName.SPIRAL, n_points=500, noise=0.0))
    config = ModelConfig(
        hidden=(4, 2),
        activations=(Activation.LINEAR,) * 2,
        learning_rate=10.0,
    )
    state, hyper = runner.start_model(config)
    state, frame = runner.run_frame(state, spiral, hyper, 50)
    assert frame.diverged
    assert frame.diverged_epoch < 50
    # The weights are those the frame started from: nothing garbled to draw.
    assert frame.epoch == 0
    assert np.array_equal(frame.params, np.asarray(runner.start_model(config)[0].params))
    assert np.isfinite(frame.train_loss)
    assert frame.outputs.dtype == np.uint8
    # Stopped: more frames do not train until the divergence is cleared.
    state, still = runner.run_frame(state, spiral, hyper, 5)
    assert still.step == frame.step
    # A lower learning rate resumes from the kept weights.
    calmer = make_hyper(ModelConfig(**{**config.__dict__, "learning_rate": 0.001}))
    state, resumed = runner.run_frame(state._replace(diverged=jnp.bool_(False)), spiral, calmer, 5)
    assert not resumed.diverged
    assert resumed.step > frame.step
    assert np.isfinite(resumed.train_loss)


def test_l1_drives_more_weights_to_zero_than_l2(circle: Dataset) -> None:
    data = device_data(circle)
    base = dict(
        hidden=(16, 16),
        activations=(Activation.TANH,) * 2,
        dropout=(0.0, 0.0),
        optimizer=Optimizer.ADAM,
        learning_rate=0.01,
    )
    shares = {}
    for name in ("l1", "l2"):
        config = ModelConfig(**base, **{name: 0.01})
        params = _train(config, data, 150).params
        weights = params[:, : model.WIDTH][
            np.asarray(model.param_mask(make_hyper(config)))[:, :16] > 0
        ]
        shares[name] = float(np.mean(np.abs(weights) < 1e-2))
    assert shares["l1"] > shares["l2"] + 0.2


def test_dropout_is_for_training_only(circle_data: DeviceData) -> None:
    config = ModelConfig(hidden=(8, 8), activations=(Activation.RELU,) * 2, dropout=(0.5, 0.5))
    state, hyper = runner.start_model(config)
    state, frame = runner.run_frame(state, circle_data, hyper, 3)
    _, measured_again = runner.run_frame(state, circle_data, hyper, 0)
    assert np.array_equal(frame.outputs, measured_again.outputs)  # evaluation: no dropout
    plain = _train(ModelConfig(**{**config.__dict__, "dropout": (0.0, 0.0)}), circle_data, 3)
    assert not np.array_equal(frame.params, plain.params)  # training: dropout


@pytest.mark.parametrize(
    ("decay", "epoch", "factor"),
    [
        (Decay.NONE, 250, 1.0),
        (Decay.EXPONENTIAL, 250, 0.5**2.5),
        (Decay.STEP, 250, 0.5**2),
        (Decay.COSINE, 50, 0.5 + 0.5 * 0.5 * (1 + np.cos(np.pi * 0.5))),
        (Decay.COSINE, 400, 0.5),
    ],
)
def test_learning_rate_decay(decay: Decay, epoch: int, factor: float) -> None:
    hyper = make_hyper(
        ModelConfig(learning_rate=0.2, decay=decay, decay_rate=0.5, decay_epochs=100)
    )
    rate = float(scheduled_learning_rate(hyper, jnp.int32(epoch)))
    assert rate == pytest.approx(0.2 * factor, rel=1e-5)


def test_narrow_and_wide_training_agree(circle_data: DeviceData) -> None:
    """Networks of at most 8 neurons a layer train on a cut-down copy: the same weights and
    optimizer state come back, zero outside the cut."""

    config = ModelConfig(
        hidden=(8, 5, 3),
        activations=(Activation.RELU, Activation.TANH, Activation.SWISH),
        dropout=(0.2, 0.0, 0.1),
        optimizer=Optimizer.ADAM,
        l1=0.001,
        early_stopping=True,
    )
    state, hyper = runner.start_model(config)
    shared = shared_settings([hyper], 4)
    assert bool(shared.narrow)
    run = jax.jit(train.train_epochs)
    narrow = jax.device_get(run(state, circle_data, hyper, shared))
    wide = jax.device_get(run(state, circle_data, hyper, shared._replace(narrow=np.False_)))
    assert int(narrow.epoch) == int(wide.epoch) == 4
    for cut, full in zip(jax.tree.leaves(narrow), jax.tree.leaves(wide), strict=True):
        np.testing.assert_allclose(cut, full, rtol=2e-5, atol=1e-6)
    outside = np.ones(model.PARAM_SHAPE, bool)
    outside[:, :8, :8] = False
    outside[:, model.WIDTH, :8] = False
    assert not np.any(narrow.params[outside])
