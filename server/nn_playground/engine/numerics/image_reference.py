"""Hand-written NumPy forward and back-propagation for the digits networks: a first layer
(dense, conv or locally connected, engine.numerics.image_first_layer) on the 8 x 8 image,
dense hidden layers, then the logits. The independent reference the JAX image model is
checked against; the activations, the losses and the penalty are engine.reference's own, so
the 2-D and the image references cannot drift apart. Imports no jax."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nn_playground.engine.config import Activation, Loss, Problem, RegressionOutput
from nn_playground.engine.numerics.image_first_layer import (
    FirstLayer,
    first_layer_forward,
    first_layer_gradients,
)
from nn_playground.engine.numerics.reference import (
    activate,
    activation_derivative,
    add_penalty,
)
from nn_playground.engine.numerics.reference_losses import (
    FloatArray,
    IntArray,
    loss_and_logit_delta,
)


@dataclass
class ImageNetwork:
    """weights[0], biases[0] belong to `first` (shapes from FirstLayer); the rest are dense
    (fan_in, fan_out) and (fan_out,), the last of them the output layer.

    `activations` holds one entry per hidden layer, the first layer's first; as in
    engine.reference the output activation is implied by the loss and the problem.
    """

    first: FirstLayer
    weights: list[FloatArray]
    biases: list[FloatArray]
    activations: list[Activation]

    def __post_init__(self) -> None:
        if len(self.weights) < 2 or len(self.biases) != len(self.weights):
            raise ValueError("need the first layer and an output layer, each with its biases")
        if len(self.activations) != len(self.weights) - 1:
            raise ValueError("need one activation per hidden layer (len(weights) - 1)")
        if (self.weights[0].shape, self.biases[0].shape) != (
            self.first.weight_shape,
            self.first.bias_shape,
        ):
            raise ValueError(
                f"first layer: expected {self.first.weight_shape} and {self.first.bias_shape}, "
                f"got {self.weights[0].shape} and {self.biases[0].shape}"
            )
        fan_in = self.first.outputs
        later = zip(self.weights[1:], self.biases[1:], strict=True)
        for layer, (w, b) in enumerate(later, start=1):
            if w.ndim != 2 or w.shape[0] != fan_in or b.shape != (w.shape[1],):
                raise ValueError(f"layer {layer}: shapes {w.shape} and {b.shape} do not chain")
            fan_in = w.shape[1]

    @property
    def outputs(self) -> int:
        return int(self.weights[-1].shape[1])


def targets_of(labels: IntArray, problem: Problem, outputs: int) -> FloatArray:
    """What the losses compare the logits with: the label itself for one sigmoid output
    (binary, e.g. 0 vs 1) and one-hot rows for softmax over the classes (multiclass)."""
    if problem is Problem.BINARY:
        return labels[:, None].astype(np.float64)
    if problem is Problem.MULTICLASS:
        one_hot: FloatArray = np.eye(outputs)[labels]
        return one_hot
    raise ValueError(f"digits are classified (binary or multiclass), not {problem}")


def forward(net: ImageNetwork, x: FloatArray) -> tuple[list[FloatArray], list[FloatArray]]:
    """Pre-activations z_l and the activations that feed each layer, for images x (n, 64).

    As engine.reference.forward: acts[l] is layer l's input (acts[0] = x) and zs[-1] are the
    logits, with no output activation applied.
    """
    zs = [first_layer_forward(net.first, net.weights[0], net.biases[0], x)]
    acts = [x]
    for layer in range(1, len(net.weights)):
        acts.append(activate(zs[-1], net.activations[layer - 1]))
        zs.append(acts[-1] @ net.weights[layer] + net.biases[layer])
    return zs, acts


def gradients(
    net: ImageNetwork,
    x: FloatArray,
    labels: IntArray,
    loss: Loss,
    problem: Problem,
    l1: float = 0.0,
    l2: float = 0.0,
) -> tuple[float, list[FloatArray], list[FloatArray]]:
    """Regularised mean loss and dL/dW, dL/db per layer by the delta rule.

    The penalty l1 * sum|W| + l2 * sum W^2 covers every weight (the first layer's kernels
    too), never the biases, as engine.reference.gradients.
    """
    zs, acts = forward(net, x)
    targets = targets_of(labels, problem, net.outputs)
    # RegressionOutput only matters to regression, which digits never are.
    value, delta = loss_and_logit_delta(
        zs[-1], targets, labels, loss, problem, RegressionOutput.LINEAR
    )
    grad_w: list[FloatArray] = []
    grad_b: list[FloatArray] = []
    for layer in reversed(range(1, len(net.weights))):
        grad_w.append(acts[layer].T @ delta)
        grad_b.append(delta.sum(axis=0))
        g_prime = activation_derivative(zs[layer - 1], net.activations[layer - 1])
        delta = (delta @ net.weights[layer].T) * g_prime
    first_w, first_b = first_layer_gradients(net.first, x, delta)
    grad_w.append(first_w)
    grad_b.append(first_b)
    grad_w.reverse()
    grad_b.reverse()
    if l1 or l2:
        value += add_penalty(net.weights, grad_w, l1, l2)
    return value, grad_w, grad_b


def init_image_network(
    first: FirstLayer,
    hidden: Sequence[int],
    outputs: int,
    activations: Sequence[Activation],
    rng: np.random.Generator,
) -> ImageNetwork:
    """Glorot-uniform float32 weights and zero biases, as engine.reference.init_network;
    `hidden` are the dense layers after the first, `activations` one per hidden layer (the
    first layer's first). A net for the 64-25-15-10 benchmark:
    init_image_network(FirstLayer(FirstLayerKind.DENSE, 25), [15], 10, [RELU, RELU], rng).
    """
    if len(activations) != 1 + len(hidden):
        raise ValueError("need one activation for the first layer and one per hidden layer")
    fans = [first.glorot_fans]
    fans += list(itertools.pairwise([first.outputs, *hidden, outputs]))
    shapes = [first.weight_shape] + [(fan_in, fan_out) for fan_in, fan_out in fans[1:]]
    weights: list[FloatArray] = []
    for (fan_in, fan_out), shape in zip(fans, shapes, strict=True):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, size=shape).astype(np.float32))
    biases = [np.zeros(first.bias_shape, np.float32)]
    biases += [np.zeros(size, np.float32) for size in [*hidden, outputs]]
    return ImageNetwork(first, weights, biases, list(activations))
