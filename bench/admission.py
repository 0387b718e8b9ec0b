"""Admission benchmark: how fast a full server says "busy". A real server process holds its
cap of sessions, all playing the default network from clients in this process (as
bench/server.py's 32 sessions do); then BURST more connections open at once, and each is
timed from its connect to the close frame (1013) that follows its busy message.

The refused connections come from a process of their own and speak raw websocket over
asyncio streams: from this process, whose event loop serves the playing sessions, and
through the `websockets` client, a hundred handshakes took 60-90 ms of the client's own
time before their requests even left, which would be counted as the server's.

`python -m bench.admission [--quick] [--baseline DIR [--candidate DIR]]`: with a baseline (the
root of another checkout, e.g. `git archive <commit> server web | tar -x -C DIR`), rounds
alternate between its server and the candidate's (default: this checkout), and the figures of
both and their ratios are printed. Run it under `nice -n -15` on a shared machine: other jobs
on the same cores otherwise make single bursts seconds slow.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.client import connect

from bench.server import (
    MAX_FRAME_BYTES,
    ROOT,
    Client,
    Server,
    cache_dir,
    until_idle,
)
from tests.live_server import free_port, stop_process

Figures = dict[str, float]
Log = Callable[[str], None]

SESSIONS = 32  # the cap, every one playing
BURST = 100  # connections opened at once against the full server
CLOSE_TRY_LATER = 1013
REFUSAL_TIMEOUT_S = 30.0
FIRST_START_TIMEOUT_S = 600.0  # a cold cache compiles the programs first


@dataclass(frozen=True)
class Plan:
    playing_s: float  # all sessions playing before the first burst
    bursts: int  # bursts per server start
    pause_s: float  # between two bursts


FULL = Plan(playing_s=3.0, bursts=4, pause_s=1.5)
QUICK = Plan(playing_s=1.0, bursts=1, pause_s=0.0)


def _silent(message: str) -> None:
    del message


@contextmanager
def serving(root: Path, cache: Path, max_sessions: int) -> Iterator[Server]:
    """The server in checkout `root` (its server/ on PYTHONPATH) on a free port, stopped on
    exit. bench/server.py's running_server does the same for this checkout only."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root / "server"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["NN_PLAYGROUND_CACHE_DIR"] = str(cache)
    port = free_port()
    command = [sys.executable, "-m", "nn_playground", "--port", str(port)]
    command += ["--max-sessions", str(max_sessions)]
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=root
        )
        server = Server(process, port, started, output)
        try:
            yield server
        finally:
            stop_process(process)


async def _wait_accepting(server: Server, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError("the server exited:\n" + server.log_tail())
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
        except OSError:
            if time.perf_counter() > deadline:
                raise RuntimeError("the server never accepted:\n" + server.log_tail()) from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


# --- the sessions that fill the server ---------------------------------------------------------


async def _play(url: str, playing: asyncio.Event, timeout: float) -> None:
    async with connect(
        url, max_size=MAX_FRAME_BYTES, compression=None, ping_interval=None, open_timeout=timeout
    ) as websocket:
        client = Client(websocket)
        await client.frame_with(client.revision, timeout)  # the first drawing
        await client.send({"type": "play"})
        playing.set()
        while True:
            await client.next_frame()


@contextmanager
def _background(tasks: list[asyncio.Task[None]]) -> Iterator[None]:
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()


async def _fill(server: Server, timeout: float) -> list[asyncio.Task[None]]:
    """SESSIONS sessions playing; their tasks (cancel them to leave)."""
    events = [asyncio.Event() for _ in range(SESSIONS)]
    tasks = [asyncio.create_task(_play(server.url, event, timeout)) for event in events]
    all_playing = asyncio.ensure_future(asyncio.gather(*(event.wait() for event in events)))
    try:
        async with asyncio.timeout(timeout):
            await asyncio.wait([*tasks, all_playing], return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    finally:
        all_playing.cancel()
    for task in tasks:
        if task.done():
            for other in tasks:
                other.cancel()
            task.result()  # a session that failed to start: raise its error
    return tasks


# --- one refused connection, raw --------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """What one connection of a burst got: seconds from connect to the close frame, the
    messages before it, and the close code."""

    seconds: float
    messages: list[Any]
    code: int

    @property
    def busy(self) -> bool:
        return (
            self.code == CLOSE_TRY_LATER
            and len(self.messages) == 1
            and self.messages[0].get("type") == "busy"
        )


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(opcode, payload) of one unmasked frame from the server."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    return first & 0x0F, await reader.readexactly(length)


def _masked_close(code: int) -> bytes:
    """The client's answer to a close frame: the same code, masked as clients must."""
    mask = os.urandom(4)
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(struct.pack("!H", code)))
    return bytes([0x88, 0x80 | len(payload)]) + mask + payload


async def _refused(port: int) -> Refusal:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"expected the upgrade (101), got {head[:60]!r}")
        messages: list[Any] = []
        while True:
            opcode, payload = await _read_frame(reader)
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                seconds = time.perf_counter() - started
                writer.write(_masked_close(code))
                return Refusal(seconds, messages, code)
            messages.append(json.loads(payload) if opcode == 0x1 else {"type": "binary"})
    finally:
        writer.close()


async def burst(port: int) -> list[Refusal]:
    """BURST connections at once against a full server."""
    async with asyncio.timeout(REFUSAL_TIMEOUT_S):
        return await asyncio.gather(*(_refused(port) for _ in range(BURST)))


def _burst_in_this_process(port: int) -> list[Refusal]:
    # uvloop where installed (uvicorn[standard] brings it): the clients' own work, on the
    # same cores as the server, is counted in every refusal's time, and uvloop's is smaller.
    try:
        from uvloop import new_event_loop
    except ImportError:
        new_event_loop = asyncio.new_event_loop
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(burst(port))


def _ready() -> None:
    """Called once so that the burst process has imported everything before it is timed."""


@contextmanager
def _burst_process() -> Iterator[ProcessPoolExecutor]:
    # Spawned, not forked: this process runs an event loop and the players' threads.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as process:
        process.submit(_ready).result()
        yield process


# --- measuring --------------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, np.float64), q)) if len(values) else 0.0


def _figures(seconds: Sequence[float]) -> Figures:
    return {
        "busy_close_ms_p50": 1000 * _percentile(seconds, 50),
        "busy_close_ms_p95": 1000 * _percentile(seconds, 95),
    }


async def _start(root: Path, server: Server, log: Log) -> list[asyncio.Task[None]]:
    await _wait_accepting(server, FIRST_START_TIMEOUT_S)
    await until_idle(server, FIRST_START_TIMEOUT_S)  # the background warm-up is done
    tasks = await _fill(server, FIRST_START_TIMEOUT_S)
    log(f"admission: {SESSIONS} sessions playing on {root}")
    return tasks


async def _bursts(
    server: Server, process: ProcessPoolExecutor, plan: Plan, log: Log
) -> list[float]:
    """Refusal times of plan.bursts bursts, in seconds."""
    seconds: list[float] = []
    await asyncio.sleep(plan.playing_s)
    loop = asyncio.get_running_loop()
    for index in range(plan.bursts):
        if index:
            await asyncio.sleep(plan.pause_s)
        refusals = await loop.run_in_executor(process, _burst_in_this_process, server.port)
        wrong = [r for r in refusals if not r.busy]
        if wrong:
            raise RuntimeError(
                f"{len(wrong)} of {BURST} connections were not told busy and closed 1013: "
                f"{wrong[0].messages[:2]}, code {wrong[0].code}"
            )
        seconds.extend(r.seconds for r in refusals)
    log(
        f"admission: {plan.bursts} bursts of {BURST}, busy+1013 after "
        f"{_figures(seconds)['busy_close_ms_p95']:.0f} ms (p95)"
    )
    return seconds


async def _round(root: Path, plan: Plan, log: Log) -> list[float]:
    with _burst_process() as process, serving(root, cache_dir(), SESSIONS) as server:
        tasks = await _start(root, server, log)
        with _background(tasks):
            return await _bursts(server, process, plan, log)


def measure(quick: bool = False, log: Log = _silent) -> Figures:
    """Busy answers of a full server of this checkout: median and p95, in ms."""
    plan = QUICK if quick else FULL
    return _figures(asyncio.run(_round(ROOT, plan, log)))


def compare(
    baseline: Path, candidate: Path, rounds: int, plan: Plan, log: Log
) -> dict[str, Figures]:
    """Alternate server starts of two checkouts, `rounds` each."""
    times: dict[str, list[float]] = {"baseline": [], "this": []}
    for index in range(rounds):
        order = [("baseline", baseline), ("this", candidate)]
        for name, root in order if index % 2 == 0 else order[::-1]:
            times[name].extend(asyncio.run(_round(root, plan, log)))
    return {name: _figures(seconds) for name, seconds in times.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one burst: proves it runs")
    parser.add_argument("--baseline", type=Path, help="another checkout's root to compare with")
    parser.add_argument(
        "--candidate",
        type=Path,
        default=ROOT,
        help="the checkout compared with the baseline (default: this one)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="server starts each, alternating")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(f"# {message}", flush=True)

    if args.baseline is None:
        print(json.dumps(measure(args.quick, log)))
        return 0
    results = compare(
        args.baseline, args.candidate, args.rounds, QUICK if args.quick else FULL, log
    )
    for key in results["this"]:
        before, after = results["baseline"][key], results["this"][key]
        print(f"{key}: baseline {before:.1f}, this {after:.1f}, ratio {after / before:.2f}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
