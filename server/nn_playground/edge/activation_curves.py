"""Every hidden-layer activation g(z) and its slope g'(z), sampled for the page's plot
(GET /api/activations): the page draws these numbers and computes none of its own.

They come from the engine's numpy reference (float64; tests hold the JAX activations to it
within float32 rounding), not from a JAX program: the only program a server would ever
compile at run time loads the compiler, some 70 MB of a warm process's memory."""

from __future__ import annotations

from functools import cache

import numpy as np
from pydantic import Field

from nn_playground.engine.config import Activation
from nn_playground.engine.numerics import reference
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

    curves = [
        ActivationCurve(
            name=activation,
            g=rounded(reference.activate(z.astype(np.float64), activation)),
            slope=rounded(reference.activation_derivative(z.astype(np.float64), activation)),
        )
        for activation in Activation
    ]
    return ActivationCurves(z=rounded(z), curves=curves)
