"""The fixed sizes every compiled function is built for. A value inside these limits never
causes a compilation; the protocol enforces them at the edge. Imports nothing."""

from typing import Final

MAX_HIDDEN_LAYERS: Final = 6
MAX_NEURONS: Final = 16  # per hidden layer; also the padded width of every layer
# Networks no wider than this (inputs, hidden layers, outputs) run on a cut-down copy.
NARROW_NEURONS: Final = 8
MAX_OUTPUTS: Final = 5  # multiclass up to 5 classes, multilabel up to 3 labels
MAX_POINTS: Final = 1000  # per dataset, train + test
MIN_POINTS: Final = 10
DOMAIN: Final = 6.0  # inputs x1, x2 live in [-DOMAIN, DOMAIN]
MAX_REGRESSION_TARGET: Final = 1000.0  # |value| of user-supplied regression points

OUTPUT_GRID: Final = 100  # decision boundary resolution (per side), as the TensorFlow Playground
NEURON_GRID: Final = 32  # hidden-neuron thumbnail resolution (per side)
CHUNK: Final = 32  # rows per compiled training step; larger minibatches take several chunks

FEATURE_NAMES: Final = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2")

# The handwritten-digits lab (8 x 8 images): one padded network serves every setting below.
DIGITS_SIDE: Final = 8
DIGITS_PIXELS: Final = DIGITS_SIDE * DIGITS_SIDE
DIGITS_MAX_HIDDEN_LAYERS: Final = 3  # the first (dense, conv or local), then dense ones
DIGITS_MAX_UNITS: Final = 32  # per dense hidden layer
DIGITS_MIN_KERNEL: Final = 2  # first-layer window side (conv and local)
DIGITS_MAX_KERNEL: Final = 5
DIGITS_MIN_STRIDE: Final = 1
DIGITS_MAX_STRIDE: Final = 3
DIGITS_MAX_FILTERS: Final = 8
DIGITS_MAX_SIDE_POSITIONS: Final = 7  # (8 - kernel) // stride + 1 at kernel 2, stride 1
DIGITS_MAX_POSITIONS: Final = DIGITS_MAX_SIDE_POSITIONS**2
DIGITS_CLASSES: Final = 10
DIGITS_MAX_IMAGES: Final = 1797  # train + test
