"""One gradient pass of the digits network: which rows each chunk of an epoch trains on
(`plan_epoch`), dropout multipliers, and a minibatch's loss and gradient, taken inside the
model's switch branch."""

from __future__ import annotations

import itertools
from typing import NamedTuple, cast

import jax
import jax.numpy as jnp
import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.numerics import image_model, randomness
from nn_playground.engine.numerics.image_hyper import ImageHyper
from nn_playground.engine.numerics.image_model import FLAT, UNITS, Kind, Params

MAX_IMAGES = limits.DIGITS_MAX_IMAGES  # rows of ImageData: train, then test
CHUNK = limits.CHUNK  # rows per gradient pass; a larger minibatch adds several up


class Plan(NamedTuple):
    """Which rows each chunk of an epoch trains on (as train._plan_epoch, MAX_IMAGES rows)."""

    rows: jax.Array  # (MAX_IMAGES, CHUNK) int32
    weight: jax.Array  # (MAX_IMAGES, CHUNK) float32: 1/minibatch size, 0 on unused slots
    per_batch: jax.Array  # () int32 chunks per minibatch: minibatch b is chunks b*per_batch...
    batches: jax.Array  # () int32 minibatches in this epoch


def plan_epoch(order: jax.Array, n: jax.Array, batch_size: jax.Array) -> Plan:
    batch = jnp.clip(batch_size, 1, jnp.maximum(n, 1))
    chunks_per_batch = (batch + CHUNK - 1) // CHUNK
    per_batch = chunks_per_batch.astype(jnp.float32)  # float arithmetic: see train.py
    chunk = jnp.arange(MAX_IMAGES, dtype=jnp.float32)
    batch_number = jnp.floor((chunk + 0.5) / per_batch)
    in_batch_chunk = chunk - batch_number * per_batch
    batch_start = batch_number * batch.astype(jnp.float32)
    in_batch = in_batch_chunk[:, None] * CHUNK + jnp.arange(CHUNK, dtype=jnp.float32)
    batch_len = jnp.minimum(batch.astype(jnp.float32), n.astype(jnp.float32) - batch_start)
    used = in_batch < batch_len[:, None]
    positions = jnp.clip(batch_start[:, None] + in_batch, 0, MAX_IMAGES - 1)
    return Plan(
        rows=jnp.where(used, order[positions.astype(jnp.int32)], 0),
        weight=jnp.where(used, 1.0 / jnp.maximum(batch_len, 1.0)[:, None], 0.0),
        per_batch=chunks_per_batch,
        batches=(n + batch - 1) // batch,
    )


Keep = tuple[jax.Array, jax.Array, jax.Array]


def dropout_keep(depth: int, kind: Kind, seed: jax.Array, rates: jax.Array, rows: int) -> Keep:
    """Inverted-dropout multipliers per hidden layer of a (depth >= 1, kind) network, each as
    wide as its layer ((rows, UNITS), or (rows, FLAT) for a conv or local first layer); the
    entries past `depth` repeat the last (image_model.forward does not read them)."""
    widths = [UNITS if kind is Kind.DENSE else FLAT] + [UNITS] * (depth - 1)
    uniform = randomness.uniform(seed, (rows, sum(widths)))
    edges = np.cumsum([0, *widths])
    keep = [
        jnp.where(uniform[:, a:b] >= rates[i], 1.0 / (1.0 - rates[i]), 0.0)
        for i, (a, b) in enumerate(itertools.pairwise(edges))
    ]
    keep += [keep[-1]] * (3 - len(keep))
    return cast(Keep, tuple(keep))


def batch_loss(
    depth: int,
    kind: Kind,
    params: Params,
    x: jax.Array,
    labels: jax.Array,
    weight: jax.Array,
    keep: Keep | None,
    hyper: ImageHyper,
) -> jax.Array:
    """sum(point loss * weight) of a (depth, kind) network (no regularisation)."""
    z = image_model.forward(depth, kind, params, x, hyper, keep)
    return jnp.sum(image_model.point_losses(z, labels, hyper) * weight)


def batch_gradient(
    params: Params,
    x: jax.Array,
    labels: jax.Array,
    weight: jax.Array,
    keep: Keep | None,
    hyper: ImageHyper,
) -> tuple[jax.Array, Params]:
    """batch_loss and its gradient (zero on the matrices the network does not use),
    differentiated inside the model's switch branch."""

    def at(depth: int, kind: Kind) -> tuple[jax.Array, Params]:
        def loss(p: Params) -> jax.Array:
            return batch_loss(depth, kind, p, x, labels, weight, keep, hyper)

        value, grad = jax.value_and_grad(loss)(params)
        return value, grad

    return image_model.on_branch(hyper, at)
