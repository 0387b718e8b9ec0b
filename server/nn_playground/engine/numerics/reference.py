"""Hand-written NumPy forward and back-propagation (the delta rule) for dense networks: the
independent reference the JAX engine is checked against and the speed benchmark's baseline.
Imports only numpy, the engine config, engine.reference_losses and the standard library (no jax)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nn_playground.engine.config import Activation, Loss, Problem, RegressionOutput
from nn_playground.engine.numerics.reference_losses import (
    FloatArray,
    IntArray,
    loss_and_logit_delta,
    ones,
    relu,
    sigmoid,
    step,
)

LEAKY_SLOPE = 0.01
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


@dataclass
class DenseNetwork:
    """Weights (fan_in, fan_out) and biases (fan_out,) per layer; the last layer is the output.

    `activations` holds one entry per hidden layer; the output activation is implied by the
    loss and the problem, so it lives in `loss_and_logit_delta`, not here.
    """

    weights: list[FloatArray]
    biases: list[FloatArray]
    activations: list[Activation]

    def __post_init__(self) -> None:
        if not self.weights or len(self.biases) != len(self.weights):
            raise ValueError("need one bias vector per weight matrix, and at least one layer")
        if len(self.activations) != len(self.weights) - 1:
            raise ValueError("need one activation per hidden layer (len(weights) - 1)")
        fan_in = self.weights[0].shape[0]
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if w.ndim != 2 or w.shape[0] != fan_in or b.shape != (w.shape[1],):
                raise ValueError(f"layer {layer}: shapes {w.shape} and {b.shape} do not chain")
            fan_in = w.shape[1]


# --- activations -----------------------------------------------------------------------------


def _sigmoid_prime(z: FloatArray) -> FloatArray:
    s = sigmoid(z)
    return s * (1.0 - s)


def _tanh_prime(z: FloatArray) -> FloatArray:
    t = np.tanh(z)
    return 1.0 - t * t


def _leaky_relu(z: FloatArray) -> FloatArray:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_prime(z: FloatArray) -> FloatArray:
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)


def _exp_negative(z: FloatArray) -> FloatArray:
    # Clamped so the unused branch of np.where cannot overflow for large positive z.
    return np.exp(np.minimum(z, 0.0))


def _elu(z: FloatArray) -> FloatArray:
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


def _elu_prime(z: FloatArray) -> FloatArray:
    return np.where(z > 0, 1.0, _exp_negative(z))


def _selu(z: FloatArray) -> FloatArray:
    return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _selu_prime(z: FloatArray) -> FloatArray:
    return SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * _exp_negative(z))


def _swish(z: FloatArray) -> FloatArray:
    return z * sigmoid(z)


def _swish_prime(z: FloatArray) -> FloatArray:
    s = sigmoid(z)
    return s + z * s * (1.0 - s)


def _identity(z: FloatArray) -> FloatArray:
    return z


_ACTIVATIONS: dict[Activation, tuple[Callable[[FloatArray], FloatArray], ...]] = {
    Activation.SIGMOID: (sigmoid, _sigmoid_prime),
    Activation.TANH: (np.tanh, _tanh_prime),
    Activation.RELU: (relu, step),
    Activation.LEAKY_RELU: (_leaky_relu, _leaky_relu_prime),
    Activation.ELU: (_elu, _elu_prime),
    Activation.SELU: (_selu, _selu_prime),
    Activation.SWISH: (_swish, _swish_prime),
    Activation.LINEAR: (_identity, ones),
}


def activate(z: FloatArray, activation: Activation) -> FloatArray:
    """g(z), elementwise."""
    return _ACTIVATIONS[activation][0](z)


def activation_derivative(z: FloatArray, activation: Activation) -> FloatArray:
    """g'(z), evaluated at the pre-activation z (kinks at 0 take the left-hand slope)."""
    return _ACTIVATIONS[activation][1](z)


# --- forward pass ----------------------------------------------------------------------------


def forward(net: DenseNetwork, x: FloatArray) -> tuple[list[FloatArray], list[FloatArray]]:
    """Pre-activations z_l and the activations that feed each layer.

    zs[l] = a_l @ W_l + b_l for every layer; acts = [x, a_1, ..., a_{L-1}] has the same length
    (acts[l] is layer l's input), so zs[-1] are the logits and no output activation is applied.
    """
    zs: list[FloatArray] = []
    acts: list[FloatArray] = [x]
    for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = acts[-1] @ w + b
        zs.append(z)
        if layer < len(net.activations):
            acts.append(activate(z, net.activations[layer]))
    return zs, acts


# --- back-propagation ------------------------------------------------------------------------


def gradients(
    net: DenseNetwork,
    x: FloatArray,
    targets: FloatArray,
    labels: IntArray,
    loss: Loss,
    problem: Problem,
    regression_output: RegressionOutput,
    l1: float = 0.0,
    l2: float = 0.0,
) -> tuple[float, list[FloatArray], list[FloatArray]]:
    """Regularised loss and dL/dW, dL/db per layer by the delta rule.

    The penalty l1 * sum|W| + l2 * sum W^2 covers weights only, never biases.
    """
    zs, acts = forward(net, x)
    value, delta = loss_and_logit_delta(zs[-1], targets, labels, loss, problem, regression_output)
    grad_w: list[FloatArray] = []
    grad_b: list[FloatArray] = []
    for layer in reversed(range(len(net.weights))):
        w = net.weights[layer]
        grad_w.append(acts[layer].T @ delta)
        grad_b.append(delta.sum(axis=0))
        if layer > 0:
            delta = (delta @ w.T) * activation_derivative(zs[layer - 1], net.activations[layer - 1])
    grad_w.reverse()
    grad_b.reverse()
    if l1 or l2:
        value += add_penalty(net.weights, grad_w, l1, l2)
    return value, grad_w, grad_b


def add_penalty(weights: list[FloatArray], grad_w: list[FloatArray], l1: float, l2: float) -> float:
    """Add the penalty's gradient to grad_w in place and return the penalty itself."""
    penalty = 0.0
    for w, g in zip(weights, grad_w, strict=True):
        penalty += l1 * float(np.abs(w).sum()) + l2 * float((w * w).sum())
        # sign(0) = 0 is the usual subgradient choice for |w| at 0.
        g += l1 * np.sign(w) + 2.0 * l2 * w
    return penalty


# --- training --------------------------------------------------------------------------------


def sgd_epoch(
    net: DenseNetwork,
    x: FloatArray,
    targets: FloatArray,
    labels: IntArray,
    loss: Loss,
    problem: Problem,
    regression_output: RegressionOutput,
    learning_rate: float,
    batch_size: int,
    rng: np.random.Generator,
    l1: float = 0.0,
    l2: float = 0.0,
) -> float:
    """One epoch of minibatch SGD, updating `net` in place; returns the mean minibatch loss.

    The data are shuffled with rng.permutation and cut into batches of `batch_size` (the last
    one may be smaller); every batch counts equally in the returned mean.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    order = rng.permutation(len(x))
    losses: list[float] = []
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        value, grad_w, grad_b = gradients(
            net, x[batch], targets[batch], labels[batch], loss, problem, regression_output, l1, l2
        )
        for w, b, dw, db in zip(net.weights, net.biases, grad_w, grad_b, strict=True):
            w -= learning_rate * dw
            b -= learning_rate * db
        losses.append(value)
    return float(np.mean(losses))


def init_network(
    sizes: Sequence[int], activations: Sequence[Activation], rng: np.random.Generator
) -> DenseNetwork:
    """Glorot-uniform float32 weights and zero biases; sizes = [inputs, *hidden, outputs]."""
    if len(sizes) < 2 or len(activations) != len(sizes) - 2:
        raise ValueError("need sizes [inputs, *hidden, outputs] and one activation per hidden")
    weights: list[FloatArray] = []
    biases: list[FloatArray] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32))
        biases.append(np.zeros(fan_out, dtype=np.float32))
    return DenseNetwork(weights, biases, list(activations))
