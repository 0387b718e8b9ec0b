"""The digits lab's Keras 3 script: the same layers (Conv2D for conv, a small custom layer for
local: Keras 3 has no LocallyConnected2D), initial weights, loss from the logits, optimizer,
penalties, dropout, epochs, batch size and images as the session. Keras shuffles and draws
dropout masks its own way, so it lands near the playground, not on it."""

from __future__ import annotations

from nn_playground.digits_protocol import DigitsLoss, FirstLayer
from nn_playground.engine.config import Activation, Decay, Optimizer
from nn_playground.engine.numerics.hyper import LossKind
from nn_playground.export import digits_text, optimizers_text
from nn_playground.export.digits_run import DigitsRun
from nn_playground.export.keras_script import (
    ACTIVATIONS,
    MOMENTUM_NOTE,
    OPTIMIZER_NOTES,
    keras_prologue,
    schedule_and_callbacks,
)
from nn_playground.export.literals import blocks, number
from nn_playground.export.losses_text import KERAS_FUNCTION_BODY, indented

NAIVE_BODY = (
    "# Through probabilities on purpose: the playground's naive loss, to show round-off.\n"
    "exps = ops.exp(z)  # no max-shift: overflows at large logits\n"
    "p = exps / ops.sum(exps, axis=-1, keepdims=True)\n"
    'labels = ops.reshape(ops.cast(y, "int32"), (-1, 1))\n'
    "return -ops.log(ops.take_along_axis(p, labels, axis=-1)[:, 0])"
)
# Per loss: a definition to write, the expression compile() gets, and what fit() trains on:
# class indices (`labels`) or targets(labels) (a (n, 1) 0/1 column, or one-hot rows).
LOSSES = {
    DigitsLoss.SIGMOID_CE: ("", "keras.losses.BinaryCrossentropy(from_logits=True)", False),
    DigitsLoss.SOFTMAX_CE: (
        "",
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        True,
    ),
    DigitsLoss.SOFTMAX_CE_NAIVE: (f"def loss(y, z):\n{indented(NAIVE_BODY)}\n", "loss", True),
    DigitsLoss.SOFTMAX_MSE: (
        f"def loss(y, z):\n{indented(KERAS_FUNCTION_BODY[LossKind.SOFTMAX_MSE])}\n",
        "loss",
        False,
    ),
}

LOCALLY_CONNECTED = '''class LocallyConnected(keras.layers.Layer):
    """A convolution whose every window has its own kernels and biases (Keras 3 has no
    LocallyConnected2D): (n, 64) pixels -> (n, positions * filters), position by position."""

    def __init__(self, windows, filters, activation=None, kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.window_pixels = np.asarray(windows, np.int32)  # (positions, k * k)
        self.filters = filters
        self.activation = keras.activations.get(activation)
        self.kernel_regularizer = kernel_regularizer

    def build(self, input_shape):
        positions, window = self.window_pixels.shape
        self.kernel = self.add_weight(
            shape=(positions, window, self.filters),
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(positions, self.filters), initializer="zeros", name="bias"
        )

    def call(self, x):
        patches = ops.take(x, self.window_pixels, axis=1)  # (n, positions, k * k)
        z = ops.einsum("npw,pwf->npf", patches, self.kernel) + self.bias
        positions = self.window_pixels.shape[0]
        return self.activation(ops.reshape(z, (-1, positions * self.filters)))
'''


def _header(run: DigitsRun, filename: str) -> str:
    s = run.settings
    docstring = f"""The nn-playground digits model, in Keras 3.

{digits_text.facts(run)}

The same network, initial weights, loss (from the logits), optimizer, penalties, dropout,
epochs, batch size and images as the playground. Keras shuffles and drops units with its own
random numbers, so the curves follow the playground's closely but not to the digit.

    python {filename} [--epochs N]

It needs keras>=3 and one of its backends (JAX, TensorFlow or PyTorch)."""
    return keras_prologue(docstring, "base64 gzip", run.epochs, s.batch_size, s.seed, s.l1, s.l2)


def _activated(layer: str, activation: Activation) -> list[str]:
    """`layer` (a call without its closing parenthesis) with its activation."""
    named = ACTIVATIONS[activation]
    if named is None:  # a layer of its own: Keras's default slope is not 0.01
        return [f"{layer}),", "keras.layers.LeakyReLU(negative_slope=0.01),"]
    return [f"{layer}, activation={named}),"]


def _layers(run: DigitsRun) -> str:
    s = run.settings
    regularizer = ", kernel_regularizer=PENALTY" if s.l1 or s.l2 else ""
    lines = ["keras.Input(shape=(64,)),"]
    dense = list(s.hidden)
    if s.first_layer is FirstLayer.CONV:
        lines.append("keras.layers.Reshape((8, 8, 1)),")
        conv = f"keras.layers.Conv2D(FILTERS, KERNEL, strides=STRIDE{regularizer}"
        lines += _activated(conv, run.activations[0])
        lines.append("keras.layers.Flatten(),  # position by position, as the playground")
    elif s.first_layer is FirstLayer.LOCAL:
        local = f"LocallyConnected(window_pixels(), FILTERS{regularizer}"
        lines += _activated(local, run.activations[0])
    else:
        dense = dense[1:]
        if s.hidden:
            lines += _activated(
                f"keras.layers.Dense({s.hidden[0]}{regularizer}", run.activations[0]
            )
    if run.activations and run.dropout[0] > 0:
        lines.append(f"keras.layers.Dropout({number(run.dropout[0])}, seed=SEED),")
    for units, activation, rate in zip(dense, run.activations[1:], run.dropout[1:], strict=True):
        lines += _activated(f"keras.layers.Dense({units}{regularizer}", activation)
        if rate > 0:
            lines.append(f"keras.layers.Dropout({number(rate)}, seed=SEED),")
    lines.append(f"keras.layers.Dense({run.outputs}{regularizer}),  # logits")
    return "\n".join("            " + line for line in lines)


def _build_model(run: DigitsRun, loss: str) -> str:
    s = run.settings
    optimizer = optimizers_text.optimizer_of(s)
    note = OPTIMIZER_NOTES.get(optimizer, "")
    if optimizer in (Optimizer.MOMENTUM, Optimizer.NESTEROV) and s.decay is not Decay.NONE:
        note = MOMENTUM_NOTE
    note = indented(note)
    reshape = ""
    if s.first_layer is FirstLayer.CONV:
        reshape = (
            "\n    arrays[0] = arrays[0].reshape(KERNEL, KERNEL, 1, FILTERS)  # Conv2D's layout"
        )
    return f"""def build_model():
    model = keras.Sequential(
        [
{_layers(run)}
        ]
    )
    arrays = [array for layer in INITIAL_PARAMS for array in layer]{reshape}
    model.set_weights(arrays)
{note + chr(10) if note else ""}    optimizer = {optimizers_text.keras_source(s)}
    model.compile(optimizer=optimizer, loss={loss})
    return model
"""


def _main(callbacks: str, on_labels: bool) -> str:
    fit_target = "labels" if on_labels else "targets(labels)"
    return f"""def main():
    parser = argparse.ArgumentParser(description="Train the exported nn-playground model.")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    epochs = parser.parse_args().epochs
    keras.utils.set_random_seed(SEED)
    model = build_model()
    splits = []
    for table in (TRAIN_TABLE, TEST_TABLE):
        images, digits = unpack(table)
        labels = labels_of(digits)
        splits.append((pixels(images), {fit_target}, labels))
    (train_x, train_y, _), (test_x, test_y, test_labels) = splits
    model.fit(
        train_x,
        train_y,
        batch_size=min(BATCH_SIZE, len(train_x)),
        epochs=epochs,
        shuffle=True,
        validation_data=(test_x, test_y),
        callbacks={callbacks},
        verbose=2,
    )
    train_logits = model.predict(train_x, verbose=0)
    test_logits = model.predict(test_x, verbose=0)
    # The mean loss without dropout or penalties (what the playground plots).
    train_loss = float(ops.mean(model.loss(train_y, train_logits)))
    test_loss = float(ops.mean(model.loss(test_y, test_logits)))
    test_accuracy = accuracy(test_logits, test_labels)
    print(RESULT.format(epochs, train_loss, test_loss, test_accuracy))
"""


def digits_keras_script(run: DigitsRun, filename: str) -> str:
    definition, loss, on_labels = LOSSES[run.settings.loss]
    # The list is model.fit's argument, indented as its other arguments.
    schedule, callbacks = schedule_and_callbacks(run.settings, "        ")
    first = run.settings.first_layer
    return blocks(
        _header(run, filename),
        digits_text.windows_source(run) if run.windowed else "",
        LOCALLY_CONNECTED if first is FirstLayer.LOCAL else "",
        definition,
        schedule,
        _build_model(run, loss),
        _main(callbacks, on_labels),
        digits_text.data_source(run),
        digits_text.weights_source(run),
        'if __name__ == "__main__":\n    main()',
    )
