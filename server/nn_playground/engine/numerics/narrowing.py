"""A model cut to NARROW units per layer, and back. A network no wider than that (every input
feature, every output and the TensorFlow Playground's 8 neurons fit) computes the same
function on a quarter of the weights, so training and grids run on the cut-down copy.

The padded parameters outside the cut are zero (masked) and stay zero in training, as do
their optimizer moments, so cutting and widening again loses nothing."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from nn_playground.engine import limits
from nn_playground.engine.numerics import model
from nn_playground.engine.numerics.hyper import Hyper
from nn_playground.engine.numerics.state import DeviceData, TrainState

NARROW = limits.NARROW_NEURONS
NARROW_SHAPE = (model.LAYERS, NARROW + 1, NARROW)


def narrow_params(params: jax.Array) -> jax.Array:
    """model.PARAM_SHAPE -> NARROW_SHAPE: weights among the first NARROW units and biases."""
    weights = params[:, :NARROW, :NARROW]
    biases = params[:, model.WIDTH : model.WIDTH + 1, :NARROW]
    return jnp.concatenate([weights, biases], axis=1)


def widen_params(small: jax.Array) -> jax.Array:
    """NARROW_SHAPE -> model.PARAM_SHAPE, zero outside the cut (pads: a scatter here cost
    more than the rest of a frame)."""
    extra = model.WIDTH - NARROW
    weights = jnp.pad(small[:, :NARROW], ((0, 0), (0, extra), (0, extra)))
    biases = jnp.pad(small[:, NARROW:], ((0, 0), (0, 0), (0, extra)))
    return jnp.concatenate([weights, biases], axis=1)


def narrow_hyper(hyper: Hyper) -> Hyper:
    return hyper._replace(
        feature_mask=hyper.feature_mask[:NARROW],
        neuron_mask=hyper.neuron_mask[:, :NARROW],
        output_mask=hyper.output_mask[:NARROW],
    )


def _each_param_array(
    change: Callable[[jax.Array], jax.Array], tree: TrainState, shape: tuple[int, ...]
) -> TrainState:
    """Apply `change` to every leaf shaped like parameters (weights, best weights, optimizer
    moments); counters and flags pass through."""
    result: TrainState = jax.tree.map(
        lambda leaf: change(leaf) if leaf.shape == shape else leaf,
        tree,
    )
    return result


def narrow_state(state: TrainState) -> TrainState:
    return _each_param_array(narrow_params, state, model.PARAM_SHAPE)


def widen_state(state: TrainState) -> TrainState:
    return _each_param_array(widen_params, state, NARROW_SHAPE)


def narrow_data(data: DeviceData) -> DeviceData:
    return data._replace(targets=data.targets[:, :NARROW])
