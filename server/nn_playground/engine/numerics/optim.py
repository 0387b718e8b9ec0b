"""Optimizers (from optax) and learning-rate decay, chosen by runtime ids: one compiled
step serves all of them, and switching optimizer mid-run keeps the weights."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, Protocol, TypeVar, cast

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


# The parameters an optimizer steps: one array (the 2-D engine's raveled vector) or any
# pytree of arrays (the digits network's matrices).
P = TypeVar("P")


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


def init_optimizer(params: object, hyper: OptimizerHyper) -> OptimizerState:
    momentum, _, rms, adam = _transforms(hyper)
    return OptimizerState(
        trace=momentum.init(params),  # type: ignore[arg-type]
        rms=rms.init(params),  # type: ignore[arg-type]
        adam=adam.init(params),  # type: ignore[arg-type]
    )


def descent_direction(
    grads: P, state: OptimizerState, hyper: OptimizerHyper
) -> tuple[P, OptimizerState]:
    """The step direction of the chosen optimizer (order of config.Optimizer), before the
    learning rate: params <- params - learning_rate * direction.

    A switch runs only the chosen optimizer, whose state alone advances; the others keep
    theirs, so switching back resumes where that optimizer left off."""
    momentum, nesterov, rms, adam = _transforms(hyper)

    def sgd(g: P, s: OptimizerState) -> tuple[P, OptimizerState]:
        return g, s

    def with_trace(
        transform: optax.GradientTransformation,
    ) -> Callable[[P, OptimizerState], tuple[P, OptimizerState]]:
        def step(g: P, s: OptimizerState) -> tuple[P, OptimizerState]:
            direction, trace = transform.update(g, s.trace)  # type: ignore[arg-type]
            return cast(P, direction), s._replace(trace=trace)  # type: ignore[arg-type]

        return step

    def rmsprop(g: P, s: OptimizerState) -> tuple[P, OptimizerState]:
        direction, rms_state = rms.update(g, s.rms)  # type: ignore[arg-type]
        return cast(P, direction), s._replace(rms=rms_state)  # type: ignore[arg-type]

    def adam_step(g: P, s: OptimizerState) -> tuple[P, OptimizerState]:
        direction, adam_state = adam.update(g, s.adam)  # type: ignore[arg-type]
        return cast(P, direction), s._replace(adam=adam_state)  # type: ignore[arg-type]

    branches = [sgd, with_trace(momentum), with_trace(nesterov), rmsprop, adam_step]
    result: tuple[P, OptimizerState] = lax.switch(hyper.optimizer, branches, grads, state)
    return result


def fused_descent_direction(
    grads: P, state: OptimizerState, hyper: OptimizerHyper
) -> tuple[P, OptimizerState]:
    """descent_direction's direction and state, with optax's formulas written out per array
    and the chosen optimizer's picked by jnp.where: one fused loop per array rather than a
    switch of transforms, which cost the digits step ~40% of its time. As there, only the
    chosen optimizer's state advances."""
    chosen = jnp.clip(hyper.optimizer, 0, 4)  # order of config.Optimizer, as the switch
    traced, rmsprop, adam = (chosen == 1) | (chosen == 2), chosen == 3, chosen == 4
    count = jnp.where(adam, optax.safe_increment(state.adam.count), state.adam.count)
    b1, b2, rho, decay = hyper.beta1, hyper.beta2, hyper.rho, hyper.momentum
    corrected1, corrected2 = 1 - b1**count, 1 - b2**count

    def one(
        g: jax.Array, t: jax.Array, r: jax.Array, m: jax.Array, n: jax.Array
    ) -> tuple[jax.Array, ...]:
        f = g + decay * t  # optax.trace
        r_next = (1 - rho) * g**2 + rho * r  # optax.scale_by_rms, eps outside the root
        m_next = (1 - b1) * g + b1 * m  # optax.scale_by_adam
        n_next = (1 - b2) * g**2 + b2 * n
        adam_direction = (m_next / corrected1) / (jnp.sqrt(n_next / corrected2) + hyper.epsilon)
        direction = lax.select_n(
            chosen,
            g,
            f,
            g + decay * f,
            (1 / (jnp.sqrt(r_next) + hyper.epsilon)) * g,
            adam_direction,
        )
        return (
            direction,
            jnp.where(traced, f, t),
            jnp.where(rmsprop, r_next, r),
            jnp.where(adam, m_next, m),
            jnp.where(adam, n_next, n),
        )

    leaves, structure = jax.tree.flatten(grads)
    columns = (state.trace.trace, state.rms.nu, state.adam.mu, state.adam.nu)  # as grads
    found = [
        one(*parts)
        for parts in zip(leaves, *(jax.tree.leaves(column) for column in columns), strict=True)
    ]
    direction, trace, rms, mu, nu = (
        jax.tree.unflatten(structure, list(part)) for part in zip(*found, strict=True)
    )
    return direction, OptimizerState(
        trace=optax.TraceState(trace=trace),
        rms=optax.ScaleByRmsState(nu=rms),
        adam=optax.ScaleByAdamState(count=count, mu=mu, nu=nu),
    )


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
