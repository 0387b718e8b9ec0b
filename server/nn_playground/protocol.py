"""Every websocket message as a pydantic model: the single source of the wire's names,
defaults and bounds (the page builds its controls from `describe_config`, GET /api/config).
Imports neither FastAPI nor JAX; docs/protocol.md describes the same messages with examples."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from nn_playground.engine import limits
from nn_playground.engine.config import (
    Activation,
    DatasetName,
    Decay,
    Init,
    Loss,
    Optimizer,
    Problem,
    RegressionOutput,
)
from nn_playground.engine.numerics.data import OUTPUT_RANGE

MAX_MESSAGE_BYTES = 64 * 1024  # a larger client message closes the socket with 1009
MAX_COMPARE = 8  # models trained together in compare mode
MAX_EPOCHS_PER_FRAME = 100
MAX_STEP_EPOCHS = 1000
MIN_USER_POINTS = 2  # a `points` message's least
# Okabe-Ito (Okabe & Ito, "Color Universal Design", 2008): colour-blind safe. Class k, label k
# and chart line k all take colour k; class 0 orange and class 1 blue, so a binary boundary
# runs from orange to blue. The page draws with these (GET /api/config), never its own copy.
PALETTE = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Input features by name (the same names as engine.limits.FEATURE_NAMES; a test checks).
Feature = Literal["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"]
Seed = Annotated[int, Field(ge=0, lt=2**31)]
Neurons = Annotated[int, Field(ge=1, le=limits.MAX_NEURONS)]
Rate = Annotated[float, Field(ge=0.0, le=0.9)]


class Strict(BaseModel):
    """Extra fields are errors, and so are NaN and Infinity."""

    # strict: no silent coercion ("3" is not 3); messages are parsed from their JSON text.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class Settings(Strict):
    """One model and its data: every control of the page. Hidden-layer lists (activations,
    dropout) follow `hidden`: shorter ones repeat their last entry, longer ones are cut."""

    # data
    dataset: DatasetName = DatasetName.CIRCLE
    n_points: int = Field(500, ge=limits.MIN_POINTS, le=limits.MAX_POINTS)
    noise: float = Field(0.0, ge=0.0, le=1.0)
    train_fraction: float = Field(0.5, ge=0.1, le=0.9)
    n_classes: int = Field(3, ge=3, le=limits.MAX_OUTPUTS, description="multiclass datasets")
    data_seed: Seed = 0
    features: list[Feature] = Field(
        default_factory=lambda: list(get_args(Feature)[:2]),
        min_length=1,
        max_length=len(limits.FEATURE_NAMES),
    )
    # network
    hidden: list[Neurons] = Field(
        default_factory=lambda: [4, 2], max_length=limits.MAX_HIDDEN_LAYERS
    )
    activations: list[Activation] = Field(
        default_factory=lambda: [Activation.TANH, Activation.TANH],
        min_length=1,
        max_length=limits.MAX_HIDDEN_LAYERS,
    )
    loss: Loss = Field(Loss.CROSS_ENTROPY, description="classification; regression uses mse")
    regression_output: RegressionOutput = RegressionOutput.LINEAR
    init: Init = Init.GLOROT_UNIFORM
    seed: Seed = Field(0, description="initial weights, shuffling and dropout")
    # training
    optimizer: Optimizer = Optimizer.SGD
    learning_rate: float = Field(0.03, ge=1e-5, le=10.0)
    momentum: float = Field(0.9, ge=0.0, lt=1.0)
    beta1: float = Field(0.9, ge=0.0, lt=1.0)
    beta2: float = Field(0.999, ge=0.0, lt=1.0)
    rho: float = Field(0.9, ge=0.0, lt=1.0)
    epsilon: float = Field(1e-7, ge=1e-10, le=1.0)
    decay: Decay = Decay.NONE
    decay_rate: float = Field(0.5, gt=0.0, le=1.0)
    decay_epochs: int = Field(100, ge=1, le=100_000)
    batch_size: int = Field(10, ge=1, le=limits.MAX_POINTS)
    l1: float = Field(0.0, ge=0.0, le=1.0)
    l2: float = Field(0.0, ge=0.0, le=1.0)
    dropout: list[Rate] = Field(
        default_factory=lambda: [0.0, 0.0], min_length=1, max_length=limits.MAX_HIDDEN_LAYERS
    )
    early_stopping: bool = False
    patience: int = Field(20, ge=1, le=10_000)


# What a change does to a running model: these names keep the trained weights; those in
# REINITIALISE start from new weights; those in REGENERATE make new data (and new weights).
REGENERATE = frozenset({"dataset", "n_points", "noise", "train_fraction", "n_classes", "data_seed"})
REINITIALISE = frozenset({"features", "hidden", "init", "seed"})
KEEP_WEIGHTS = frozenset(Settings.model_fields) - REGENERATE - REINITIALISE


def optional_fields(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s fields with their bounds, each optional with no default."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        optional = Optional[info.annotation]  # type: ignore[name-defined]  # noqa: UP045
        bounded = Annotated[optional, *info.metadata] if info.metadata else optional
        fields[name] = (bounded, None)
    return fields


class ChangeBase(Strict):
    def given(self) -> dict[str, Any]:
        """The fields the client sent."""
        return self.model_dump(exclude_none=True)


# Any subset of Settings: absent fields keep their values. Built from Settings so the two
# can never disagree on a bound; the type checker sees the base class.
if TYPE_CHECKING:
    SettingsChange = ChangeBase
else:
    SettingsChange = create_model(
        "SettingsChange", __base__=ChangeBase, **optional_fields(Settings)
    )


# --- client -> server ------------------------------------------------------------------------


class Configure(Strict):
    """Change some settings; see KEEP_WEIGHTS / REINITIALISE / REGENERATE for the effect."""

    type: Literal["configure"]
    settings: SettingsChange


class Play(Strict):
    type: Literal["play"]


class Pause(Strict):
    type: Literal["pause"]


class Step(Strict):
    """Train exactly `epochs` more epochs, then pause."""

    type: Literal["step"]
    epochs: int = Field(1, ge=1, le=MAX_STEP_EPOCHS)


class Reset(Strict):
    """New weights from `seed` (default: the current one), epoch 0, same data."""

    type: Literal["reset"]
    seed: Seed | None = None


class Regenerate(Strict):
    """New data from `data_seed` (default: the next seed), and new weights."""

    type: Literal["regenerate"]
    data_seed: Seed | None = None


class Speed(Strict):
    type: Literal["speed"]
    epochs_per_frame: int = Field(ge=1, le=MAX_EPOCHS_PER_FRAME)


class Point(Strict):
    x: float = Field(ge=-limits.DOMAIN, le=limits.DOMAIN)
    y: float = Field(ge=-limits.DOMAIN, le=limits.DOMAIN)
    label: float = Field(
        ge=-limits.MAX_REGRESSION_TARGET,
        le=limits.MAX_REGRESSION_TARGET,
        description="class index, multilabel bitmask (sum of 2**k) or regression value",
    )


class SetPoints(Strict):
    """Train on these points (dataset becomes "custom"); they are split by train_fraction."""

    type: Literal["points"]
    problem: Problem
    n_outputs: int = Field(1, ge=1, le=limits.MAX_OUTPUTS)
    points: list[Point] = Field(min_length=MIN_USER_POINTS, max_length=limits.MAX_POINTS)


class Compare(Strict):
    """Train 2-8 variants of the current settings together (each a change of model settings,
    data shared); an empty list leaves compare mode."""

    type: Literal["compare"]
    models: list[SettingsChange] = Field(max_length=MAX_COMPARE)


class Ack(Strict):
    """The client has taken frame number `frame`: the server keeps at most 2 unacknowledged."""

    type: Literal["ack"]
    frame: int = Field(ge=0)


class Export(Strict):
    """A Python script that trains model `model` (its index in compare mode) as the session
    does: same data, initial weights and settings. Answered by `code`."""

    type: Literal["export"]
    format: Literal["keras", "jax"]
    model: int = Field(0, ge=0, lt=MAX_COMPARE)


class WeightChoice(Strict):
    """One parameter of the network as the page draws it: layer `layer` (0 is the first hidden
    layer; the number of hidden layers is the output layer), from its input `source` (-1:
    the bias) to its unit `unit`."""

    layer: int = Field(0, ge=0, le=limits.MAX_HIDDEN_LAYERS)
    source: int = Field(0, ge=-1, lt=limits.MAX_NEURONS)
    unit: int = Field(0, ge=0, lt=limits.MAX_NEURONS)


class Explain(Strict):
    """Take the next training step of model `model` apart, at the current weights: train
    point `point` (its index in the `data` message's train list) forward and backward, the
    chosen weight's chain rule, the minibatch, the optimizer's update and the cost nudged by
    `epsilon` at that weight. Changes nothing; answered by `explanation`."""

    type: Literal["explain"]
    point: int = Field(0, ge=0, lt=limits.MAX_POINTS)
    weight: WeightChoice = Field(default_factory=WeightChoice)
    epsilon: float = Field(1e-3, ge=1e-6, le=1.0)
    model: int = Field(0, ge=0, lt=MAX_COMPARE)


class ApplyStep(Strict):
    """Take the one minibatch step an `explanation` shows (the step training takes next), then
    pause. Its weights are the explanation's `after`, bit for bit."""

    type: Literal["apply_step"]


ClientMessage = Annotated[
    Configure
    | Play
    | Pause
    | Step
    | Reset
    | Regenerate
    | Speed
    | SetPoints
    | Compare
    | Ack
    | Export
    | Explain
    | ApplyStep,
    Field(discriminator="type"),
]
CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


# --- server -> client ------------------------------------------------------------------------


class SessionState(StrEnum):
    IDLE = "idle"  # not started since the last reset
    RUNNING = "running"
    PAUSED = "paused"
    DIVERGED = "diverged"  # loss or weights went non-finite; reset or lower the learning rate
    STOPPED_EARLY = "stopped_early"  # early stopping ran out of patience


class Limits(Strict):
    max_hidden_layers: int = limits.MAX_HIDDEN_LAYERS
    max_neurons: int = limits.MAX_NEURONS
    max_outputs: int = limits.MAX_OUTPUTS
    min_points: int = limits.MIN_POINTS
    max_points: int = limits.MAX_POINTS
    domain: float = limits.DOMAIN
    output_grid: int = limits.OUTPUT_GRID
    neuron_grid: int = limits.NEURON_GRID
    max_message_bytes: int = MAX_MESSAGE_BYTES
    max_compare: int = MAX_COMPARE
    max_epochs_per_frame: int = MAX_EPOCHS_PER_FRAME
    max_step_epochs: int = MAX_STEP_EPOCHS
    features: list[str] = Field(default_factory=lambda: list(limits.FEATURE_NAMES))
    min_user_points: int = MIN_USER_POINTS
    max_regression_target: float = limits.MAX_REGRESSION_TARGET
    # a `points` message's n_outputs per problem: [least, most]
    outputs: dict[str, list[int]] = Field(
        default_factory=lambda: {str(p): list(span) for p, span in OUTPUT_RANGE.items()}
    )


class ChangeEffects(Strict):
    keep_weights: list[str] = Field(default_factory=lambda: sorted(KEEP_WEIGHTS))
    reinitialise: list[str] = Field(default_factory=lambda: sorted(REINITIALISE))
    regenerate: list[str] = Field(default_factory=lambda: sorted(REGENERATE))


class ModelSettings(Strict):
    """One trained model's settings as applied, and what the server derived from them."""

    settings: Settings  # every field; per-layer lists fitted to `hidden` (1 entry with none)
    loss: Loss  # the criterion trained: mse for regression whatever `settings.loss` says
    loss_kind: str  # the engine's loss, e.g. "sigmoid_ce", "softmax_ce", "linear_mse"
    output_activation: str  # sigmoid, softmax, linear, relu or step


class Ready(Strict):
    type: Literal["ready"] = "ready"
    version: str
    limits: Limits
    settings: Settings  # in effect now (the defaults, for a new session)
    epochs_per_frame: int
    effects: ChangeEffects = Field(default_factory=ChangeEffects)
    models: list[ModelSettings] = Field(default_factory=list)  # as in AppliedSettings


class Data(Strict):
    """The points being trained on: (x, y, label) rows; sent whenever the data changes."""

    type: Literal["data"] = "data"
    problem: Problem
    n_outputs: int
    train: list[tuple[float, float, float]]
    test: list[tuple[float, float, float]]
    target_low: float  # regression colour scale
    target_high: float


class Status(Strict):
    type: Literal["status"] = "status"
    state: SessionState
    epoch: int
    detail: str = ""


class Error(Strict):
    """A message was refused; the session carries on as before it."""

    type: Literal["error"] = "error"
    field: str  # where the problem is, e.g. "settings.hidden.2" or "points.7.label"
    expected: str
    received: str
    message: str


class Code(Strict):
    """The script an `export` asked for: Python source to save as `filename` and run."""

    type: Literal["code"] = "code"
    format: Literal["keras", "jax"]
    model: int
    filename: str
    code: str


class UnitNumbers(Strict):
    """One unit of a layer for the explained point."""

    z: float  # w . a + b
    a: float  # its output g(z) (times its dropout multiplier); for the output layer, the head's
    slope: float | None  # d(a)/d(z): g'(z) times the dropout multiplier (None: output layer)
    keep: float  # the dropout multiplier in this step: 0, 1/(1 - rate), or 1 without dropout
    upstream: float | None  # d(loss)/d(a): what the layers after it send back (as slope)
    delta: float  # d(loss)/d(z) = upstream * slope (for the output layer, from the loss)


class LayerNumbers(Strict):
    """One layer (hidden, or the output layer last) at its exact size: weights (fan_in,
    fan_out), inputs named as the page names them."""

    name: str
    activation: str  # a hidden layer's g, or the output activation
    inputs: list[str]
    units: list[UnitNumbers]
    weights: list[list[float]]
    biases: list[float]
    point_gradients: list[list[float]]  # the point's d(loss)/d(w)
    point_bias_gradients: list[float]
    step_gradients: list[list[float]]  # dJ/dw of the step: the minibatch mean, plus L1 and L2
    step_bias_gradients: list[float]
    after_weights: list[list[float]]  # after the step, as `apply_step` leaves them
    after_biases: list[float]


class OutputNumbers(Strict):
    logits: list[float]
    outputs: list[float]  # the output activation of the logits: probabilities, or values
    targets: list[float]  # the point's targets (one-hot for multiclass)
    label: float  # as in the data message: class, bitmask or value
    loss: float


class Factor(Strict):
    name: str
    value: float


class ChainRule(Strict):
    """d(loss)/d(w) for the chosen point, as a product of factors."""

    factors: list[Factor]
    product: float  # the factors multiplied
    gradient: float  # the engine's d(loss)/d(w) for the point


class BatchPoint(Strict):
    index: int  # in the train list
    loss: float
    gradient: float  # its d(loss)/d(w) at the chosen weight


class BatchNumbers(Strict):
    """The minibatch the next step trains on, at the chosen weight."""

    number: int  # minibatch of the epoch, from 1
    of: int  # minibatches in an epoch
    points: list[BatchPoint]
    mean: float  # mean of the points' gradients
    step_gradient: float  # the step's minibatch gradient as training sums it
    penalty: float  # d(L1 + L2 term)/d(w): l1 * sign(w) + 2 * l2 * w (weights, not biases)
    gradient: float  # dJ/dw: step_gradient + penalty, what the optimizer receives


class Term(Strict):
    name: str
    value: float


class UpdateNumbers(Strict):
    """The optimizer's update of the chosen weight."""

    optimizer: str
    learning_rate: float  # in effect this epoch, decay applied
    gradient: float  # dJ/dw
    terms: list[Term]  # the optimizer's state and its formula's steps, in order
    direction: float  # w <- w - learning_rate * direction
    before: float
    after: float  # the engine's, as `apply_step` leaves it


class Nudge(Strict):
    epsilon: float
    cost: float  # J(w): the minibatch's mean loss plus the L1 and L2 terms
    nudged_cost: float  # J(w + epsilon)
    slope: float  # (J(w + epsilon) - J(w)) / epsilon
    gradient: float  # dJ/dw


class Explanation(Strict):
    """The answer to `explain`."""

    type: Literal["explanation"] = "explanation"
    model: int
    epoch: int
    step: int  # updates taken so far
    point: int
    x: list[float]  # the point's x1, x2
    in_batch: bool  # the point is in the next minibatch (then with its dropout multipliers)
    loss_kind: str
    output_activation: str
    layers: list[LayerNumbers]
    output: OutputNumbers
    weight: WeightChoice
    weight_name: str
    chain: ChainRule
    batch: BatchNumbers
    update: UpdateNumbers
    nudge: Nudge
    diverges: bool  # the step makes the loss or weights non-finite: training would halt


class Busy(Strict):
    type: Literal["busy"] = "busy"
    reason: str
    max_sessions: int


class AppliedSettings(Strict):
    """Answers every client message but `ack` (after its error when refused): the settings in
    effect, normalised, for the page to show. One answer per message, in order."""

    type: Literal["settings"] = "settings"
    revision: int  # client changes applied so far (as in frames)
    settings: Settings  # the base settings (in compare mode, the variants' starting point)
    compare: list[dict[str, Any]]  # the compared variants as accepted; [] when not comparing
    models: list[ModelSettings]  # per trained model, in frame order
    epochs_per_frame: int
    problem: Problem
    n_outputs: int


class Buffer(Strict):
    """Where one array lies in the frame's binary payload (after the header)."""

    name: str
    model: int
    dtype: Literal["uint8", "float32"]
    shape: list[int]
    offset: int
    length: int


class ModelFrame(Strict):
    """One model's numbers in a frame. A non-finite value is null, never NaN or Infinity."""

    epoch: int
    step: int
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None  # null for regression
    test_accuracy: float | None
    learning_rate: float | None
    grad_norms: list[float | None]  # per layer, hidden layers first, output layer last
    hidden: list[int]
    n_outputs: int
    diverged: bool
    diverged_epoch: int | None
    diverged_step: int | None
    stopped_early: bool
    best_epoch: int | None
    neuron_scale: list[list[float | None]]  # per hidden layer and neuron
    feature_scale: list[float | None]  # per selected feature, in `features` order
    features: list[str]


class FrameHeader(Strict):
    type: Literal["frame"] = "frame"
    frame: int  # numbered from 1; acknowledge with {"type": "ack", "frame": n}
    revision: int  # client changes applied so far: the frame reflects every one of them
    state: SessionState
    models: list[ModelFrame]
    buffers: list[Buffer]


ServerMessage = Annotated[
    Ready | Data | Status | Error | Busy | AppliedSettings | Code | Explanation,
    Field(discriminator="type"),
]
SERVER_MESSAGE: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


class ConfigDescription(Strict):
    """GET /api/config: everything the page needs to build its controls and draw, loaded
    before it builds them; the page hard-codes none of it."""

    settings_schema: dict[str, Any]
    defaults: Settings
    limits: Limits
    effects: ChangeEffects
    palette: list[str] = Field(default_factory=lambda: list(PALETTE))  # "#rrggbb"
    max_sessions: int  # this server's session cap (a refused page is sent `busy`)


def describe_config(max_points: int, max_sessions: int) -> ConfigDescription:
    """The settings' schema with this server's point limit in place of the engine's, and
    this server's session cap."""
    schema = Settings.model_json_schema()
    schema["properties"]["n_points"]["maximum"] = max_points
    return ConfigDescription(
        settings_schema=schema,
        defaults=Settings(),
        limits=Limits(max_points=max_points),
        effects=ChangeEffects(),
        max_sessions=max_sessions,
    )
