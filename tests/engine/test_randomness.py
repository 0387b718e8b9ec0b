"""The training loop's shuffles and dropout draws: valid, deterministic, and varied."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from nn_playground.engine import limits
from nn_playground.engine.numerics import randomness

SEED = randomness.seed_of(jnp.asarray([7, 11], jnp.uint32))


@pytest.mark.parametrize("n", [1, 2, 45, 250, 999, limits.MAX_POINTS])
def test_permutation_orders_the_real_rows_first(n: int) -> None:
    order = np.asarray(randomness.permutation(randomness.stream(SEED, jnp.int32(3)), jnp.int32(n)))
    assert sorted(order[:n].tolist()) == list(range(n))
    assert sorted(order[n:].tolist()) == list(range(n, limits.MAX_POINTS))


def test_permutations_differ_between_epochs_and_repeat_for_the_same_one() -> None:
    n = jnp.int32(250)
    first = np.asarray(randomness.permutation(randomness.stream(SEED, jnp.int32(0)), n))[:250]
    again = np.asarray(randomness.permutation(randomness.stream(SEED, jnp.int32(0)), n))[:250]
    second = np.asarray(randomness.permutation(randomness.stream(SEED, jnp.int32(1)), n))[:250]
    assert np.array_equal(first, again)
    assert np.mean(first == second) < 0.05
    # Well shuffled: no trace of the original order left.
    assert abs(np.corrcoef(first, np.arange(250))[0, 1]) < 0.2


def test_uniform_draws_cover_the_unit_interval_evenly() -> None:
    values = np.asarray(randomness.uniform(randomness.stream(SEED, jnp.int32(5)), (6, 32, 16)))
    assert values.min() >= 0.0
    assert values.max() < 1.0
    counts, _ = np.histogram(values, bins=10, range=(0.0, 1.0))
    assert counts.min() > 0.8 * values.size / 10
