"""Optimizers (from optax) and learning-rate decay, chosen by runtime ids.

Every optimizer's state advances on every step and the update direction is selected by id:
one compiled step serves all of them, and switching optimizer mid-run keeps the weights."""

from __future__ import annotations

import math
from typing import NamedTuple, cast

import jax
import jax.numpy as jnp
import optax
from jax import lax

from nn_playground.engine.hyper import Hyper


class OptimizerState(NamedTuple):
    trace: optax.TraceState  # momentum and Nesterov share one velocity recurrence
    rms: optax.ScaleByRmsState
    adam: optax.ScaleByAdamState


def _transforms(
    hyper: Hyper,
) -> tuple[optax.GradientTransformation, ...]:
    return (
        optax.trace(decay=hyper.momentum, nesterov=False),
        optax.trace(decay=hyper.momentum, nesterov=True),
        # eps outside the square root, as Keras and the course notes write RMSProp.
        optax.scale_by_rms(decay=hyper.rho, eps=hyper.epsilon, eps_in_sqrt=False),
        optax.scale_by_adam(b1=hyper.beta1, b2=hyper.beta2, eps=hyper.epsilon),
    )


def init_optimizer(params: jax.Array, hyper: Hyper) -> OptimizerState:
    momentum, _, rms, adam = _transforms(hyper)
    return OptimizerState(
        trace=momentum.init(params),  # type: ignore[arg-type]
        rms=rms.init(params),  # type: ignore[arg-type]
        adam=adam.init(params),  # type: ignore[arg-type]
    )


def descent_direction(
    grads: jax.Array, state: OptimizerState, hyper: Hyper
) -> tuple[jax.Array, OptimizerState]:
    """The step direction of the chosen optimizer (order of config.Optimizer), before the
    learning rate: params <- params - learning_rate * direction."""
    momentum, nesterov, rms, adam = _transforms(hyper)
    momentum_dir, trace = momentum.update(grads, state.trace)
    nesterov_dir, _ = nesterov.update(grads, state.trace)  # same new trace as above
    rms_dir, rms_state = rms.update(grads, state.rms)
    adam_dir, adam_state = adam.update(grads, state.adam)
    candidates = [cast(jax.Array, d) for d in (momentum_dir, nesterov_dir, rms_dir, adam_dir)]
    direction = lax.select_n(hyper.optimizer, grads, *candidates)
    return direction, OptimizerState(trace, rms_state, adam_state)  # type: ignore[arg-type]


def scheduled_learning_rate(hyper: Hyper, epoch: jax.Array) -> jax.Array:
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
