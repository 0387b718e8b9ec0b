"""The digits lab's JAX + optax script: the engine's digits training (image_train) written out
plainly, from the session's initial weights, on its images, in its minibatches and with its
dropout masks, so its losses and accuracy follow the playground's epoch by epoch."""

from __future__ import annotations

from nn_playground.digits_protocol import DigitsLoss, FirstLayer
from nn_playground.engine.config import Activation, Decay
from nn_playground.engine.numerics import randomness
from nn_playground.engine.numerics.hyper import LossKind
from nn_playground.engine.numerics.image_batch import MAX_IMAGES
from nn_playground.engine.numerics.image_model import PIXELS
from nn_playground.engine.numerics.model import SELU_ALPHA, SELU_SCALE
from nn_playground.export import digits_text, optimizers_text, randomness_text
from nn_playground.export.digits_run import DigitsRun
from nn_playground.export.jax_script import ACTIVATIONS as POINT_ACTIVATIONS
from nn_playground.export.jax_script import STEPS
from nn_playground.export.literals import blocks, number, section
from nn_playground.export.losses_text import JAX_POINT_LOSSES, indented

# The engine's digits losses and the 2-D ones they share a formula with (one output, or
# every output a class in use).
POINT_LOSSES = {
    DigitsLoss.SIGMOID_CE: JAX_POINT_LOSSES[LossKind.SIGMOID_CE],
    DigitsLoss.SOFTMAX_CE: JAX_POINT_LOSSES[LossKind.SOFTMAX_CE],
    DigitsLoss.SOFTMAX_CE_NAIVE: JAX_POINT_LOSSES[LossKind.SOFTMAX_CE_NAIVE],
    DigitsLoss.SOFTMAX_MSE: JAX_POINT_LOSSES[LossKind.SOFTMAX_MSE],
}
# The engine permutes the training rows with a bijection modulo a power of two covering its
# padded rows (randomness.permutation).
SHUFFLE_SPAN = max(randomness.SPAN, 1 << (MAX_IMAGES - 1).bit_length())

# The digits engine writes ReLU as max(z, 0) and ELU / SELU through min(z, 0): JAX splits the
# gradient of a tie in half, so their slope at exactly 0 is 1/2 (a window of blank pixels
# gives z = 0 exactly), and the script must compute them the same way.
TIED_AT_ZERO = {
    Activation.RELU: "lambda z: jnp.maximum(z, 0.0)",
    Activation.ELU: "lambda z: jnp.where(z > 0, z, jnp.expm1(jnp.minimum(z, 0.0)))",
    Activation.SELU: (
        f"lambda z: {SELU_SCALE!r} * jnp.where(z > 0, z, {SELU_ALPHA!r} * "
        "jnp.expm1(jnp.minimum(z, 0.0)))"
    ),
}
ACTIVATIONS = POINT_ACTIVATIONS | TIED_AT_ZERO

FIRST_LAYER = {
    FirstLayer.DENSE: '''def first_layer(x, w, b):
    """A dense layer: every unit sees every pixel."""
    return x @ w + b''',
    FirstLayer.CONV: '''WINDOWS = window_pixels()


def first_layer(x, w, b):
    """A convolution: each filter's kernel w[:, f] (KERNEL * KERNEL weights) at every window,
    (n, 64) -> (n, positions * FILTERS), flattened position by position."""
    patches = x[:, WINDOWS]  # (n, positions, KERNEL * KERNEL)
    return (patches @ w + b).reshape(x.shape[0], -1)''',
    FirstLayer.LOCAL: '''WINDOWS = window_pixels()


def first_layer(x, w, b):
    """Locally connected: like a convolution, but every window has its own kernels w[p] and
    biases b[p]; (n, 64) -> (n, positions * FILTERS), flattened position by position."""
    patches = x[:, WINDOWS]  # (n, positions, KERNEL * KERNEL)
    return (jnp.einsum("npw,pwf->npf", patches, w) + b).reshape(x.shape[0], -1)''',
}


def _header(run: DigitsRun, filename: str) -> str:
    s = run.settings
    return f'''"""The nn-playground digits model, in JAX + optax.

{digits_text.facts(run)}

Trains the same network from the same initial weights on the same images, in the same
minibatches and with the same dropout masks as the playground, so the losses and accuracy
it prints follow the playground's epoch by epoch.

    python {filename} [--epochs N]

It needs jax, optax and numpy.
"""

import argparse
import base64
import gzip

import jax
import jax.numpy as jnp
import numpy as np
import optax

{section("What the playground trained")}
EPOCHS = {run.epochs}  # epochs trained when this was exported (--epochs changes it)
# The last line printed, for a program that reads the outcome.
RESULT = "result epochs={{}} train_loss={{!r}} test_loss={{!r}} test_accuracy={{!r}}"
BATCH_SIZE = {s.batch_size}
L1, L2 = {number(s.l1)}, {number(s.l2)}  # penalties on the weights (not the biases)
SEED = {s.seed}  # the seed of the playground's shuffles and dropout masks
'''


def _network(run: DigitsRun) -> str:
    lines = [f"    {ACTIVATIONS[a]},\n" for a in run.activations]
    if TIED_AT_ZERO.keys() & set(run.activations):
        lines.insert(
            0,
            "    # Through max(z, 0) or min(z, 0), as the playground: JAX gives a tie at z = 0\n"
            "    # the slope 1/2, and a window of blank pixels gives z = 0 exactly.\n",
        )
    activations = "(  # per hidden layer\n" + "".join(lines) + ")" if lines else "()"
    first = FIRST_LAYER[run.settings.first_layer]
    if run.windowed:
        first = f"{digits_text.windows_source(run)}\n\n{first}"
    penalty = ""
    if run.settings.l1:
        penalty += "\n    loss += L1 * sum(jnp.sum(jnp.abs(w)) for w, _ in params)"
    if run.settings.l2:
        penalty += "\n    loss += L2 * sum(jnp.sum(jnp.square(w)) for w, _ in params)"
    return f'''{section("The network")}
{first}


ACTIVATIONS = {activations}


def forward(params, x, keep=None):
    """(n, {PIXELS}) pixels -> (n, {run.outputs}) logits; `keep` holds dropout multipliers."""
    h = x
    for layer, ((w, b), activation) in enumerate(zip(params[:-1], ACTIVATIONS)):
        h = activation(first_layer(h, w, b) if layer == 0 else h @ w + b)
        if keep is not None:
            h = h * keep[layer]
    w, b = params[-1]
    return h @ w + b


def point_losses(z, y, labels):
    """(n,) losses from (n, outputs) logits."""
{indented(POINT_LOSSES[run.settings.loss])}


def objective(params, x, y, labels, keep):
    """What a step descends: the minibatch's mean loss, plus the penalties."""
    loss = jnp.mean(point_losses(forward(params, x, keep), y, labels)){penalty}
    return loss
'''


def _optimizer(run: DigitsRun) -> str:
    s = run.settings
    if s.decay is Decay.NONE:
        return f"optimizer = {optimizers_text.optax_source(s, number(s.learning_rate))}\n"
    n_train = len(run.data.train.labels)
    return f"""# The playground lowers the learning rate once an epoch ({s.decay.value} decay).
STEPS_PER_EPOCH = {-(-n_train // min(s.batch_size, n_train))}


def learning_rate(count):
    progress = (count // STEPS_PER_EPOCH).astype(jnp.float32) / {s.decay_epochs}
    return {number(s.learning_rate)} * ({optimizers_text.decay_factor(s, "jnp")})


optimizer = {optimizers_text.optax_source(s, "learning_rate")}
"""


def _early_stopping(run: DigitsRun) -> tuple[str, str]:
    """(the best-so-far line before the epochs, the check after each one): the engine's rule
    (image_train._watch_test_loss), so the script stops after the same epoch."""
    s = run.settings
    if not s.early_stopping:
        return "", ""
    best = '\n    best = (float("inf"), params, 0)  # test loss, weights, epoch'
    watch = f"""
        # Early stopping: keep the weights of the lowest test loss; when it has not improved
        # for {s.patience} epochs, go back to them and stop.
        if test_loss < best[0]:
            best = (test_loss, params, epoch + 1)
        if epoch + 1 - best[2] >= {s.patience}:
            test_loss, params, best_epoch = best
            epochs = epoch + 1
            train_loss = float(evaluate(params, *train)[0])
            print(f"stopped early: best test loss at epoch {{best_epoch}}, its weights restored")
            break"""
    return best, watch


def _main(run: DigitsRun) -> str:
    best, watch = _early_stopping(run)
    if any(rate > 0 for rate in run.dropout):
        batches = """dropout_seed = stream(seed, 2 * epoch + 1)
        for number, start in enumerate(range(0, n, batch)):
            rows = order[start : start + batch]
            keep = dropout_keep(dropout_seed, number, len(rows), batch)"""
    else:
        batches = """for start in range(0, n, batch):
            rows = order[start : start + batch]
            keep = None"""
    return f"""def main():
    parser = argparse.ArgumentParser(description="Train the exported nn-playground model.")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    epochs = parser.parse_args().epochs
    splits = []
    for table in (TRAIN_TABLE, TEST_TABLE):
        images, digits = unpack(table)
        labels = labels_of(digits)
        splits.append((pixels(images), targets(labels), labels))
    train, test = splits
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in INITIAL_PARAMS]
    opt_state = optimizer.init(params)
    seed = np.array([SEED], np.uint32)
    n = len(train[0])
    batch = min(BATCH_SIZE, n)
    train_loss = test_loss = float("nan"){best}
    for epoch in range(epochs):
        # Epoch e shuffles with draw 2e of the seed and drops units with draw 2e + 1.
        order = permutation(stream(seed, 2 * epoch), n)
        {batches}
            params, opt_state = train_step(
                params, opt_state, train[0][rows], train[1][rows], train[2][rows], keep
            )
        train_loss = float(evaluate(params, *train)[0])
        if not np.isfinite(train_loss):
            print(f"diverged in epoch {{epoch + 1}}: lower the learning rate")
            break
        test_loss, test_logits = evaluate(params, *test)
        test_loss = float(test_loss)
        test_accuracy = accuracy(np.asarray(test_logits), test[2])
        print(
            f"epoch {{epoch + 1:5d}}  train loss {{train_loss:.6f}}  test loss {{test_loss:.6f}}"
            f"  test accuracy {{test_accuracy:.4f}}"
        ){watch}
    test_accuracy = accuracy(np.asarray(evaluate(params, *test)[1]), test[2])
    print(RESULT.format(epochs, train_loss, test_loss, test_accuracy))
"""


def digits_jax_script(run: DigitsRun, filename: str) -> str:
    dropout = any(rate > 0 for rate in run.dropout)
    return blocks(
        _header(run, filename),
        _network(run),
        _optimizer(run),
        STEPS,
        randomness_text.shuffle_source(SHUFFLE_SPAN),
        digits_text.dropout_source(run) if dropout else "",
        _main(run),
        digits_text.data_source(run),
        digits_text.weights_source(run),
        'if __name__ == "__main__":\n    main()',
    )
