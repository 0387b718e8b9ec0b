"""The training gradient written out by hand: the delta rule of the course notes, on the
padded network. Autodiff through per-layer slices of the one parameter array summed padded
copies of every layer's gradient, and XLA fused that sum with the reductions before it,
recomputing them for each element: the slowest part of a step. Here the weight gradients of
all layers come from one contraction and land in place.

`model.forward_to_depth` is the same function, differentiated by JAX; tests compare them."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from nn_playground.engine import model
from nn_playground.engine.hyper import Hyper


def logits_and_pullback(
    depth: int, params: jax.Array, features: jax.Array, hyper: Hyper, keep: jax.Array
) -> tuple[jax.Array, Callable[[jax.Array], jax.Array]]:
    """Logits (n, width) through exactly `depth` hidden layers (a Python int), and a function
    from d(loss)/d(logits) to d(loss)/d(params) (params' shape).

    As in forward_to_depth, a model shallower than `depth` passes its last hidden layer
    through; `keep` holds dropout multipliers (HIDDEN, n, width)."""
    width = params.shape[-1]
    inputs = []  # h_l: what layer l reads
    slopes = []  # d(h_{l+1})/d(z_l) elementwise: g'(z) * mask * keep, 0 where passed through
    live = []
    h = features
    for layer in range(depth):
        weights, bias = params[layer, :width], params[layer, width]
        a, slope = model.activation_and_derivative(h @ weights + bias, hyper.activation[layer])
        scale = hyper.neuron_mask[layer] * keep[layer]
        on = layer < hyper.depth
        inputs.append(h)
        slopes.append(slope * scale)
        live.append(on)
        h = jnp.where(on, a * scale, h)
    out_weights, out_bias = params[model.OUTPUT, :width], params[model.OUTPUT, width]
    logits = h @ out_weights + out_bias

    def pullback(logit_grad: jax.Array) -> jax.Array:
        cotangents = [logit_grad]  # d(loss)/d(z) per layer, output layer first
        upstream = logit_grad @ out_weights.T  # d(loss)/d(h_depth)
        for layer in reversed(range(depth)):
            on = live[layer]
            delta = jnp.where(on, upstream, 0.0) * slopes[layer]
            cotangents.insert(0, delta)
            weights = params[layer, :width]
            upstream = delta @ weights.T + jnp.where(on, 0.0, upstream)
        read = jnp.stack([*inputs, h])  # (depth + 1, n, width)
        deltas = jnp.stack(cotangents)
        weight_grads = jnp.sum(read[:, :, :, None] * deltas[:, :, None, :], axis=1)
        bias_grads = jnp.sum(deltas, axis=1)
        grads = jnp.concatenate([weight_grads, bias_grads[:, None, :]], axis=1)
        # Layers past `depth` get zeros without computing them; the output layer is last.
        absent = jnp.zeros((model.HIDDEN - depth, *grads.shape[1:]), grads.dtype)
        return jnp.concatenate([grads[:-1], absent, grads[-1:]])

    return logits, pullback
