"""GET /api/activations: the curves the page plots are the engine's activations and slopes."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from nn_playground.edge.activation_curves import SAMPLES, Z_MAX, ActivationCurves
from nn_playground.engine.config import Activation
from nn_playground.engine.numerics.model import LEAKY_SLOPE, SELU_ALPHA, SELU_SCALE


def curves(client: TestClient) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    response = client.get("/api/activations")
    assert response.status_code == 200
    served = ActivationCurves.model_validate_json(response.text)
    z = np.array(served.z)
    return z, {c.name: (np.array(c.g), np.array(c.slope)) for c in served.curves}


def test_every_activation_is_sampled_over_the_same_z(client: TestClient) -> None:
    z, by_name = curves(client)
    assert list(by_name) == [a.value for a in Activation]  # the schema's order
    assert len(z) == SAMPLES
    assert (z[0], z[-1]) == (-Z_MAX, Z_MAX)
    assert 0.0 in z  # the kinks are drawn where they are
    for g, slope in by_name.values():
        assert g.shape == slope.shape == z.shape


def test_values_are_the_engines(client: TestClient) -> None:
    z, by_name = curves(client)
    sigmoid = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(by_name["sigmoid"][0], sigmoid, atol=1e-6)
    np.testing.assert_allclose(by_name["sigmoid"][1], sigmoid * (1 - sigmoid), atol=1e-6)
    np.testing.assert_allclose(by_name["tanh"][1], 1 - np.tanh(z) ** 2, atol=1e-6)
    np.testing.assert_allclose(by_name["swish"][0], z * sigmoid, atol=1e-5)
    np.testing.assert_allclose(by_name["linear"][0], z, atol=1e-6)
    zero = int(np.flatnonzero(z == 0.0)[0])
    # At a kink the engine takes the left branch (its test is z > 0).
    slopes_at_zero = {name: float(slope[zero]) for name, (_, slope) in by_name.items()}
    assert slopes_at_zero["relu"] == 0.0
    assert slopes_at_zero["leaky_relu"] == LEAKY_SLOPE
    assert slopes_at_zero["elu"] == 1.0
    assert abs(slopes_at_zero["selu"] - SELU_SCALE * SELU_ALPHA) < 1e-5
    assert float(by_name["selu"][0][-1]) == round(SELU_SCALE * Z_MAX, 6)
