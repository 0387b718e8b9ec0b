"""The padded digits network: 64 pixels, a first hidden layer of one of three kinds (dense,
convolution, locally connected), up to two more dense hidden layers, then up to 10 logits.

One parameter layout (`Params`) serves every setting within `limits` (the DIGITS_ ones);
masks switch parts off and runtime ids choose the rest, so no setting compiles:

- the first layer's kind is a runtime id; the code for a (depth, kind) pair is one branch of
  a switch (`on_branch`), which also picks the matrix the next layer reads the first layer
  through: `next_dense` / `out_dense` for a dense first layer (32 + 1 rows), `next_flat` /
  `out_flat` for a conv or local one (392 + 1 rows), so a dense network never pays for the
  wide ones;
- a conv or local layer gathers each window's pixels through an index table (runtime int32,
  POSITIONS x WINDOW, the k x k window laid out in a 5 x 5 patch, row-major) and multiplies:
  conv shares one k x k kernel per filter, local gives every position its own weights and
  bias. Their output is flattened position-major: index = position * FILTERS + filter.

Every weight matrix holds its inputs' weights in rows 0..n-1 and the biases in its last row
(axis -2), like the 2-D engine's layers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import IntEnum
from typing import NamedTuple, Protocol, TypeVar

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.numerics.model import activate_only

PIXELS = limits.DIGITS_PIXELS
UNITS = limits.DIGITS_MAX_UNITS
HIDDEN = limits.DIGITS_MAX_HIDDEN_LAYERS
FILTERS = limits.DIGITS_MAX_FILTERS
POSITIONS = limits.DIGITS_MAX_POSITIONS
PATCH = limits.DIGITS_MAX_KERNEL  # a window is laid out in a PATCH x PATCH square
WINDOW = PATCH * PATCH
FLAT = POSITIONS * FILTERS  # a conv or local layer's output, flattened
CLASSES = limits.DIGITS_CLASSES


class Kind(IntEnum):
    """The first hidden layer's kind."""

    DENSE = 0
    CONV = 1
    LOCAL = 2


class DigitsLoss(IntEnum):
    """The criterion: binary tasks have one sigmoid output, the others softmax outputs."""

    SIGMOID_CE = 0  # one output, from the logit (softplus form)
    SOFTMAX_CE = 1  # from the logits (log-sum-exp)
    SOFTMAX_CE_NAIVE = 2  # through the probabilities: overflows and rounds to log(0)
    SOFTMAX_MSE = 3  # squared error of the probabilities, mean over the classes


SIGMOID_LOSSES = (DigitsLoss.SIGMOID_CE,)


class Params(NamedTuple):
    """Every parameter of the padded network (float32; the last row of each is the bias)."""

    first_dense: jax.Array  # (PIXELS + 1, UNITS)
    conv: jax.Array  # (WINDOW + 1, FILTERS): one kernel per filter, shared by all positions
    local: jax.Array  # (POSITIONS, WINDOW + 1, FILTERS): every position its own
    next_dense: jax.Array  # (UNITS + 1, UNITS): hidden layer 2 reading a dense first layer
    next_flat: jax.Array  # (FLAT + 1, UNITS): hidden layer 2 reading a conv or local one
    third: jax.Array  # (UNITS + 1, UNITS): hidden layer 3
    out_dense: jax.Array  # (UNITS + 1, CLASSES): the output reading a dense hidden layer
    out_flat: jax.Array  # (FLAT + 1, CLASSES): the output reading a conv or local layer
    out_pixels: jax.Array  # (PIXELS + 1, CLASSES): the output of a network without hidden layers


# Each parameter's shape, in the order of Params' fields.
PARAM_SHAPES: tuple[tuple[int, ...], ...] = (
    (PIXELS + 1, UNITS),
    (WINDOW + 1, FILTERS),
    (POSITIONS, WINDOW + 1, FILTERS),
    (UNITS + 1, UNITS),
    (FLAT + 1, UNITS),
    (UNITS + 1, UNITS),
    (UNITS + 1, CLASSES),
    (FLAT + 1, CLASSES),
    (PIXELS + 1, CLASSES),
)
assert len(PARAM_SHAPES) == len(Params._fields)


class Architecture(Protocol):
    """The runtime fields of a digits hyperparameter set that the network reads
    (image_hyper.ImageHyper has them all)."""

    @property
    def kind(self) -> jax.Array: ...  # () int32 Kind
    @property
    def windows(self) -> jax.Array: ...  # (POSITIONS, WINDOW) int32 pixel of each slot
    @property
    def window_mask(self) -> jax.Array: ...  # (WINDOW,) float32: slots inside the kernel
    @property
    def position_mask(self) -> jax.Array: ...  # (POSITIONS,) float32: valid windows
    @property
    def filter_mask(self) -> jax.Array: ...  # (FILTERS,) float32
    @property
    def unit_mask(self) -> jax.Array: ...  # (HIDDEN, UNITS) float32 dense layers' units
    @property
    def depth(self) -> jax.Array: ...  # () int32 hidden layers, 0..HIDDEN
    @property
    def activation(self) -> jax.Array: ...  # (HIDDEN,) int32 activation ids
    @property
    def class_mask(self) -> jax.Array: ...  # (CLASSES,) float32 outputs in use
    @property
    def loss(self) -> jax.Array: ...  # () int32 DigitsLoss
    @property
    def init(self) -> jax.Array: ...  # () int32 Init id


def flat_mask(hyper: Architecture) -> jax.Array:
    """(FLAT,) float32: the conv or local layer's outputs in use (valid position, filter)."""
    return (hyper.position_mask[:, None] * hyper.filter_mask[None, :]).reshape(FLAT)


def patches(x: jax.Array, windows: jax.Array, window_mask: jax.Array) -> jax.Array:
    """(n, POSITIONS, WINDOW) the pixels of every window slot, 0 outside the kernel."""
    return x[:, windows] * window_mask


def conv_preactivation(
    x: jax.Array, conv: jax.Array, windows: jax.Array, window_mask: jax.Array
) -> jax.Array:
    """(n, POSITIONS, FILTERS) a convolution's z: shared kernels `conv` (WINDOW + 1, FILTERS)."""
    return patches(x, windows, window_mask) @ conv[:WINDOW] + conv[WINDOW]


def local_preactivation(
    x: jax.Array, local: jax.Array, windows: jax.Array, window_mask: jax.Array
) -> jax.Array:
    """(n, POSITIONS, FILTERS) a locally connected layer's z: `local` (POSITIONS, WINDOW + 1,
    FILTERS) holds every position's own kernels and biases."""
    found = jnp.einsum("npw,pwf->npf", patches(x, windows, window_mask), local[:, :WINDOW])
    return found + local[:, WINDOW]


def _affine(h: jax.Array, matrix: jax.Array) -> jax.Array:
    return h @ matrix[:-1] + matrix[-1]


def forward(
    depth: int,
    kind: Kind,
    params: Params,
    x: jax.Array,
    hyper: Architecture,
    keep: tuple[jax.Array, jax.Array, jax.Array] | None = None,
) -> jax.Array:
    """(n, CLASSES) logits of a network of `depth` hidden layers whose first is of `kind`
    (Python values: one branch of on_branch). `keep` holds dropout multipliers per hidden
    layer: (n, FLAT), (n, UNITS), (n, UNITS); a dense first layer uses the first UNITS."""
    if depth == 0:
        return _affine(x, params.out_pixels)
    if kind is Kind.DENSE:
        z = _affine(x, params.first_dense)
        mask = hyper.unit_mask[0]
    else:
        if kind is Kind.CONV:
            z = conv_preactivation(x, params.conv, hyper.windows, hyper.window_mask)
        else:
            z = local_preactivation(x, params.local, hyper.windows, hyper.window_mask)
        z = z.reshape(x.shape[0], FLAT)
        mask = flat_mask(hyper)
    # A switch computing the chosen activation alone (model.activate_only): computing all
    # eight and selecting one (model.activate) made a conv network's step twice as slow here.
    h = activate_only(z, hyper.activation[0]) * mask
    if keep is not None:
        h = h * keep[0][:, : h.shape[1]]
    dense = kind is Kind.DENSE
    if depth == 1:
        return _affine(h, params.out_dense if dense else params.out_flat)
    following = ((params.next_dense if dense else params.next_flat), params.third)
    for layer in range(1, depth):
        z = _affine(h, following[layer - 1])
        h = activate_only(z, hyper.activation[layer]) * hyper.unit_mask[layer]
        if keep is not None:
            h = h * keep[layer]
    return _affine(h, params.out_dense)


def used_fields(depth: int, kind: Kind) -> tuple[str, ...]:
    """The Params fields that `forward(depth, kind, ...)` reads: the only ones a branch trains."""
    if depth == 0:
        return ("out_pixels",)
    dense = kind is Kind.DENSE
    first = "first_dense" if dense else ("conv" if kind is Kind.CONV else "local")
    following = ("next_dense" if dense else "next_flat", "third")[: depth - 1]
    output = "out_dense" if dense or depth > 1 else "out_flat"
    return (first, *following, output)


# The (depth, kind) pairs with a branch of their own: without hidden layers the kind is moot.
BRANCHES: tuple[tuple[int, Kind], ...] = (
    (0, Kind.DENSE),
    *((depth, kind) for depth in range(1, HIDDEN + 1) for kind in Kind),
)


def branch_index(hyper: Architecture) -> jax.Array:
    """() int32 the index in BRANCHES of the model's (depth, kind)."""
    depth = jnp.clip(hyper.depth, 0, HIDDEN)
    kind = jnp.clip(hyper.kind, 0, len(Kind) - 1)
    return jnp.where(depth == 0, 0, 1 + (depth - 1) * len(Kind) + kind).astype(jnp.int32)


R = TypeVar("R")


def on_branch(hyper: Architecture, at: Callable[..., R], *args: object) -> R:
    """`at(depth, kind, *args)` in the switch branch of the model's (depth, kind). Where it
    trains, each branch differentiates itself (a switch inside a differentiated function
    would keep every branch's residuals)."""
    branches = [functools.partial(at, depth, kind) for depth, kind in BRANCHES]
    result: R = lax.switch(branch_index(hyper), branches, *args)
    return result


def logits(params: Params, x: jax.Array, hyper: Architecture) -> jax.Array:
    """(n, CLASSES) logits of the configured network (no dropout)."""
    return on_branch(hyper, lambda d, k, p, x: forward(d, k, p, x, hyper), params, x)


# Losses from the logits (n, CLASSES) and class indices (n,); `mask` (CLASSES,) marks the
# outputs in use (one for a sigmoid output). Per image, float32 (n,).


def _masked(z: jax.Array, mask: jax.Array) -> jax.Array:
    return jnp.where(mask > 0, z, -jnp.inf)


def sigmoid_ce(z: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    """Binary cross-entropy of the one output z[:, 0], label 1 the positive class:
    softplus(z) - y z, exact for every z."""
    y = labels.astype(jnp.float32)
    return jax.nn.softplus(z[:, 0]) - y * z[:, 0]


def softmax_ce(z: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    """Cross-entropy of the softmax over the classes in use: logsumexp(z) - z_label."""
    picked = jnp.take_along_axis(z, labels[:, None], axis=1)[:, 0]
    return jax.nn.logsumexp(_masked(z, mask), axis=1) - picked


def softmax_ce_naive(z: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    """The same through the probabilities, as written on paper: exp overflows to inf (NaN
    loss) from z ~ 89, and a probability that rounds to 0 gives an infinite loss."""
    exps = jnp.where(mask > 0, jnp.exp(z), 0.0)  # no max-shift on purpose
    p = exps / jnp.sum(exps, axis=1, keepdims=True)
    return -jnp.log(jnp.take_along_axis(p, labels[:, None], axis=1)[:, 0])


def softmax_mse(z: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
    """Mean over the classes in use of (softmax probability - one-hot target)^2."""
    p = jax.nn.softmax(_masked(z, mask), axis=1)
    y = jax.nn.one_hot(labels, z.shape[1], dtype=jnp.float32)
    return jnp.sum(jnp.where(mask > 0, jnp.square(p - y), 0.0), axis=1) / jnp.sum(mask)


LOSSES = (sigmoid_ce, softmax_ce, softmax_ce_naive, softmax_mse)  # order of DigitsLoss


def point_losses(z: jax.Array, labels: jax.Array, hyper: Architecture) -> jax.Array:
    """(n,) the chosen loss of every image. A switch computes the chosen one alone, so the
    naive loss's infinities never reach the gradient of another."""
    result: jax.Array = lax.switch(
        jnp.clip(hyper.loss, 0, len(LOSSES) - 1),
        [functools.partial(loss, mask=hyper.class_mask) for loss in LOSSES],
        z,
        labels,
    )
    return result


def is_sigmoid(hyper: Architecture) -> jax.Array:
    return hyper.loss == DigitsLoss.SIGMOID_CE


def probabilities(z: jax.Array, hyper: Architecture) -> jax.Array:
    """(n, CLASSES) class probabilities: softmax over the classes in use, or for a sigmoid
    output (1 - p, p) in the first two columns."""
    p = jax.nn.sigmoid(z[:, 0])
    binary = jnp.zeros_like(z).at[:, 0].set(1.0 - p).at[:, 1].set(p)
    return jnp.where(is_sigmoid(hyper), binary, jax.nn.softmax(_masked(z, hyper.class_mask), 1))


def predictions(z: jax.Array, hyper: Architecture) -> jax.Array:
    """(n,) int32 predicted class index."""
    by_softmax = jnp.argmax(_masked(z, hyper.class_mask), axis=1).astype(jnp.int32)
    return jnp.where(is_sigmoid(hyper), (z[:, 0] > 0).astype(jnp.int32), by_softmax)
