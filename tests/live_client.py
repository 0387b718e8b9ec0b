"""A `websockets` client for a real server's /ws: receive and validate messages, acknowledge
frames, read to the close. Shared by the tests that drive real processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from nn_playground.protocol import Ready
from tests.server.client_helpers import Frame, Message, parse_frame, parse_text

MESSAGE_TIMEOUT = 240.0  # a cold server loads its programs before the first frame


async def receive(ws: ClientConnection, timeout: float = MESSAGE_TIMEOUT) -> Message:
    # asyncio.timeout, not wait_for: cancelling a reader task parked in wait_for(recv())
    # can hang (wait_for awaits its inner task, which websockets does not end at once).
    async with asyncio.timeout(timeout):
        raw = await ws.recv()
    return parse_frame(raw) if isinstance(raw, bytes) else parse_text(raw)


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def read_frames(ws: ClientConnection, count: int, counter: list[int] | None = None) -> None:
    """Read, validate and acknowledge `count` frames (or forever with a counter)."""
    seen = 0
    while seen < count:
        message = await receive(ws)
        if isinstance(message, Frame):
            await send(ws, {"type": "ack", "frame": message.header.frame})
            seen += 1
            if counter is not None:
                counter[0] += 1


async def close_code(ws: ClientConnection, timeout: float = MESSAGE_TIMEOUT) -> int:
    """Read past any messages to the server's close frame; its code (1006: no close frame)."""
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    code = ws.close_code
    assert code is not None
    return code


async def playing_session(ws_url: str, frames: int = 3) -> ClientConnection:
    """A session that has been told to play and has received `frames` frames."""
    ws = await connect(ws_url)
    assert isinstance(await receive(ws), Ready)
    await send(ws, {"type": "play"})
    await read_frames(ws, frames)
    return ws
