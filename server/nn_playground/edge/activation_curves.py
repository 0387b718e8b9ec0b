"""Every hidden-layer activation g(z) and its slope g'(z), sampled by the engine's own
model.activation_and_derivative (float32, as training computes them), for the page's plot
(GET /api/activations): the page draws these numbers and computes none of its own."""

from __future__ import annotations

from functools import cache

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import Field

from nn_playground.engine.config import Activation
from nn_playground.engine.numerics.hyper import ACTIVATION_IDS
from nn_playground.engine.numerics.model import activation_and_derivative
from nn_playground.protocol import Strict

Z_MAX = 5.0  # wide enough to show where sigmoid and tanh flatten (vanishing gradients)
SAMPLES = 201  # z steps of 0.05: smooth at the plot's size, with z = 0 (a kink) among them


class ActivationCurve(Strict):
    name: Activation
    g: list[float] = Field(description="g(z) at each z")
    slope: list[float] = Field(description="g'(z) at each z (the left branch at a kink)")


class ActivationCurves(Strict):
    """GET /api/activations."""

    z: list[float] = Field(description=f"{SAMPLES} evenly spaced values from -{Z_MAX} to {Z_MAX}")
    curves: list[ActivationCurve]  # in the order of the settings schema's choices


@cache
def activation_curves() -> ActivationCurves:
    z = np.linspace(-Z_MAX, Z_MAX, SAMPLES, dtype=np.float32)  # (SAMPLES,) float32

    def rounded(values: object) -> list[float]:
        return [round(float(v), 6) + 0.0 for v in np.asarray(values)]  # + 0.0: no -0.0

    ids = np.array([ACTIVATION_IDS[activation] for activation in Activation], np.int32)
    # One program for every activation (eager, op by op, took about 2 s here).
    every = jax.jit(jax.vmap(activation_and_derivative, in_axes=(None, 0)))
    g, slope = every(jnp.asarray(z), jnp.asarray(ids))  # each (activations, SAMPLES) float32
    curves = [
        ActivationCurve(name=activation, g=rounded(g[i]), slope=rounded(slope[i]))
        for i, activation in enumerate(Activation)
    ]
    return ActivationCurves(z=rounded(z), curves=curves)
