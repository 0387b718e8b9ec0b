"""An epoch of minibatch SGD or Adam for the NumPy digits networks (engine.image_reference),
updating the network in place: the reference the JAX image model's training is checked
against, and the benchmark's NumPy baseline. Imports no jax."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from nn_playground.engine.config import Loss, Problem
from nn_playground.engine.numerics.image_reference import ImageNetwork, gradients
from nn_playground.engine.numerics.reference_losses import FloatArray, IntArray

# optax.adam's defaults, which the JAX engine uses.
ADAM_B1 = 0.9
ADAM_B2 = 0.999
ADAM_EPS = 1e-8


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[IntArray]:
    """Row indices of each minibatch: one rng.permutation cut into batch_size pieces (the last
    may be smaller), as engine.reference.sgd_epoch cuts them."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def sgd_epoch(
    net: ImageNetwork,
    x: FloatArray,
    labels: IntArray,
    loss: Loss,
    problem: Problem,
    learning_rate: float,
    batch_size: int,
    rng: np.random.Generator,
    l1: float = 0.0,
    l2: float = 0.0,
) -> float:
    """One epoch of plain SGD; returns the mean minibatch loss (every batch counts equally)."""
    losses: list[float] = []
    for batch in minibatches(len(x), batch_size, rng):
        value, grad_w, grad_b = gradients(net, x[batch], labels[batch], loss, problem, l1, l2)
        for param, grad in zip(net.weights + net.biases, grad_w + grad_b, strict=True):
            param -= learning_rate * grad
        losses.append(value)
    return float(np.mean(losses))


@dataclass
class AdamState:
    """Adam's moment estimates, one array per parameter in the order weights + biases, and
    the number of steps taken (for the bias correction). Carried from epoch to epoch."""

    first_moments: list[FloatArray]
    second_moments: list[FloatArray]
    steps: int = 0


def adam_state(net: ImageNetwork) -> AdamState:
    """Zero moments, as optax.adam's init."""
    params = net.weights + net.biases
    return AdamState([np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params])


def adam_epoch(
    net: ImageNetwork,
    x: FloatArray,
    labels: IntArray,
    loss: Loss,
    problem: Problem,
    learning_rate: float,
    batch_size: int,
    rng: np.random.Generator,
    state: AdamState,
    l1: float = 0.0,
    l2: float = 0.0,
) -> float:
    """One epoch of Adam (Kingma and Ba 2015, Algorithm 1), updating `net` and `state` in
    place; returns the mean minibatch loss.

    As optax.adam (eps_root = 0): the step is lr * m_hat / (sqrt(v_hat) + eps), with eps
    outside the square root and m, v bias-corrected by 1 - beta^t, t counted from 1.
    """
    losses: list[float] = []
    for batch in minibatches(len(x), batch_size, rng):
        value, grad_w, grad_b = gradients(net, x[batch], labels[batch], loss, problem, l1, l2)
        state.steps += 1
        first_correction = 1.0 - ADAM_B1**state.steps
        second_correction = 1.0 - ADAM_B2**state.steps
        params = net.weights + net.biases
        moments = zip(state.first_moments, state.second_moments, strict=True)
        for param, grad, (m, v) in zip(params, grad_w + grad_b, moments, strict=True):
            m *= ADAM_B1
            m += (1.0 - ADAM_B1) * grad
            v *= ADAM_B2
            v += (1.0 - ADAM_B2) * grad * grad
            m_hat = m / first_correction
            v_hat = v / second_correction
            param -= learning_rate * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
        losses.append(value)
    return float(np.mean(losses))
