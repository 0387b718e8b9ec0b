"""The server's Prometheus metrics (GET /metrics): one registry per app, never the process-wide
default, so that every create_app has its own counts. Imports nothing from the engine: what is
read at scrape time (sessions open, queue length, programs loaded, warm) is passed in."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# Without this every counter and histogram also shows a `_created` timestamp series, which
# Prometheus does not need (rate() sees restarts by itself) and a teacher must read past.
# A process-wide switch, and only this module uses prometheus_client.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Seconds, about 1.5x apart from 1 ms to 1 s: a frame of the default network takes a few ms
# alone and tens of ms when a full server's sessions queue for the cores.
FRAME_BUCKETS = (
    0.001,
    0.0015,
    0.002,
    0.003,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.03,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.5,
    0.75,
    1.0,
)
# A send is usually well under a millisecond, and waits up to the send timeout (15 s by
# default) for a client that stopped reading.
SEND_BUCKETS = (0.0001, 0.00025, 0.0005, *FRAME_BUCKETS, 2.0, 5.0, 15.0)
REFUSAL_REASONS = ("full", "origin")

# The classic text format, which every Prometheus and adapter reads (prometheus_client's
# own server answers with it unless asked for more); the names here need nothing newer.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ServerMetrics:
    """What a server counts as it runs; the gauges read at scrape time are wired by `read`."""

    def __init__(self, max_sessions: int) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.sessions_open = Gauge(
            "nn_playground_sessions_open",
            "Websocket sessions open now (each holds one of the session cap's slots).",
            registry=registry,
        )
        self.session_cap = Gauge(
            "nn_playground_session_cap",
            "Sessions this process serves at once (--max-sessions); one more is told busy.",
            registry=registry,
        )
        self.session_cap.set(max_sessions)
        self.sessions_started = Counter(
            "nn_playground_sessions_started",
            "Websocket sessions admitted since the process started.",
            registry=registry,
        )
        self.sessions_refused = Counter(
            "nn_playground_sessions_refused",
            "Websocket connections refused: reason 'full' (told busy, closed 1013: the cap "
            "was reached) or 'origin' (a page from an origin not allowed; handshake 403).",
            ["reason"],
            registry=registry,
        )
        # Both reasons appear from the start, at 0: a rate over a series that does not exist
        # yet is no rate at all.
        self.refused_full = self.sessions_refused.labels(reason="full")
        self.refused_origin = self.sessions_refused.labels(reason="origin")
        self.frames_sent = Counter(
            "nn_playground_frames_sent",
            "Binary frames (a training update and its pictures) sent to clients.",
            registry=registry,
        )
        self.frame_compute_seconds = Histogram(
            "nn_playground_frame_compute_seconds",
            "Seconds one frame's training call took on a training-pool worker (epochs, "
            "measurements and pictures), not counting its wait in the queue. A process's "
            "first frames include loading their programs.",
            buckets=FRAME_BUCKETS,
            registry=registry,
        )
        self.frame_send_delay_seconds = Histogram(
            "nn_playground_frame_send_delay_seconds",
            "Seconds from a frame computed to its bytes handed to the socket: the event "
            "loop's turn, encoding, the wait for the session's send lock and the send.",
            buckets=SEND_BUCKETS,
            registry=registry,
        )
        self.training_queue_length = Gauge(
            "nn_playground_training_queue_length",
            "Work submitted to the training pool that no worker has started yet (frames, "
            "and the setup of sessions just opened).",
            registry=registry,
        )
        self.programs_loaded = Gauge(
            "nn_playground_programs_loaded",
            "Compiled frame programs (executables) this process holds in memory.",
            registry=registry,
        )
        self.programs_warm = Gauge(
            "nn_playground_programs_warm",
            "1 once the background warm-up has loaded every frame program, else 0 (a first "
            "session may wait for the program it needs).",
            registry=registry,
        )

    def read(
        self,
        *,
        sessions_open: Callable[[], float],
        training_queue_length: Callable[[], float],
        programs_loaded: Callable[[], float],
        programs_warm: Callable[[], bool],
    ) -> None:
        """Gauges computed when scraped, so that nothing is updated per frame or session."""
        self.sessions_open.set_function(sessions_open)
        self.training_queue_length.set_function(training_queue_length)
        self.programs_loaded.set_function(programs_loaded)
        self.programs_warm.set_function(lambda: float(programs_warm()))

    def exposition(self) -> bytes:
        """Every metric in Prometheus's text format (CONTENT_TYPE)."""
        return generate_latest(self.registry)
