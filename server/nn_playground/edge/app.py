"""The FastAPI edge: routes, the /ws endpoint with its admission checks, /metrics and the
static page. Only wiring; the protocol, sessions, metrics and numerics live in their own
modules."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response, WebSocket
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from nn_playground import __version__
from nn_playground.digits_protocol import DigitsConfigDescription, describe_digits_config
from nn_playground.edge import health
from nn_playground.edge.activation_curves import ActivationCurves, activation_curves
from nn_playground.edge.admission import Admission, SessionSlots
from nn_playground.edge.dataset_previews import DatasetPreviews, preview_datasets
from nn_playground.edge.metrics import CONTENT_TYPE, ServerMetrics
from nn_playground.edge.web_assets import find_web_dir
from nn_playground.options import ServerOptions
from nn_playground.protocol import ConfigDescription, describe_config
from nn_playground.sessions.labs import PLAYGROUND, lab_opener
from nn_playground.sessions.session import Session, refuse_lab
from nn_playground.sessions.training_pool import TrainingPool
from nn_playground.teaching.digits_lessons import DigitsLessons, describe_digits_lessons
from nn_playground.teaching.lessons import Lessons, describe_lessons


class Health(BaseModel):
    status: str
    version: str
    backend: health.Backend
    sessions: int
    max_sessions: int
    # False while the frame programs still load in the background: a first session may
    # wait for the one it needs.
    warm: bool


def create_app(
    options: ServerOptions | None = None, warming: threading.Thread | None = None
) -> FastAPI:
    """The application; `warming` is the thread loading the frame programs in the background
    (the console script starts one), waited for at shutdown."""
    options = options or ServerOptions()
    pool = TrainingPool()
    slots = SessionSlots(options.max_sessions)
    metrics = ServerMetrics(options.max_sessions)
    metrics.read(
        sessions_open=lambda: slots.held,
        training_queue_length=lambda: pool.queued,
        programs_loaded=_programs_loaded,
        programs_warm=lambda: warming is None or not warming.is_alive(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()
        if warming is not None:
            # A process that exits while XLA compiles on another thread aborts.
            warming.join(timeout=120)

    app = FastAPI(title="nn-playground", version=__version__, lifespan=lifespan)
    app.add_middleware(
        Admission, allowed_origins=options.allowed_origins, slots=slots, metrics=metrics
    )

    @app.get("/healthz", summary="Liveness, the JAX backend in use and the session count")
    def healthz() -> Health:
        return Health(
            status="ok",
            version=__version__,
            backend=health.jax_backend(),
            sessions=slots.held,
            max_sessions=slots.limit,
            warm=warming is None or not warming.is_alive(),
        )

    @app.get(
        "/api/config",
        summary="Every setting's JSON Schema (choices, defaults, bounds), limits, effects, the "
        "colour palette and the session cap: the page's constants",
    )
    def api_config() -> ConfigDescription:
        return describe_config(options.max_points, options.max_sessions)

    @app.get(
        "/api/digits/config",
        summary="The digits lab's settings schema, defaults, limits and effects",
    )
    def api_digits_config() -> DigitsConfigDescription:
        return describe_digits_config(options.max_sessions)

    @app.get(
        "/api/activations",
        summary="Every hidden-layer activation and its slope, sampled by the engine, for plots",
    )
    def api_activations() -> ActivationCurves:
        return activation_curves()

    @app.get(
        "/api/datasets",
        summary="A small sample of every generated dataset at the default settings, for previews",
    )
    def api_datasets() -> DatasetPreviews:
        return preview_datasets()

    @app.get(
        "/api/lessons",
        summary="The lessons: a ready-made experiment per concept, with what to look for",
        # A lesson's settings list only what it changes, not every other field as null.
        response_model_exclude_none=True,
    )
    def api_lessons() -> Lessons:
        return describe_lessons()

    @app.get(
        "/api/digits/lessons",
        summary="The digits lab's lessons: a ready-made experiment per concept",
        response_model_exclude_none=True,
    )
    def api_digits_lessons() -> DigitsLessons:
        return describe_digits_lessons()

    @app.get(
        "/metrics",
        summary="Sessions, refusals, frames, frame timings and the training queue, for "
        "Prometheus (text format)",
        response_class=Response,
    )
    def prometheus_metrics() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    @app.websocket("/ws")
    async def websocket_session(websocket: WebSocket) -> None:
        """A training session; docs/protocol.md describes the messages. Admission (origin,
        session cap) happened before routing: the connection already holds a slot."""
        await websocket.accept()
        lab = websocket.query_params.get("lab", PLAYGROUND)
        open_lab = lab_opener(lab, options)
        if open_lab is None:
            await refuse_lab(websocket, lab)
            return
        await Session(websocket, options, pool, metrics, open_lab).run()

    # Mounted last so the API routes above take precedence over file names.
    app.mount("/", StaticFiles(directory=find_web_dir(), html=True), name="web")
    return app


def _programs_loaded() -> int:
    # Imported when first scraped: the engine's program store loads more of JAX than the
    # app needs to start.
    from nn_playground.engine.runtime.programs import loaded_programs

    return loaded_programs()
