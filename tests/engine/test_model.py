"""The padded network against the numpy reference: activations, forward pass, layout."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_playground.engine.config import Activation, Init, ModelConfig
from nn_playground.engine.numerics import model, reference
from nn_playground.engine.numerics.export import feature_matrix
from nn_playground.engine.numerics.hyper import ACTIVATION_IDS, make_hyper
from tests.engine.conftest import random_points, reference_network

Z = np.concatenate([np.linspace(-40, 40, 4001), [0.0, 1e-7, -1e-7, 1e-3, -1e-3]])

_forward = jax.jit(lambda p, f, h: model.forward_skipping(p, f, h, h.depth))
_features = jax.jit(model.input_features)


@pytest.mark.parametrize("activation", list(Activation))
def test_activation_and_derivative_match_reference(activation: Activation) -> None:
    z = jnp.asarray(Z, jnp.float32)
    index = jnp.int32(ACTIVATION_IDS[activation])
    values, slopes = (np.asarray(x) for x in model.activation_and_derivative(z, index))
    autodiff = np.asarray(jax.vmap(jax.grad(lambda t: model.activate(t, index)))(z))
    exact = reference.activate(np.asarray(z, np.float64), activation)
    exact_slopes = reference.activation_derivative(np.asarray(z, np.float64), activation)
    scale = np.maximum(1.0, np.abs(exact))
    assert np.max(np.abs(values - exact) / scale) < 1e-6  # a few float32 roundings
    assert np.max(np.abs(slopes - exact_slopes)) < 5e-6  # the hand-written derivative
    # JAX's derivative of the same function, away from the kinks at 0 (where the two may
    # take different sides)
    smooth = np.abs(Z) > 1e-3
    assert np.max(np.abs(autodiff - exact_slopes)[smooth]) < 5e-6
    assert np.array_equal(values, np.asarray(model.activate(z, index)))
    alone = np.asarray(model.activate_only(z, index))
    assert np.max(np.abs(alone - exact) / scale) < 1e-6


def _random_config(seed: int) -> ModelConfig:
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(0, 7))
    features = tuple(
        name
        for name in ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2")
        if rng.random() < 0.6
    ) or ("x1",)
    activations = list(Activation)
    return ModelConfig(
        features=features,
        hidden=tuple(int(w) for w in rng.integers(1, 17, depth)),
        activations=tuple(activations[int(i)] for i in rng.integers(0, 8, depth)),
        dropout=(0.0,) * depth,
        init=Init.HE_NORMAL,
        seed=seed,
    )


@pytest.mark.parametrize("seed", range(8))
def test_padded_network_equals_exact_network(seed: int) -> None:
    config = _random_config(seed)
    hyper = make_hyper(config)
    params = model.init_params(jax.random.PRNGKey(seed), hyper)
    # Non-zero biases, so that the bias row is checked too.
    params = (
        params
        + 0.1
        * model.param_mask(hyper)
        * (jnp.arange(model.WIDTH + 1) == model.WIDTH)[None, :, None]
    )
    xy = random_points(64, seed)
    logits, _ = _forward(params, _features(jnp.asarray(xy), hyper), hyper)
    net = reference_network(params, config)
    zs, _ = reference.forward(net, feature_matrix(xy, config).astype(np.float64))
    np.testing.assert_allclose(np.asarray(logits)[:, :1], zs[-1], rtol=2e-4, atol=2e-4)


def test_parameters_outside_the_architecture_are_zero() -> None:
    config = ModelConfig(features=("x1", "sin_x2"), hidden=(3, 5), dropout=(0.0, 0.0))
    hyper = make_hyper(config)
    params = np.asarray(model.init_params(jax.random.PRNGKey(0), hyper))
    mask = np.asarray(model.param_mask(hyper))
    assert np.all(params[mask == 0] == 0)
    # 2 inputs -> 3 -> 5 -> 1, weights and biases.
    assert mask.sum() == (2 * 3 + 3) + (3 * 5 + 5) + (5 * 1 + 1)
    assert np.count_nonzero(params) == 2 * 3 + 3 * 5 + 5 * 1


@pytest.mark.parametrize(
    ("init", "bound"),
    [
        (Init.GLOROT_UNIFORM, np.sqrt(6 / (2 + 8))),
        (Init.HE_UNIFORM, np.sqrt(6 / 2)),
        (Init.UNIFORM, 0.5),
    ],
)
def test_uniform_initialisations_respect_their_bounds(init: Init, bound: float) -> None:
    config = ModelConfig(hidden=(8,), activations=(Activation.RELU,), dropout=(0.0,), init=init)
    params = np.asarray(model.init_params(jax.random.PRNGKey(3), make_hyper(config)))
    first = params[0, :2, :8]
    assert np.max(np.abs(first)) <= bound
    assert np.max(np.abs(first)) > 0.5 * bound  # spread over the range, not collapsed


def test_zero_initialisation_makes_every_neuron_identical() -> None:
    config = ModelConfig(init=Init.ZEROS)
    params = model.init_params(jax.random.PRNGKey(0), make_hyper(config))
    assert not np.any(np.asarray(params))


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    hyper = make_hyper(ModelConfig())
    first = model.init_params(jax.random.PRNGKey(5), hyper)
    again = model.init_params(jax.random.PRNGKey(5), hyper)
    other = model.init_params(jax.random.PRNGKey(6), hyper)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_input_features_are_the_named_functions() -> None:
    config = ModelConfig(features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"))
    xy = random_points(10)
    got = np.asarray(_features(jnp.asarray(xy), make_hyper(config)))
    np.testing.assert_allclose(got[:, :7], feature_matrix(xy, config), rtol=1e-6, atol=1e-6)
    assert not np.any(got[:, 7:])


def test_network_of_linear_layers_is_affine_in_its_inputs() -> None:
    """However deep, linear hidden layers compose to one affine map: a straight boundary."""
    config = ModelConfig(
        hidden=(16, 16, 16, 16),
        activations=(Activation.LINEAR,) * 4,
        dropout=(0.0,) * 4,
        init=Init.GLOROT_NORMAL,
    )
    hyper = make_hyper(config)
    params = model.init_params(jax.random.PRNGKey(7), hyper)
    xy = random_points(200, seed=3)
    logits = np.asarray(_forward(params, _features(jnp.asarray(xy), hyper), hyper)[0])[:, 0]
    design = np.column_stack([xy, np.ones(len(xy))]).astype(np.float64)
    coefficients, *_ = np.linalg.lstsq(design, logits, rcond=None)
    residual = logits - design @ coefficients
    assert np.max(np.abs(residual)) < 1e-4 * max(1.0, float(np.max(np.abs(logits))))
    assert np.max(np.abs(coefficients[:2])) > 1e-3  # and not a constant
