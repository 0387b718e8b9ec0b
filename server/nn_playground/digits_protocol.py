"""The digits lab's websocket messages (a session opened at /ws?lab=digits) as pydantic
models: its settings with their bounds, the drawn digit and its prediction, the frame header.
The messages both labs share (play, pause, step, reset, regenerate, speed, ack, export and the
server's status, error and busy) are protocol.py's. Imports neither FastAPI nor JAX;
docs/protocol.md describes these messages with examples."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, TypeAdapter, create_model, field_validator

from nn_playground.engine import limits
from nn_playground.engine.config import Activation, Decay, Init, Optimizer
from nn_playground.protocol import (
    MAX_COMPARE,
    MAX_EPOCHS_PER_FRAME,
    MAX_MESSAGE_BYTES,
    MAX_STEP_EPOCHS,
    PALETTE,
    Ack,
    Buffer,
    ChangeBase,
    Export,
    Pause,
    Play,
    Regenerate,
    Reset,
    Seed,
    SessionState,
    Speed,
    Step,
    Strict,
    optional_fields,
)

LAB = "digits"  # the /ws query's lab=
MAX_TRAIN_IMAGES = 1437  # the training split of all ten digits (engine/numerics/digits.py)
SHOWN = 64  # test digits whose probabilities a frame carries
MIN_DRAWING_SIDE = 8
# At most 4 bytes a pixel in JSON ("255,"): a 96 x 96 drawing is at most ~37 kB, well under
# MAX_MESSAGE_BYTES (a larger message closes the socket).
MAX_DRAWING_SIDE = 96

Units = Annotated[int, Field(ge=1, le=limits.DIGITS_MAX_UNITS)]
Digit = Annotated[int, Field(ge=0, lt=limits.DIGITS_CLASSES)]
Rate = Annotated[float, Field(ge=0.0, le=0.9)]


class FirstLayer(StrEnum):
    """The first hidden layer: every unit sees the whole image (dense), or each sees a k x k
    window, with one kernel per filter shared by every window (conv) or its own weights at
    every window (local, "locally connected")."""

    DENSE = "dense"
    CONV = "conv"
    LOCAL = "local"


class DigitsLoss(StrEnum):
    """The output and its criterion, always computed from the logits except the naive one."""

    SIGMOID_CE = "sigmoid_ce"  # two digits: one sigmoid output, binary cross-entropy
    SOFTMAX_CE = "softmax_ce"  # softmax outputs, cross-entropy from the logits (log-sum-exp)
    SOFTMAX_CE_NAIVE = "softmax_ce_naive"  # log of the softmax probabilities: overflows
    SOFTMAX_MSE = "softmax_mse"  # squared error of the probabilities


class DigitsSettings(Strict):
    """One digits model and its data: every control of the digits lab. With a conv or local
    first layer, `hidden` lists the dense layers after it; per-layer lists (activations,
    dropout) cover every hidden layer, the conv or local one first, and follow the depth as
    in 2-D mode (shorter ones repeat their last entry, longer ones are cut)."""

    # data
    digits: list[Digit] = Field(
        default_factory=lambda: list(range(limits.DIGITS_CLASSES)),
        min_length=2,
        max_length=limits.DIGITS_CLASSES,
        description="the task: 0 vs 1, all ten, or any digits (sorted, distinct)",
    )
    train_size: int = Field(
        MAX_TRAIN_IMAGES,
        ge=limits.DIGITS_CLASSES,
        le=MAX_TRAIN_IMAGES,
        description="training images at most (fewer when the digits chosen have fewer)",
    )
    data_seed: Seed = Field(0, description="which images go to the test set")
    # network
    first_layer: FirstLayer = FirstLayer.DENSE
    kernel: int = Field(3, ge=limits.DIGITS_MIN_KERNEL, le=limits.DIGITS_MAX_KERNEL)
    stride: int = Field(1, ge=limits.DIGITS_MIN_STRIDE, le=limits.DIGITS_MAX_STRIDE)
    filters: int = Field(4, ge=1, le=limits.DIGITS_MAX_FILTERS)
    hidden: list[Units] = Field(
        default_factory=lambda: [25, 15], max_length=limits.DIGITS_MAX_HIDDEN_LAYERS
    )
    activations: list[Activation] = Field(
        default_factory=lambda: [Activation.RELU, Activation.RELU],
        min_length=1,
        max_length=limits.DIGITS_MAX_HIDDEN_LAYERS,
    )
    loss: DigitsLoss = DigitsLoss.SOFTMAX_CE
    init: Init = Init.GLOROT_UNIFORM
    seed: Seed = Field(0, description="initial weights, shuffling and dropout")
    # training
    optimizer: Optimizer = Optimizer.ADAM
    learning_rate: float = Field(0.003, ge=1e-5, le=10.0)
    momentum: float = Field(0.9, ge=0.0, lt=1.0)
    beta1: float = Field(0.9, ge=0.0, lt=1.0)
    beta2: float = Field(0.999, ge=0.0, lt=1.0)
    rho: float = Field(0.9, ge=0.0, lt=1.0)
    epsilon: float = Field(1e-7, ge=1e-10, le=1.0)
    decay: Decay = Decay.NONE
    decay_rate: float = Field(0.5, gt=0.0, le=1.0)
    decay_epochs: int = Field(10, ge=1, le=100_000)
    batch_size: int = Field(32, ge=1, le=MAX_TRAIN_IMAGES)
    l1: float = Field(0.0, ge=0.0, le=1.0)
    l2: float = Field(0.0, ge=0.0, le=1.0)
    dropout: list[Rate] = Field(
        default_factory=lambda: [0.0, 0.0],
        min_length=1,
        max_length=limits.DIGITS_MAX_HIDDEN_LAYERS,
    )
    early_stopping: bool = False
    patience: int = Field(20, ge=1, le=10_000)

    @field_validator("digits")
    @classmethod
    def _distinct(cls, digits: list[int]) -> list[int]:
        if len(set(digits)) != len(digits):
            raise ValueError(f"distinct digits, received {digits}")
        return sorted(digits)


# What a change does (as protocol.KEEP_WEIGHTS...): new data and weights, new weights, or
# neither. A new task changes the output count, hence the weights.
DIGITS_REGENERATE = frozenset({"digits", "train_size", "data_seed"})
DIGITS_REINITIALISE = frozenset(
    {"first_layer", "kernel", "stride", "filters", "hidden", "init", "seed"}
)
DIGITS_KEEP_WEIGHTS = (
    frozenset(DigitsSettings.model_fields) - DIGITS_REGENERATE - DIGITS_REINITIALISE
)

if TYPE_CHECKING:
    DigitsSettingsChange = ChangeBase
else:
    DigitsSettingsChange = create_model(
        "DigitsSettingsChange", __base__=ChangeBase, **optional_fields(DigitsSettings)
    )


# --- client -> server ------------------------------------------------------------------------


class DigitsConfigure(Strict):
    """Change some settings; see DIGITS_KEEP_WEIGHTS / _REINITIALISE / _REGENERATE."""

    type: Literal["configure"]
    settings: DigitsSettingsChange


class DigitsCompare(Strict):
    """Train 2-8 variants of the current settings together on the same images (each a change
    of model settings); an empty list leaves compare mode."""

    type: Literal["compare"]
    models: list[DigitsSettingsChange] = Field(max_length=MAX_COMPARE)


class Predict(Strict):
    """A digit drawn by the learner: `side` x `side` grey levels, row by row, strokes bright
    (0 paper .. 255 ink). The server reduces it as the dataset was made (8 x 8, 0..16) and
    answers `prediction` with every model's probabilities. Changes nothing."""

    type: Literal["predict"]
    side: int = Field(ge=MIN_DRAWING_SIDE, le=MAX_DRAWING_SIDE)
    pixels: list[Annotated[int, Field(ge=0, le=255)]] = Field(max_length=MAX_DRAWING_SIDE**2)


DigitsClientMessage = Annotated[
    DigitsConfigure
    | Play
    | Pause
    | Step
    | Reset
    | Regenerate
    | Speed
    | DigitsCompare
    | Ack
    | Export
    | Predict,
    Field(discriminator="type"),
]
DIGITS_CLIENT_MESSAGE: TypeAdapter[DigitsClientMessage] = TypeAdapter(DigitsClientMessage)


# --- server -> client ------------------------------------------------------------------------


class DigitsLimits(Strict):
    max_hidden_layers: int = limits.DIGITS_MAX_HIDDEN_LAYERS  # the conv or local one included
    max_units: int = limits.DIGITS_MAX_UNITS
    min_kernel: int = limits.DIGITS_MIN_KERNEL
    max_kernel: int = limits.DIGITS_MAX_KERNEL
    max_stride: int = limits.DIGITS_MAX_STRIDE
    max_filters: int = limits.DIGITS_MAX_FILTERS
    side: int = limits.DIGITS_SIDE  # an image is side x side pixels
    levels: int = 16  # a pixel's grey levels are 0..levels
    classes: int = limits.DIGITS_CLASSES
    max_train_images: int = MAX_TRAIN_IMAGES
    shown: int = SHOWN
    min_drawing_side: int = MIN_DRAWING_SIDE
    max_drawing_side: int = MAX_DRAWING_SIDE
    max_message_bytes: int = MAX_MESSAGE_BYTES
    max_compare: int = MAX_COMPARE
    max_epochs_per_frame: int = MAX_EPOCHS_PER_FRAME
    max_step_epochs: int = MAX_STEP_EPOCHS


class DigitsEffects(Strict):
    keep_weights: list[str] = Field(default_factory=lambda: sorted(DIGITS_KEEP_WEIGHTS))
    reinitialise: list[str] = Field(default_factory=lambda: sorted(DIGITS_REINITIALISE))
    regenerate: list[str] = Field(default_factory=lambda: sorted(DIGITS_REGENERATE))


class DigitsModelSettings(Strict):
    """One trained model's settings as applied, and what the server derived from them."""

    settings: DigitsSettings  # every field; per-layer lists fitted to the depth
    layers: list[str]  # each hidden layer, e.g. "conv 3x3 stride 1, 4 filters", "dense 15"
    outputs: int  # 1 (sigmoid) or one per digit (softmax)
    output_activation: Literal["sigmoid", "softmax"]
    parameters: int  # trainable weights and biases


class DigitsReady(Strict):
    type: Literal["ready"] = "ready"
    lab: Literal["digits"] = "digits"
    version: str
    limits: DigitsLimits
    settings: DigitsSettings
    epochs_per_frame: int
    effects: DigitsEffects = Field(default_factory=DigitsEffects)
    models: list[DigitsModelSettings]


class DigitsApplied(Strict):
    """Answers every client message but `ack`, as `settings` does in 2-D mode."""

    type: Literal["settings"] = "settings"
    revision: int
    settings: DigitsSettings
    compare: list[dict[str, Any]]
    models: list[DigitsModelSettings]
    epochs_per_frame: int
    train_images: int  # trained on (train_size, or all the chosen digits have)
    test_images: int


class ShownDigits(Strict):
    """The test digits a frame's probabilities are about (the first SHOWN of the test set);
    sent whenever the data changes."""

    type: Literal["digits"] = "digits"
    digits: list[int]  # the task's digits: class k of the network is digit digits[k]
    labels: list[int]  # each shown image's digit
    images: list[list[int]]  # each shown image: side * side grey levels, 0..levels
    train_images: int
    test_images: int


class Prediction(Strict):
    """The answer to `predict`."""

    type: Literal["prediction"] = "prediction"
    image: list[int]  # the drawing as the network reads it: side * side grey levels 0..16
    digits: list[int]  # class k is digit digits[k]
    probabilities: list[list[float]]  # per model, one per digit (a sigmoid's p and 1 - p)


class DigitsModelFrame(Strict):
    """One model's numbers in a frame. A non-finite value is null."""

    epoch: int
    step: int
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    diverged: bool
    stopped_early: bool
    best_epoch: int | None  # lowest test loss so far; null with early stopping off
    weight_scale: float | None  # the weights buffer's 0 and 255 are -scale and +scale


class DigitsFrameHeader(Strict):
    """Buffers per model: `confusion` (digits x digits) float32 counts of test images, rows the
    true digit; `probabilities` (shown, digits) uint8, 255 = 1; `weights` (n, h, w) uint8,
    the first layer's weights as n images: a dense layer's units (8 x 8), a conv layer's
    filters (k x k), a local layer's filters at every window ((filters * positions), k x k,
    filter-major)."""

    type: Literal["frame"] = "frame"
    frame: int
    revision: int
    state: SessionState
    models: list[DigitsModelFrame]
    buffers: list[Buffer]


class DigitsConfigDescription(Strict):
    """GET /api/digits/config: what the digits page builds its controls and draws with."""

    settings_schema: dict[str, Any]
    defaults: DigitsSettings
    limits: DigitsLimits
    effects: DigitsEffects
    palette: list[str] = Field(default_factory=lambda: list(PALETTE))
    max_sessions: int


def describe_digits_config(max_sessions: int) -> DigitsConfigDescription:
    return DigitsConfigDescription(
        settings_schema=DigitsSettings.model_json_schema(),
        defaults=DigitsSettings(),
        limits=DigitsLimits(),
        effects=DigitsEffects(),
        max_sessions=max_sessions,
    )
