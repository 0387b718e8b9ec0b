"""What a frame carries, several models in one call, and no compilation after warm-up."""

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
    Init,
    Loss,
    ModelConfig,
    Optimizer,
    Problem,
    RegressionOutput,
)
from nn_playground.engine.numerics import frames, train
from nn_playground.engine.numerics.data import make_dataset
from nn_playground.engine.numerics.state import DeviceData, device_data, shared_settings
from nn_playground.engine.runtime import compilation, runner
from nn_playground.engine.runtime.compilation import count_compilations


def test_frame_shapes_and_codes(circle_data: DeviceData) -> None:
    state, hyper = runner.start_model(ModelConfig(hidden=(3, 2)))
    _, frame = runner.run_frame(state, circle_data, hyper, 2)
    side, thumb = limits.OUTPUT_GRID, limits.NEURON_GRID
    assert frame.outputs.shape == (limits.MAX_OUTPUTS, side, side)
    assert frame.outputs.dtype == np.uint8
    assert frame.neurons.shape == (limits.MAX_HIDDEN_LAYERS, limits.MAX_NEURONS, thumb, thumb)
    assert frame.features.shape == (limits.MAX_NEURONS, thumb, thumb)
    # Binary: one output, the probability of class 1; the rest are zero.
    assert 0 < np.mean(frame.outputs[0] >= 128) < 1
    assert np.all(frame.outputs[1:] == 0)
    # Absent neurons and layers are flat zero (128); present ones vary.
    assert np.all(frame.neurons[0, 3:] == 128)
    assert np.all(frame.neurons[2:] == 128)
    assert all(np.ptp(frame.neurons[0, i]) > 50 for i in range(3))
    # The x1 feature map runs from -1 (left) to +1 (right) in every row.
    assert frame.features[0, 5, 0] < 5
    assert frame.features[0, 5, -1] > 250
    assert frame.grad_norms.shape == (limits.MAX_HIDDEN_LAYERS + 1,)
    assert frame.grad_norms[0] > 0
    assert frame.grad_norms[2] == 0
    assert frame.grad_norms[-1] > 0


@pytest.mark.parametrize("activation", [Activation.TANH, Activation.RELU, Activation.ELU])
def test_frame_gradient_norms_are_those_of_the_training_loss(
    circle_data: DeviceData, activation: Activation
) -> None:
    """The frame's per-layer gradient norms and losses (hand-written backprop over the train
    and test rows at once) equal JAX autodiff of the mean train loss, and the test loss."""

    config = ModelConfig(hidden=(5, 3, 4), activations=(activation,) * 3, dropout=(0.0,) * 3)
    state, hyper = runner.start_model(config)
    state, frame = runner.run_frame(state, circle_data, hyper, 2)
    run_depth = np.asarray(len(config.hidden), np.int32)
    params = jnp.asarray(state.params)
    (loss, _), grads = jax.value_and_grad(train.dataset_loss, has_aux=True)(
        params, circle_data, train.train_weights(circle_data), hyper, run_depth
    )
    test_loss, _ = train.dataset_loss(
        params, circle_data, train.test_weights(circle_data), hyper, run_depth
    )
    norms = np.sqrt(np.sum(np.square(np.asarray(grads)[:, : limits.MAX_NEURONS]), axis=(1, 2)))
    assert float(frame.train_loss) == pytest.approx(float(loss), rel=1e-5)
    # The test rows share the pass but weigh nothing in the gradient.
    assert float(frame.test_loss) == pytest.approx(float(test_loss), rel=1e-5)
    assert float(frame.test_loss) != pytest.approx(float(loss), rel=1e-3)
    np.testing.assert_allclose(frame.grad_norms, norms, rtol=1e-4, atol=1e-7)
    assert np.count_nonzero(norms) == len(config.hidden) + 1


def test_multiclass_frame_shows_the_winning_class() -> None:
    data = device_data(make_dataset(DatasetName.BLOBS, n_points=300, noise=0.1, n_classes=4))
    config = ModelConfig(
        problem=Problem.MULTICLASS, n_outputs=4, optimizer=Optimizer.ADAM, learning_rate=0.03
    )
    state, hyper = runner.start_model(config)
    _, frame = runner.run_frame(state, data, hyper, 30)
    assert frame.test_accuracy > 0.9
    # Every class wins somewhere: a reader takes the class as the largest of the codes.
    assert set(np.unique(frame.outputs[:4].argmax(axis=0))) == {0, 1, 2, 3}
    # Probabilities over the four classes sum to one (within rounding to 1/255).
    total = frame.outputs[:4].astype(int).sum(axis=0)
    assert np.all(np.abs(total - 255) <= 3)
    assert np.all(frame.outputs[4] == 0)


def test_regression_frame_maps_the_target_range() -> None:
    dataset = make_dataset(DatasetName.PLANE, n_points=300, noise=0.0)
    config = ModelConfig(
        problem=Problem.REGRESSION,
        loss=Loss.MSE,
        hidden=(),
        activations=(),
        dropout=(),
        optimizer=Optimizer.ADAM,
        learning_rate=0.05,
    )
    state, hyper = runner.start_model(config)
    _, frame = runner.run_frame(state, device_data(dataset), hyper, 100)
    assert frame.train_loss < 1e-3
    # value = (x1 + x2) / 12: lowest bottom-left, highest top-right of the image.
    grid = frame.outputs[0].astype(int)
    assert grid[-1, 0] < 10
    assert grid[0, -1] > 245


CONFIGS = [
    ModelConfig(),
    ModelConfig(hidden=(), activations=(), dropout=(), features=("x1^2", "x2^2")),
    ModelConfig(
        hidden=(8, 8, 8, 8, 8, 8),
        activations=(Activation.RELU,) * 6,
        dropout=(0.1,) * 6,
        optimizer=Optimizer.ADAM,
        learning_rate=0.01,
        seed=3,
    ),
    ModelConfig(hidden=(5,), activations=(Activation.SIGMOID,), dropout=(0.0,), batch_size=40),
    ModelConfig(
        hidden=(6, 3),
        activations=(Activation.ELU, Activation.SWISH),
        loss=Loss.MSE,
        optimizer=Optimizer.MOMENTUM,
        early_stopping=True,
        patience=2,
    ),
]


def test_models_trained_together_match_models_trained_alone(circle_data: DeviceData) -> None:
    started = [runner.start_model(config) for config in CONFIGS]
    alone = [runner.run_frame(state, circle_data, hyper, 3)[1] for state, hyper in started]
    _, together = runner.run_frames(
        [s for s, _ in started], [circle_data] * len(CONFIGS), [h for _, h in started], 3
    )
    assert len(together) == len(CONFIGS)
    for one, grouped in zip(alone, together, strict=True):
        assert grouped.epoch == one.epoch
        assert grouped.step == one.step
        np.testing.assert_allclose(grouped.params, one.params, rtol=1e-4, atol=1e-5)
        assert grouped.train_loss == pytest.approx(float(one.train_loss), rel=1e-4, abs=1e-6)
        assert np.mean(grouped.outputs != one.outputs) < 0.01


def test_no_setting_compiles_again_after_warm_up() -> None:
    runner.warm_up()
    datasets = {
        name: device_data(make_dataset(name, n_points=120, noise=0.1, n_classes=classes))
        for name, classes in [
            (DatasetName.SPIRAL, 3),
            (DatasetName.BLOBS, 5),
            (DatasetName.OVERLAP, 3),
            (DatasetName.BUMPS, 3),
        ]
    }
    variations = [
        {},
        {"hidden": (), "activations": (), "dropout": ()},
        {"hidden": (16,) * 6, "activations": tuple(Activation)[:6], "dropout": (0.5,) * 6},
        {
            "hidden": (1, 16, 3),
            "activations": (Activation.SELU, Activation.LINEAR, Activation.RELU),
            "dropout": (0.0, 0.2, 0.0),
        },
        {"optimizer": Optimizer.ADAM, "learning_rate": 1e-5, "beta1": 0.5, "beta2": 0.9},
        {"optimizer": Optimizer.RMSPROP, "learning_rate": 10.0, "rho": 0.5, "epsilon": 1e-3},
        {"optimizer": Optimizer.NESTEROV, "momentum": 0.5},
        {"decay": Decay.COSINE, "decay_epochs": 3, "decay_rate": 0.1},
        {"decay": Decay.STEP},
        {"decay": Decay.EXPONENTIAL},
        {"batch_size": 1},
        {"batch_size": 500},
        {"l1": 0.01, "l2": 0.1},
        {"early_stopping": True, "patience": 1},
        {"init": Init.ZEROS},
        {"init": Init.HE_NORMAL},
        {"features": ("x1*x2", "sin_x1", "sin_x2")},
        {"seed": 12345},
        {"loss": Loss.MSE},
        {"loss": Loss.CROSS_ENTROPY_NAIVE},
        {"loss": Loss.PERCEPTRON, "hidden": (), "activations": (), "dropout": ()},
    ]
    problems = [
        (DatasetName.SPIRAL, {}),
        (DatasetName.BLOBS, {"problem": Problem.MULTICLASS, "n_outputs": 5}),
        (DatasetName.OVERLAP, {"problem": Problem.MULTILABEL, "n_outputs": 3, "loss": Loss.MSE}),
        (DatasetName.BUMPS, {"problem": Problem.REGRESSION, "loss": Loss.MSE}),
        (
            DatasetName.BUMPS,
            {
                "problem": Problem.REGRESSION,
                "loss": Loss.MSE,
                "regression_output": RegressionOutput.RELU,
            },
        ),
    ]
    with count_compilations() as counted:
        for variation in variations:
            state, hyper = runner.start_model(ModelConfig(**variation))
            runner.run_frame(state, datasets[DatasetName.SPIRAL], hyper, 1)
        for name, problem in problems:
            state, hyper = runner.start_model(ModelConfig(**problem))
            runner.run_frame(state, datasets[name], hyper, 2)
        for count in range(2, runner.MAX_MODELS + 1):
            models = [runner.start_model(ModelConfig(**v)) for v in variations[:count]]
            runner.run_frames(
                [s for s, _ in models],
                [datasets[DatasetName.SPIRAL]] * count,
                [h for _, h in models],
                1,
            )
    assert counted[0] == 0


def test_the_compilation_counter_sees_a_compilation(circle_data: DeviceData) -> None:
    state, hyper = runner.start_model(ModelConfig())
    runner.run_frame(state, circle_data, hyper, 1)
    # A float16 learning rate is a new argument type: another program, compiled or loaded.
    retyped = hyper._replace(learning_rate=np.asarray(0.03, np.float16))
    with count_compilations() as counted:
        runner.run_frame(state, circle_data, retyped, 1)
    assert counted[0] >= 1


def test_narrow_and_wide_grid_passes_draw_the_same(circle_data: DeviceData) -> None:
    """Networks of at most 8 neurons a layer are drawn by a cut-down copy: same pictures."""

    config = ModelConfig(hidden=(8, 5, 3), activations=tuple(Activation)[:3], dropout=(0,) * 3)
    state, hyper = runner.start_model(config)
    state, _ = runner.run_frame(state, circle_data, hyper, 5)
    shared = shared_settings([hyper], 0)
    assert bool(shared.narrow)
    measure = jax.jit(frames.measure)
    narrow = jax.device_get(measure(state, circle_data, hyper, shared))
    wide = jax.device_get(measure(state, circle_data, hyper, shared._replace(narrow=np.False_)))
    assert np.abs(narrow.outputs.astype(int) - wide.outputs).max() <= 1
    assert np.abs(narrow.neurons.astype(int) - wide.neurons).max() <= 1
    assert narrow.train_loss == pytest.approx(float(wide.train_loss), rel=1e-6)


def test_compiled_programs_are_saved_and_compute_the_same(circle_data: DeviceData) -> None:
    """Frames run through compiled programs saved on disk (train_only, then draw_frame);
    they must equal the jitted functions, and match train_frame, which does both in one
    call (as the vmapped programs do)."""

    state, hyper = runner.start_model(ModelConfig(hidden=(5, 3), dropout=(0.1, 0.0)))
    for epochs in (3, 0):
        _, via_program = runner.run_frame(state, circle_data, hyper, epochs)
        shared = shared_settings([hyper], epochs)
        trained = frames.train_only(state, circle_data, hyper, shared) if epochs else state
        direct = frames.draw_frame(trained, circle_data, hyper, shared)
        _, combined = frames.train_frame(state, circle_data, hyper, shared)
        for saved, jitted, together in zip(via_program, direct, combined, strict=True):
            assert np.array_equal(saved, np.asarray(jitted))
            np.testing.assert_allclose(saved, np.asarray(together), rtol=1e-5, atol=1e-6)
    cache = compilation.cache_dir()
    assert cache is not None
    for name in ("init", "draw", "train"):
        assert any((cache / "programs").glob(f"{name}-*.program")), name
