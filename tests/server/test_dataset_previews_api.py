"""GET /api/datasets: the samples the page's dataset picker draws its thumbnails from."""

from __future__ import annotations

from fastapi.testclient import TestClient

from nn_playground.edge.dataset_previews import PREVIEW_POINTS, DatasetPreviews, preview_datasets
from nn_playground.engine import limits
from nn_playground.engine.config import DATASET_PROBLEM, DatasetName, Problem
from nn_playground.engine.numerics.data import make_dataset
from nn_playground.protocol import Settings
from tests.server.client_helpers import strict_json


def previews(client: TestClient) -> DatasetPreviews:
    response = client.get("/api/datasets")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    strict_json(response.text)  # no NaN or Infinity
    return DatasetPreviews.model_validate_json(response.text)


def test_every_generated_dataset_has_a_preview(client: TestClient) -> None:
    body = previews(client)
    assert body.domain == limits.DOMAIN
    assert [d.name for d in body.datasets] == [n for n in DatasetName if n != DatasetName.CUSTOM]
    for preview in body.datasets:
        assert preview.problem == DATASET_PROBLEM[preview.name], preview.name
        assert len(preview.points) == PREVIEW_POINTS, preview.name
        for x, y, _ in preview.points:
            assert abs(x) <= limits.DOMAIN
            assert abs(y) <= limits.DOMAIN


def test_labels_and_values_fit_the_problem(client: TestClient) -> None:
    """Every class (or label combination) shows in a classification preview, and a
    regression preview carries values, not a label 0 everywhere."""
    for preview in previews(client).datasets:
        labels = {label for _, _, label in preview.points}
        if preview.problem is Problem.BINARY:
            assert labels == {0, 1}, preview.name
        elif preview.problem is Problem.MULTICLASS:
            assert labels == set(range(Settings().n_classes)) == set(range(preview.n_outputs))
        elif preview.problem is Problem.MULTILABEL:
            assert labels <= set(range(1 << preview.n_outputs))
            assert len(labels) > 2, preview.name
        else:
            assert len(labels) > PREVIEW_POINTS // 2, preview.name


def test_a_preview_is_the_default_data_in_small(client: TestClient) -> None:
    """Drawn with the defaults a new session uses (noise, data seed), so it looks alike."""
    spiral = next(d for d in previews(client).datasets if d.name == DatasetName.SPIRAL)
    defaults = Settings()
    expected = make_dataset(
        DatasetName.SPIRAL, PREVIEW_POINTS, noise=defaults.noise, seed=defaults.data_seed
    )
    first_train_point = tuple(float(v) for v in expected.train.x[0])
    assert spiral.points[0][:2] == tuple(round(v, 3) for v in first_train_point)
    assert spiral.points[0][2] == expected.train.labels[0]


def test_the_samples_are_computed_once(client: TestClient) -> None:
    assert preview_datasets() is preview_datasets()
    assert client.get("/api/datasets").text == client.get("/api/datasets").text


def test_openapi_documents_the_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    route = paths["/api/datasets"]["get"]
    assert route["summary"]
    schema = route["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/DatasetPreviews")
