"""A server that is stopped (SIGTERM: a redeploy, a scale-down) ends its open sessions with a
close frame, 1012 "service restart", so that their pages reconnect to another process, and
exits without waiting for them (a real `nn-playground` process and `websockets` clients)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time

import httpx2 as httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.live_server import LiveServer, run_async, run_server
from tests.server.client_helpers import Frame, parse_frame

CLOSE_SERVICE_RESTART = 1012
MESSAGE_TIMEOUT = 240.0  # a cold server loads its programs before the first frame
EXIT_LIMIT = 10.0  # tests/live_server.py's stop_process kills a server after 10 s


def wait_until_warm(server: LiveServer, limit: float) -> None:
    """At shutdown the server waits for its background warm-up (a process that exits while
    XLA compiles aborts); on a cold cache that takes minutes, so it is awaited first."""
    deadline = time.monotonic() + limit
    while not httpx.get(server.url + "healthz", timeout=10).json()["warm"]:
        assert time.monotonic() < deadline, f"not warm after {limit} s"
        time.sleep(0.2)


async def playing(server: LiveServer, frames: int = 3) -> ClientConnection:
    """A session that plays and has acknowledged `frames` frames."""
    ws = await connect(server.ws_url)
    await ws.send(json.dumps({"type": "play"}))
    seen = 0
    async with asyncio.timeout(MESSAGE_TIMEOUT):
        while seen < frames:
            message = await ws.recv()
            if isinstance(message, bytes):
                frame: Frame = parse_frame(message)
                await ws.send(json.dumps({"type": "ack", "frame": frame.header.frame}))
                seen += 1
    return ws


async def close_code(ws: ClientConnection) -> int | None:
    """Read on to the server's close frame; its code (1006: the connection just dropped)."""
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(EXIT_LIMIT):
            while True:
                await ws.recv()
    return ws.close_code


def test_stopping_the_server_closes_sessions_1012_and_exits() -> None:
    with run_server(timeout=600.0) as live:
        wait_until_warm(live, limit=600.0)

        async def scenario() -> list[int | None]:
            sessions = [await playing(live) for _ in range(3)]
            live.process.send_signal(signal.SIGTERM)
            return list(await asyncio.gather(*(close_code(ws) for ws in sessions)))

        codes = run_async(scenario())
        # Raises if the server is still running: stop_process would then have killed it.
        returncode = live.process.wait(timeout=EXIT_LIMIT)
        assert codes == [CLOSE_SERVICE_RESTART] * 3
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert returncode in (0, -signal.SIGTERM)
        deadline = time.monotonic() + 5
        while not any("Application shutdown complete" in line for line in live.output):
            assert time.monotonic() < deadline, "".join(live.output[-20:])
            time.sleep(0.05)
