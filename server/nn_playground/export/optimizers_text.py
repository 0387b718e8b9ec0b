"""The optimizer and learning-rate decay of a configuration as optax and Keras source. The
engine steps with optax's transforms (engine/numerics/optim.py) and decays the learning rate
once per epoch (scheduled_learning_rate); both labs' settings read the same way."""

from __future__ import annotations

from typing import Protocol

from nn_playground.engine.config import Decay, Loss, Optimizer
from nn_playground.export.literals import number


class OptimizerSettings(Protocol):
    """What these texts read: the 2-D ModelConfig and the digits' DigitsSettings both have it."""

    @property
    def optimizer(self) -> Optimizer: ...
    @property
    def learning_rate(self) -> float: ...
    @property
    def momentum(self) -> float: ...
    @property
    def beta1(self) -> float: ...
    @property
    def beta2(self) -> float: ...
    @property
    def rho(self) -> float: ...
    @property
    def epsilon(self) -> float: ...
    @property
    def decay(self) -> Decay: ...
    @property
    def decay_rate(self) -> float: ...
    @property
    def decay_epochs(self) -> int: ...


def optimizer_of(config: OptimizerSettings) -> Optimizer:
    """The perceptron rule (2-D only) is plain gradient descent whatever optimizer is chosen."""
    return Optimizer.SGD if getattr(config, "loss", None) is Loss.PERCEPTRON else config.optimizer


def decay_factor(config: OptimizerSettings, numpy_name: str) -> str:
    """Expression of `progress` (epochs / decay_epochs) scaling the learning rate."""
    rate = number(config.decay_rate)
    return {
        Decay.EXPONENTIAL: f"{rate} ** progress",
        Decay.STEP: f"{rate} ** {numpy_name}.floor(progress)",
        Decay.COSINE: (
            f"{rate} + (1.0 - {rate}) * 0.5 * (1.0 + {numpy_name}.cos({numpy_name}.pi * "
            f"{numpy_name}.minimum(progress, 1.0)))"
        ),
    }[config.decay]


def optax_source(config: OptimizerSettings, learning_rate: str) -> str:
    """optax's optimizer with the engine's transform (eps outside RMSProp's square root)."""
    eps = number(config.epsilon)
    momentum = number(config.momentum)
    return {
        Optimizer.SGD: f"optax.sgd({learning_rate})",
        Optimizer.MOMENTUM: f"optax.sgd({learning_rate}, momentum={momentum})",
        Optimizer.NESTEROV: f"optax.sgd({learning_rate}, momentum={momentum}, nesterov=True)",
        Optimizer.RMSPROP: (
            f"optax.rmsprop({learning_rate}, decay={number(config.rho)}, eps={eps}, "
            "eps_in_sqrt=False)"
        ),
        Optimizer.ADAM: (
            f"optax.adam({learning_rate}, b1={number(config.beta1)}, b2={number(config.beta2)}, "
            f"eps={eps})"
        ),
    }[optimizer_of(config)]


def keras_source(config: OptimizerSettings) -> str:
    rate = number(config.learning_rate)
    eps = number(config.epsilon)
    momentum = number(config.momentum)
    return {
        Optimizer.SGD: f"keras.optimizers.SGD(learning_rate={rate})",
        Optimizer.MOMENTUM: f"keras.optimizers.SGD(learning_rate={rate}, momentum={momentum})",
        Optimizer.NESTEROV: (
            f"keras.optimizers.SGD(learning_rate={rate}, momentum={momentum}, nesterov=True)"
        ),
        Optimizer.RMSPROP: (
            f"keras.optimizers.RMSprop(learning_rate={rate}, rho={number(config.rho)}, "
            f"epsilon={eps})"
        ),
        Optimizer.ADAM: (
            f"keras.optimizers.Adam(learning_rate={rate}, beta_1={number(config.beta1)}, "
            f"beta_2={number(config.beta2)}, epsilon={eps})"
        ),
    }[optimizer_of(config)]
