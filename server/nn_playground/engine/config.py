"""Every choice the engine offers, as enums, and the validated configuration of one model.
Plain Python (no numpy, no jax) so the wire layer can reuse the names."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from nn_playground.engine import limits


class Problem(StrEnum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    MULTILABEL = "multilabel"
    REGRESSION = "regression"


class DatasetName(StrEnum):
    # binary classification
    CIRCLE = "circle"
    XOR = "xor"
    GAUSSIANS = "gaussians"
    SPIRAL = "spiral"
    MOONS = "moons"
    LINEAR = "linear"
    # multiclass
    BLOBS = "blobs"
    SPIRAL3 = "spiral3"
    # multilabel
    OVERLAP = "overlap"
    # regression
    PLANE = "plane"
    BUMPS = "bumps"
    SINE = "sine"
    # user-supplied points
    CUSTOM = "custom"


DATASET_PROBLEM: dict[DatasetName, Problem] = {
    DatasetName.CIRCLE: Problem.BINARY,
    DatasetName.XOR: Problem.BINARY,
    DatasetName.GAUSSIANS: Problem.BINARY,
    DatasetName.SPIRAL: Problem.BINARY,
    DatasetName.MOONS: Problem.BINARY,
    DatasetName.LINEAR: Problem.BINARY,
    DatasetName.BLOBS: Problem.MULTICLASS,
    DatasetName.SPIRAL3: Problem.MULTICLASS,
    DatasetName.OVERLAP: Problem.MULTILABEL,
    DatasetName.PLANE: Problem.REGRESSION,
    DatasetName.BUMPS: Problem.REGRESSION,
    DatasetName.SINE: Problem.REGRESSION,
}


class Activation(StrEnum):
    SIGMOID = "sigmoid"
    TANH = "tanh"
    RELU = "relu"
    LEAKY_RELU = "leaky_relu"
    ELU = "elu"
    SELU = "selu"
    SWISH = "swish"
    LINEAR = "linear"


class Loss(StrEnum):
    """The training criterion; each fixes the output activation (see model.OutputHead)."""

    CROSS_ENTROPY = "cross_entropy"  # stable, from logits (softplus / log-sum-exp)
    CROSS_ENTROPY_NAIVE = "cross_entropy_naive"  # from probabilities, to show round-off
    MSE = "mse"  # on probabilities for classification, on values for regression
    PERCEPTRON = "perceptron"  # the perceptron rule: step output, no hidden layer


class RegressionOutput(StrEnum):
    LINEAR = "linear"  # any sign
    RELU = "relu"  # non-negative targets


class Optimizer(StrEnum):
    SGD = "sgd"  # full-batch gradient descent when batch_size >= training points
    MOMENTUM = "momentum"
    NESTEROV = "nesterov"
    RMSPROP = "rmsprop"
    ADAM = "adam"


class Decay(StrEnum):
    NONE = "none"
    EXPONENTIAL = "exponential"  # rate ** (epoch / decay_epochs)
    STEP = "step"  # rate ** floor(epoch / decay_epochs)
    COSINE = "cosine"  # to alpha * learning_rate over decay_epochs, then flat


class Init(StrEnum):
    GLOROT_UNIFORM = "glorot_uniform"
    GLOROT_NORMAL = "glorot_normal"
    HE_UNIFORM = "he_uniform"
    HE_NORMAL = "he_normal"
    UNIFORM = "uniform"  # uniform(-0.5, 0.5)
    ZEROS = "zeros"  # every neuron identical: the symmetry problem


class FieldError(ValueError):
    """A value refused: `field` names the culprit, `expected` what would do, `received` what
    came (the wire's `error` message carries the three)."""

    def __init__(self, field: str, expected: str, received: object) -> None:
        super().__init__(f"{field}: expected {expected}, received {received!r}")
        self.field = field
        self.expected = expected
        self.received = received


class ConfigError(FieldError):
    """A configuration outside what the engine supports."""


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines how one model trains (the data lives elsewhere).

    `hidden` lists neurons per hidden layer; `activations` holds one entry per hidden layer.
    """

    problem: Problem = Problem.BINARY
    n_outputs: int = 1  # classes (multiclass) or labels (multilabel); 1 otherwise
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activations: tuple[Activation, ...] = (Activation.TANH, Activation.TANH)
    loss: Loss = Loss.CROSS_ENTROPY
    regression_output: RegressionOutput = RegressionOutput.LINEAR
    init: Init = Init.GLOROT_UNIFORM
    optimizer: Optimizer = Optimizer.SGD
    learning_rate: float = 0.03
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.9  # RMSProp's moving-average decay
    epsilon: float = 1e-7
    decay: Decay = Decay.NONE
    decay_rate: float = 0.5
    decay_epochs: int = 100
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    dropout: tuple[float, ...] = field(default=(0.0, 0.0))
    early_stopping: bool = False
    patience: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        validate(self)


def validate(config: ModelConfig) -> None:
    """Raise ConfigError naming the first field outside the engine's limits."""
    depth = len(config.hidden)
    if depth > limits.MAX_HIDDEN_LAYERS:
        raise ConfigError("hidden", f"at most {limits.MAX_HIDDEN_LAYERS} layers", depth)
    for i, width in enumerate(config.hidden):
        if not 1 <= width <= limits.MAX_NEURONS:
            raise ConfigError(f"hidden[{i}]", f"1 to {limits.MAX_NEURONS} neurons", width)
    if len(config.activations) != depth:
        raise ConfigError("activations", f"one per hidden layer ({depth})", config.activations)
    if len(config.dropout) != depth:
        raise ConfigError("dropout", f"one rate per hidden layer ({depth})", config.dropout)
    for i, rate in enumerate(config.dropout):
        if not 0.0 <= rate <= 0.9:
            raise ConfigError(f"dropout[{i}]", "a rate from 0 to 0.9", rate)
    if not config.features or len(set(config.features)) != len(config.features):
        raise ConfigError("features", "a non-empty set of distinct features", config.features)
    for name in config.features:
        if name not in limits.FEATURE_NAMES:
            raise ConfigError("features", f"names from {limits.FEATURE_NAMES}", name)
    outputs = {
        Problem.BINARY: (1, 1),
        Problem.MULTICLASS: (3, limits.MAX_OUTPUTS),
        Problem.MULTILABEL: (2, 3),
        Problem.REGRESSION: (1, 1),
    }[config.problem]
    if not outputs[0] <= config.n_outputs <= outputs[1]:
        raise ConfigError(
            "n_outputs", f"{outputs[0]} to {outputs[1]} for {config.problem}", config.n_outputs
        )
    if config.problem is Problem.REGRESSION and config.loss is not Loss.MSE:
        raise ConfigError("loss", "mse for regression", config.loss)
    if config.loss is Loss.PERCEPTRON:
        if config.problem is not Problem.BINARY:
            raise ConfigError("loss", "the perceptron rule only for binary problems", config.loss)
        if depth:
            raise ConfigError("hidden", "no hidden layer with the perceptron rule", config.hidden)
    if not 1e-5 <= config.learning_rate <= 10.0:
        raise ConfigError("learning_rate", "1e-5 to 10", config.learning_rate)
    for name in ("momentum", "beta1", "beta2", "rho"):
        value = getattr(config, name)
        if not 0.0 <= value < 1.0:
            raise ConfigError(name, "0 <= value < 1", value)
    if not 1e-10 <= config.epsilon <= 1.0:
        raise ConfigError("epsilon", "1e-10 to 1", config.epsilon)
    if not 0.0 < config.decay_rate <= 1.0:
        raise ConfigError("decay_rate", "0 < rate <= 1", config.decay_rate)
    if not 1 <= config.decay_epochs <= 100_000:
        raise ConfigError("decay_epochs", "1 to 100000", config.decay_epochs)
    if not 1 <= config.batch_size <= limits.MAX_POINTS:
        raise ConfigError("batch_size", f"1 to {limits.MAX_POINTS}", config.batch_size)
    for name in ("l1", "l2"):
        value = getattr(config, name)
        if not 0.0 <= value <= 1.0:
            raise ConfigError(name, "a rate from 0 to 1", value)
    if not 1 <= config.patience <= 10_000:
        raise ConfigError("patience", "1 to 10000 epochs", config.patience)
    if not 0 <= config.seed < 2**31:
        raise ConfigError("seed", "0 <= seed < 2**31", config.seed)
