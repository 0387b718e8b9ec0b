"""Each loss the engine trains with (engine/numerics/losses.py, by hyper.LossKind), as JAX and Keras
source, and the accuracy the engine reports, as numpy source. The stable losses are written
from logits; the naive ones through probabilities, as the playground computes them to show
their round-off."""

from __future__ import annotations

from nn_playground.engine.config import Problem
from nn_playground.engine.numerics.hyper import LossKind, loss_kind
from nn_playground.export.run import ExportedRun

# Body of `point_losses(z, y, labels)`: (n, outputs) logits, targets and (n,) labels -> (n,).
JAX_POINT_LOSSES = {
    LossKind.SIGMOID_CE: "return jnp.mean(jax.nn.softplus(z) - y * z, axis=1)",
    LossKind.SIGMOID_CE_NAIVE: (
        "# Through probabilities on purpose: the playground's naive loss, to show round-off.\n"
        "p = 1.0 / (1.0 + jnp.exp(-z))\n"
        "return jnp.mean(-(y * jnp.log(p) + (1.0 - y) * jnp.log(1.0 - p)), axis=1)"
    ),
    LossKind.SIGMOID_MSE: "return jnp.mean(jnp.square(jax.nn.sigmoid(z) - y), axis=1)",
    LossKind.SOFTMAX_CE: (
        "picked = jnp.take_along_axis(z, labels[:, None], axis=1)[:, 0]\n"
        "return jax.nn.logsumexp(z, axis=1) - picked"
    ),
    LossKind.SOFTMAX_CE_NAIVE: (
        "# Through probabilities on purpose: the playground's naive loss, to show round-off.\n"
        "exps = jnp.exp(z)  # no max-shift: overflows at large logits\n"
        "p = exps / jnp.sum(exps, axis=1, keepdims=True)\n"
        "return -jnp.log(jnp.take_along_axis(p, labels[:, None], axis=1)[:, 0])"
    ),
    LossKind.SOFTMAX_MSE: "return jnp.mean(jnp.square(jax.nn.softmax(z, axis=1) - y), axis=1)",
    LossKind.LINEAR_MSE: "return jnp.square(z[:, 0] - y[:, 0])",
    LossKind.RELU_MSE: "return jnp.square(jnp.maximum(z[:, 0], 0.0) - y[:, 0])",
    LossKind.PERCEPTRON: (
        "# The perceptron criterion: |z| on misclassified points. Its gradient with the\n"
        "# prediction held constant is (prediction - y) x: gradient descent on it is the\n"
        "# perceptron rule w <- w + learning_rate * (y - prediction) x.\n"
        "predicted = jax.lax.stop_gradient(jnp.where(z[:, 0] >= 0.0, 1.0, 0.0))\n"
        "return (predicted - y[:, 0]) * z[:, 0]"
    ),
}

# A Keras loss on (y_true, logits): a built-in where one fits, else a function of keras.ops.
KERAS_BUILT_IN = {
    LossKind.SIGMOID_CE: "keras.losses.BinaryCrossentropy(from_logits=True)",
    LossKind.SOFTMAX_CE: "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
    LossKind.LINEAR_MSE: "keras.losses.MeanSquaredError()",
}
KERAS_FUNCTION_BODY = {
    LossKind.SIGMOID_CE_NAIVE: (
        "# Through probabilities on purpose: the playground's naive loss, to show round-off.\n"
        "p = 1.0 / (1.0 + ops.exp(-z))\n"
        "return ops.mean(-(y * ops.log(p) + (1.0 - y) * ops.log(1.0 - p)), axis=-1)"
    ),
    LossKind.SIGMOID_MSE: "return ops.mean(ops.square(ops.sigmoid(z) - y), axis=-1)",
    LossKind.SOFTMAX_CE_NAIVE: (
        "# Through probabilities on purpose: the playground's naive loss, to show round-off.\n"
        "exps = ops.exp(z)  # no max-shift: overflows at large logits\n"
        "p = exps / ops.sum(exps, axis=-1, keepdims=True)\n"
        "return -ops.sum(y * ops.log(p), axis=-1)"
    ),
    LossKind.SOFTMAX_MSE: "return ops.mean(ops.square(ops.softmax(z, axis=-1) - y), axis=-1)",
    LossKind.RELU_MSE: "return ops.mean(ops.square(ops.relu(z) - y), axis=-1)",
    LossKind.PERCEPTRON: (
        "# The perceptron criterion: |z| on misclassified points. Its gradient with the\n"
        "# prediction held constant is (prediction - y) x: gradient descent on it is the\n"
        "# perceptron rule w <- w + learning_rate * (y - prediction) x.\n"
        'predicted = ops.stop_gradient(ops.cast(z >= 0.0, "float32"))\n'
        "return ops.mean((predicted - y) * z, axis=-1)"
    ),
}

# Body of `accuracy(z, points)` on numpy logits, as the engine measures it.
ACCURACY = {
    Problem.BINARY: "return float(np.mean((z[:, 0] >= 0.0) == (targets(points)[:, 0] >= 0.5)))",
    Problem.MULTICLASS: "return float(np.mean(np.argmax(z, axis=1) == labels(points)))",
    Problem.MULTILABEL: "return float(np.mean((z >= 0.0) == (targets(points) >= 0.5)))",
}


def indented(body: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in body.splitlines())


def kind(run: ExportedRun) -> LossKind:
    return loss_kind(run.config)


def uses_labels(run: ExportedRun) -> bool:
    """Whether the Keras loss takes class indices rather than target columns."""
    return kind(run) is LossKind.SOFTMAX_CE


def keras_loss_source(run: ExportedRun) -> tuple[str, str]:
    """(definitions to write before the model, the expression compile() gets)."""
    chosen = kind(run)
    if chosen in KERAS_BUILT_IN:
        return "", KERAS_BUILT_IN[chosen]
    body = indented(KERAS_FUNCTION_BODY[chosen])
    return f"def loss(y, z):\n{body}\n\n\n", "loss"


def accuracy_source(run: ExportedRun) -> str:
    """`accuracy(z, points)`, or a function returning None for regression."""
    body = ACCURACY.get(run.config.problem, "return None  # regression has no accuracy")
    return f"def accuracy(z, points):\n{indented(body)}\n"
