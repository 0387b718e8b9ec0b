"""The numbers of "Explain a step" are the engine's: a point's gradient against JAX's autodiff
and the numpy reference, the minibatch mean against the step's own gradient, the optimizer's
formula against optax, the weights after the shown step against those of the step training
takes, and the nudged cost against the gradient."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from nn_playground.engine.config import (
    Activation,
    DatasetName,
    Init,
    Loss,
    ModelConfig,
    Optimizer,
    Problem,
    RegressionOutput,
)
from nn_playground.engine.numerics import model, reference
from nn_playground.engine.numerics.data import Dataset, make_dataset
from nn_playground.engine.numerics.explain import StepExplanation
from nn_playground.engine.numerics.export import exact_layers, feature_matrix
from nn_playground.engine.numerics.hyper import Hyper
from nn_playground.engine.numerics.losses import point_losses
from nn_playground.engine.numerics.state import TrainState, device_data
from nn_playground.engine.runtime import runner
from nn_playground.engine.runtime.compilation import count_compilations
from nn_playground.protocol import Explain, Explanation, WeightChoice
from nn_playground.teaching.step_explanation import (
    explanation_of,
    trained_optimizer,
    weight_index,
)
from tests.engine.conftest import reference_network
from tests.engine.test_gradients import PROBLEMS


class Case:
    """A model trained a few epochs and its next step explained."""

    def __init__(
        self,
        config: ModelConfig,
        dataset: Dataset,
        point: int = 3,
        weight: WeightChoice | None = None,
        epsilon: float = 1e-3,
        epochs: int = 2,
        steps_before: int = 0,
    ) -> None:
        self.config, self.dataset = config, dataset
        self.data = device_data(dataset)
        state, self.hyper = runner.start_model(config)
        if epochs:
            state, _ = runner.run_frame(state, self.data, self.hyper, epochs)
        for _ in range(steps_before):
            state, _ = runner.run_frame(state, self.data, self.hyper, 1, steps=1)
        self.state: TrainState = state
        self.request = Explain(
            type="explain", point=point, weight=weight or WeightChoice(), epsilon=epsilon
        )

    def explain(self) -> tuple[StepExplanation, TrainState, Explanation]:
        at = weight_index(self.config, self.request.weight)
        done, after = runner.explain(
            self.state, self.data, self.hyper, self.request.point, at, self.request.epsilon
        )
        train = self.dataset.train
        i = self.request.point
        regression = self.config.problem is Problem.REGRESSION
        label = float(train.targets[i, 0]) if regression else float(train.labels[i])
        message = explanation_of(
            self.config,
            self.request,
            0,
            runner.to_host(self.state),
            done,
            after,
            trained_optimizer(self.hyper),
            ([float(v) for v in train.x[i]], [float(v) for v in train.targets[i]], label),
            len(train.x),
        )
        return done, after, message


def _dataset(name: DatasetName, outputs: int = 1, n_points: int = 60) -> Dataset:
    classes = outputs if name is DatasetName.BLOBS else 3
    return make_dataset(name, n_points=n_points, noise=0.1, seed=4, n_classes=classes)


def _autodiff_point_grad(params: jax.Array, hyper: Hyper, x: np.ndarray, case: Case) -> np.ndarray:
    i = case.request.point
    targets = np.zeros((1, model.WIDTH), np.float32)
    targets[0, : case.config.n_outputs] = case.dataset.train.targets[i]
    labels = np.asarray(case.dataset.train.labels[i : i + 1], np.int32)

    def loss(p: jax.Array) -> jax.Array:
        features = model.input_features(jnp.asarray(x[None]), hyper)
        activation = model.value_only(model.activate)
        logits = model.forward(model.HIDDEN, True, p, features, hyper, activation).logits
        return point_losses(logits, jnp.asarray(targets), jnp.asarray(labels), hyper)[0]

    return np.asarray(jax.grad(loss)(params))


# Every activation (on the first problem) and every problem and loss (with tanh): the point's
# gradient is the training step's code, whose full product test_gradients.py already covers.
POINT_CASES = [(activation, *PROBLEMS[0]) for activation in Activation] + [
    (Activation.TANH, *problem) for problem in PROBLEMS[1:]
]


@pytest.mark.parametrize(
    ("activation", "problem", "loss", "outputs", "output", "dataset"),
    POINT_CASES,
    ids=lambda v: str(v),
)
def test_point_gradient_is_autodiff_and_the_reference(
    activation: Activation,
    problem: Problem,
    loss: Loss,
    outputs: int,
    output: RegressionOutput,
    dataset: DatasetName,
) -> None:
    config = ModelConfig(
        problem=problem,
        n_outputs=outputs,
        loss=loss,
        regression_output=output,
        features=("x1", "x2", "sin_x2"),
        hidden=(4, 3),
        activations=(activation, activation),
        init=Init.GLOROT_NORMAL,
        seed=5,
    )
    case = Case(config, _dataset(dataset, outputs), weight=WeightChoice(layer=1, source=2, unit=0))
    message, got, scale = _assert_point_gradient(case)
    # The shown chain rule multiplies out to the shown gradient, which is the engine's.
    chain = message.chain
    assert chain.gradient == float(got[1, 2, 0])  # layer 2, from unit 3 of layer 1, to unit 1
    assert chain.product == pytest.approx(chain.gradient, rel=1e-4, abs=1e-7 * scale)
    assert len(chain.factors) == 3


def test_perceptron_point_gradient_is_autodiff_and_the_reference() -> None:
    config = ModelConfig(
        loss=Loss.PERCEPTRON, hidden=(), activations=(), dropout=(), init=Init.UNIFORM, seed=2
    )
    weight = WeightChoice(layer=0, source=1, unit=0)
    # A misclassified point: the perceptron criterion's gradient is zero on the others.
    case = Case(config, _dataset(DatasetName.LINEAR), weight=weight, epochs=0)
    wrong = _misclassified_point(case)
    case.request = case.request.model_copy(update={"point": wrong})
    message, got, _ = _assert_point_gradient(case)
    assert float(np.max(np.abs(got))) > 0
    assert message.chain.product == pytest.approx(message.chain.gradient, rel=1e-5)
    assert message.loss_kind == "perceptron"


def _misclassified_point(case: Case) -> int:
    features = feature_matrix(case.dataset.train.x, case.config)
    ((weights, biases),) = exact_layers(np.asarray(case.state.params), case.config)
    predicted = (features @ weights + biases)[:, 0] >= 0
    wrong = np.flatnonzero(predicted != (case.dataset.train.labels == 1))
    assert wrong.size
    return int(wrong[0])


def _assert_point_gradient(case: Case) -> tuple[Explanation, np.ndarray, float]:
    """The explained point's gradient is JAX's autodiff of the same loss and the numpy
    reference's; returns the message, the gradient (padded) and its scale."""
    config, loss = case.config, case.config.loss
    done, _, message = case.explain()
    got = np.asarray(done.point.grad)
    x = case.dataset.train.x[case.request.point]
    params = jnp.asarray(case.state.params)
    expected = _autodiff_point_grad(params, case.hyper, x, case)
    scale = max(1e-3, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5 * scale)

    net = reference_network(np.asarray(case.state.params), config)
    i = case.request.point
    value, grad_w, grad_b = reference.gradients(
        net,
        feature_matrix(x[None], config).astype(np.float64),
        case.dataset.train.targets[i : i + 1].astype(np.float64),
        case.dataset.train.labels[i : i + 1],
        config.loss,
        config.problem,
        config.regression_output,
    )
    # The naive losses lose digits in float32 by design (1 - p near p = 1).
    rtol = 3e-3 if loss is Loss.CROSS_ENTROPY_NAIVE else 1e-4
    assert float(done.point.loss) == pytest.approx(value, rel=rtol, abs=1e-6)
    for (gw, gb), ew, eb in zip(exact_layers(got, config), grad_w, grad_b, strict=True):
        np.testing.assert_allclose(gw, ew, rtol=rtol, atol=2e-5 * scale)
        np.testing.assert_allclose(gb, eb, rtol=rtol, atol=2e-5 * scale)
    return message, got, scale


def test_output_weight_chain_rule_has_the_loss_derivative() -> None:
    config = ModelConfig(hidden=(3,), activations=(Activation.TANH,), dropout=(0.0,), seed=1)
    case = Case(
        config, _dataset(DatasetName.CIRCLE), weight=WeightChoice(layer=1, source=2, unit=0)
    )
    done, _, message = case.explain()
    p, y = message.output.outputs[0], message.output.targets[0]
    (loss_factor, input_factor) = message.chain.factors
    assert loss_factor.value == pytest.approx(p - y, abs=1e-6)  # sigmoid cross-entropy
    assert input_factor.value == pytest.approx(float(done.point.a[0, 2]))
    assert message.chain.product == pytest.approx(message.chain.gradient, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("batch_size", [1, 7, 45])
def test_minibatch_mean_of_point_gradients_is_the_step_gradient(batch_size: int) -> None:
    config = ModelConfig(
        hidden=(5, 4),
        activations=(Activation.RELU, Activation.TANH),
        dropout=(0.3, 0.2),
        batch_size=batch_size,
        seed=3,
    )
    case = Case(config, _dataset(DatasetName.XOR, n_points=120), steps_before=2)
    done, _, message = case.explain()
    used = np.asarray(done.used)
    assert used.sum() == min(batch_size, len(case.dataset.train.x))
    step = np.asarray(done.step_grad)
    scale = float(np.max(np.abs(step)))
    assert scale > 1e-4
    np.testing.assert_allclose(np.asarray(done.mean_grad), step, rtol=1e-4, atol=1e-6 * scale)
    shown = message.batch
    assert len(shown.points) == used.sum()
    assert np.mean([p.gradient for p in shown.points]) == pytest.approx(
        shown.step_gradient, rel=1e-4, abs=1e-6 * scale
    )
    assert shown.number == 2 % shown.of + 1  # two steps taken already (maybe a whole epoch)


def _optax_transform(config: ModelConfig, rate: float) -> optax.GradientTransformation:
    return {
        Optimizer.SGD: lambda: optax.sgd(rate),
        Optimizer.MOMENTUM: lambda: optax.sgd(rate, momentum=config.momentum),
        Optimizer.NESTEROV: lambda: optax.sgd(rate, momentum=config.momentum, nesterov=True),
        Optimizer.RMSPROP: lambda: optax.rmsprop(
            rate, decay=config.rho, eps=config.epsilon, eps_in_sqrt=False
        ),
        Optimizer.ADAM: lambda: optax.adam(
            rate, b1=config.beta1, b2=config.beta2, eps=config.epsilon
        ),
    }[config.optimizer]()


def _optax_state(config: ModelConfig, state: TrainState, params: jax.Array) -> optax.OptState:
    """optax's own state for `config`'s optimizer, holding the engine's moments."""
    fresh = _optax_transform(config, 0.1).init(params)
    engine = state.optimizer
    leaves = {
        Optimizer.SGD: [],
        Optimizer.MOMENTUM: [engine.trace.trace],
        Optimizer.NESTEROV: [engine.trace.trace],
        Optimizer.RMSPROP: [engine.rms.nu],
        Optimizer.ADAM: [engine.adam.count, engine.adam.mu, engine.adam.nu],
    }[config.optimizer]
    assert len(jax.tree.leaves(fresh)) == len(leaves)
    rebuilt: optax.OptState = jax.tree.unflatten(
        jax.tree.structure(fresh), [jnp.asarray(leaf) for leaf in leaves]
    )
    return rebuilt


@pytest.mark.parametrize("optimizer", list(Optimizer))
def test_shown_update_is_optax_update(optimizer: Optimizer) -> None:
    config = ModelConfig(
        hidden=(4,),
        activations=(Activation.TANH,),
        dropout=(0.0,),
        optimizer=optimizer,
        learning_rate=0.05,
        l2=0.01,
        l1=0.001,
        batch_size=8,
        seed=2,
    )
    weight = WeightChoice(layer=0, source=1, unit=2)
    case = Case(config, _dataset(DatasetName.CIRCLE), weight=weight, epochs=3)
    done, _after, message = case.explain()
    params = jnp.asarray(case.state.params)
    gradient = jnp.asarray(done.step_grad) + jnp.asarray(done.penalty_grad)
    transform = _optax_transform(config, message.update.learning_rate)
    updates, _ = transform.update(gradient, _optax_state(config, case.state, params), params)
    step = np.asarray(updates)
    at = (0, 1, 2)  # features x1, x2: source 1 is padded row 1
    expected = float(params[at] + step[at])
    shown = message.update
    assert shown.gradient == pytest.approx(float(gradient[at]))
    assert shown.before - shown.learning_rate * shown.direction == pytest.approx(
        expected, rel=1e-6, abs=1e-7
    )
    assert shown.after == pytest.approx(expected, rel=1e-6, abs=1e-7)
    assert shown.direction == pytest.approx(float(np.asarray(done.direction)[at]), rel=1e-5)
    assert abs(shown.after - shown.before) > 1e-6  # the step moves the weight
    if optimizer is Optimizer.ADAM:
        names = [term.name for term in shown.terms]
        assert names[:3] == ["m before", "v before", "t (this step)"]


def test_applied_step_leaves_exactly_the_shown_weights() -> None:
    config = ModelConfig(hidden=(3, 2), dropout=(0.2, 0.0), optimizer=Optimizer.ADAM, seed=4)
    case = Case(config, _dataset(DatasetName.SPIRAL))
    _, after, message = case.explain()
    stepped, _frame = runner.run_frame(case.state, case.data, case.hyper, 1, steps=1)
    assert np.array_equal(np.asarray(stepped.params), np.asarray(after.params))
    assert int(stepped.step) == int(case.state.step) + 1
    assert int(stepped.batch) == 1
    assert int(stepped.epoch) == int(case.state.epoch)
    exact = exact_layers(np.asarray(stepped.params), config)
    for layer, (weights, biases) in zip(message.layers, exact, strict=True):
        assert layer.after_weights == weights.tolist()
        assert layer.after_biases == biases.tolist()


def test_single_steps_then_the_rest_of_the_epoch_equal_one_whole_epoch() -> None:
    """A step is the one training takes next: steps, then the epoch's remainder, land on the
    weights of the epoch run in one go."""
    config = ModelConfig(
        hidden=(4,),
        activations=(Activation.RELU,),
        dropout=(0.3,),
        batch_size=10,
        optimizer=Optimizer.ADAM,
    )
    case = Case(config, _dataset(DatasetName.MOONS, n_points=100))
    whole, _ = runner.run_frame(case.state, case.data, case.hyper, 1)
    state = case.state
    for _ in range(3):
        state, _ = runner.run_frame(state, case.data, case.hyper, 1, steps=1)
    assert int(state.batch) == 3
    state, _ = runner.run_frame(state, case.data, case.hyper, 1)
    assert int(state.batch) == 0
    assert int(state.epoch) == int(whole.epoch)
    assert np.array_equal(np.asarray(state.params), np.asarray(whole.params))


def test_nudged_cost_agrees_with_the_gradient_to_order_epsilon() -> None:
    config = ModelConfig(
        hidden=(4,),
        activations=(Activation.TANH,),
        dropout=(0.0,),
        l2=0.01,
        batch_size=16,
        seed=6,
    )
    weight = WeightChoice(layer=0, source=0, unit=1)
    errors = []
    for epsilon in (1e-3, 1e-2, 1e-1, 1.0):
        case = Case(config, _dataset(DatasetName.CIRCLE), weight=weight, epsilon=epsilon)
        _, _, message = case.explain()
        nudge = message.nudge
        assert nudge.epsilon == epsilon
        errors.append(abs(nudge.slope - nudge.gradient))
    gradient = abs(message.nudge.gradient)
    assert gradient > 1e-3
    assert errors[0] < 0.01 * gradient + 1e-4  # agreement while epsilon is small
    assert errors == sorted(errors)
    assert errors[-1] > 10 * errors[0]


def test_the_prepared_program_serves_every_explanation() -> None:
    """A server prepares the explanation's program once its frame programs are ready (cli):
    a learner's first explanation then compiles nothing, whatever the network."""
    runner.prepare_explain()
    config = ModelConfig(hidden=(5, 2, 3), activations=(Activation.ELU,) * 3, dropout=(0.1,) * 3)
    case = Case(config, _dataset(DatasetName.SPIRAL), weight=WeightChoice(layer=2, source=1))
    with count_compilations() as counted:
        case.explain()
    assert counted == [0]
