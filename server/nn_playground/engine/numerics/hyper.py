"""A ModelConfig turned into runtime arrays of fixed shape and dtype (the `Hyper` pytree).

Every slider reaches the compiled code as data, never as a Python constant, so moving one
never compiles. Every value is made with an explicit dtype: a bare Python float would be
weakly typed and silently recompile."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple, cast

import jax
import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.config import (
    Activation,
    Decay,
    Init,
    Loss,
    ModelConfig,
    Optimizer,
    Problem,
    RegressionOutput,
)

ACTIVATION_IDS = {activation: i for i, activation in enumerate(Activation)}
OPTIMIZER_IDS = {optimizer: i for i, optimizer in enumerate(Optimizer)}
DECAY_IDS = {decay: i for i, decay in enumerate(Decay)}
INIT_IDS = {init: i for i, init in enumerate(Init)}
PROBLEM_IDS = {problem: i for i, problem in enumerate(Problem)}


class LossKind(IntEnum):
    """The criterion the compiled step computes: a (problem, loss, output) combination."""

    SIGMOID_CE = 0
    SIGMOID_CE_NAIVE = 1
    SIGMOID_MSE = 2
    SOFTMAX_CE = 3
    SOFTMAX_CE_NAIVE = 4
    SOFTMAX_MSE = 5
    LINEAR_MSE = 6
    RELU_MSE = 7
    PERCEPTRON = 8


class Head(IntEnum):
    """The output activation a loss kind implies (what predictions and grids show)."""

    SIGMOID = 0
    SOFTMAX = 1
    LINEAR = 2
    RELU = 3
    STEP = 4


HEAD_OF_LOSS = {
    LossKind.SIGMOID_CE: Head.SIGMOID,
    LossKind.SIGMOID_CE_NAIVE: Head.SIGMOID,
    LossKind.SIGMOID_MSE: Head.SIGMOID,
    LossKind.SOFTMAX_CE: Head.SOFTMAX,
    LossKind.SOFTMAX_CE_NAIVE: Head.SOFTMAX,
    LossKind.SOFTMAX_MSE: Head.SOFTMAX,
    LossKind.LINEAR_MSE: Head.LINEAR,
    LossKind.RELU_MSE: Head.RELU,
    LossKind.PERCEPTRON: Head.STEP,
}


class Hyper(NamedTuple):
    """Runtime hyperparameters of one model. Shapes are fixed by `limits`."""

    feature_mask: jax.Array  # (MAX_NEURONS,) float32; 1 for each selected input feature
    neuron_mask: jax.Array  # (MAX_HIDDEN_LAYERS, MAX_NEURONS) float32
    output_mask: jax.Array  # (MAX_NEURONS,) float32; 1 for the first n_outputs
    depth: jax.Array  # () int32; number of hidden layers
    activation: jax.Array  # (MAX_HIDDEN_LAYERS,) int32 Activation ids
    loss: jax.Array  # () int32 LossKind
    head: jax.Array  # () int32 Head
    problem: jax.Array  # () int32 Problem id
    init: jax.Array  # () int32 Init id
    optimizer: jax.Array  # () int32 Optimizer id
    learning_rate: jax.Array  # () float32
    momentum: jax.Array  # () float32
    beta1: jax.Array  # () float32
    beta2: jax.Array  # () float32
    rho: jax.Array  # () float32
    epsilon: jax.Array  # () float32
    decay: jax.Array  # () int32 Decay id
    decay_rate: jax.Array  # () float32
    decay_epochs: jax.Array  # () float32
    batch_size: jax.Array  # () int32
    l1: jax.Array  # () float32
    l2: jax.Array  # () float32
    dropout: jax.Array  # (MAX_HIDDEN_LAYERS,) float32
    early_stopping: jax.Array  # () bool
    patience: jax.Array  # () int32


def loss_kind(config: ModelConfig) -> LossKind:
    if config.loss is Loss.PERCEPTRON:
        return LossKind.PERCEPTRON
    if config.problem is Problem.REGRESSION:
        relu = config.regression_output is RegressionOutput.RELU
        return LossKind.RELU_MSE if relu else LossKind.LINEAR_MSE
    softmax = config.problem is Problem.MULTICLASS
    return {
        Loss.CROSS_ENTROPY: (LossKind.SIGMOID_CE, LossKind.SOFTMAX_CE),
        Loss.CROSS_ENTROPY_NAIVE: (LossKind.SIGMOID_CE_NAIVE, LossKind.SOFTMAX_CE_NAIVE),
        Loss.MSE: (LossKind.SIGMOID_MSE, LossKind.SOFTMAX_MSE),
    }[config.loss][int(softmax)]


# make_hyper builds numpy arrays of fixed dtypes (typed explicitly, they never recompile);
# runner.start_model and Experiment place them on the device once per change,
# since a host argument is copied on every call. Inside jit they are traced jax arrays.
def _host(value: np.ndarray) -> jax.Array:
    return cast(jax.Array, value)


def _f32(value: float) -> jax.Array:
    return _host(np.asarray(value, dtype=np.float32))


def _i32(value: int) -> jax.Array:
    return _host(np.asarray(value, dtype=np.int32))


def _padded(values: tuple[float, ...], dtype: type[np.generic]) -> jax.Array:
    out = np.zeros(limits.MAX_HIDDEN_LAYERS, dtype=dtype)
    out[: len(values)] = values
    return _host(out)


def make_hyper(config: ModelConfig) -> Hyper:
    feature_mask = np.zeros(limits.MAX_NEURONS, np.float32)
    for name in config.features:
        feature_mask[limits.FEATURE_NAMES.index(name)] = 1.0
    neuron_mask = np.zeros((limits.MAX_HIDDEN_LAYERS, limits.MAX_NEURONS), np.float32)
    for layer, width in enumerate(config.hidden):
        neuron_mask[layer, :width] = 1.0
    output_mask = np.zeros(limits.MAX_NEURONS, np.float32)
    output_mask[: config.n_outputs] = 1.0
    kind = loss_kind(config)
    # The perceptron rule is plain gradient descent on the perceptron criterion.
    optimizer = Optimizer.SGD if kind is LossKind.PERCEPTRON else config.optimizer
    activation_ids = tuple(ACTIVATION_IDS[a] for a in config.activations)
    return Hyper(
        feature_mask=_host(feature_mask),
        neuron_mask=_host(neuron_mask),
        output_mask=_host(output_mask),
        depth=_i32(len(config.hidden)),
        activation=_padded(activation_ids, np.int32),
        loss=_i32(kind),
        head=_i32(HEAD_OF_LOSS[kind]),
        problem=_i32(PROBLEM_IDS[config.problem]),
        init=_i32(INIT_IDS[config.init]),
        optimizer=_i32(OPTIMIZER_IDS[optimizer]),
        learning_rate=_f32(config.learning_rate),
        momentum=_f32(config.momentum),
        beta1=_f32(config.beta1),
        beta2=_f32(config.beta2),
        rho=_f32(config.rho),
        epsilon=_f32(config.epsilon),
        decay=_i32(DECAY_IDS[config.decay]),
        decay_rate=_f32(config.decay_rate),
        decay_epochs=_f32(config.decay_epochs),
        batch_size=_i32(config.batch_size),
        l1=_f32(config.l1),
        l2=_f32(config.l2),
        dropout=_padded(config.dropout, np.float32),
        early_stopping=_host(np.asarray(config.early_stopping, dtype=np.bool_)),
        patience=_i32(config.patience),
    )
