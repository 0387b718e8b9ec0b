"""The FastAPI edge: routes and the static page. Only wiring; no numerics, no session logic."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from nn_playground import __version__, runtime
from nn_playground.web_assets import find_web_dir


class Health(BaseModel):
    status: str
    version: str
    backend: runtime.Backend


def create_app() -> FastAPI:
    app = FastAPI(title="nn-playground", version=__version__)

    @app.get("/healthz", summary="Liveness and the JAX backend in use")
    def healthz() -> Health:
        return Health(status="ok", version=__version__, backend=runtime.jax_backend())

    # Mounted last so the API routes above take precedence over file names.
    app.mount("/", StaticFiles(directory=find_web_dir(), html=True), name="web")
    return app
