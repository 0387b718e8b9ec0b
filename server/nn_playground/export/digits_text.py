"""The parts of an exported digits script both formats share: the header's account of what it
reproduces, the images packed into the script, the epoch-0 weights, the windows of a conv or
local first layer, the engine's dropout masks (image_batch.dropout_keep) and the accuracy."""

from __future__ import annotations

import base64
import gzip
import textwrap

import numpy as np

from nn_playground.digits_protocol import DigitsLoss
from nn_playground.engine import limits
from nn_playground.engine.config import Decay
from nn_playground.engine.numerics import image_model as padded
from nn_playground.engine.numerics.digits import DigitImages
from nn_playground.export.digits_run import DigitsRun
from nn_playground.export.literals import number, section
from nn_playground.sessions.digits_setup import layer_names

DATA_SOURCE = (
    'UCI "Optical Recognition of Handwritten Digits" (E. Alpaydin and C. Kaynak, 1998),\n'
    "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits,\n"
    "licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/): 8 x 8 images whose\n"
    "pixels count the set pixels of 4 x 4 blocks of a 32 x 32 bitmap (0..16)."
)
LINE = 84  # characters of packed text a line


def packed(data: bytes, compress: bool) -> str:
    """Bytes as base64 text (gzip'd first where that pays), LINE characters a line."""
    text = base64.b64encode(gzip.compress(data, mtime=0) if compress else data).decode()
    return "\n".join(text[i : i + LINE] for i in range(0, len(text), LINE))


def facts(run: DigitsRun) -> str:
    """What the script reproduces, for its docstring."""
    s, data = run.settings, run.data
    layers = [
        f"{name} ({activation.value}" + (f", dropout {rate:g})" if rate else ")")
        for name, activation, rate in zip(
            layer_names(s), run.activations, run.dropout, strict=False
        )
    ]
    network = " -> ".join(["64 pixels", *layers, f"{run.outputs} logits"])
    decay = "no decay" if s.decay is Decay.NONE else f"{s.decay.value} decay"
    digits = ", ".join(map(str, data.classes))
    points = [
        f"task: the digits {digits}; {len(data.train.labels)} train and "
        f"{len(data.test.labels)} test images, split with data seed {s.data_seed} "
        f"(train size {s.train_size})",
        f"network: {network}; loss {s.loss.value}",
        f"initial weights: {s.init.value}, seed {s.seed} (written below exactly); shuffles "
        f"and dropout masks from seed {s.seed}",
        f"training: {s.optimizer.value}, learning rate {s.learning_rate:g} ({decay}), "
        f"batch size {s.batch_size}, L1 {s.l1:g}, L2 {s.l2:g}"
        + (f", early stopping with patience {s.patience}" if s.early_stopping else ""),
    ]
    bullets = "\n".join(
        textwrap.fill(point, 88, initial_indent="- ", subsequent_indent="  ") for point in points
    )
    return f"""Reproduces model {run.model} of the nn-playground digits lab:
{bullets}

The images: {DATA_SOURCE}"""


def _table(images: DigitImages) -> str:
    """One split: each image's 64 grey levels then its digit, uint8, gzip'd and base64'd."""
    rows = np.column_stack([images.images.reshape(len(images.images), -1), images.digits])
    return packed(rows.astype(np.uint8).tobytes(), compress=True)


def data_source(run: DigitsRun) -> str:
    data = run.data
    classes = ", ".join(map(str, data.classes))
    sigmoid = run.settings.loss is DigitsLoss.SIGMOID_CE
    target = (
        "labels[:, None].astype(np.float32)  # 1 for the second digit"
        if sigmoid
        else f"np.eye({run.outputs}, dtype=np.float32)[labels]  # one-hot"
    )
    # As the engine predicts (image_model.predictions): a sigmoid's class 1 from z > 0.
    predicted = (
        "predicted = (z[:, 0] > 0.0).astype(np.int32)"
        if sigmoid
        else "predicted = np.argmax(z, axis=1)"
    )
    return f'''{section("The data")}
# The images the playground trained and tested on, split as it split them: each row 64 grey
# levels (0..16, row by row) and the digit drawn, as bytes, gzip'd, then base64.
DIGITS = ({classes},)  # class k of the network is the digit DIGITS[k]
TRAIN_TABLE = """
{_table(data.train)}
"""
TEST_TABLE = """
{_table(data.test)}
"""


def unpack(table):
    """(n, 64) uint8 grey levels and (n,) digits from a packed table."""
    rows = np.frombuffer(gzip.decompress(base64.b64decode(table)), np.uint8)
    rows = rows.reshape(-1, 65)
    return rows[:, :64], rows[:, 64]


def pixels(images):
    """(n, 64) float32 in [0, 1]: what the network reads."""
    return (images / np.float32(16)).astype(np.float32)


def labels_of(digits):
    """(n,) int32 class indices."""
    return np.searchsorted(np.asarray(DIGITS), digits).astype(np.int32)


def targets(labels):
    """What the loss compares the logits with."""
    return {target}


def accuracy(z, labels):
    """The fraction of images whose predicted class is theirs."""
    {predicted}
    return float(np.mean(predicted == labels))
'''


def _floats(array: np.ndarray) -> str:
    text = packed(np.asarray(array, "<f4").tobytes(), compress=False)
    return f'floats(\n            """\n{text}\n""",\n            {array.shape},\n        )'


def weights_source(run: DigitsRun) -> str:
    """The epoch-0 weights, exactly (float32 bytes, base64), at the network's own sizes."""
    entries = "".join(
        f"\n    (\n        {_floats(w)},\n        {_floats(b)},\n    )," for w, b in run.layers
    )
    s = run.settings
    return f"""{section("The initial weights")}
# The weights the playground started from ({s.init.value}, seed {s.seed}), exactly: per layer
# (weights, biases) as little-endian float32 bytes in base64, the output layer last.


def floats(text, shape):
    return np.frombuffer(base64.b64decode(text), "<f4").reshape(shape).copy()


INITIAL_PARAMS = [{entries}
]
"""


def windows_source(run: DigitsRun) -> str:
    """KERNEL, STRIDE, FILTERS and the pixels each window of the first layer reads."""
    s = run.settings
    return f'''KERNEL, STRIDE, FILTERS = {s.kernel}, {s.stride}, {s.filters}


def window_pixels():
    """(positions, KERNEL * KERNEL): the pixels (row * 8 + column) each window covers, the
    windows row by row ("valid": none hangs over the edge), their pixels row by row."""
    corners = np.arange((8 - KERNEL) // STRIDE + 1) * STRIDE
    offsets = np.arange(KERNEL)
    rows = corners[:, None, None, None] + offsets[None, None, :, None]
    columns = corners[None, :, None, None] + offsets[None, None, None, :]
    return (rows * 8 + columns).reshape(-1, KERNEL * KERNEL)
'''


def _first_draws(run: DigitsRun) -> int:
    """Uniforms the engine draws per image for the first hidden layer: one per padded unit
    (UNITS), or per position and filter (FLAT) for a conv or local one."""
    return padded.FLAT if run.windowed else padded.UNITS


def _dropout_columns(run: DigitsRun) -> str:
    """Where each hidden layer's uniforms sit in a row of the engine's draw (as
    image_batch.dropout_keep lays it out): the first layer's (a conv or local one's at
    position * FILTERS + filter), then UNITS columns for each further dense layer."""
    columns = []
    for layer, width in enumerate(run.hidden_widths):
        if layer == 0 and run.windowed:
            columns.append(
                f"(np.arange({run.positions})[:, None] * {padded.FILTERS} "
                f"+ np.arange({run.settings.filters})).ravel()"
            )
        elif layer == 0:
            columns.append(f"np.arange({width})")
        else:
            columns.append(f"{_first_draws(run) + (layer - 1) * padded.UNITS} + np.arange({width})")
    return "(" + ", ".join(columns) + ("," if len(columns) == 1 else "") + ")"


def dropout_source(run: DigitsRun) -> str:
    rates = ", ".join(number(rate) for rate in run.dropout)
    return f'''CHUNK = {limits.CHUNK}
DROPOUT = ({rates},)  # rate per hidden layer
# The playground draws its masks for a padded network: DRAWS_PER_ROW uniforms per image of a
# chunk, of which each hidden layer reads its own columns.
DRAWS_PER_ROW = {_first_draws(run) + (len(run.hidden_widths) - 1) * padded.UNITS}
DROPOUT_COLUMNS = {_dropout_columns(run)}


def dropout_keep(seed, batch_number, size, batch):
    """Inverted-dropout multipliers (0 or 1 / (1 - rate)) for the `size` images of a
    minibatch, one (size, units) array per hidden layer: the playground draws them CHUNK
    images at a time, so an image's mask depends on its chunk and its slot in it."""
    row = np.arange(size)
    chunk_seed = stream(seed, batch_number * -(-batch // CHUNK) + row // CHUNK)
    slot = row % CHUNK
    keep = []
    for columns, rate in zip(DROPOUT_COLUMNS, DROPOUT):
        counters = slot[:, None] * DRAWS_PER_ROW + columns
        bits = mix(counters.astype(np.uint32) * GOLDEN ^ chunk_seed[:, None])
        uniform = (bits >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / (1 << 24))
        rate = np.float32(rate)
        keep.append(np.where(uniform >= rate, np.float32(1.0) / (np.float32(1.0) - rate), 0.0))
    return [k.astype(np.float32) for k in keep]
'''
