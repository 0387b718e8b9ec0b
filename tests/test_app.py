"""Contract tests of the HTTP edge through FastAPI's TestClient."""

from __future__ import annotations

from fastapi.testclient import TestClient

from nn_playground import __version__
from nn_playground.edge.app import Health, create_app


def test_healthz_reports_status_version_and_backend() -> None:
    with TestClient(create_app()) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    health = Health.model_validate(response.json())
    assert health.status == "ok"
    assert health.version == __version__
    assert health.backend in ("cpu", "gpu", "tpu")


def test_root_serves_the_page() -> None:
    with TestClient(create_app()) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>nn-playground</title>" in response.text


def test_page_modules_are_served_as_javascript() -> None:
    with TestClient(create_app()) as client:
        response = client.get("/page/main.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]


def test_unknown_path_is_404() -> None:
    with TestClient(create_app()) as client:
        assert client.get("/no-such-file.js").status_code == 404


def test_openapi_docs_list_the_health_route() -> None:
    with TestClient(create_app()) as client:
        schema = client.get("/openapi.json").json()
    assert "/healthz" in schema["paths"]
