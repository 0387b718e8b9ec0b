"""`nn-playground --workers 2`: two real server processes, each pinned to its core, behind a
real HAProxy. Sessions spread by least connections, a class over the combined cap is told
`busy`, and a process that dies takes only its own sessions away, which reconnect to the
other while the supervisor restarts it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator

import httpx2 as httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect

from nn_playground.protocol import Busy, Ready
from tests.live_client import close_code, playing_session, read_frames, receive, send
from tests.live_server import console_script, run_async
from tests.serving.cluster import Cluster, cores_allowed, run_cluster, worker_pid

CAP = 4  # the whole server's: 2 sessions a process
# The cluster's start counts against the first test: on a cold compile cache its warm-up
# compiles every program first (minutes on a busy 2-core machine).
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with run_cluster("--max-sessions", str(CAP)) as running:
        yield running


def worker_metrics(cluster: Cluster) -> dict[str, float]:
    """Every sample of both processes' /metrics, summed over the processes (each parsed as
    Prometheus text: a malformed line fails the test)."""
    totals: dict[str, float] = {}
    for index in range(2):
        text = httpx.get(cluster.worker_url(index) + "metrics", timeout=10).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                key = f"{sample.name}{{{labels}}}" if labels else sample.name
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


def worker_health(cluster: Cluster, index: int) -> dict[str, object]:
    health: dict[str, object] = httpx.get(cluster.worker_url(index) + "healthz", timeout=10).json()
    return health


def sessions_per_worker(cluster: Cluster) -> list[int]:
    return [int(str(worker_health(cluster, i)["sessions"])) for i in range(2)]


def wait_for(condition: Callable[[], bool], what: str, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {limit} s"
        time.sleep(0.1)


def test_each_process_is_pinned_to_its_own_core_with_half_the_cap(cluster: Cluster) -> None:
    pinned = [cores_allowed(worker_pid(port)) for port in cluster.worker_ports]
    if len(os.sched_getaffinity(0)) >= 2:
        assert len(set(pinned)) == 2, pinned
        assert all("," not in cores and "-" not in cores for cores in pinned), pinned
    assert [worker_health(cluster, i)["max_sessions"] for i in range(2)] == [2, 2]
    page = httpx.get(cluster.balancer.url, timeout=10)  # the page, through HAProxy
    assert page.status_code == 200
    assert "<title>nn-playground</title>" in page.text


def test_haproxy_answers_its_own_health_and_metrics(cluster: Cluster) -> None:
    assert httpx.get(cluster.balancer.url + "haproxy/healthz", timeout=10).status_code == 200
    metrics = httpx.get(cluster.balancer.url + "haproxy/metrics", timeout=10).text
    up = [line for line in metrics.splitlines() if line.startswith("haproxy_server_status{")]
    assert any('proxy="sessions"' in line and line.endswith(" 1") for line in up), up


def test_sessions_spread_by_least_connections_and_the_full_class_is_told_busy(
    cluster: Cluster,
) -> None:
    url = cluster.balancer.ws_url
    before = worker_metrics(cluster)

    async def scenario() -> tuple[list[list[int]], Busy, int, float]:
        opened: list[ClientConnection] = []
        spread: list[list[int]] = []
        try:
            for _ in range(CAP):
                opened.append(await playing_session(url, frames=1))
                spread.append(await asyncio.to_thread(sessions_per_worker, cluster))
            start = time.monotonic()
            async with connect(url) as extra:
                busy = await receive(extra)
                code = await close_code(extra)
            refused_after = time.monotonic() - start
        finally:
            for ws in opened:
                await ws.close()
        assert isinstance(busy, Busy)
        return spread, busy, code, refused_after

    spread, busy, code, refused_after = run_async(scenario())
    print(f"\nbusy through HAProxy {refused_after * 1000:.0f} ms after connecting")
    # Least connections: the second session goes to the idle process, and so on.
    assert sorted(spread[1]) == [1, 1], spread
    assert spread[-1] == [2, 2], spread
    assert code == 1013
    assert busy.max_sessions == 2  # the process that answered: its own cap
    assert "limit" in busy.reason
    assert refused_after < 2.0  # a clear answer, not a queue (loose: a shared machine)
    wait_for(lambda: sessions_per_worker(cluster) == [0, 0], "sessions closed")
    after = worker_metrics(cluster)

    def moved(key: str) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert moved("nn_playground_sessions_started_total") == CAP
    assert moved("nn_playground_sessions_refused_total{reason=full}") == 1
    assert moved("nn_playground_frames_sent_total") >= CAP
    assert moved("nn_playground_frame_compute_seconds_count") >= CAP
    assert after["nn_playground_sessions_open"] == 0
    assert after["nn_playground_session_cap"] == CAP  # 2 + 2


def test_a_killed_process_moves_its_clients_and_is_restarted(cluster: Cluster) -> None:
    url = cluster.balancer.ws_url
    victim_port = cluster.worker_ports[0]
    victim = worker_pid(victim_port)

    async def scenario() -> tuple[int, int, int]:
        first = await playing_session(url, frames=1)
        second = await playing_session(url, frames=1)
        assert sorted(await asyncio.to_thread(sessions_per_worker, cluster)) == [1, 1]
        # Which of the two is served by the victim: the one whose socket the kill closes.
        counts = {id(first): [0], id(second): [0]}
        readers = {
            id(ws): asyncio.create_task(read_frames(ws, 10**9, counts[id(ws)]))
            for ws in (first, second)
        }
        os.kill(victim, signal.SIGKILL)
        done, _ = await asyncio.wait(readers.values(), timeout=30, return_when="FIRST_COMPLETED")
        assert len(done) == 1, "exactly one session lost its process"
        lost = first if readers[id(first)] in done else second
        kept = second if lost is first else first
        kept_before = counts[id(kept)][0]
        # The lost page reconnects through HAProxy, which sends it to the live process.
        again = await connect(url)
        assert isinstance(await receive(again), Ready)
        await send(again, {"type": "play"})
        await read_frames(again, 3)
        await asyncio.sleep(1.0)
        kept_after = counts[id(kept)][0]
        assert not readers[id(kept)].done(), "the other process's session was disturbed"
        readers[id(kept)].cancel()
        await asyncio.gather(*readers.values(), return_exceptions=True)
        code = lost.close_code or 1006
        for ws in (first, second, again):
            await ws.close()
        return code, kept_before, kept_after

    code, kept_before, kept_after = run_async(scenario())
    assert code == 1006  # killed: no close frame
    assert kept_after > kept_before  # the other session kept its frames
    # The supervisor starts a new process on the same port, with its core and cap.
    wait_for(lambda: _answers(cluster, 0), "the restarted process", limit=240)
    assert worker_pid(victim_port) != victim
    assert "restarting it" in "".join(cluster.balancer.output)


def _answers(cluster: Cluster, index: int) -> bool:
    try:
        return httpx.get(cluster.worker_url(index) + "healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_without_haproxy_it_says_how_to_install_it_and_fails() -> None:
    result = subprocess.run(
        [console_script(), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NN_PLAYGROUND_HAPROXY": "/nonexistent/haproxy"},
    )
    assert result.returncode == 2
    assert "apt-get install haproxy" in result.stderr + result.stdout
