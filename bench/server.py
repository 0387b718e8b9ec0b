"""Live-server benchmark: a real server process and websocket clients in this process, used
as pages use it. The server is this checkout's (`python -m nn_playground` with server/ on
PYTHONPATH), not an installed `nn-playground` script, which may be an older copy; and unlike
tests/live_server.py, startup is timed by connecting as soon as the port accepts rather than
by waiting for the ready line.

First, a cold start: `python -m nn_playground --warm-up` with an empty compilation cache,
timed from start to exit (every program a server needs is compiled). Then a first start fills
the persistent compilation cache (a session plays a few frames, then the server's background
warm-up finishes) and is not timed. A second start, with that cache, is left alone until
`/healthz` says it is warm and the process is idle: its resident memory (VmRSS) is what one
worker process holds before anyone connects. A third start serves three measurements:

- startup: from `Popen` to the first frame of a client that connects as soon as it can
  (polling every 20 ms); a new session draws its untrained model without being asked;
- slider latency: one session plays the default configuration while the client changes the
  learning rate, activations, hidden layers and optimizer in turn; each sample is the time
  from sending a change to the first frame whose header `revision` includes it;
- 32 sessions: 32 clients on one event loop play the default configuration at once,
  acknowledging every frame as it arrives; frames per second per session, the intervals
  between frames, and the CPU the server (and its event-loop thread) and the clients used;
  the server's CPU time per frame is its CPU (in cores) over the frames of all sessions
  together per second.

The server counts revisions as session.py does: every client message except an ack is one
revision (the first is 1), and a frame's header carries the revision it reflects. Every
message sent here is valid, so the client's own count is the server's.
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake

from nn_playground.engine.runtime import compilation
from tests.live_server import free_port, stop_process

Figures = dict[str, float]
Log = Callable[[str], None]

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 32
MAX_FRAME_BYTES = 16 * 2**20  # a frame of 8 compared models is well under 1 MiB
CONNECT_POLL_S = 0.02
# A cold cache compiles the first frame's programs (~20 s each on a small machine).
FIRST_START_TIMEOUT_S = 600.0
COLD_START_TIMEOUT_S = 600.0
START_TIMEOUT_S = 120.0
FRAME_TIMEOUT_S = 30.0
HEADER_LENGTH = struct.Struct("<I")
IDLE_CHECK_S = 0.5  # the server is idle when it used less than IDLE_CPU of a core over this
IDLE_CPU = 0.05

# What the latency client changes, in turn: each a `settings` object of a configure message.
# The cycle ends where it began, and every value is valid for the default network.
CHANGES: tuple[dict[str, Any], ...] = (
    {"learning_rate": 0.01},
    {"activations": ["relu"]},
    {"hidden": [4, 3]},
    {"optimizer": "adam"},
    {"learning_rate": 0.03},
    {"activations": ["tanh"]},
    {"hidden": [4, 2]},
    {"optimizer": "sgd"},
)


@dataclass(frozen=True)
class Plan:
    """How much each measurement does."""

    latency_samples: int  # configure messages timed
    latency_pause_s: float  # playing between two changes
    latency_warm_up_s: float  # playing before the first change
    sessions_warm_up_s: float  # all sessions playing before the window opens
    sessions_window_s: float  # the window frames are counted in


FULL = Plan(
    latency_samples=60,
    latency_pause_s=0.05,
    latency_warm_up_s=1.5,
    sessions_warm_up_s=3.0,
    sessions_window_s=10.0,
)
QUICK = Plan(
    latency_samples=5,
    latency_pause_s=0.05,
    latency_warm_up_s=0.5,
    sessions_warm_up_s=1.0,
    sessions_window_s=2.0,
)


def _silent(message: str) -> None:
    del message


# --- the server process ----------------------------------------------------------------------


def cache_dir() -> Path:
    """The persistent cache this process uses (bench/run.py enables it), else the one a
    server would pick: NN_PLAYGROUND_CACHE_DIR or the default."""
    enabled = compilation.cache_dir()
    if enabled is not None:
        return enabled
    return Path(os.environ.get("NN_PLAYGROUND_CACHE_DIR") or compilation.default_cache_dir())


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    started: float  # time.perf_counter() just before Popen
    output: IO[bytes]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def log_tail(self) -> str:
        self.output.flush()
        self.output.seek(0)
        return self.output.read().decode(errors="replace")[-4000:]


def _server_env(cache: Path) -> dict[str, str]:
    """This process's environment for a server of this checkout using `cache`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "server"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["NN_PLAYGROUND_CACHE_DIR"] = str(cache)
    return env


@contextmanager
def running_server(cache: Path, max_sessions: int) -> Iterator[Server]:
    """This checkout's server on a free port, stopped on exit; output goes to a temporary
    file (shown if it fails)."""
    env = _server_env(cache)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "nn_playground",
        "--port",
        str(port),
        "--max-sessions",
        str(max_sessions),
    ]
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=ROOT
        )
        server = Server(process, port, started, output)
        try:
            yield server
        finally:
            stop_process(process)


def cold_start() -> float:
    """Seconds from starting `python -m nn_playground --warm-up` with an empty compilation
    cache to its exit: what a first start compiles before it is warm."""
    with tempfile.TemporaryDirectory(prefix="nn-playground-cold-") as empty:
        command = [sys.executable, "-m", "nn_playground", "--warm-up"]
        started = time.perf_counter()
        result = subprocess.run(
            command,
            env=_server_env(Path(empty)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=COLD_START_TIMEOUT_S,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"--warm-up failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return elapsed


def _resident_mb(pid: int) -> float:
    """VmRSS of a process in MiB, from /proc; 0 where there is no /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _health(port: int) -> dict[str, Any] | None:
    """GET /healthz, or None while the port does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
            health: dict[str, Any] = json.loads(reply.read())
            return health
    except (urllib.error.URLError, OSError):
        return None


async def warm_resident_mb(server: Server, timeout: float) -> float:
    """The server's resident memory (MiB) once /healthz says its programs are warm and it has
    gone idle, before any session."""
    deadline = time.perf_counter() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError("the server exited:\n" + server.log_tail())
        health = await asyncio.to_thread(_health, server.port)
        if health is not None and health.get("warm"):
            break
        if time.perf_counter() > deadline:
            raise RuntimeError("the server never became warm:\n" + server.log_tail())
        await asyncio.sleep(CONNECT_POLL_S * 5)
    await until_idle(server, timeout)
    return _resident_mb(server.process.pid)


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """(whole process, main thread) CPU seconds from /proc; the main thread is the event
    loop (websockets, frame encoding), the others JAX and the training pool. (0, 0) where
    there is no /proc."""

    def read(path: str) -> float:
        # Fields after the command name (which may hold spaces): utime and stime are 14, 15.
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    try:
        return read(f"/proc/{pid}/stat"), read(f"/proc/{pid}/task/{pid}/stat")
    except (OSError, AttributeError, ValueError):  # no /proc, or no os.sysconf
        return 0.0, 0.0


# --- one client --------------------------------------------------------------------------------


class ServerError(RuntimeError):
    """The server answered with an error or busy message."""


def _frame_header(message: bytes) -> dict[str, Any]:
    (length,) = HEADER_LENGTH.unpack_from(message)
    header: dict[str, Any] = json.loads(message[HEADER_LENGTH.size : HEADER_LENGTH.size + length])
    return header


@dataclass
class Client:
    """A websocket session that acknowledges every frame as soon as it arrives and counts
    the revisions it causes."""

    socket: ClientConnection
    revision: int = 0
    frames: list[float] = field(default_factory=list)  # arrival times
    frame_bytes: int = 0  # size of the latest frame

    async def send(self, message: dict[str, Any]) -> int:
        """Send a message that is not an ack; returns its revision."""
        await self.socket.send(json.dumps(message))
        self.revision += 1
        return self.revision

    async def next_frame(self) -> dict[str, Any]:
        """The next frame's header, acknowledged (text messages before it are checked)."""
        while True:
            message = await self.socket.recv()
            if isinstance(message, bytes):
                break
            parsed = json.loads(message)
            if parsed.get("type") in ("error", "busy"):
                raise ServerError(message)
        self.frames.append(time.perf_counter())
        self.frame_bytes = len(message)
        header = _frame_header(message)
        await self.socket.send(json.dumps({"type": "ack", "frame": header["frame"]}))
        return header

    async def frame_with(self, revision: int, timeout: float = FRAME_TIMEOUT_S) -> float:
        """Receive frames up to the first that reflects `revision`; its arrival time."""
        async with asyncio.timeout(timeout):
            while (await self.next_frame())["revision"] < revision:
                pass
        return self.frames[-1]

    async def play_for(self, seconds: float) -> None:
        """Keep receiving and acknowledging frames for `seconds`."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    await self.next_frame()
        except TimeoutError:
            pass


def _connect(url: str) -> connect:
    return connect(
        url,
        max_size=MAX_FRAME_BYTES,
        compression=None,  # the server turns deflate off
        ping_interval=None,
        open_timeout=FRAME_TIMEOUT_S,
        close_timeout=2,
    )


async def _connect_when_accepting(server: Server, timeout: float) -> ClientConnection:
    """Try to connect every CONNECT_POLL_S until the port accepts."""
    deadline = time.perf_counter() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError("the server exited:\n" + server.log_tail())
        try:
            return await _connect(server.url)
        # A port published by Docker accepts before the server inside listens, and then
        # drops the connection: a failed handshake, not a refused connection.
        except (OSError, InvalidHandshake):
            if time.perf_counter() > deadline:
                raise RuntimeError("the server never accepted:\n" + server.log_tail()) from None
            await asyncio.sleep(CONNECT_POLL_S)


# --- startup -----------------------------------------------------------------------------------


async def _first_frame(server: Server, timeout: float) -> tuple[float, float]:
    """(seconds from Popen to the port accepting, seconds from Popen to the first frame)."""
    websocket = await _connect_when_accepting(server, timeout)
    accepted = time.perf_counter() - server.started
    async with websocket:
        client = Client(websocket)
        async with asyncio.timeout(timeout):
            await client.next_frame()  # a new session draws its untrained model unasked
    return accepted, client.frames[-1] - server.started


async def _fill_cache(server: Server) -> float:
    """A session that plays a few frames, so that every program a session runs is in the
    persistent cache; then wait for the server's background warm-up. Seconds to the first
    frame."""
    websocket = await _connect_when_accepting(server, FIRST_START_TIMEOUT_S)
    async with websocket:
        client = Client(websocket)
        # A cold cache compiles the programs of the first frames: minutes, not seconds.
        async with asyncio.timeout(FIRST_START_TIMEOUT_S):
            await client.frame_with(client.revision, FIRST_START_TIMEOUT_S)
            first = client.frames[-1] - server.started
            await client.frame_with(await client.send({"type": "play"}), FIRST_START_TIMEOUT_S)
            for _ in range(3):
                await client.next_frame()
    await until_idle(server, FIRST_START_TIMEOUT_S)
    return first


async def until_idle(server: Server, timeout: float) -> None:
    """Wait until the server (with no session) stops using the CPU: its background warm-up
    has loaded (or compiled) every program."""
    deadline = time.perf_counter() + timeout
    before = _cpu_seconds(server.process.pid)[0]
    while time.perf_counter() < deadline:
        await asyncio.sleep(IDLE_CHECK_S)
        now = _cpu_seconds(server.process.pid)[0]
        if now - before < IDLE_CPU * IDLE_CHECK_S:
            return
        before = now
    raise RuntimeError(f"the server kept busy for {timeout:g} s:\n" + server.log_tail())


# --- slider latency ----------------------------------------------------------------------------


async def slider_latency(server: Server, plan: Plan) -> tuple[list[float], int]:
    """Seconds from each change to the frame that shows it, and the size of a default frame."""
    async with _connect(server.url) as websocket:
        client = Client(websocket)
        await client.frame_with(client.revision)  # the first drawing, before playing
        await client.frame_with(await client.send({"type": "play"}))
        await client.play_for(plan.latency_warm_up_s)
        frame_bytes = client.frame_bytes
        latencies: list[float] = []
        for index in range(plan.latency_samples):
            change = CHANGES[index % len(CHANGES)]
            sent = time.perf_counter()
            revision = await client.send({"type": "configure", "settings": change})
            latencies.append(await client.frame_with(revision) - sent)
            await client.play_for(plan.latency_pause_s)
    return latencies, frame_bytes


# --- concurrent sessions -----------------------------------------------------------------------


@dataclass
class SessionsResult:
    frames_per_s: list[float]  # per session, in the window
    intervals: list[float]  # seconds between consecutive frames of a session, in the window
    server_cpu: float  # cores the server process used in the window
    server_loop_cpu: float  # of which its main thread (the event loop)
    client_cpu: float  # cores this process used in the window
    client_lag_ms: float  # how late this process's event loop ran a 10 ms timer (p95)


async def _play_session(url: str, clients: list[Client], opened: asyncio.Event) -> None:
    async with _connect(url) as websocket:
        client = Client(websocket)
        clients.append(client)
        await client.frame_with(client.revision)
        await client.send({"type": "play"})
        opened.set()
        while True:
            await client.next_frame()


async def _lag(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        samples.append(time.perf_counter() - before - 0.01)


async def concurrent_sessions(server: Server, plan: Plan, log: Log) -> SessionsResult:
    clients: list[Client] = []
    events = [asyncio.Event() for _ in range(SESSIONS)]
    tasks = [asyncio.create_task(_play_session(server.url, clients, event)) for event in events]
    all_playing = asyncio.gather(*(event.wait() for event in events))
    try:
        async with asyncio.timeout(START_TIMEOUT_S):
            waited: list[asyncio.Future[Any]] = [*tasks, all_playing]
            await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                task.result()  # a session that failed to start: raise its error
        log(f"server: {SESSIONS} sessions playing, warming up {plan.sessions_warm_up_s:g} s")
        await asyncio.sleep(plan.sessions_warm_up_s)
        lag: list[float] = []
        stop = asyncio.Event()
        lag_task = asyncio.create_task(_lag(lag, stop))
        server_before = _cpu_seconds(server.process.pid)
        client_before = time.process_time()
        opened = time.perf_counter()
        await asyncio.sleep(plan.sessions_window_s)
        closed = time.perf_counter()
        client_after = time.process_time()
        server_after = _cpu_seconds(server.process.pid)
        stop.set()
        await lag_task
        for task in tasks:
            if task.done():
                task.result()
    finally:
        all_playing.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, all_playing, return_exceptions=True)
    window = closed - opened
    frames_per_s: list[float] = []
    intervals: list[float] = []
    for client in clients:
        times = np.asarray(client.frames)
        inside = times[(times >= opened) & (times < closed)]
        frames_per_s.append(len(inside) / window)
        intervals.extend(np.diff(inside).tolist())
    return SessionsResult(
        frames_per_s=frames_per_s,
        intervals=intervals,
        server_cpu=(server_after[0] - server_before[0]) / window,
        server_loop_cpu=(server_after[1] - server_before[1]) / window,
        client_cpu=(client_after - client_before) / window,
        client_lag_ms=1000 * _percentile(lag, 95),
    )


# --- everything --------------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, np.float64), q)) if len(values) else 0.0


async def _measure(plan: Plan, log: Log) -> Figures:
    cache = cache_dir()
    figures: Figures = {}
    log("server: a cold start compiles every program (--warm-up with an empty cache)")
    figures["cold_start_s"] = await asyncio.to_thread(cold_start)
    log(f"server: cold start took {figures['cold_start_s']:.1f} s")
    start = time.perf_counter()
    with running_server(cache, SESSIONS + 1) as server:
        first = await _fill_cache(server)
    log(
        f"server: a first start filled the compilation cache {cache} (first frame after "
        f"{first:.1f} s, {time.perf_counter() - start:.1f} s in all)"
    )
    with running_server(cache, SESSIONS + 1) as server:
        figures["rss_mb_per_worker"] = await warm_resident_mb(server, START_TIMEOUT_S)
    log(f"server: warm and idle, before any session: {figures['rss_mb_per_worker']:.0f} MiB")
    with running_server(cache, SESSIONS + 1) as server:
        accepted, first = await _first_frame(server, START_TIMEOUT_S)
        figures["startup_s"] = first
        log(f"server: warm start: port open after {accepted:.2f} s, first frame {first:.2f} s")
        await until_idle(server, START_TIMEOUT_S)

        start = time.perf_counter()
        latencies, frame_bytes = await slider_latency(server, plan)
        figures["slider_to_frame_ms_p50"] = 1000 * _percentile(latencies, 50)
        figures["slider_to_frame_ms_p95"] = 1000 * _percentile(latencies, 95)
        figures["slider_to_frame_ms_max"] = 1000 * max(latencies)
        figures["frame_bytes_default"] = frame_bytes
        log(
            f"server: slider latency, {len(latencies)} changes, "
            f"took {time.perf_counter() - start:.1f} s"
        )

        start = time.perf_counter()
        result = await concurrent_sessions(server, plan, log)
        median = _percentile(result.frames_per_s, 50)
        p5 = _percentile(result.frames_per_s, 5)
        figures["sessions_32_fps_median"] = median
        figures["sessions_32_fps_p5"] = p5
        figures["sessions_32_fairness"] = p5 / median if median else 0.0
        figures["sessions_32_frame_ms_p95"] = 1000 * _percentile(result.intervals, 95)
        figures["sessions_32_frames_per_s_total"] = sum(result.frames_per_s)
        figures["sessions_32_server_cpu_cores"] = result.server_cpu
        figures["sessions_32_server_loop_cpu_cores"] = result.server_loop_cpu
        figures["sessions_32_client_cpu_cores"] = result.client_cpu
        total = sum(result.frames_per_s)
        figures["frame_cpu_ms_default"] = 1000 * result.server_cpu / total if total else 0.0
        log(
            f"server: {SESSIONS} sessions took {time.perf_counter() - start:.1f} s; "
            f"slowest {min(result.frames_per_s):.1f} frames/s, fastest "
            f"{max(result.frames_per_s):.1f}; client event loop late by "
            f"{result.client_lag_ms:.1f} ms (p95)"
        )
    return figures


def measure(quick: bool = False, log: Log = _silent) -> Figures:
    """Every live-server figure (see the module's docstring)."""
    return asyncio.run(_measure(QUICK if quick else FULL, log))
