"""Optimizers (from optax) and learning-rate decay, chosen by runtime ids: one compiled
step serves all of them, and switching optimizer mid-run keeps the weights."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, Protocol, cast

import jax
import jax.numpy as jnp
import optax
from jax import lax


class OptimizerHyper(Protocol):
    """The runtime fields the optimizers and the learning-rate schedule read: the 2-D
    engine's `Hyper` and the digits' `ImageHyper` both have them (read-only, as NamedTuple
    fields are)."""

    @property
    def optimizer(self) -> jax.Array: ...  # () int32 Optimizer id
    @property
    def learning_rate(self) -> jax.Array: ...  # () float32
    @property
    def momentum(self) -> jax.Array: ...  # () float32
    @property
    def beta1(self) -> jax.Array: ...  # () float32
    @property
    def beta2(self) -> jax.Array: ...  # () float32
    @property
    def rho(self) -> jax.Array: ...  # () float32
    @property
    def epsilon(self) -> jax.Array: ...  # () float32
    @property
    def decay(self) -> jax.Array: ...  # () int32 Decay id
    @property
    def decay_rate(self) -> jax.Array: ...  # () float32
    @property
    def decay_epochs(self) -> jax.Array: ...  # () float32


class OptimizerState(NamedTuple):
    trace: optax.TraceState  # momentum and Nesterov share one velocity
    rms: optax.ScaleByRmsState
    adam: optax.ScaleByAdamState


def _transforms(
    hyper: OptimizerHyper,
) -> tuple[optax.GradientTransformation, ...]:
    return (
        optax.trace(decay=hyper.momentum, nesterov=False),
        optax.trace(decay=hyper.momentum, nesterov=True),
        # eps outside the square root, as Keras and the course notes write RMSProp.
        optax.scale_by_rms(decay=hyper.rho, eps=hyper.epsilon, eps_in_sqrt=False),
        optax.scale_by_adam(b1=hyper.beta1, b2=hyper.beta2, eps=hyper.epsilon),
    )


def init_optimizer(params: jax.Array, hyper: OptimizerHyper) -> OptimizerState:
    momentum, _, rms, adam = _transforms(hyper)
    return OptimizerState(
        trace=momentum.init(params),  # type: ignore[arg-type]
        rms=rms.init(params),  # type: ignore[arg-type]
        adam=adam.init(params),  # type: ignore[arg-type]
    )


def descent_direction(
    grads: jax.Array, state: OptimizerState, hyper: OptimizerHyper
) -> tuple[jax.Array, OptimizerState]:
    """The step direction of the chosen optimizer (order of config.Optimizer), before the
    learning rate: params <- params - learning_rate * direction.

    A switch runs only the chosen optimizer, whose state alone advances; the others keep
    theirs, so switching back resumes where that optimizer left off."""
    momentum, nesterov, rms, adam = _transforms(hyper)

    def sgd(g: jax.Array, s: OptimizerState) -> tuple[jax.Array, OptimizerState]:
        return g, s

    def with_trace(
        transform: optax.GradientTransformation,
    ) -> Callable[[jax.Array, OptimizerState], tuple[jax.Array, OptimizerState]]:
        def step(g: jax.Array, s: OptimizerState) -> tuple[jax.Array, OptimizerState]:
            direction, trace = transform.update(g, s.trace)
            return cast(jax.Array, direction), s._replace(trace=trace)  # type: ignore[arg-type]

        return step

    def rmsprop(g: jax.Array, s: OptimizerState) -> tuple[jax.Array, OptimizerState]:
        direction, rms_state = rms.update(g, s.rms)
        return cast(jax.Array, direction), s._replace(rms=rms_state)  # type: ignore[arg-type]

    def adam_step(g: jax.Array, s: OptimizerState) -> tuple[jax.Array, OptimizerState]:
        direction, adam_state = adam.update(g, s.adam)
        return cast(jax.Array, direction), s._replace(adam=adam_state)  # type: ignore[arg-type]

    branches = [sgd, with_trace(momentum), with_trace(nesterov), rmsprop, adam_step]
    result: tuple[jax.Array, OptimizerState] = lax.switch(hyper.optimizer, branches, grads, state)
    return result


def scheduled_learning_rate(hyper: OptimizerHyper, epoch: jax.Array) -> jax.Array:
    """The learning rate in effect at `epoch` (order of config.Decay).

    Written out rather than taken from optax's schedules, which check their arguments in
    Python and so cannot take the decay settings as runtime values.
    """
    progress = epoch.astype(jnp.float32) / hyper.decay_epochs
    rate = hyper.decay_rate
    cosine = rate + (1.0 - rate) * 0.5 * (1.0 + jnp.cos(math.pi * jnp.minimum(progress, 1.0)))
    factor = lax.select_n(
        hyper.decay,
        jnp.float32(1.0),
        rate**progress,
        rate ** jnp.floor(progress),
        cosine,
    )
    return hyper.learning_rate * factor
