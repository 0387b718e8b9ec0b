"""Per-point losses from logits, the output heads (predictions) and accuracy.

The stable losses work on logits (softplus, log-sum-exp) and stay finite at any finite
logit; the naive ones go through probabilities on purpose, to show the round-off problem."""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.hyper import Hyper

# Per-output losses are averaged over the model's outputs (the Keras convention).


def _mean_over_outputs(values: jax.Array, output_mask: jax.Array) -> jax.Array:
    masked = jnp.where(output_mask > 0, values, 0.0)
    return jnp.sum(masked, axis=-1) / jnp.sum(output_mask)


def _masked_logits(logits: jax.Array, output_mask: jax.Array) -> jax.Array:
    return jnp.where(output_mask > 0, logits, -jnp.inf)


def _sigmoid_ce(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    return _mean_over_outputs(jax.nn.softplus(z) - y * z, mask)


def _sigmoid_ce_naive(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    p = 1.0 / (1.0 + jnp.exp(-z))
    return _mean_over_outputs(-(y * jnp.log(p) + (1.0 - y) * jnp.log(1.0 - p)), mask)


def _sigmoid_mse(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    return _mean_over_outputs(jnp.square(jax.nn.sigmoid(z) - y), mask)


def _softmax_ce(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    masked = _masked_logits(z, mask)
    picked = jnp.take_along_axis(z, labels[:, None], axis=1)[:, 0]
    return jax.nn.logsumexp(masked, axis=1) - picked


def _softmax_ce_naive(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    exps = jnp.where(mask > 0, jnp.exp(z), 0.0)  # no max-shift: overflows at large logits
    p = exps / jnp.sum(exps, axis=1, keepdims=True)
    return -jnp.log(jnp.take_along_axis(p, labels[:, None], axis=1)[:, 0])


def _softmax_mse(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    p = jax.nn.softmax(_masked_logits(z, mask), axis=1)
    return _mean_over_outputs(jnp.square(p - y), mask)


def _linear_mse(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    return jnp.square(z[:, 0] - y[:, 0])


def _relu_mse(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    return jnp.square(jnp.maximum(z[:, 0], 0.0) - y[:, 0])


def _perceptron(z: jax.Array, y: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    # The perceptron criterion: |z| on misclassified points, 0 on the rest. Its gradient with
    # the prediction held constant is (yhat - y) x, so gradient descent on it is exactly the
    # perceptron rule w <- w + learning_rate * (y - yhat) x.
    predicted = lax.stop_gradient(jnp.where(z[:, 0] >= 0.0, 1.0, 0.0))
    return (predicted - y[:, 0]) * z[:, 0]


LossFn = Callable[[jax.Array, jax.Array, jax.Array, jax.Array], jax.Array]

# Order of hyper.LossKind.
LOSSES: tuple[LossFn, ...] = (
    _sigmoid_ce,
    _sigmoid_ce_naive,
    _sigmoid_mse,
    _softmax_ce,
    _softmax_ce_naive,
    _softmax_mse,
    _linear_mse,
    _relu_mse,
    _perceptron,
)


def point_losses(
    logits: jax.Array, targets: jax.Array, labels: jax.Array, hyper: Hyper
) -> jax.Array:
    """(n, width) logits, (n, width) targets, (n,) int32 labels -> (n,) float32 losses.

    A switch, not a select: the naive losses may be inf/NaN, and in a select their
    gradients would poison the chosen one. Only the first MAX_OUTPUTS columns can be
    outputs, so the losses see those alone: the same compiled code serves every width.
    """
    outputs = limits.MAX_OUTPUTS
    losses: jax.Array = lax.switch(
        hyper.loss,
        LOSSES,
        logits[:, :outputs],
        targets[:, :outputs],
        labels,
        hyper.output_mask[:outputs],
    )
    return losses


def loss_and_logit_grad(
    logits: jax.Array, targets: jax.Array, labels: jax.Array, weight: jax.Array, hyper: Hyper
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """sum(point loss * weight), the (n,) point losses, and the sum's gradient with respect
    to the logits (n, WIDTH).

    Each branch differentiates its own loss: differentiating through the switch instead
    would make every branch carry every other branch's residuals. Only the first
    MAX_OUTPUTS columns can be outputs, so the work is done on those.
    """
    outputs = limits.MAX_OUTPUTS
    branches = [functools.partial(_losses_and_logit_grad, loss) for loss in LOSSES]
    total, losses, grad = lax.switch(
        hyper.loss,
        branches,
        logits[:, :outputs],
        targets[:, :outputs],
        labels,
        hyper.output_mask[:outputs],
        weight,
    )
    return total, losses, jnp.pad(grad, ((0, 0), (0, logits.shape[1] - outputs)))


def _losses_and_logit_grad(
    loss: LossFn,
    logits: jax.Array,
    targets: jax.Array,
    labels: jax.Array,
    mask: jax.Array,
    weight: jax.Array,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    losses, pullback = jax.vjp(lambda z: loss(z, targets, labels, mask), logits)
    (grad,) = pullback(weight)
    return jnp.sum(losses * weight), losses, grad


def predict(logits: jax.Array, hyper: Hyper) -> jax.Array:
    """(n, WIDTH) logits -> (n, WIDTH) outputs of the head (order of hyper.Head)."""
    mask = hyper.output_mask
    heads = (
        lambda z: jax.nn.sigmoid(z),
        lambda z: jax.nn.softmax(_masked_logits(z, mask), axis=1),
        lambda z: z,
        lambda z: jnp.maximum(z, 0.0),
        lambda z: jnp.where(z >= 0.0, 1.0, 0.0),
    )
    return jnp.where(mask > 0, lax.switch(hyper.head, heads, logits), 0.0)


def accuracy_per_point(
    outputs: jax.Array, targets: jax.Array, labels: jax.Array, hyper: Hyper
) -> jax.Array:
    """(n,) float32 in [0, 1]: right or wrong (the share of right labels for multilabel);
    zero for regression, which has no accuracy (order of config.Problem)."""
    mask = hyper.output_mask
    thresholded = (outputs >= 0.5) == (targets >= 0.5)
    binary = thresholded[:, 0].astype(jnp.float32)
    chosen = jnp.argmax(jnp.where(mask > 0, outputs, -jnp.inf), axis=1)
    multiclass = (chosen == labels).astype(jnp.float32)
    multilabel = _mean_over_outputs(thresholded.astype(jnp.float32), mask)
    regression = jnp.zeros_like(binary)
    return lax.select_n(hyper.problem, binary, multiclass, multilabel, regression)
