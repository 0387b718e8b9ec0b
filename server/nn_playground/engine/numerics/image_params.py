"""Which parameters of the padded digits network (image_model.Params) a configuration uses,
which ones L1 and L2 reach, and their initial values: masks and draws from runtime arrays,
so a new setting never compiles."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from nn_playground.engine.numerics.image_model import (
    CLASSES,
    HIDDEN,
    PARAM_SHAPES,
    PIXELS,
    Architecture,
    Kind,
    Params,
    flat_mask,
    is_sigmoid,
)
from nn_playground.engine.numerics.model import scheme_weights


def _matrix_mask(rows: jax.Array, columns: jax.Array, on: jax.Array) -> jax.Array:
    """A matrix's mask: weights where both ends are in use, the bias row where its column is,
    everything only where `on` (the matrix is part of the network)."""
    rows = jnp.concatenate([rows, jnp.ones((1,), jnp.float32)])
    return rows[:, None] * columns[None, :] * on.astype(jnp.float32)


def outputs_in_use(hyper: Architecture) -> jax.Array:
    """(CLASSES,) float32 the output units: the class mask, or the first alone for a sigmoid."""
    first = jnp.zeros(CLASSES, jnp.float32).at[0].set(1.0)
    return jnp.where(is_sigmoid(hyper), first, hyper.class_mask)


def param_mask(hyper: Architecture) -> Params:
    """1 where a parameter belongs to the configured network (its depth, first-layer kind,
    window, filters, units and outputs), 0 elsewhere."""
    depth, kind = hyper.depth, hyper.kind
    dense = kind == Kind.DENSE
    units = hyper.unit_mask
    flat = flat_mask(hyper)
    outputs = outputs_in_use(hyper)
    window_rows = jnp.concatenate([hyper.window_mask, jnp.ones((1,), jnp.float32)])
    local = (
        hyper.position_mask[:, None, None]
        * window_rows[None, :, None]
        * hyper.filter_mask[None, None, :]
    )
    last_dense = units[jnp.clip(depth - 1, 0, HIDDEN - 1)]
    pixels = jnp.ones(PIXELS, jnp.float32)
    return Params(
        first_dense=_matrix_mask(pixels, units[0], dense & (depth >= 1)),
        conv=_matrix_mask(hyper.window_mask, hyper.filter_mask, (kind == Kind.CONV) & (depth >= 1)),
        local=local * ((kind == Kind.LOCAL) & (depth >= 1)),
        next_dense=_matrix_mask(units[0], units[1], dense & (depth >= 2)),
        next_flat=_matrix_mask(flat, units[1], ~dense & (depth >= 2)),
        third=_matrix_mask(units[1], units[2], depth >= 3),
        out_dense=_matrix_mask(last_dense, outputs, (depth >= 2) | (dense & (depth == 1))),
        out_flat=_matrix_mask(flat, outputs, ~dense & (depth == 1)),
        out_pixels=_matrix_mask(pixels, outputs, depth == 0),
    )


def weight_rows() -> Params:
    """1 on weights, 0 on biases (the last row of each matrix): what L1 and L2 penalise."""
    return Params(*(jnp.ones(shape, jnp.float32).at[..., -1, :].set(0.0) for shape in PARAM_SHAPES))


def _fans(hyper: Architecture) -> Params:
    """Each matrix's (fan_in, fan_out) as a (2,) float32: the units it reads and feeds (a conv
    or local kernel: k*k in, k*k*filters out, as Keras counts them)."""
    units = jnp.sum(hyper.unit_mask, axis=1)
    last_dense = units[jnp.clip(hyper.depth - 1, 0, HIDDEN - 1)]
    flat = jnp.sum(flat_mask(hyper))
    window = jnp.sum(hyper.window_mask)
    filters = jnp.sum(hyper.filter_mask)
    outputs = jnp.sum(outputs_in_use(hyper))
    pixels = jnp.float32(PIXELS)

    def fan(fan_in: jax.Array, fan_out: jax.Array) -> jax.Array:
        return jnp.stack([fan_in, fan_out]).astype(jnp.float32)

    return Params(
        first_dense=fan(pixels, units[0]),
        conv=fan(window, window * filters),
        local=fan(window, window * filters),
        next_dense=fan(units[0], units[1]),
        next_flat=fan(flat, units[1]),
        third=fan(units[1], units[2]),
        out_dense=fan(last_dense, outputs),
        out_flat=fan(flat, outputs),
        out_pixels=fan(pixels, outputs),
    )


def _draw(key: jax.Array, shape: tuple[int, ...], fans: jax.Array, init: jax.Array) -> jax.Array:
    """Weights by the chosen scheme (order of config.Init), the bias row zero."""
    fan_in = jnp.maximum(fans[0], 1.0)
    fan_sum = jnp.maximum(fans[0] + fans[1], 1.0)
    weights = scheme_weights(key, shape, jnp.clip(init, 0, 5), fan_in, fan_sum)
    return weights.at[..., -1, :].set(0.0)


def init_params(seed: jax.Array, hyper: Architecture) -> Params:
    """Parameters drawn from a () uint32 seed by hyper.init, zero outside param_mask."""
    keys = jax.random.split(jax.random.key(seed), len(PARAM_SHAPES))
    fans = _fans(hyper)
    masks = param_mask(hyper)
    return Params(
        *(
            _draw(keys[i], shape, fans[i], hyper.init) * masks[i]
            for i, shape in enumerate(PARAM_SHAPES)
        )
    )
