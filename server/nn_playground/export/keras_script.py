"""The Keras 3 script: the same layers, initial weights, loss from logits, optimizer,
penalties, dropout, epochs, batch size and data as the session. Keras shuffles and draws
dropout masks with its own generator, so its curves match the playground's in trend, not to
the digit (the JAX script does that)."""

from __future__ import annotations

from typing import Protocol

from nn_playground.engine.config import Activation, Decay, ModelConfig, Optimizer
from nn_playground.export import data_text, losses_text, optimizers_text
from nn_playground.export.literals import blocks, number, section
from nn_playground.export.run import ExportedRun

ACTIVATIONS = {
    Activation.SIGMOID: '"sigmoid"',
    Activation.TANH: '"tanh"',
    Activation.RELU: '"relu"',
    Activation.LEAKY_RELU: None,  # a layer of its own: Keras's default slope is not 0.01
    Activation.ELU: '"elu"',
    Activation.SELU: '"selu"',
    Activation.SWISH: '"silu"',
    Activation.LINEAR: '"linear"',
}

# Where Keras's optimizer differs from optax's, the script says how.
OPTIMIZER_NOTES = {
    Optimizer.ADAM: (
        "# Keras's Adam adds epsilon to sqrt(v) before its bias correction, optax's after: with\n"
        "# a small epsilon the steps differ by a hair.\n"
    ),
}
MOMENTUM_NOTE = (
    "# Keras folds the learning rate into the velocity, the playground (optax) scales the\n"
    "# velocity by it: the same steps at a fixed rate, slightly different ones while it decays.\n"
)


def keras_prologue(
    docstring: str, imports: str, epochs: int, batch_size: int, seed: int, l1: float, l2: float
) -> str:
    """A Keras script's opening, up to its settings: the docstring, the imports (`imports`
    are the script's own, beside those every Keras script has), the backend's choice, the
    epochs, batch size, seed and the weight penalty if any."""
    penalty = ""
    if l1 or l2:
        penalty = (
            "# Penalties on the weights (not the biases), added to the loss.\n"
            f"PENALTY = keras.regularizers.L1L2(l1={number(l1)}, l2={number(l2)})\n"
        )
    modules = "".join(
        f"import {name}\n"
        for name in sorted({"argparse", "importlib.util", "os", *imports.split()})
    )
    return f'''"""{docstring}
"""

{modules}
# Any Keras 3 backend runs this; without TensorFlow, JAX (the playground's own) is chosen.
if importlib.util.find_spec("tensorflow") is None:
    os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
from keras import ops

{section("What the playground trained")}
EPOCHS = {epochs}  # epochs trained when this was exported (--epochs changes it)
# The last line printed, for a program that reads the outcome.
RESULT = "result epochs={{}} train_loss={{!r}} test_loss={{!r}} test_accuracy={{!r}}"
BATCH_SIZE = {batch_size}
SEED = {seed}  # the playground's seed, here for Keras's shuffles and dropout masks
{penalty}'''


def _header(run: ExportedRun, filename: str) -> str:
    config = run.config
    title = f'{config.problem.value} on "{run.dataset_name}"'
    docstring = f"""The nn-playground model, in Keras 3: {title}.

The same network, initial weights, loss (from logits), optimizer, penalties, dropout, epochs,
batch size and data as the playground. Keras shuffles and drops units with its own random
numbers, so the curves follow the playground's closely but not to the digit.

    python {filename} [--epochs N]

It needs keras>=3 and one of its backends (JAX, TensorFlow or PyTorch)."""
    return keras_prologue(
        docstring, "", run.epochs, config.batch_size, config.seed, config.l1, config.l2
    )


def _layers(config: ModelConfig) -> str:
    regularizer = ", kernel_regularizer=PENALTY" if config.l1 or config.l2 else ""
    lines = [f"keras.Input(shape=({len(config.features)},)),"]
    for units, activation, rate in zip(
        config.hidden, config.activations, config.dropout, strict=True
    ):
        named = ACTIVATIONS[activation]
        if named is None:
            lines.append(f"keras.layers.Dense({units}{regularizer}),")
            lines.append("keras.layers.LeakyReLU(negative_slope=0.01),")
        else:
            lines.append(f"keras.layers.Dense({units}, activation={named}{regularizer}),")
        if rate > 0:
            lines.append(f"keras.layers.Dropout({number(rate)}, seed=SEED),")
    lines.append(f"keras.layers.Dense({config.n_outputs}{regularizer}),  # logits")
    return "\n".join("            " + line for line in lines)


class TrainingSettings(optimizers_text.OptimizerSettings, Protocol):
    """Both labs' settings: the optimizer's, and early stopping."""

    @property
    def early_stopping(self) -> bool: ...
    @property
    def patience(self) -> int: ...


def schedule_and_callbacks(settings: TrainingSettings, indent: str) -> tuple[str, str]:
    """(a learning_rate(epoch) definition or "", the source of model.fit's callbacks list,
    its items indented by `indent` plus four spaces): the decay as a scheduler, early
    stopping as the playground does it (the test loss watched, its best weights restored)."""
    callbacks = []
    definition = ""
    if settings.decay is not Decay.NONE:
        definition = f'''def learning_rate(epoch, current=None):
    """The playground lowers the learning rate once an epoch ({settings.decay.value} decay)."""
    progress = epoch / {settings.decay_epochs}
    return {number(settings.learning_rate)} * ({optimizers_text.decay_factor(settings, "np")})
'''
        callbacks.append("keras.callbacks.LearningRateScheduler(learning_rate),")
    if settings.early_stopping:
        callbacks.append(
            "keras.callbacks.EarlyStopping(\n"
            f'{indent}        monitor="val_loss", patience={settings.patience}, '
            "restore_best_weights=True\n"
            f"{indent}    ),"
        )
    if not callbacks:
        return definition, "[]"
    return definition, "[\n" + "".join(f"{indent}    {item}\n" for item in callbacks) + f"{indent}]"


def _build_model(run: ExportedRun, loss: str) -> str:
    config = run.config
    optimizer = optimizers_text.optimizer_of(config)
    note = OPTIMIZER_NOTES.get(optimizer, "")
    if optimizer in (Optimizer.MOMENTUM, Optimizer.NESTEROV) and config.decay is not Decay.NONE:
        note = MOMENTUM_NOTE
    note = losses_text.indented(note) + "\n" if note else ""
    return f"""def build_model():
    model = keras.Sequential(
        [
{_layers(config)}
        ]
    )
    model.set_weights([array for layer in INITIAL_PARAMS for array in layer])
{note}    optimizer = {optimizers_text.keras_source(config)}
    model.compile(optimizer=optimizer, loss={loss})
    return model
"""


def _main(run: ExportedRun, callbacks: str) -> str:
    fit_target = "labels" if losses_text.uses_labels(run) else "targets"
    return f"""def main():
    parser = argparse.ArgumentParser(description="Train the exported nn-playground model.")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    epochs = parser.parse_args().epochs
    keras.utils.set_random_seed(SEED)
    model = build_model()
    callbacks = {callbacks}
    train_x, train_y = features(TRAIN_POINTS), {fit_target}(TRAIN_POINTS)
    test_x, test_y = features(TEST_POINTS), {fit_target}(TEST_POINTS)
    model.fit(
        train_x,
        train_y,
        batch_size=min(BATCH_SIZE, len(train_x)),
        epochs=epochs,
        shuffle=True,
        validation_data=(test_x, test_y),
        callbacks=callbacks,
        verbose=2,
    )
    train_logits = model.predict(train_x, verbose=0)
    test_logits = model.predict(test_x, verbose=0)
    # The mean loss without dropout or penalties (what the playground plots).
    train_loss = float(ops.mean(model.loss(train_y, train_logits)))
    test_loss = float(ops.mean(model.loss(test_y, test_logits)))
    test_accuracy = accuracy(test_logits, TEST_POINTS)
    print(RESULT.format(epochs, train_loss, test_loss, test_accuracy))
"""


def keras_script(run: ExportedRun, filename: str) -> str:
    loss_definition, loss = losses_text.keras_loss_source(run)
    schedule, callbacks = schedule_and_callbacks(run.config, "    ")
    schedule = "\n\n" + schedule if schedule else ""
    return blocks(
        _header(run, filename),
        data_text.inputs_source(run),
        loss_definition,
        losses_text.accuracy_source(run),
        schedule,
        _build_model(run, loss),
        _main(run, callbacks),
        data_text.weights_source(run),
        data_text.points_source(run),
        'if __name__ == "__main__":\n    main()',
    )
