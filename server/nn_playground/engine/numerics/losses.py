"""Per-point losses from logits, the output heads (predictions) and accuracy.

The stable losses work on logits (softplus, log-sum-exp) and stay finite at any finite
logit; the naive ones go through probabilities on purpose, to show the round-off problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.numerics.hyper import Hyper

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


# Which losses the compiled step computes in closed form, and how (order of hyper.LossKind):
# families of losses share one branch of a switch, and within a family a select picks the
# loss. Nine branches, each differentiated by JAX, were 9 copies of the loss code at every
# place that computes a loss (three in a frame's programs), about a sixth of all the kernels
# XLA compiled; a family's formulas are cheap elementwise work on (n, MAX_OUTPUTS).
_ELEMENTWISE, _SOFTMAX, _NAIVE = 0, 1, 2
_FAMILY = (
    (_ELEMENTWISE, 0),  # SIGMOID_CE
    (_NAIVE, 0),  # SIGMOID_CE_NAIVE
    (_ELEMENTWISE, 1),  # SIGMOID_MSE
    (_SOFTMAX, 0),  # SOFTMAX_CE
    (_NAIVE, 1),  # SOFTMAX_CE_NAIVE
    (_SOFTMAX, 1),  # SOFTMAX_MSE
    (_ELEMENTWISE, 2),  # LINEAR_MSE
    (_ELEMENTWISE, 3),  # RELU_MSE
    (_ELEMENTWISE, 4),  # PERCEPTRON
)
_NAIVE_LOSSES = (_sigmoid_ce_naive, _softmax_ce_naive)


def _family_and_member(kind: jax.Array) -> tuple[jax.Array, jax.Array]:
    table = jnp.asarray(_FAMILY, jnp.int32)
    row = table[jnp.clip(kind, 0, len(_FAMILY) - 1)]
    return row[0], row[1]


class _Inputs(NamedTuple):
    z: jax.Array  # (n, MAX_OUTPUTS) logits
    y: jax.Array  # (n, MAX_OUTPUTS) targets
    labels: jax.Array  # (n,) int32
    mask: jax.Array  # (MAX_OUTPUTS,) float32 outputs of the model
    member: jax.Array  # () int32 the loss within its family
    weight: jax.Array  # (n,) float32 what each point's loss weighs in the gradient


def _elementwise(x: _Inputs) -> tuple[jax.Array, jax.Array]:
    """Per-point losses (n,) and the gradient (n, MAX_OUTPUTS) of their weighted sum, for the
    losses computed
    output by output: sigmoid cross-entropy (softplus(z) - y z, gradient sigmoid(z) - y) and
    squared error, both averaged over the outputs; squared error of a linear or ReLU output,
    and the perceptron criterion, on the first output alone."""
    on = x.mask > 0
    count = jnp.sum(x.mask)
    z, y = x.z, x.y
    sigmoid = jax.nn.sigmoid(z)
    term = lax.select_n(
        jnp.minimum(x.member, 1), jax.nn.softplus(z) - y * z, jnp.square(sigmoid - y)
    )
    slope = lax.select_n(
        jnp.minimum(x.member, 1), sigmoid - y, 2.0 * (sigmoid - y) * sigmoid * (1.0 - sigmoid)
    )
    averaged = jnp.sum(jnp.where(on, term, 0.0), axis=1) / count
    z0, y0 = z[:, 0], y[:, 0]
    relu0 = jnp.maximum(z0, 0.0)
    # JAX's derivative of max(z, 0) at a tie is 1/2; kept, so every step is what autodiff of
    # the loss gives (zero weights give exactly zero logits).
    relu_slope = jnp.where(z0 > 0.0, 1.0, jnp.where(z0 == 0.0, 0.5, 0.0))
    predicted = jnp.where(z0 >= 0.0, 1.0, 0.0)
    first = x.member - 2  # 0 linear, 1 ReLU, 2 perceptron
    first_loss = lax.select_n(
        jnp.maximum(first, 0),
        jnp.square(z0 - y0),
        jnp.square(relu0 - y0),
        (predicted - y0) * z0,
    )
    first_grad = lax.select_n(
        jnp.maximum(first, 0),
        2.0 * (z0 - y0),
        2.0 * (relu0 - y0) * relu_slope,
        predicted - y0,
    )
    is_first = jnp.arange(z.shape[1]) == 0
    losses = jnp.where(first >= 0, first_loss, averaged)
    grads = jnp.where(
        first >= 0,
        jnp.where(is_first, first_grad[:, None], 0.0),
        jnp.where(on, slope, 0.0) / count,
    )
    return losses, grads * x.weight[:, None]


def _softmax(x: _Inputs) -> tuple[jax.Array, jax.Array]:
    """Per-point losses and the gradient of their weighted sum, for softmax cross-entropy
    (log-sum-exp minus the label's logit; gradient softmax minus the label's one-hot) and
    softmax's squared error averaged over the outputs."""
    on = x.mask > 0
    count = jnp.sum(x.mask)
    masked = _masked_logits(x.z, x.mask)
    top = lax.stop_gradient(jnp.max(masked, axis=1, keepdims=True))
    exps = jnp.exp(masked - top)
    total = jnp.sum(exps, axis=1, keepdims=True)
    p = exps / total
    picked = jnp.take_along_axis(x.z, x.labels[:, None], axis=1)[:, 0]
    cross_entropy = top[:, 0] + jnp.log(total[:, 0]) - picked
    one_hot = jnp.arange(x.z.shape[1]) == x.labels[:, None]
    error = jnp.where(on, p - x.y, 0.0)
    squared = jnp.sum(jnp.square(error), axis=1) / count
    upstream = 2.0 * error / count  # d(squared)/dp
    squared_grad = p * (upstream - jnp.sum(p * upstream, axis=1, keepdims=True))
    losses = lax.select_n(x.member, cross_entropy, squared)
    grads = lax.select_n(x.member, p - one_hot, squared_grad)
    return losses, grads * x.weight[:, None]


def _naive(x: _Inputs) -> tuple[jax.Array, jax.Array]:
    """The naive losses, differentiated by JAX through their probabilities: their round-off
    (inf or NaN at large logits) is what they are there to show."""

    def one(loss: LossFn) -> Callable[[_Inputs], tuple[jax.Array, jax.Array]]:
        def run(x: _Inputs) -> tuple[jax.Array, jax.Array]:
            losses, pullback = jax.vjp(lambda z: loss(z, x.y, x.labels, x.mask), x.z)
            (grads,) = pullback(x.weight)
            return losses, grads

        return run

    result: tuple[jax.Array, jax.Array] = lax.switch(
        x.member, [one(loss) for loss in _NAIVE_LOSSES], x
    )
    return result


def _losses_and_grads(
    logits: jax.Array, targets: jax.Array, labels: jax.Array, weight: jax.Array, hyper: Hyper
) -> tuple[jax.Array, jax.Array]:
    """(n,) point losses, and the gradient of sum(loss * weight) with respect to the first
    MAX_OUTPUTS logits (n, MAX_OUTPUTS)."""
    outputs = limits.MAX_OUTPUTS
    family, member = _family_and_member(hyper.loss)
    inputs = _Inputs(
        logits[:, :outputs],
        targets[:, :outputs],
        labels,
        hyper.output_mask[:outputs],
        member,
        weight,
    )
    result: tuple[jax.Array, jax.Array] = lax.switch(
        family, [_elementwise, _softmax, _naive], inputs
    )
    return result


def point_losses(
    logits: jax.Array, targets: jax.Array, labels: jax.Array, hyper: Hyper
) -> jax.Array:
    """(n, width) logits, (n, width) targets, (n,) int32 labels -> (n,) float32 losses.
    Only the first MAX_OUTPUTS columns can be outputs: the losses see those alone."""
    weight = jnp.ones(logits.shape[0], logits.dtype)
    losses, _ = _losses_and_grads(logits, targets, labels, weight, hyper)
    return losses


def loss_and_logit_grad(
    logits: jax.Array, targets: jax.Array, labels: jax.Array, weight: jax.Array, hyper: Hyper
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """sum(point loss * weight), the (n,) point losses, and the sum's gradient with respect
    to the logits (n, width), zero past the first MAX_OUTPUTS columns."""
    losses, grad = _losses_and_grads(logits, targets, labels, weight, hyper)
    padding = ((0, 0), (0, logits.shape[1] - grad.shape[1]))
    return jnp.sum(losses * weight), losses, jnp.pad(grad, padding)


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
