"""The training gradient written out by hand: the delta rule of the course notes, on the
padded network. Autodiff through per-layer slices of the one parameter array summed padded
copies of every layer's gradient, and XLA fused that sum with the reductions before it,
recomputing them for each element: the slowest part of a step. Here the gradients of all
layers, weights and biases, come from one contraction in the parameters' own layout.

`model.forward_to_depth` is the same function, differentiated by JAX; tests compare them."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from nn_playground.engine import model
from nn_playground.engine.hyper import Hyper


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

    With `pass_through` (model.depth_branches), a model shallower than `depth` passes its last
    hidden layer through, as in forward_to_depth; without it every layer is the model's.
    `keep` holds dropout multipliers (HIDDEN, n, width)."""
    width = params.shape[-1]
    inputs = []  # h_l: what layer l reads
    slopes = []  # d(h_{l+1})/d(z_l) elementwise: g'(z) * mask * keep, 0 where passed through
    h = features
    for layer in range(depth):
        weights, bias = params[layer, :width], params[layer, width]
        a, slope = model.activation_and_derivative(h @ weights + bias, hyper.activation[layer])
        scale = hyper.neuron_mask[layer] * keep[layer]
        inputs.append(h)
        slopes.append(slope * scale)
        h = jnp.where(layer < hyper.depth, a * scale, h) if pass_through else a * scale
    out_weights, out_bias = params[model.OUTPUT, :width], params[model.OUTPUT, width]
    logits = h @ out_weights + out_bias

    def pullback(logit_grad: jax.Array) -> jax.Array:
        deltas: list[jax.Array] = []  # d(loss)/d(z_l) per hidden layer
        upstream = logit_grad @ out_weights.T  # d(loss)/d(h_depth)
        for layer in reversed(range(depth)):
            if pass_through:
                on = layer < hyper.depth
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
        # then recomputed them all in one kernel that took LLVM seconds to compile: the
        # stacking only copies what the layers computed anyway.
        layers_read, deltas = model.barrier(([*inputs, h], deltas))
        absent = model.HIDDEN - depth
        read = jnp.stack(
            [_with_ones(x) for x in layers_read[:-1]]
            + [jnp.zeros((h.shape[0], width + 1), h.dtype)] * absent
            + [_with_ones(layers_read[-1])]
        )
        cotangents = jnp.stack(deltas + [jnp.zeros_like(logit_grad)] * absent + [logit_grad])
        grads: jax.Array = jnp.einsum("lnr,lnc->lrc", read, cotangents)
        return grads

    return logits, pullback
