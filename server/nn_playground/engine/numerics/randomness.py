"""Cheap counter-based randomness for the training loop: the epoch's shuffle and dropout
masks. JAX's threefry costs a loop of small kernels per call and a shuffle by argsort a
sort of every key; a hash is one fused kernel, and a bijection needs no sort.
Deterministic in (key, counter), like everything the engine does."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from nn_playground.engine import limits

SPAN = 1024  # a power of two >= MAX_POINTS: the bijection below works modulo SPAN
assert limits.MAX_POINTS <= SPAN
GOLDEN = 0x9E3779B9


def mix(values: jax.Array) -> jax.Array:
    """A well-mixing 32-bit hash (lowbias32) of uint32 values."""
    v = values.astype(jnp.uint32)
    v = v ^ (v >> 16)
    v = v * jnp.uint32(0x7FEB352D)
    v = v ^ (v >> 15)
    v = v * jnp.uint32(0x846CA68B)
    mixed: jax.Array = v ^ (v >> 16)
    return mixed


def seed_of(key: jax.Array) -> jax.Array:
    """() uint32 seed from a (2,) uint32 JAX PRNG key."""
    return mix(key[0] ^ mix(key[1]))


def stream(seed: jax.Array, counter: jax.Array) -> jax.Array:
    """() uint32 seed of the `counter`-th draw under `seed`."""
    return mix(seed ^ mix(counter.astype(jnp.uint32) * jnp.uint32(GOLDEN) + jnp.uint32(1)))


def uniform(seed: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """float32 values in [0, 1) from a () uint32 seed."""
    counters = jnp.arange(math.prod(shape), dtype=jnp.uint32).reshape(shape)
    bits = mix(counters * jnp.uint32(GOLDEN) ^ seed)
    return (bits >> 8).astype(jnp.float32) * (1.0 / (1 << 24))


def permutation(seed: jax.Array, n: jax.Array, rows: int = limits.MAX_POINTS) -> jax.Array:
    """A pseudo-random order of 0..n-1 followed by the padding rows, (rows,) int32 (rows: a
    Python int, the padded row count; MAX_POINTS for the 2-D playground).

    Rounds of (odd multiply + add) and xor-shift are each invertible modulo span (a power of
    two >= rows: SPAN for the playground), so they permute 0..span-1; keeping the values
    below n in their new order permutes 0..n-1.
    """
    span = max(SPAN, 1 << (rows - 1).bit_length())
    words = mix(seed + jnp.arange(6, dtype=jnp.uint32) * jnp.uint32(GOLDEN))
    mask = jnp.uint32(span - 1)
    x = jnp.arange(span, dtype=jnp.uint32)
    for round_, shift in enumerate((5, 4, 5)):
        x = (x * (words[2 * round_] | jnp.uint32(1)) + words[2 * round_ + 1]) & mask
        x = x ^ (x >> shift)
    x = x.astype(jnp.int32)
    real = x < n
    # The real rows gathered to the front in their new order; the padding rows after them.
    shuffled = (
        jnp.zeros(span, jnp.int32)
        .at[jnp.where(real, jnp.cumsum(real) - 1, span)]
        .set(x, mode="drop")
    )
    row = jnp.arange(rows, dtype=jnp.int32)
    return jnp.where(row < n, shuffled[:rows], row)
