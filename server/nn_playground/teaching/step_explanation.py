"""An `explain` request answered: the engine's numbers of the next training step
(engine/numerics/explain.py, and runner.next_step for the weights after it) cut to the
network's exact size and written as the page shows them: each layer's units, the chosen
weight's chain rule, the minibatch, the optimizer's formula with its state, and the nudge.

The optimizer's formula is written out here by hand, step by step, from the state before the
step; tests check that it lands on optax's update, which is what training applies."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.config import ModelConfig, Optimizer, Problem
from nn_playground.engine.numerics import model
from nn_playground.engine.numerics.explain import StepExplanation
from nn_playground.engine.numerics.export import feature_columns
from nn_playground.engine.numerics.hyper import HEAD_OF_LOSS, OPTIMIZER_IDS, Hyper, loss_kind
from nn_playground.engine.numerics.optim import OptimizerState
from nn_playground.engine.numerics.state import TrainState
from nn_playground.engine.runtime import runner
from nn_playground.protocol import (
    BatchNumbers,
    BatchPoint,
    ChainRule,
    Explain,
    Explanation,
    Factor,
    LayerNumbers,
    Nudge,
    OutputNumbers,
    Term,
    UnitNumbers,
    UpdateNumbers,
    WeightChoice,
)
from nn_playground.sessions.training_setup import SetupError

F32 = np.float32
_OPTIMIZER_OF_ID = {number: optimizer for optimizer, number in OPTIMIZER_IDS.items()}

if TYPE_CHECKING:  # the experiment asks for these answers (experiment.request)
    from nn_playground.sessions.experiment import Experiment


def unit_name(layer: int, unit: int) -> str:
    """Unit `unit` of hidden layer `layer` (both from 0) as the explanation names it: h1.3."""
    return f"h{layer + 1}.{unit + 1}"


class _Layout:
    """Where the exact network's layers, inputs and units lie in the padded parameters."""

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self.depth = len(config.hidden)
        features = feature_columns(config)
        self.rows: list[list[int]] = []  # per layer: the padded rows of its inputs
        self.inputs: list[list[str]] = []
        for layer in range(self.depth + 1):
            if layer == 0:
                self.rows.append(features)
                self.inputs.append([limits.FEATURE_NAMES[i] for i in features])
            else:
                width = config.hidden[layer - 1]
                self.rows.append(list(range(width)))
                self.inputs.append([unit_name(layer - 1, j) for j in range(width)])

    def slot(self, layer: int) -> int:
        return model.OUTPUT if layer == self.depth else layer

    def units(self, layer: int) -> int:
        return self.config.n_outputs if layer == self.depth else self.config.hidden[layer]

    def name(self, layer: int) -> str:
        return "output" if layer == self.depth else f"layer {layer + 1}"

    def index(self, choice: WeightChoice) -> tuple[int, int, int]:
        """The padded (slot, row, column) of a chosen weight; SetupError if the network has none."""
        if choice.layer > self.depth:
            expected = f"0 to {self.depth} (the last is the output layer)"
            raise SetupError("weight.layer", expected, choice.layer)
        fan_in, units = len(self.rows[choice.layer]), self.units(choice.layer)
        if choice.source >= fan_in:
            raise SetupError("weight.source", f"-1 (the bias) to {fan_in - 1}", choice.source)
        if choice.unit >= units:
            expected = "0 (the one unit)" if units == 1 else f"0 to {units - 1}"
            raise SetupError("weight.unit", expected, choice.unit)
        row = model.WIDTH if choice.source < 0 else self.rows[choice.layer][choice.source]
        return self.slot(choice.layer), row, choice.unit

    def weight_name(self, choice: WeightChoice) -> str:
        layer = self.name(choice.layer)
        unit = choice.unit + 1
        if choice.source < 0:
            return f"bias of unit {unit} of the {layer}"
        return f"weight {self.inputs[choice.layer][choice.source]} -> unit {unit} of the {layer}"

    def cut(self, padded: np.ndarray, layer: int) -> tuple[list[list[float]], list[float]]:
        """A layer's (weights, biases) from padded PARAM_SHAPE values, as JSON lists."""
        units = self.units(layer)
        values = padded[self.slot(layer)]
        weights = values[self.rows[layer]][:, :units]
        return weights.tolist(), values[model.WIDTH, :units].tolist()


def _optimizer_terms(
    optimizer: Optimizer,
    state: OptimizerState,
    at: tuple[int, int, int],
    g: F32,
    config: ModelConfig,
) -> tuple[list[Term], F32]:
    """The chosen optimizer's formula for one weight, from its state before the step, in
    float32 as training computes it: its steps as named terms, and the direction."""
    beta, rho, eps = F32(config.momentum), F32(config.rho), F32(config.epsilon)
    one = F32(1.0)
    if optimizer is Optimizer.SGD:
        return [], g
    if optimizer in (Optimizer.MOMENTUM, Optimizer.NESTEROV):
        velocity = F32(np.asarray(state.trace.trace)[at])
        after = g + beta * velocity
        terms = [
            Term(name="velocity before", value=float(velocity)),
            Term(name="velocity = g + momentum * velocity", value=float(after)),
        ]
        if optimizer is Optimizer.MOMENTUM:
            return terms, after
        direction = g + beta * after
        return [
            *terms,
            Term(name="direction = g + momentum * velocity", value=float(direction)),
        ], direction
    if optimizer is Optimizer.RMSPROP:
        square = F32(np.asarray(state.rms.nu)[at])
        after = rho * square + (one - rho) * g * g
        terms = [
            Term(name="running square before", value=float(square)),
            Term(name="running square = rho * s + (1 - rho) * g^2", value=float(after)),
            Term(name="sqrt(s) + epsilon", value=float(np.sqrt(after) + eps)),
        ]
        return terms, g / (np.sqrt(after) + eps)
    b1, b2 = F32(config.beta1), F32(config.beta2)
    m, v = F32(np.asarray(state.adam.mu)[at]), F32(np.asarray(state.adam.nu)[at])
    t = int(np.asarray(state.adam.count)) + 1
    m1 = b1 * m + (one - b1) * g
    v1 = b2 * v + (one - b2) * g * g
    m_hat = m1 / (one - b1 ** F32(t))
    v_hat = v1 / (one - b2 ** F32(t))
    terms = [
        Term(name="m before", value=float(m)),
        Term(name="v before", value=float(v)),
        Term(name="t (this step)", value=float(t)),
        Term(name="m = beta1 * m + (1 - beta1) * g", value=float(m1)),
        Term(name="v = beta2 * v + (1 - beta2) * g^2", value=float(v1)),
        Term(name="m_hat = m / (1 - beta1^t)", value=float(m_hat)),
        Term(name="v_hat = v / (1 - beta2^t)", value=float(v_hat)),
    ]
    return terms, m_hat / (np.sqrt(v_hat) + eps)


def _loss_derivative_name(kind_name: str) -> str:
    if kind_name in ("sigmoid_ce", "softmax_ce"):
        return "dL/dz = y_hat - y"
    if kind_name == "perceptron":
        return "dL/dz = y_hat - y (the perceptron rule)"
    return "dL/dz"


def explanation_of(
    config: ModelConfig,
    request: Explain,
    model_index: int,
    before: TrainState,
    done: StepExplanation,
    after: TrainState,
    optimizer: Optimizer,
    point_data: tuple[list[float], list[float], float],
    n_train: int,
) -> Explanation:
    """The wire message of an explanation computed on the host copies of the engine's arrays."""
    layout = _Layout(config)
    at = layout.index(request.weight)
    kind = loss_kind(config)
    point = done.point
    params = np.asarray(before.params)
    after_params = np.asarray(after.params)
    step_grads = np.asarray(done.step_grad) + np.asarray(done.penalty_grad)
    point_grad = np.asarray(point.grad)
    layers = []
    for layer in range(layout.depth + 1):
        slot, units = layout.slot(layer), layout.units(layer)
        output = layer == layout.depth
        next_layer = layer + 1
        unit_numbers = []
        for j in range(units):
            delta = float(point_grad[slot, model.WIDTH, j])
            if output:
                unit_numbers.append(
                    UnitNumbers(
                        z=float(point.z[model.OUTPUT, j]),
                        a=float(point.output[j]),
                        slope=None,
                        keep=1.0,
                        upstream=None,
                        delta=delta,
                    )
                )
                continue
            # What unit j sends on: the deltas of the layer reading it, through its weights.
            reader = layout.slot(next_layer)
            reader_units = layout.units(next_layer)
            upstream = np.sum(
                point_grad[reader, model.WIDTH, :reader_units] * params[reader, j, :reader_units],
                dtype=F32,
            )
            unit_numbers.append(
                UnitNumbers(
                    z=float(point.z[slot, j]),
                    a=float(point.a[slot, j]),
                    slope=float(point.slope[slot, j]),
                    keep=float(point.keep[slot, j]),
                    upstream=float(upstream),
                    delta=delta,
                )
            )
        weights, biases = layout.cut(params, layer)
        point_weights, point_biases = layout.cut(point_grad, layer)
        step_weights, step_biases = layout.cut(step_grads, layer)
        after_weights, after_biases = layout.cut(after_params, layer)
        layers.append(
            LayerNumbers(
                name=layout.name(layer),
                activation=(
                    HEAD_OF_LOSS[kind].name.lower() if output else config.activations[layer].value
                ),
                inputs=layout.inputs[layer],
                units=unit_numbers,
                weights=weights,
                biases=biases,
                point_gradients=point_weights,
                point_bias_gradients=point_biases,
                step_gradients=step_weights,
                step_bias_gradients=step_biases,
                after_weights=after_weights,
                after_biases=after_biases,
            )
        )

    choice = request.weight
    chosen_layer = layers[choice.layer]
    chosen_unit = chosen_layer.units[choice.unit]
    if choice.source < 0:
        source_value, source_name = F32(1.0), "dz/db = 1"
    else:
        source_value = F32(_input_value(point, layout, choice.layer, choice.source))
        source_name = f"dz/dw = a({layout.inputs[choice.layer][choice.source]})"
    if choice.layer == layout.depth:
        factors = [
            Factor(name=_loss_derivative_name(kind.name.lower()), value=chosen_unit.delta),
            Factor(name=source_name, value=float(source_value)),
        ]
    else:
        activation = config.activations[choice.layer].value
        factors = [
            Factor(name="dL/da", value=float(chosen_unit.upstream or 0.0)),
            Factor(name=f"da/dz = {activation}'(z)", value=float(chosen_unit.slope or 0.0)),
            Factor(name=source_name, value=float(source_value)),
        ]
    product = F32(1.0)
    for factor in factors:
        product = product * F32(factor.value)

    used = np.asarray(done.used)
    rows = np.asarray(done.rows)[used]
    batch_losses = np.asarray(done.point_losses)[used]
    batch_grads = np.asarray(done.point_weight_grads)[used]
    step_gradient = F32(np.asarray(done.step_grad)[at])
    penalty = F32(np.asarray(done.penalty_grad)[at])
    gradient = step_gradient + penalty
    batch_size = min(max(config.batch_size, 1), n_train)

    x, targets, label = point_data
    terms, direction = _optimizer_terms(optimizer, before.optimizer, at, F32(gradient), config)
    cost, nudged = float(done.cost), float(done.nudged_cost)
    return Explanation(
        model=model_index,
        epoch=int(before.epoch),
        step=int(before.step),
        point=request.point,
        x=x,
        in_batch=bool(done.in_batch),
        loss_kind=kind.name.lower(),
        output_activation=HEAD_OF_LOSS[kind].name.lower(),
        layers=layers,
        output=OutputNumbers(
            logits=[float(v) for v in point.z[model.OUTPUT, : config.n_outputs]],
            outputs=[float(v) for v in point.output[: config.n_outputs]],
            targets=targets,
            label=label,
            loss=float(point.loss),
        ),
        weight=choice,
        weight_name=layout.weight_name(choice),
        chain=ChainRule(factors=factors, product=float(product), gradient=float(point_grad[at])),
        batch=BatchNumbers(
            number=int(before.batch) + 1,
            of=math.ceil(n_train / batch_size),
            points=[
                BatchPoint(index=int(r), loss=float(loss), gradient=float(g))
                for r, loss, g in zip(rows, batch_losses, batch_grads, strict=True)
            ],
            mean=float(np.asarray(done.mean_grad)[at]),
            step_gradient=float(step_gradient),
            penalty=float(penalty),
            gradient=float(gradient),
        ),
        update=UpdateNumbers(
            optimizer=optimizer.value,
            learning_rate=float(done.learning_rate),
            gradient=float(gradient),
            terms=terms,
            direction=float(direction),
            before=float(params[at]),
            after=float(after_params[at]),
        ),
        nudge=Nudge(
            epsilon=request.epsilon,
            cost=cost,
            nudged_cost=nudged,
            slope=(nudged - cost) / request.epsilon,
            gradient=float(gradient),
        ),
        diverges=bool(after.diverged),
    )


def _input_value(point: Any, layout: _Layout, layer: int, source: int) -> float:
    """What the chosen weight multiplies: a feature of the point, or a unit's output."""
    if layer == 0:
        return float(point.features[layout.rows[0][source]])
    return float(point.a[layer - 1, source])


def weight_index(config: ModelConfig, choice: WeightChoice) -> tuple[int, int, int]:
    """The padded (slot, row, column) of a chosen weight; SetupError if the network has none."""
    return _Layout(config).index(choice)


def trained_optimizer(hyper: Hyper) -> Optimizer:
    """The optimizer training runs: the perceptron rule runs plain SGD whatever the setting."""
    return _OPTIMIZER_OF_ID[int(np.asarray(hyper.optimizer))]


def explain_request(experiment: Experiment, request: Explain) -> Callable[[], Explanation]:
    """The work of answering `request` (to run on a worker), from what the experiment holds
    now. Raises SetupError for a model, point or weight it does not have."""
    count = len(experiment.models)
    if request.model >= count:
        expected = "0 (one model)" if count == 1 else f"0 to {count - 1} (models compared)"
        raise SetupError("model", expected, request.model)
    chosen = experiment.models[request.model]
    if chosen.progress.diverged:
        raise SetupError("model", "a model that has not diverged (reset it first)", "diverged")
    train = experiment.dataset.train
    if request.point >= len(train.x):
        raise SetupError("point", f"a train point, 0 to {len(train.x) - 1}", request.point)
    config, state, hyper, data = chosen.config, chosen.state, chosen.hyper, experiment.data
    at = weight_index(config, request.weight)
    i = request.point
    regression = config.problem is Problem.REGRESSION
    label = float(train.targets[i, 0]) if regression else float(train.labels[i])
    point_data = ([float(v) for v in train.x[i]], [float(v) for v in train.targets[i]], label)
    optimizer = trained_optimizer(hyper)

    def compute() -> Explanation:
        done, after = runner.explain(state, data, hyper, request.point, at, request.epsilon)
        before = runner.to_host(state)
        return explanation_of(
            config, request, request.model, before, done, after, optimizer, point_data, len(train.x)
        )

    return compute
