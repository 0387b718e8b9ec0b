"""The training gradient written out by hand: the delta rule of the course notes, on the
padded network. Autodiff through per-layer slices of the one parameter array summed padded
copies of every layer's gradient, and XLA fused that sum with the reductions before it,
recomputing them for each element: the slowest part of a step. Here the gradients of all
layers, weights and biases, come from one contraction in the parameters' own layout.

Its forward pass is `model.forward`; tests compare the pullback with JAX's autodiff of it."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from nn_playground.engine.numerics import model
from nn_playground.engine.numerics.hyper import Hyper


def _with_ones(h: jax.Array) -> jax.Array:
    """(n, width) -> (n, width + 1): a column of ones reads the bias row of a layer's slot."""
    return jnp.concatenate([h, jnp.ones((h.shape[0], 1), h.dtype)], axis=1)


def logits_and_pullback(
    depth: int,
    params: jax.Array,
    features: jax.Array,
    hyper: Hyper,
    keep: jax.Array,
    pass_through: bool = True,
) -> tuple[jax.Array, Callable[[jax.Array], jax.Array]]:
    """Logits (n, width) through exactly `depth` hidden layers (a Python int), and a function
    from d(loss)/d(logits) to d(loss)/d(params) (params' shape).

    `pass_through` as in model.forward; `keep` holds dropout multipliers (HIDDEN, n, width)."""
    width = params.shape[-1]
    done = model.forward(
        depth, pass_through, params, features, hyper, model.activation_and_derivative, keep
    )
    # d(output_l)/d(z_l) elementwise: g'(z) * mask * keep (computed: this activation has one)
    slopes = [slope for slope in done.slopes if slope is not None]
    out_weights = params[model.OUTPUT, :width]

    def pullback(logit_grad: jax.Array) -> jax.Array:
        deltas: list[jax.Array] = []  # d(loss)/d(z_l) per hidden layer
        upstream = logit_grad @ out_weights.T  # d(loss)/d(h_depth)
        for layer in reversed(range(depth)):
            if pass_through:
                on = model.in_model(layer, hyper)
                delta = jnp.where(on, upstream, 0.0) * slopes[layer]
                upstream = delta @ params[layer, :width].T + jnp.where(on, 0.0, upstream)
            else:
                delta = upstream * slopes[layer]
                upstream = delta @ params[layer, :width].T
            deltas.insert(0, delta)
        # Every slot of the parameters at once: what each layer read (with ones for the bias
        # row) against its deltas, zeros in the slots of layers past `depth`. The contraction
        # and its result have the same shapes at every depth, so the compiled program holds
        # one of each instead of one per depth, and a step assembles no gradient pieces.
        # The barrier keeps XLA from fusing each layer's computation into the stacking, which
        # would recompute them all in one kernel that takes LLVM seconds to compile: the
        # stacking only copies what the layers computed anyway.
        layers_read, deltas = model.barrier(([*done.reads, done.last], deltas))
        absent = model.HIDDEN - depth
        read = jnp.stack(
            [_with_ones(x) for x in layers_read[:-1]]
            + [jnp.zeros((done.last.shape[0], width + 1), done.last.dtype)] * absent
            + [_with_ones(layers_read[-1])]
        )
        cotangents = jnp.stack(deltas + [jnp.zeros_like(logit_grad)] * absent + [logit_grad])
        grads: jax.Array = jnp.einsum("lnr,lnc->lrc", read, cotangents)
        return grads

    return done.logits, pullback
