"""Losses for the NumPy reference: each loss's mean value and dLoss/dlogits, plus the output
nonlinearities they apply (sigmoid, softmax, relu). Imports only numpy and the engine config
(no jax, and never engine.reference, which imports this module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from nn_playground.engine.config import Loss, Problem, RegressionOutput

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.integer[Any]]
LossResult = tuple[float, FloatArray]


# --- output nonlinearities (engine.reference also uses them as hidden activations) -----------


def sigmoid(z: FloatArray) -> FloatArray:
    # exp(-|z|) never overflows: z >= 0 uses 1 / (1 + e^-z), z < 0 uses e^z / (1 + e^z).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def step(z: FloatArray) -> FloatArray:
    """1 where z > 0, else 0, in z's dtype (the ReLU derivative; 0 at the kink)."""
    return (z > 0).astype(z.dtype)


def ones(z: FloatArray) -> FloatArray:
    return np.ones_like(z)


def relu(z: FloatArray) -> FloatArray:
    return np.maximum(z, 0.0)


# --- losses ----------------------------------------------------------------------------------
# Each returns the mean loss and dLoss/dlogits, both already divided by the batch size (and by
# the number of outputs for per-output losses, the Keras convention).


def _softplus(z: FloatArray) -> FloatArray:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _sigmoid_cross_entropy(z: FloatArray, y: FloatArray) -> LossResult:
    # softplus(z) - y z equals -(y log p + (1 - y) log(1 - p)) without ever forming log(0).
    loss = float(np.mean(_softplus(z) - y * z))
    return loss, (sigmoid(z) - y) / z.size


def _sigmoid_cross_entropy_naive(z: FloatArray, y: FloatArray) -> LossResult:
    # Deliberately the textbook formula: at large |z| p rounds to exactly 0 or 1 and the loss
    # becomes inf or nan, which is what the playground wants to show.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        p = 1.0 / (1.0 + np.exp(-z))
        loss = float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))))
        return loss, (p - y) / z.size


def _sigmoid_mse(z: FloatArray, y: FloatArray) -> LossResult:
    p = sigmoid(z)
    error = p - y
    return float(np.mean(error * error)), 2.0 * error * p * (1.0 - p) / z.size


def _perceptron(z: FloatArray, y: FloatArray) -> LossResult:
    # The prediction step(z) is locally constant, so its gradient is (yhat - y) and a descent
    # step is exactly the perceptron rule w += lr * mean((y - yhat) x).
    error = (z >= 0).astype(z.dtype) - y
    return float(np.mean(error * z)), error / z.size


_SIGMOID_LOSSES: dict[Loss, Callable[[FloatArray, FloatArray], LossResult]] = {
    Loss.CROSS_ENTROPY: _sigmoid_cross_entropy,
    Loss.CROSS_ENTROPY_NAIVE: _sigmoid_cross_entropy_naive,
    Loss.MSE: _sigmoid_mse,
    Loss.PERCEPTRON: _perceptron,
}


def _softmax(z: FloatArray) -> FloatArray:
    e: FloatArray = np.exp(z - z.max(axis=1, keepdims=True))
    total: FloatArray = e.sum(axis=1, keepdims=True)
    return e / total


def _minus_one_at_labels(p: FloatArray, labels: IntArray) -> FloatArray:
    """p - onehot(labels) without building the one-hot matrix."""
    delta = p.copy()
    delta[np.arange(len(labels)), labels] -= 1.0
    return delta


def _softmax_cross_entropy(z: FloatArray, y: FloatArray, labels: IntArray) -> LossResult:
    # Shifting by the row maximum keeps exp() <= 1, so log-sum-exp never overflows.
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-np.mean(log_p[np.arange(len(labels)), labels]))
    return loss, _minus_one_at_labels(np.exp(log_p), labels) / len(labels)


def _softmax_cross_entropy_naive(z: FloatArray, y: FloatArray, labels: IntArray) -> LossResult:
    # No max-shift on purpose: exp overflows (inf / inf) or underflows (0 / 0) at large logits.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
        return loss, _minus_one_at_labels(p, labels) / len(labels)


def _softmax_mse(z: FloatArray, y: FloatArray, labels: IntArray) -> LossResult:
    p = _softmax(z)
    error = p - y
    grad_p = 2.0 * error / z.size
    # Softmax Jacobian-vector product: dL/dz_j = p_j (dL/dp_j - sum_i p_i dL/dp_i).
    delta = p * (grad_p - (grad_p * p).sum(axis=1, keepdims=True))
    return float(np.mean(error * error)), delta


_SOFTMAX_LOSSES: dict[Loss, Callable[[FloatArray, FloatArray, IntArray], LossResult]] = {
    Loss.CROSS_ENTROPY: _softmax_cross_entropy,
    Loss.CROSS_ENTROPY_NAIVE: _softmax_cross_entropy_naive,
    Loss.MSE: _softmax_mse,
}


def _regression_mse(z: FloatArray, y: FloatArray, output: RegressionOutput) -> LossResult:
    if output is RegressionOutput.RELU:
        prediction, slope = relu(z), step(z)
    else:
        prediction, slope = z, ones(z)
    error = prediction - y
    return float(np.mean(error * error)), 2.0 * error * slope / z.size


def loss_and_logit_delta(
    logits: FloatArray,
    targets: FloatArray,
    labels: IntArray,
    loss: Loss,
    problem: Problem,
    regression_output: RegressionOutput,
) -> LossResult:
    """Mean loss over the batch and dLoss/dlogits, shape (n, n_outputs).

    Softmax cross-entropies read the class from `labels`; every other loss reads `targets`.
    """
    if targets.shape != logits.shape:
        raise ValueError(f"targets {targets.shape} do not match logits {logits.shape}")
    # Targets may arrive as float64; keep the computation in the logits' dtype.
    y = targets.astype(logits.dtype, copy=False)
    if problem is Problem.REGRESSION:
        if loss is not Loss.MSE:
            raise ValueError(f"regression supports only the mse loss, not {loss}")
        return _regression_mse(logits, y, regression_output)
    if problem is Problem.MULTICLASS:
        if loss not in _SOFTMAX_LOSSES:
            raise ValueError(f"{loss} is not available for multiclass problems")
        return _SOFTMAX_LOSSES[loss](logits, y, labels)
    if problem is Problem.MULTILABEL and loss is Loss.PERCEPTRON:
        raise ValueError("the perceptron rule exists only for binary problems")
    if problem in (Problem.BINARY, Problem.MULTILABEL):
        return _SIGMOID_LOSSES[loss](logits, y)
    raise ValueError(f"unknown problem {problem!r}")
