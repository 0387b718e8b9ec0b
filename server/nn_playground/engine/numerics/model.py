"""The padded network: input features, activations, parameter layout, initialisation and the
forward pass. One layout serves every architecture within `limits`; masks switch parts off.

Parameters are one array `(LAYERS, WIDTH + 1, WIDTH) float32`: slot l < MAX_HIDDEN_LAYERS is
hidden layer l, the last slot is the output layer; rows 0..WIDTH-1 hold the weights from the
WIDTH (padded) inputs and row WIDTH the biases. A single array keeps the optimizer to a few
fused operations per step."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.numerics import randomness
from nn_playground.engine.numerics.hyper import Hyper

WIDTH = limits.MAX_NEURONS
HIDDEN = limits.MAX_HIDDEN_LAYERS
LAYERS = HIDDEN + 1
OUTPUT = HIDDEN  # slot of the output layer
PARAM_SHAPE = (LAYERS, WIDTH + 1, WIDTH)

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
LEAKY_SLOPE = 0.01


def feature_columns(x1: Any, x2: Any, sin: Callable[[Any], Any]) -> list[Any]:
    """The input features of points (x1, x2), in the order of limits.FEATURE_NAMES, for jax
    or numpy arrays (`sin` from the same library)."""
    return [x1, x2, x1 * x1, x2 * x2, x1 * x2, sin(x1), sin(x2)]


def input_features(xy: jax.Array, hyper: Hyper) -> jax.Array:
    """(n, 2) points -> (n, width) float32 features, unselected ones zeroed; width is that of
    `hyper` (WIDTH, or NARROW for a narrowed model)."""
    x1, x2 = xy[:, 0], xy[:, 1]
    columns = feature_columns(x1, x2, jnp.sin)
    padding = [jnp.zeros_like(x1)] * (hyper.feature_mask.shape[0] - len(columns))
    return jnp.stack(columns + padding, axis=1) * hyper.feature_mask


def _candidates(z: jax.Array) -> tuple[list[jax.Array], jax.Array]:
    """Every activation of z (order of config.Activation) and sigmoid(z), from a single
    transcendental: m = expm1(-|z|), so e = exp(-|z|) = 1 + m without cancellation.

    With one expm1 per element, computing all eight and selecting one is cheaper than a
    conditional, and stays cheap when several models run vmapped (where a conditional on a
    per-model id would compute every branch anyway).
    """
    m = jnp.expm1(-jnp.abs(z))
    e = 1.0 + m  # exp(-|z|)
    # One division serves both 1/(1 + e) (sigmoid) and 1/(1 + e^2) (tanh).
    square = e * e
    both = 1.0 / ((1.0 + e) * (1.0 + square))
    sigmoid_abs = (1.0 + square) * both  # sigmoid(|z|)
    positive = z > 0
    sigmoid = jnp.where(z >= 0, sigmoid_abs, e * sigmoid_abs)
    tanh_abs = -m * (1.0 + e) * (1.0 + e) * both  # (1 - e^2) / (1 + e^2)
    activations = [
        sigmoid,
        jnp.where(z >= 0, tanh_abs, -tanh_abs),
        jnp.where(positive, z, 0.0),
        jnp.where(positive, z, LEAKY_SLOPE * z),
        jnp.where(positive, z, m),  # e^z - 1 for z <= 0
        SELU_SCALE * jnp.where(positive, z, SELU_ALPHA * m),
        z * sigmoid,
        z,
    ]
    return activations, sigmoid


def activate(z: jax.Array, activation_id: jax.Array) -> jax.Array:
    """g(z) for the activation chosen by a runtime id (order of config.Activation): every
    candidate from one expm1, one selected. Differentiable by JAX (the tests' reference)."""
    activations, _ = _candidates(z)
    return lax.select_n(activation_id, *activations)


def activation_and_derivative(
    z: jax.Array, activation_id: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """g(z) and g'(z) for the activation chosen by a runtime id, from one expm1: what
    training's forward pass keeps for its backward pass."""
    activations, sigmoid = _candidates(z)
    a = lax.select_n(activation_id, *activations)
    positive = z > 0
    derivative = lax.select_n(
        activation_id,
        a * (1.0 - a),
        1.0 - a * a,
        jnp.where(positive, 1.0, 0.0),
        jnp.where(positive, 1.0, LEAKY_SLOPE),
        jnp.where(positive, 1.0, a + 1.0),
        jnp.where(positive, SELU_SCALE, a + SELU_SCALE * SELU_ALPHA),
        sigmoid * (1.0 + z * (1.0 - sigmoid)),
        jnp.ones_like(z),
    )
    return a, derivative


_SINGLE_ACTIVATIONS = (
    jax.nn.sigmoid,
    jnp.tanh,
    lambda z: jnp.maximum(z, 0.0),
    lambda z: jnp.where(z > 0, z, LEAKY_SLOPE * z),
    lambda z: jnp.where(z > 0, z, jnp.expm1(jnp.minimum(z, 0.0))),
    lambda z: SELU_SCALE * jnp.where(z > 0, z, SELU_ALPHA * jnp.expm1(jnp.minimum(z, 0.0))),
    jax.nn.silu,
    lambda z: z,
)


def activate_only(z: jax.Array, activation_id: jax.Array) -> jax.Array:
    """g(z) by a switch that computes the chosen function alone: for large forward-only
    passes (the boundary grid), where computing all eight would dominate the cost."""
    result: jax.Array = lax.switch(activation_id, _SINGLE_ACTIVATIONS, z)
    return result


# How a forward pass activates a layer: g(z) and, where a backward pass follows, g'(z).
Activation = Callable[[jax.Array, jax.Array], tuple[jax.Array, jax.Array | None]]


def value_only(activation: Callable[[jax.Array, jax.Array], jax.Array]) -> Activation:
    """An Activation that computes g(z) alone, for passes that are never differentiated."""
    return lambda z, activation_id: (activation(z, activation_id), None)


def layer_units(hyper: Hyper) -> jax.Array:
    """(LAYERS, WIDTH) masks: the inputs (features) followed by each hidden layer's units."""
    return jnp.concatenate([hyper.feature_mask[None], hyper.neuron_mask], axis=0)


def param_mask(hyper: Hyper) -> jax.Array:
    """PARAM_SHAPE float32, 1 where a parameter is part of the configured network."""
    units = layer_units(hyper)
    last_hidden = units[hyper.depth]  # what the output layer reads
    inputs = jnp.concatenate([units[:HIDDEN], last_hidden[None]], axis=0)
    outputs = jnp.concatenate([hyper.neuron_mask, hyper.output_mask[None]], axis=0)
    weights = inputs[:, :, None] * outputs[:, None, :]
    return jnp.concatenate([weights, outputs[:, None, :]], axis=1)


def weight_rows(shape: tuple[int, ...] = PARAM_SHAPE) -> jax.Array:
    """1 on weight rows, 0 on the bias row (the last): regularisation applies to weights only."""
    return jnp.zeros(shape, jnp.float32).at[:, :-1, :].set(1.0)


def scheme_weights(
    key: jax.Array, shape: tuple[int, ...], init: jax.Array, fan_in: jax.Array, fan_sum: jax.Array
) -> jax.Array:
    """Weights of `shape` drawn by the scheme `init` (a runtime id, order of config.Init) for
    these fans (fan_in, fan_in + fan_out; at least 1), the 2-D and the digits networks' alike."""
    uniform_key, normal_key = jax.random.split(key)
    uniform = jax.random.uniform(uniform_key, shape, jnp.float32, -1.0, 1.0)
    normal = jax.random.normal(normal_key, shape, jnp.float32)
    weights: jax.Array = lax.select_n(
        init,
        uniform * jnp.sqrt(6.0 / fan_sum),  # glorot_uniform
        normal * jnp.sqrt(2.0 / fan_sum),  # glorot_normal
        uniform * jnp.sqrt(6.0 / fan_in),  # he_uniform
        normal * jnp.sqrt(2.0 / fan_in),  # he_normal
        uniform * 0.5,  # uniform(-0.5, 0.5)
        jnp.zeros(shape, jnp.float32),  # zeros
    )
    return weights


def init_params(key: jax.Array, hyper: Hyper) -> jax.Array:
    """Weights drawn by the chosen scheme (order of config.Init), biases zero."""
    units = layer_units(hyper)
    counts = jnp.sum(units, axis=1)
    fan_in = jnp.concatenate([counts[:HIDDEN], counts[hyper.depth][None]])
    fan_out = jnp.concatenate([counts[1:], jnp.sum(hyper.output_mask)[None]])
    fan_in = jnp.maximum(fan_in, 1.0)[:, None, None]
    fan_sum = jnp.maximum(fan_in + fan_out[:, None, None], 1.0)
    weights = scheme_weights(key, (LAYERS, WIDTH, WIDTH), hyper.init, fan_in, fan_sum)
    params = jnp.concatenate([weights, jnp.zeros((LAYERS, 1, WIDTH), jnp.float32)], axis=1)
    return params * param_mask(hyper)


def in_model(layer: int, hyper: Hyper) -> jax.Array:
    """Whether hidden slot `layer` is one of the model's layers. A branch deeper than the
    model (depth_branches) passes the model's last hidden layer through the slots past it,
    so that its output layer still reads that layer."""
    return layer < hyper.depth


class Pass(NamedTuple):
    """A forward pass through `depth` hidden layers, with what a backward pass needs."""

    logits: jax.Array  # (n, width)
    reads: list[jax.Array]  # per hidden layer: what it reads (n, width)
    outputs: list[jax.Array]  # per hidden layer: g(z) times its unit mask and dropout
    slopes: list[jax.Array | None]  # per hidden layer: d(output)/dz, where computed
    last: jax.Array  # what the output layer reads (n, width)


def forward(
    depth: int,
    pass_through: bool,
    params: jax.Array,
    features: jax.Array,
    hyper: Hyper,
    activation: Activation,
    keep: jax.Array | None = None,
) -> Pass:
    """The network: `depth` (a Python int) hidden layers, then the output layer.

    With `pass_through`, slots past the model's own depth pass its last hidden layer on
    (in_model); without it every slot is the model's. `keep` holds dropout multipliers
    (HIDDEN, n, width) during training."""
    width = params.shape[-1]
    h = features
    reads: list[jax.Array] = []
    outputs: list[jax.Array] = []
    slopes: list[jax.Array | None] = []
    for layer in range(depth):
        weights, bias = params[layer, :width], params[layer, width]
        a, slope = activation(h @ weights + bias, hyper.activation[layer])
        scale = hyper.neuron_mask[layer]
        if keep is not None:
            scale = scale * keep[layer]
        out = a * scale
        reads.append(h)
        outputs.append(out)
        slopes.append(None if slope is None else slope * scale)
        h = jnp.where(in_model(layer, hyper), out, h) if pass_through else out
    logits = h @ params[OUTPUT, :width] + params[OUTPUT, width]
    return Pass(logits, reads, outputs, slopes, h)


T = TypeVar("T")


def barrier(values: T) -> T:
    """`values` as they are, but XLA may not fuse their computation into what reads them
    (lax.optimization_barrier)."""
    kept: T = lax.optimization_barrier(values)  # type: ignore[no-untyped-call]
    return kept


# The depths that have a branch of their own in every depth switch. A model of a depth left out
# (5) runs in the next deeper branch, passing its last hidden layer through the extra layer:
# each branch unrolls its layers, and the deepest ones make the programs the largest (a
# large share of what XLA compiles), for a depth a network rarely
# has. Every depth from 0 to LAYERS - 1 must map to a branch at least as deep.
DEPTH_BRANCHES = (0, 1, 2, 3, 4, 6)
_BRANCH_OF_DEPTH = tuple(
    next(i for i, depth in enumerate(DEPTH_BRANCHES) if depth >= d) for d in range(LAYERS)
)


def depth_branches(
    hyper: Hyper, run_depth: jax.Array | None
) -> tuple[jax.Array, list[tuple[int, bool]]]:
    """The index of the depth switch's branch that computes a model, and every branch's
    (depth, whether layers past a model's own depth pass its last hidden layer through).

    `run_depth` is None for a model computed alone: the branch of its own depth, where every
    layer is the model's and nothing passes through, unless its depth has no branch of its
    own (DEPTH_BRANCHES); programs without the pass-through's selects are simpler to run and
    to compile. Models computed together (vmapped) share one branch, that of the deepest
    (`run_depth`); a shallower one passes its last hidden layer through the layers it lacks,
    so its output layer still reads it."""
    table = jnp.asarray(_BRANCH_OF_DEPTH, jnp.int32)
    if run_depth is None:
        index = table[jnp.clip(hyper.depth, 0, LAYERS - 1)]
        borrowed = {
            DEPTH_BRANCHES[b] for d, b in enumerate(_BRANCH_OF_DEPTH) if d != DEPTH_BRANCHES[b]
        }
        return index, [(depth, depth in borrowed) for depth in DEPTH_BRANCHES]
    index = table[jnp.clip(run_depth, 0, LAYERS - 1)]
    return index, [(depth, True) for depth in DEPTH_BRANCHES]


R = TypeVar("R")


def on_depth_branch(
    hyper: Hyper, run_depth: jax.Array | None, at_depth: Callable[..., R], *args: Any
) -> R:
    """`at_depth(depth, pass_through, *args)` in the branch of the depth switch that
    depth_branches picks: the branch computes exactly that many layers, so a shallow network
    does not pay for the padded depth (a conditional per padded layer copies its large
    operands). Each branch differentiates itself where it trains: a switch inside the
    differentiated function would copy every branch's residuals on every step."""
    index, choices = depth_branches(hyper, run_depth)
    branches = [functools.partial(at_depth, depth, through) for depth, through in choices]
    result: R = lax.switch(index, branches, *args)
    return result


def forward_skipping(
    params: jax.Array,
    features: jax.Array,
    hyper: Hyper,
    run_depth: jax.Array | None,
    hidden_rows: int = 0,
    activation: Activation | None = None,
) -> tuple[jax.Array, jax.Array]:
    """Logits (n, width) for many points at once, and the hidden activations
    (HIDDEN, hidden_rows, width) of the last `hidden_rows` points (a Python int); layers
    the model lacks show zeros. `activation` defaults to g(z) by `activate`."""
    chosen = activation or value_only(activate)

    def at_depth(
        depth: int, pass_through: bool, params: jax.Array, h: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        done = forward(depth, pass_through, params, h, hyper, chosen)
        hidden = [a[h.shape[0] - hidden_rows :] for a in done.outputs]
        absent = jnp.zeros((HIDDEN - depth, hidden_rows, h.shape[1]), h.dtype)
        # The barrier keeps each layer's activation out of the stacking's kernel (which then
        # recomputes them all, and compiles for seconds): the stacking only copies.
        hidden = barrier(hidden)
        return done.logits, jnp.concatenate([*[x[None] for x in hidden], absent])

    return on_depth_branch(hyper, run_depth, at_depth, params, features)


def dropout_keep(seed: jax.Array, rates: jax.Array, rows: int, width: int) -> jax.Array:
    """(HIDDEN, rows, width) inverted-dropout multipliers, 0 or 1/(1-rate), from a () uint32
    seed. Drawn at the full WIDTH and cut, so a unit gets the same draw in a narrowed copy."""
    uniform = randomness.uniform(seed, (HIDDEN, rows, WIDTH))[:, :, :width]
    rates = rates[:, None, None]
    return jnp.where(uniform >= rates, 1.0 / (1.0 - rates), 0.0)
