"""A real `nn-playground` process on 127.0.0.1 driven by the `websockets` client: readers that
stop reading, disconnects, the session cap, origins, oversize messages, connection churn and
idle sessions. Timing bounds here are loose ceilings (the machine is shared); the measured
values are printed (pytest -s shows them)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from nn_playground.cli import parse_options
from nn_playground.options import ServerOptions
from nn_playground.protocol import MAX_MESSAGE_BYTES, Busy, Error, Ready
from tests.live_client import (
    close_code,
    playing_session,
    read_frames,
    receive,
    send,
)
from tests.live_server import LiveServer, run_async, run_server
from tests.server.client_helpers import Frame

SEND_TIMEOUT = 2.0
# A stuck client still open this long after play was never going to be closed: how soon one
# is depends on the kernel's socket buffers and on how fast this machine makes frames.
STILL_OPEN_AFTER = SEND_TIMEOUT + 45


def rss_mb(server: LiveServer) -> float:
    """The server process's resident memory."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def settled_rss_mb(server: LiveServer, quiet: float = 1.5, limit: float = 120.0) -> float:
    """The server's resident memory once it has stopped moving (the warm-up thread loads
    programs for a while after the server starts answering)."""
    samples: list[tuple[float, float]] = []
    start = time.monotonic()
    while time.monotonic() - start < limit:
        now = time.monotonic()
        samples.append((now, rss_mb(server)))
        recent = [rss for when, rss in samples if now - when <= quiet]
        if now - samples[0][0] >= quiet and max(recent) - min(recent) < 1.0:
            return recent[-1]
        time.sleep(0.25)
    raise AssertionError(f"the server's memory did not settle in {limit} s: {samples[-8:]}")


def sessions(server: LiveServer) -> int:
    count: int = httpx.get(server.url + "healthz", timeout=10).json()["sessions"]
    return count


def wait_until_warm(server: LiveServer, limit: float) -> None:
    """Poll /healthz until the background warm-up has loaded every frame program: memory
    measured before then would grow by the programs still loading."""
    deadline = time.monotonic() + limit
    while not httpx.get(server.url + "healthz", timeout=10).json()["warm"]:
        assert time.monotonic() < deadline, f"not warm after {limit} s"
        time.sleep(0.2)


def seconds_until_no_sessions(server: LiveServer, limit: float) -> float:
    """Poll /healthz until it counts no session; the seconds that took."""
    start = time.monotonic()
    while sessions(server) > 0:
        if time.monotonic() - start > limit:
            raise AssertionError(f"a session was still open after {limit} s")
        time.sleep(0.005)
    return time.monotonic() - start


def warm(server: LiveServer) -> None:
    """One session that plays, so that later measurements do not include loading programs."""

    async def scenario() -> None:
        ws = await playing_session(server.ws_url)
        await ws.close()

    run_async(scenario())
    seconds_until_no_sessions(server, 10)


# glibc gives each thread that allocates (event loop, training workers, XLA's pool) an arena
# of its own and keeps freed memory in them: with the default count the first 2,000 sessions
# grow the server by 20-40 MB before it levels off (in-process, malloc_trim returns it all:
# no leak), which would hide what a leak adds. Two arenas keep far less; production may
# want the same setting.
QUIET_ALLOCATOR = {"MALLOC_ARENA_MAX": "2"}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with run_server("--send-timeout", str(SEND_TIMEOUT), env=QUIET_ALLOCATOR) as live:
        warm(live)
        wait_until_warm(live, limit=600.0)  # a cold cache compiles for minutes
        settled_rss_mb(live, quiet=4.0, limit=240.0)
        yield live


# --- readers that stop reading --------------------------------------------------------------


def test_default_send_timeout_is_15_seconds() -> None:
    assert ServerOptions().send_timeout == 15.0
    assert parse_options([], {}).send_timeout == 15.0
    assert parse_options(["--send-timeout", "2"], {}).send_timeout == 2.0


def non_reading_socket(server: LiveServer) -> socket.socket:
    """A connected socket with a tiny receive buffer: unread frames soon fill it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    return sock


def stuck_client(server: LiveServer, acknowledge: bool) -> tuple[float, float]:
    """A client that plays and never reads again, acknowledging (unread) frames or not:
    (seconds from play until the server closed it, the server's RSS growth meanwhile, MB)."""
    before = settled_rss_mb(server)
    samples: list[float] = []

    async def scenario() -> float:
        ws = await connect(server.ws_url, sock=non_reading_socket(server), max_queue=1)
        try:
            assert isinstance(await receive(ws), Ready)
            await send(ws, {"type": "play"})
            start = time.monotonic()
            frame = 0
            while await asyncio.to_thread(sessions, server) > 0:
                if acknowledge:
                    frame += 1
                    await send(ws, {"type": "ack", "frame": frame})
                samples.append(rss_mb(server))
                assert time.monotonic() - start < STILL_OPEN_AFTER, "still open"
                await asyncio.sleep(0.02)
            return time.monotonic() - start
        finally:
            ws.transport.abort()

    closed_after = run_async(scenario())
    return closed_after, max(samples, default=before) - before


def test_client_that_stops_reading_is_closed_and_costs_no_memory(server: LiveServer) -> None:
    closed_after, growth = stuck_client(server, acknowledge=False)
    print(f"\nnon-reader closed {closed_after:.2f} s after play; RSS growth {growth:.1f} MB")
    assert closed_after < SEND_TIMEOUT + 5
    assert growth < 20


def test_client_that_acknowledges_without_reading_is_closed(server: LiveServer) -> None:
    """Acknowledging frames it never read does not keep a stuck client open: every send is
    bounded by the send timeout too."""
    closed_after, growth = stuck_client(server, acknowledge=True)
    print(f"\nblind acknowledger closed {closed_after:.2f} s after play; RSS +{growth:.1f} MB")
    # Its frames first fill the socket buffers; then a send blocks, and the send timeout runs.
    # The filling takes the kernel's buffers (megabytes: tcp_wmem allows the server's up to
    # 4 MB) over the bytes of the frames its acks let through, about 10 a second from this
    # loop, so how soon depends on the frame size and on the machine's load.
    assert closed_after < STILL_OPEN_AFTER
    assert growth < 20


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "tcp-abort"])
def test_disconnect_mid_training_frees_the_session(server: LiveServer, abrupt: bool) -> None:
    async def scenario() -> float:
        ws = await playing_session(server.ws_url)
        assert await asyncio.to_thread(sessions, server) == 1
        left = time.monotonic()
        if abrupt:
            ws.transport.abort()
        else:
            await ws.close()
        return left

    left = run_async(scenario())
    seconds_until_no_sessions(server, 5)
    freed_after = time.monotonic() - left
    print(f"\nsession freed {freed_after * 1000:.0f} ms after the client left")
    assert freed_after < 1.0


# --- admission ------------------------------------------------------------------------------


def test_foreign_origin_is_refused_with_403(server: LiveServer) -> None:
    for origin in ("http://evil.example", f"http://localhost:{server.port}"):

        async def scenario(origin: str = origin) -> None:
            with pytest.raises(InvalidStatus) as refused:
                await connect(server.ws_url, origin=origin)
            assert refused.value.response.status_code == 403

        run_async(scenario())


def test_same_origin_and_no_origin_are_accepted(server: LiveServer) -> None:
    async def scenario(origin: str | None) -> None:
        async with connect(server.ws_url, origin=origin) as ws:
            assert isinstance(await receive(ws), Ready)

    run_async(scenario(f"http://127.0.0.1:{server.port}"))
    run_async(scenario(None))


@pytest.fixture(scope="module")
def capped() -> Iterator[LiveServer]:
    with run_server("--max-sessions", "2", "--allowed-origins", "http://evil.example") as live:
        warm(live)
        yield live


def test_session_over_the_cap_is_told_busy_and_closed_1013(capped: LiveServer) -> None:
    async def scenario() -> tuple[float, list[int], list[int]]:
        first, second = await playing_session(capped.ws_url), await playing_session(capped.ws_url)
        counts = [[0], [0]]
        readers = [
            asyncio.create_task(read_frames(ws, 10**9, count))
            for ws, count in zip((first, second), counts, strict=True)
        ]
        try:
            start = time.monotonic()
            async with connect(capped.ws_url) as third:
                busy = await receive(third)
                code = await close_code(third)
            refused_after = time.monotonic() - start
            assert isinstance(busy, Busy)
            assert busy.max_sessions == 2
            assert code == 1013
            before = [count[0] for count in counts]
            await asyncio.sleep(1.0)
            after = [count[0] for count in counts]
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            await first.close()
            await second.close()
        return refused_after, before, after

    refused_after, before, after = run_async(scenario())
    print(f"\nbusy and 1013 {refused_after * 1000:.0f} ms after connecting")
    assert refused_after < 1.0
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    seconds_until_no_sessions(capped, 5)

    async def admitted_again() -> None:
        async with connect(capped.ws_url) as ws:
            assert isinstance(await receive(ws), Ready)

    run_async(admitted_again())


def test_allowed_origins_flag_admits_that_origin(capped: LiveServer) -> None:
    async def scenario() -> None:
        async with connect(capped.ws_url, origin="http://evil.example") as ws:
            assert isinstance(await receive(ws), Ready)
        with pytest.raises(InvalidStatus) as refused:
            await connect(capped.ws_url, origin=f"http://127.0.0.1:{capped.port}")
        assert refused.value.response.status_code == 403

    seconds_until_no_sessions(capped, 5)
    run_async(scenario())


# --- message size ---------------------------------------------------------------------------


def padded(size: int) -> str:
    """A play message with an extra field, `size` bytes long."""
    text = json.dumps({"type": "play", "padding": ""})
    return json.dumps({"type": "play", "padding": "x" * (size - len(text))})


def test_oversize_message_closes_with_1009(server: LiveServer) -> None:
    async def scenario() -> int:
        async with connect(server.ws_url) as ws:
            assert isinstance(await receive(ws), Ready)
            await ws.send(padded(MAX_MESSAGE_BYTES + 1))
            return await close_code(ws)

    assert run_async(scenario()) == 1009


def test_message_at_the_size_limit_is_read(server: LiveServer) -> None:
    async def scenario() -> Error:
        async with connect(server.ws_url) as ws:
            assert isinstance(await receive(ws), Ready)
            text = padded(MAX_MESSAGE_BYTES)
            assert len(text.encode()) == MAX_MESSAGE_BYTES
            await ws.send(text)
            while not isinstance(message := await receive(ws), Error):
                if isinstance(message, Frame):
                    await send(ws, {"type": "ack", "frame": message.header.frame})
            return message

    assert run_async(scenario()).field == "padding"


# --- churn ----------------------------------------------------------------------------------


def test_thousand_connections_do_not_grow_memory(server: LiveServer) -> None:
    async def cycles(count: int, clients: int = 4) -> None:
        async def one_client(turns: int) -> None:
            for _ in range(turns):
                async with connect(server.ws_url) as ws:
                    assert isinstance(await receive(ws), Ready)

        await asyncio.gather(*(one_client(count // clients) for _ in range(clients)))

    # Even with QUIET_ALLOCATOR the allocator keeps some freed memory for the first thousand
    # or so sessions (3-9 MB; malloc_trim gives it back: it is not a leak), then holds.
    # Measured from there, a leak of 10 kB a session shows.
    run_async(cycles(1000))
    seconds_until_no_sessions(server, 10)
    before = settled_rss_mb(server)
    start = time.monotonic()
    run_async(cycles(1000))
    took = time.monotonic() - start
    seconds_until_no_sessions(server, 10)
    growth = settled_rss_mb(server) - before
    print(f"\n1000 connections in {took:.1f} s; RSS {before:.0f} MB, growth {growth:.1f} MB")
    assert growth < 10


# --- idle sessions --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def impatient() -> Iterator[LiveServer]:
    with run_server("--idle-timeout", "1") as live:
        yield live


def test_idle_session_is_closed_with_1000(impatient: LiveServer) -> None:
    async def scenario() -> tuple[int, float]:
        async with connect(impatient.ws_url) as ws:
            start = time.monotonic()
            assert isinstance(await receive(ws), Ready)
            return await close_code(ws), time.monotonic() - start

    code, closed_after = run_async(scenario())
    print(f"\nidle session closed after {closed_after:.2f} s")
    assert code == 1000
    assert closed_after < 3.0


def test_a_session_that_keeps_talking_is_not_idle(impatient: LiveServer) -> None:
    async def scenario() -> int:
        async with connect(impatient.ws_url) as ws:
            assert isinstance(await receive(ws), Ready)
            for _ in range(8):  # 2.4 s of messages 0.3 s apart: never a second of silence
                await send(ws, {"type": "pause"})
                await asyncio.sleep(0.3)
            pong = await ws.ping()
            await asyncio.wait_for(pong, 10)
            return await close_code(ws)  # then silence: closed

    assert run_async(scenario()) == 1000
