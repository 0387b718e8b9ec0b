"""GET /metrics: Prometheus's text format, parsed by prometheus_client's own parser, and the
counts moving as sessions open, play, are refused and leave (TestClient, real sessions)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from starlette.websockets import WebSocketDisconnect

from nn_playground.edge.app import create_app
from nn_playground.options import ServerOptions
from nn_playground.protocol import Busy
from nn_playground.sessions.training_pool import TrainingPool
from tests.live_server import run_async
from tests.server.client_helpers import Conversation, Frame

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

FAMILIES = {
    "nn_playground_sessions_open": "gauge",
    "nn_playground_session_cap": "gauge",
    "nn_playground_sessions_started": "counter",
    "nn_playground_sessions_refused": "counter",
    "nn_playground_frames_sent": "counter",
    "nn_playground_frame_compute_seconds": "histogram",
    "nn_playground_frame_send_delay_seconds": "histogram",
    "nn_playground_training_queue_length": "gauge",
    "nn_playground_programs_loaded": "gauge",
    "nn_playground_programs_warm": "gauge",
}


def scrape(client: TestClient) -> Samples:
    """Every sample of /metrics, by name and labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def until(client: TestClient, name: str, wanted: float, limit: float = 30.0) -> Samples:
    """Scrape until `name` reads `wanted` (a session ends a moment after its socket)."""
    deadline = time.monotonic() + limit
    while True:
        samples = scrape(client)
        if value(samples, name) == wanted:
            return samples
        assert time.monotonic() < deadline, f"{name} stayed {value(samples, name)}"
        time.sleep(0.02)


@pytest.fixture
def capped() -> Iterator[TestClient]:
    with TestClient(create_app(ServerOptions(max_sessions=1))) as client:
        yield client


def test_every_metric_parses_with_its_type_and_help(client: TestClient) -> None:
    families = {
        family.name: family
        for family in text_string_to_metric_families(client.get("/metrics").text)
    }
    for name, kind in FAMILIES.items():
        assert families[name].type == kind, name
        assert len(families[name].documentation) > 20, name
    samples = scrape(client)
    assert value(samples, "nn_playground_session_cap") == ServerOptions().max_sessions
    assert value(samples, "nn_playground_sessions_open") == 0
    assert value(samples, "nn_playground_training_queue_length") == 0
    assert value(samples, "nn_playground_programs_warm") == 1  # no warm-up thread here
    # Both refusal reasons exist from the start, at 0.
    assert value(samples, "nn_playground_sessions_refused_total", reason="full") == 0
    assert value(samples, "nn_playground_sessions_refused_total", reason="origin") == 0


def test_compute_buckets_resolve_one_millisecond_to_one_second(client: TestClient) -> None:
    bounds = sorted(
        float(dict(labels)["le"])
        for name, labels in scrape(client)
        if name == "nn_playground_frame_compute_seconds_bucket"
    )
    assert bounds[0] == 0.001
    assert 1.0 in bounds
    finite = [bound for bound in bounds if bound <= 1.0]
    assert all(high / low <= 2.5 for low, high in itertools.pairwise(finite))


def test_a_session_that_plays_moves_the_counts(client: TestClient) -> None:
    before = scrape(client)
    with client.websocket_connect("/ws") as websocket:
        conversation = Conversation(websocket)
        conversation.start()
        conversation.send({"type": "play"})
        for _ in range(4):
            conversation.next(Frame)
        during = scrape(client)
    after = until(client, "nn_playground_sessions_open", 0)

    def grew(name: str, samples: Samples) -> float:
        return value(samples, name) - value(before, name)

    assert value(during, "nn_playground_sessions_open") == 1
    assert grew("nn_playground_sessions_started_total", during) == 1
    # The opening frame and four played: at least five sent, each computed once.
    assert grew("nn_playground_frames_sent_total", during) >= 5
    computed = grew("nn_playground_frame_compute_seconds_count", during)
    assert computed >= 5
    assert grew("nn_playground_frame_compute_seconds_sum", during) > 0
    assert grew("nn_playground_frame_send_delay_seconds_count", during) >= 5
    assert value(during, "nn_playground_programs_loaded") >= 1
    assert value(after, "nn_playground_sessions_open") == 0
    assert grew("nn_playground_sessions_started_total", after) == 1


def test_a_refused_session_counts_as_full(capped: TestClient) -> None:
    with capped.websocket_connect("/ws") as first:
        Conversation(first).start()
        with capped.websocket_connect("/ws") as second:
            assert isinstance(Conversation(second).receive(), Busy)
        samples = scrape(capped)
        assert value(samples, "nn_playground_sessions_refused_total", reason="full") == 1
        assert value(samples, "nn_playground_sessions_open") == 1
        assert value(samples, "nn_playground_sessions_started_total") == 1
    until(capped, "nn_playground_sessions_open", 0)


def test_a_foreign_origin_counts_as_origin(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/ws", headers={"origin": "http://evil.example"}),
    ):
        pass
    samples = scrape(client)
    assert value(samples, "nn_playground_sessions_refused_total", reason="origin") == 1
    assert value(samples, "nn_playground_sessions_started_total") == 0


def test_each_app_counts_for_itself() -> None:
    """A registry per app: a second app starts from zero whatever the first one counted."""
    with TestClient(create_app(ServerOptions(max_sessions=1))) as first:
        with first.websocket_connect("/ws") as websocket:
            Conversation(websocket).start()
        with TestClient(create_app(ServerOptions(max_sessions=3))) as second:
            samples = scrape(second)
            assert value(samples, "nn_playground_sessions_started_total") == 0
            assert value(samples, "nn_playground_session_cap") == 3


def test_training_queue_length_counts_work_not_yet_started() -> None:
    pool = TrainingPool(workers=1)
    release = threading.Event()

    async def scenario() -> None:
        started = threading.Event()

        def hold() -> None:
            started.set()
            release.wait(30)

        running = asyncio.ensure_future(pool.run(hold))
        assert await asyncio.to_thread(started.wait, 30)
        waiting = [asyncio.ensure_future(pool.run(lambda: None)) for _ in range(3)]
        await asyncio.sleep(0)  # each task has submitted its work
        assert pool.queued == 3
        waiting[0].cancel()  # never started, so never will: no longer queued
        await asyncio.gather(waiting[0], return_exceptions=True)
        assert pool.queued == 2
        release.set()
        await asyncio.gather(running, *waiting[1:])
        assert pool.queued == 0

    try:
        run_async(scenario())
    finally:
        release.set()
        pool.close()
