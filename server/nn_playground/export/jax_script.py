"""The JAX + optax script: the engine's training written out plainly (one array per layer,
jax.grad, optax), from the session's initial weights, in its minibatches, with its dropout
masks, so its losses follow the playground's epoch by epoch."""

from __future__ import annotations

from nn_playground.engine.config import Activation, Decay
from nn_playground.export import data_text, losses_text, optimizers_text, randomness_text
from nn_playground.export.literals import blocks, number, section
from nn_playground.export.run import ExportedRun

ACTIVATIONS = {
    Activation.SIGMOID: "jax.nn.sigmoid",
    Activation.TANH: "jnp.tanh",
    Activation.RELU: "jax.nn.relu",
    # The playground's slope at 0 is the negative side's, as in this where.
    Activation.LEAKY_RELU: "lambda z: jnp.where(z > 0, z, 0.01 * z)",
    Activation.ELU: "jax.nn.elu",
    Activation.SELU: "jax.nn.selu",
    Activation.SWISH: "jax.nn.silu",
    Activation.LINEAR: "lambda z: z",
}


def _header(run: ExportedRun, filename: str) -> str:
    config = run.config
    title = f'{config.problem.value} on "{run.dataset_name}"'
    return f'''"""The nn-playground model, in JAX + optax: {title}.

Trains the same network from the same initial weights on the same points, in the same
minibatches and with the same dropout masks as the playground did, so the losses it prints
follow the playground's curves epoch by epoch.

    python {filename} [--epochs N]

It needs jax, optax and numpy.
"""

import argparse

import jax
import jax.numpy as jnp
import numpy as np
import optax

{section("What the playground trained")}
EPOCHS = {run.epochs}  # epochs trained when this was exported (--epochs changes it)
# The last line printed, for a program that reads the outcome.
RESULT = "result epochs={{}} train_loss={{!r}} test_loss={{!r}} test_accuracy={{!r}}"
HIDDEN = {tuple(config.hidden)!r}  # units per hidden layer
DROPOUT = {tuple(config.dropout)!r}  # dropout rate per hidden layer
BATCH_SIZE = {config.batch_size}
L1, L2 = {number(config.l1)}, {number(config.l2)}  # penalties on the weights (not the biases)
SEED = 0x{run.train_seed:08X}  # the seed of the playground's shuffles and dropout masks
'''


def _network(run: ExportedRun) -> str:
    activations = ", ".join(ACTIVATIONS[a] for a in run.config.activations)
    loss = losses_text.indented(losses_text.JAX_POINT_LOSSES[losses_text.kind(run)])
    penalty = ""
    if run.config.l1:
        penalty += "\n    loss += L1 * sum(jnp.sum(jnp.abs(w)) for w, _ in params)"
    if run.config.l2:
        penalty += "\n    loss += L2 * sum(jnp.sum(jnp.square(w)) for w, _ in params)"
    return f'''
{section("The network")}
ACTIVATIONS = ({activations}{"," if len(run.config.activations) == 1 else ""})


def forward(params, x, keep=None):
    """(n, features) inputs -> (n, outputs) logits; `keep` holds dropout multipliers."""
    h = x
    for layer, ((w, b), activation) in enumerate(zip(params[:-1], ACTIVATIONS)):
        h = activation(h @ w + b)
        if keep is not None:
            h = h * keep[layer]
    w, b = params[-1]
    return h @ w + b


def point_losses(z, y, labels):
    """(n,) losses from (n, outputs) logits: computed from logits, so no logit gives inf."""
{loss}


{losses_text.accuracy_source(run)}

def objective(params, x, y, labels, keep):
    """What a step descends: the minibatch's mean loss, plus the penalties."""
    loss = jnp.mean(point_losses(forward(params, x, keep), y, labels)){penalty}
    return loss
'''


def _optimizer(run: ExportedRun) -> str:
    config = run.config
    if config.decay is Decay.NONE:
        rate = number(config.learning_rate)
        return f"\noptimizer = {optimizers_text.optax_source(config, rate)}\n"
    n_train = len(run.dataset.train.x)
    return f"""
# The playground lowers the learning rate once an epoch ({config.decay.value} decay).
STEPS_PER_EPOCH = {-(-n_train // min(config.batch_size, n_train))}


def learning_rate(count):
    progress = (count // STEPS_PER_EPOCH).astype(jnp.float32) / {config.decay_epochs}
    return {number(config.learning_rate)} * ({optimizers_text.decay_factor(config, "jnp")})


optimizer = {optimizers_text.optax_source(config, "learning_rate")}
"""


STEPS = '''

@jax.jit
def train_step(params, opt_state, x, y, labels, keep):
    grads = jax.grad(objective)(params, x, y, labels, keep)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state


@jax.jit
def evaluate(params, x, y, labels):
    """The mean loss without dropout or penalties (what the playground plots), and logits."""
    z = forward(params, x)
    return jnp.mean(point_losses(z, y, labels)), z

'''


def _main(run: ExportedRun) -> str:
    if any(rate > 0 for rate in run.config.dropout):
        batches = """dropout_seed = stream(seed, 2 * epoch + 1)
        for number, start in enumerate(range(0, n, batch)):
            rows = order[start : start + batch]
            keep = dropout_keep(dropout_seed, number, len(rows))"""
    else:
        batches = """for start in range(0, n, batch):
            rows = order[start : start + batch]
            keep = None"""
    watch, best = "", ""
    if run.config.early_stopping:
        best = '\n    best = (float("inf"), params, 0)'
        watch = f"""
        # Early stopping: keep the weights of the lowest test loss; when it has not improved
        # for {run.config.patience} epochs, go back to them and stop.
        if test_loss < best[0]:
            best = (test_loss, params, epoch + 1)
        if epoch + 1 - best[2] >= {run.config.patience}:
            params = best[1]
            print(f"stopped early: best test loss at epoch {{best[2]}}")
            break"""
    return f"""
def main():
    parser = argparse.ArgumentParser(description="Train the exported nn-playground model.")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    epochs = parser.parse_args().epochs
    train = (features(TRAIN_POINTS), targets(TRAIN_POINTS), labels(TRAIN_POINTS))
    test = (features(TEST_POINTS), targets(TEST_POINTS), labels(TEST_POINTS))
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in INITIAL_PARAMS]
    opt_state = optimizer.init(params)
    seed = np.array([SEED], np.uint32)
    n, batch = len(TRAIN_POINTS), min(BATCH_SIZE, len(TRAIN_POINTS))
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
        test_accuracy = accuracy(np.asarray(test_logits), TEST_POINTS)
        shown = f"epoch {{epoch + 1:5d}}  train loss {{train_loss:.6f}}"
        shown += f"  test loss {{test_loss:.6f}}"
        if test_accuracy is not None:
            shown += f"  test accuracy {{test_accuracy:.4f}}"
        print(shown){watch}
    test_accuracy = accuracy(np.asarray(evaluate(params, *test)[1]), TEST_POINTS)
    print(RESULT.format(epochs, train_loss, test_loss, test_accuracy))

"""


def jax_script(run: ExportedRun, filename: str) -> str:
    dropout = any(rate > 0 for rate in run.config.dropout)
    return blocks(
        _header(run, filename),
        data_text.inputs_source(run),
        _network(run),
        _optimizer(run),
        STEPS,
        randomness_text.SHUFFLE,
        randomness_text.DROPOUT if dropout else "",
        _main(run),
        data_text.weights_source(run),
        data_text.points_source(run),
        'if __name__ == "__main__":\n    main()',
    )
