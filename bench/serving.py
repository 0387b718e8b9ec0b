"""Class-serving benchmark: `nn-playground --workers N` (N processes pinned to cores behind a
real HAProxy) against one plain process, each measured at the load a class needs: the most
sessions for which the slowest 5% still get 10 frames per second, and the frames per
second of them all at that load.

Three setups, measured in turn and twice (A B C A B C), because this machine's speed drifts
more between minutes than the setups differ; the ratios compare setups of the same round:
- one: `taskset -c 0 nn-playground --workers 1`, one process pinned to one core;
- workers: `nn-playground --workers N`, one process per usable core;
- single: plain `nn-playground`, one process on every core.
The clients run in this process, on the same machine (as the issue's measurement did).

Figures: `scaling_2_over_1` (workers over one, target 1.7 on two cores: capacity grows with
cores), `workers_vs_single` (workers over single, target 0.95: the balancer and the split
cost nothing) and each setup's `sessions_at_10fps`. Needs `haproxy` (Debian's package).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from bench.server import ROOT, Client, _connect, cache_dir
from nn_playground.serving.cores import affinity
from nn_playground.serving.workers import is_warm
from tests.live_server import stop_process

Figures = dict[str, float]
Log = Callable[[str], None]

TARGET_FPS = 10.0
START_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Setup:
    name: str
    prefix: tuple[str, ...]  # before the command: taskset
    arguments: tuple[str, ...]


def setups() -> tuple[Setup, Setup, Setup]:
    first = min(affinity())
    workers = len(affinity())
    return (
        Setup("one", ("taskset", "-c", str(first)), ("--workers", "1")),
        Setup("workers", (), ("--workers", str(workers))),
        Setup("single", (), ()),
    )


@dataclass(frozen=True)
class Plan:
    warm_up_s: float
    window_s: float
    rounds: int
    saturating_sessions: int  # the load that estimates a setup's capacity
    steps: int  # loads tried in the search from that estimate


FULL = Plan(warm_up_s=2.0, window_s=6.0, rounds=2, saturating_sessions=48, steps=8)
QUICK = Plan(warm_up_s=0.3, window_s=0.7, rounds=1, saturating_sessions=4, steps=1)


@contextmanager
def started(setup: Setup, port: int, max_sessions: int) -> Iterator[str]:
    """The setup serving on `port` (this checkout's code); yields its /ws URL once a
    client could connect."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "server"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["NN_PLAYGROUND_CACHE_DIR"] = str(cache_dir())
    command = [
        *setup.prefix,
        sys.executable,
        "-m",
        "nn_playground",
        "--port",
        str(port),
        "--max-sessions",
        str(max_sessions),
        *setup.arguments,
    ]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=ROOT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _ready(output):
                if process.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    raise RuntimeError(
                        f"{setup.name} did not start:\n{output.read().decode()[-3000:]}"
                    )
                time.sleep(0.2)
            while not is_warm(port):  # a single process loads its programs after it is ready
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{setup.name} did not load its programs")
                time.sleep(0.2)
            yield f"ws://127.0.0.1:{port}/ws"
        finally:
            stop_process(process)


def _ready(output: IO[bytes]) -> bool:
    """The server's own ready line (not a worker's, which comes prefixed)."""
    output.flush()
    output.seek(0)
    return any(
        line.startswith(b"nn-playground ") and b" is ready: open " in line for line in output
    )


async def _play(url: str, clients: list[Client], playing: asyncio.Event) -> None:
    async with _connect(url) as websocket:
        client = Client(websocket)
        clients.append(client)
        await client.frame_with(client.revision)
        await client.send({"type": "play"})
        playing.set()
        while True:
            await client.next_frame()


async def frames_per_session(url: str, sessions: int, plan: Plan) -> list[float]:
    """Frames per second of each of `sessions` sessions playing the default network."""
    clients: list[Client] = []
    events = [asyncio.Event() for _ in range(sessions)]
    tasks = [asyncio.create_task(_play(url, clients, event)) for event in events]
    try:
        async with asyncio.timeout(120):
            await asyncio.gather(*(event.wait() for event in events))
        await asyncio.sleep(plan.warm_up_s)
        opened = time.perf_counter()
        await asyncio.sleep(plan.window_s)
        closed = time.perf_counter()
        for task in tasks:
            if task.done():
                task.result()  # a session that failed (busy, error): raise it
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    window = closed - opened
    return [
        float(np.count_nonzero((np.asarray(c.frames) >= opened) & (np.asarray(c.frames) < closed)))
        / window
        for c in clients
    ]


@dataclass(frozen=True)
class Capacity:
    sessions: int  # the most sessions whose slowest 5% still get TARGET_FPS
    frames_per_s: float  # all of them together, at that load


async def capacity(url: str, plan: Plan, log: Log, name: str) -> Capacity:
    """Saturate (48 sessions) to estimate what the setup can do, then search from that
    estimate for the most sessions whose slowest 5% still get TARGET_FPS."""
    saturated = await frames_per_session(url, plan.saturating_sessions, plan)
    sessions = max(1, int(sum(saturated) / TARGET_FPS))
    passed: Capacity | None = None  # the most sessions that got TARGET_FPS
    failed: int | None = None  # the fewest that did not
    for _ in range(plan.steps):
        fps = await frames_per_session(url, sessions, plan)
        slowest = float(np.percentile(fps, 5))
        log(
            f"serving: {name}: {sessions} sessions, slowest 5% {slowest:.1f} frames/s, "
            f"{sum(fps):.0f} in all"
        )
        if slowest >= TARGET_FPS:
            if passed is None or sessions > passed.sessions:
                passed = Capacity(sessions, sum(fps))
        elif failed is None or sessions < failed:
            failed = sessions
        if passed is not None and failed is not None and failed - passed.sessions <= 1:
            break
        if failed is None:
            assert passed is not None
            sessions = passed.sessions + max(1, passed.sessions // 10)
        elif passed is None:
            sessions = max(1, min(failed - 1, int(failed * slowest / TARGET_FPS)))
        else:
            sessions = (passed.sessions + failed) // 2
    return passed or Capacity(0, sum(fps))  # not even one session got TARGET_FPS


def _free_port_block(count: int) -> int:
    from tests.serving.cluster import consecutive_free_ports

    return consecutive_free_ports(count)


def measure(quick: bool = False, log: Log = print) -> Figures:
    plan = QUICK if quick else FULL
    one, workers, single = setups()
    results: dict[str, list[Capacity]] = {"one": [], "workers": [], "single": []}
    for round_index in range(plan.rounds):
        for setup in (one, workers, single):
            port = _free_port_block(len(affinity()) + 2)
            with started(setup, port, max_sessions=200) as url:
                found = asyncio.run(capacity(url, plan, log, setup.name))
            results[setup.name].append(found)
            log(f"serving: round {round_index + 1}, {setup.name}: {found}")
    scaling = [
        w.frames_per_s / o.frames_per_s
        for w, o in zip(results["workers"], results["one"], strict=True)
    ]
    versus = [
        w.frames_per_s / s.frames_per_s
        for w, s in zip(results["workers"], results["single"], strict=True)
    ]

    def median_sessions(name: str) -> float:
        return float(np.median([c.sessions for c in results[name]]))

    return {
        "scaling_2_over_1": float(np.median(scaling)),
        "workers_vs_single": float(np.median(versus)),
        "sessions_at_10fps_one": median_sessions("one"),
        "sessions_at_10fps_workers": median_sessions("workers"),
        "sessions_at_10fps_single": median_sessions("single"),
        "frames_per_s_at_10fps_workers": float(
            np.median([c.frames_per_s for c in results["workers"]])
        ),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))
    print(measure(quick="--quick" in sys.argv))
