"""The hand-written training gradient (backprop.py) against JAX's autodiff of the same
network (model.forward): every activation, dropout, pass-through of layers beyond a
model's depth, and the narrowed copy."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_playground.engine.config import Activation, ModelConfig
from nn_playground.engine.numerics import backprop, model, narrowing
from nn_playground.engine.numerics.hyper import make_hyper
from tests.engine.conftest import random_points

ROWS = 32


def _both(
    depth: int, config: ModelConfig, seed: int, narrow: bool = False, pass_through: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    hyper = make_hyper(config)
    rng = np.random.default_rng(seed)
    params = jnp.asarray(rng.normal(0.0, 0.7, model.PARAM_SHAPE), jnp.float32)
    params = params * model.param_mask(hyper)
    if narrow:
        params, hyper = narrowing.narrow_params(params), narrowing.narrow_hyper(hyper)
    width = params.shape[-1]
    features = model.input_features(jnp.asarray(random_points(ROWS, seed)), hyper)
    keep = model.dropout_keep(jnp.uint32(seed), hyper.dropout, ROWS, width)
    logit_grad = jnp.asarray(rng.normal(size=(ROWS, width)), jnp.float32)

    def autodiff(p: jax.Array) -> jax.Array:
        activation = model.value_only(model.activate)
        return model.forward(depth, pass_through, p, features, hyper, activation, keep).logits

    logits, pullback = jax.vjp(autodiff, params)
    (expected,) = pullback(logit_grad)
    mine, my_pullback = backprop.logits_and_pullback(
        depth, params, features, hyper, keep, pass_through
    )
    return (
        np.asarray(mine),
        np.asarray(logits),
        np.asarray(my_pullback(logit_grad)),
        np.asarray(expected),
    )


@pytest.mark.parametrize("pass_through", [True, False])
@pytest.mark.parametrize("activation", list(Activation))
def test_pullback_equals_autodiff(activation: Activation, pass_through: bool) -> None:
    config = ModelConfig(
        features=("x1", "x2", "x1^2", "sin_x2"),
        hidden=(5, 16, 3),
        activations=(activation,) * 3,
        dropout=(0.3, 0.0, 0.5),
        n_outputs=1,
    )
    logits, expected_logits, grad, expected = _both(3, config, 4, pass_through=pass_through)
    np.testing.assert_allclose(logits, expected_logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad, expected, rtol=2e-4, atol=2e-5)
    assert np.abs(expected).max() > 0.01  # a gradient worth comparing


def test_layers_beyond_the_model_pass_through() -> None:
    """A 2-layer model computed at depth 5 (as when a deeper model trains beside it)."""
    config = ModelConfig(hidden=(4, 6), activations=(Activation.ELU, Activation.SWISH))
    logits, expected_logits, grad, expected = _both(5, config, seed=9)
    np.testing.assert_allclose(logits, expected_logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad, expected, rtol=2e-4, atol=2e-5)
    assert not np.any(grad[2 : model.HIDDEN])  # the unused layers get no gradient


def test_narrowed_copy() -> None:
    config = ModelConfig(
        hidden=(8, 8, 8, 8, 8, 8),
        activations=(Activation.TANH,) * 6,
        dropout=(0.1,) * 6,
    )
    logits, expected_logits, grad, expected = _both(6, config, seed=2, narrow=True)
    assert grad.shape == narrowing.NARROW_SHAPE
    np.testing.assert_allclose(logits, expected_logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad, expected, rtol=2e-4, atol=2e-5)
