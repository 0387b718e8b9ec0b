"""A strict test client for /ws over starlette's TestClient: every reply is checked against the
server-message models (text) or decoded as a frame (binary), frames are acknowledged, and
every message is kept in order so a test can look back at what arrived."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import numpy as np
from starlette.testclient import WebSocketTestSession

from nn_playground.protocol import (
    SERVER_MESSAGE,
    AppliedSettings,
    Busy,
    Code,
    Data,
    Error,
    Explanation,
    FrameHeader,
    ModelFrame,
    Ready,
    Status,
)
from nn_playground.sessions.frame_wire import HEADER_LENGTH, decode_frame

# A generous bound on one message: the first frame of a process loads or compiles its
# program, which takes seconds here and much longer when others load the machine.
RECEIVE_TIMEOUT = 240.0
T = TypeVar("T")


def refuse_constant(name: str) -> Any:
    """json.loads hook: NaN, Infinity and -Infinity are not JSON."""
    raise AssertionError(f"the server sent the non-JSON constant {name}")


def strict_json(text: str | bytes) -> Any:
    return json.loads(text, parse_constant=refuse_constant)


def assert_finite_numbers(value: Any) -> None:
    """Every number in a parsed JSON value is finite (null stands for a missing one)."""
    if isinstance(value, float):
        assert math.isfinite(value), value
    elif isinstance(value, dict):
        for item in value.values():
            assert_finite_numbers(item)
    elif isinstance(value, list):
        for item in value:
            assert_finite_numbers(item)


@dataclass(frozen=True)
class Frame:
    """One decoded binary frame."""

    header: FrameHeader
    arrays: dict[tuple[int, str], np.ndarray]

    @property
    def model(self) -> ModelFrame:
        """The first (or only) model."""
        return self.header.models[0]

    @property
    def epoch(self) -> int:
        return self.header.models[0].epoch

    @property
    def revision(self) -> int:
        return self.header.revision

    def weights(self, model: int = 0) -> list[np.ndarray]:
        """The model's exact weights and biases, layer by layer, as copies."""
        names = sorted(
            (name for index, name in self.arrays if index == model and "." in name),
            key=lambda name: (int(name.split(".")[1]), name),
        )
        return [self.arrays[(model, name)].copy() for name in names]


Message = Ready | Data | Status | Error | Busy | AppliedSettings | Code | Explanation | Frame


def parse_frame(message: bytes) -> Frame:
    """Decode a binary frame, checking its JSON header and that the buffers tile the payload."""
    (length,) = HEADER_LENGTH.unpack_from(message)
    header_json = strict_json(message[HEADER_LENGTH.size : HEADER_LENGTH.size + length])
    assert_finite_numbers(header_json)
    header, arrays = decode_frame(message, FrameHeader)
    payload = len(message) - HEADER_LENGTH.size - length
    offset = 0
    for buffer in header.buffers:
        assert buffer.offset == offset, "buffers lie back to back"
        assert buffer.length == math.prod(buffer.shape) * np.dtype(buffer.dtype).itemsize
        offset += buffer.length
    assert offset == payload, "the payload holds exactly the listed buffers"
    return Frame(header, arrays)


def parse_text(
    text: str,
) -> Ready | Data | Status | Error | Busy | AppliedSettings | Code | Explanation:
    assert_finite_numbers(strict_json(text))
    return SERVER_MESSAGE.validate_json(text)


class Conversation:
    """One websocket session seen from the client: send, receive (validated), acknowledge."""

    def __init__(self, websocket: WebSocketTestSession, acknowledge: bool = True) -> None:
        self.websocket = websocket
        self.acknowledge = acknowledge
        self.received: list[Message] = []
        self.changes = 0  # client messages sent that the server applies (all but acks)

    # --- sending -----------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """A message the server should accept (its revision counter goes up by one)."""
        self.send_raw(json.dumps(message, allow_nan=False))
        if message["type"] != "ack":
            self.changes += 1

    def send_raw(self, text: str) -> None:
        """Text sent as is, counted as nothing."""
        self.websocket.send_text(text)

    def send_raw_all(self, texts: list[str]) -> None:
        """Several texts in one hop to the server's thread (much faster than one by one)."""

        async def send_all() -> None:
            for text in texts:
                await self.websocket._receive_tx.send({"type": "websocket.receive", "text": text})

        self.websocket.portal.call(send_all)

    # --- receiving ---------------------------------------------------------------------------

    def _receive_raw(self, timeout: float) -> dict[str, Any]:
        async def within() -> dict[str, Any]:
            with anyio.fail_after(timeout):
                message: dict[str, Any] = await self.websocket._send_rx.receive()
                return message

        return self.websocket.portal.call(within)

    def receive(self, timeout: float = RECEIVE_TIMEOUT) -> Message:
        """The next message, validated; a frame is acknowledged at once."""
        return self._accept(self._receive_raw(timeout))

    def receive_all(self, count: int, timeout: float = RECEIVE_TIMEOUT) -> list[Message]:
        """The next `count` messages, fetched in one hop from the server's thread."""

        async def within() -> list[dict[str, Any]]:
            with anyio.fail_after(timeout):
                return [await self.websocket._send_rx.receive() for _ in range(count)]

        return [self._accept(raw) for raw in self.websocket.portal.call(within)]

    def _accept(self, raw: dict[str, Any]) -> Message:
        assert raw["type"] == "websocket.send", f"the server closed the socket: {raw}"
        message: Message
        if raw.get("bytes") is not None:
            message = parse_frame(raw["bytes"])
            if self.acknowledge:
                self.send({"type": "ack", "frame": message.header.frame})
        else:
            message = parse_text(raw["text"])
        self.received.append(message)
        return message

    def receive_close(self, timeout: float = RECEIVE_TIMEOUT) -> int:
        """Read past any messages to the server's close; its code."""
        while True:
            raw = self._receive_raw(timeout)
            if raw["type"] == "websocket.close":
                code: int = raw.get("code", 1000)
                return code

    def next(self, kind: type[T], limit: int = 500) -> T:
        """The next message of this kind (others are read and kept)."""
        for _ in range(limit):
            message = self.receive()
            if isinstance(message, kind):
                return message
        raise AssertionError(f"no {kind.__name__} in {limit} messages")

    def frame_where(self, wanted: Callable[[Frame], bool], limit: int = 500) -> Frame:
        for _ in range(limit):
            frame = self.next(Frame)
            if wanted(frame):
                return frame
        raise AssertionError(f"no wanted frame in {limit} frames")

    def current_frame(self) -> Frame:
        """The first frame that reflects every change sent so far."""
        changes = self.changes
        return self.frame_where(lambda frame: frame.revision >= changes)

    def redraw(self) -> Frame:
        """Ask for a frame without training (speed is a change that trains nothing) and
        return it: with training paused it shows the model as it is now."""
        self.send({"type": "speed", "epochs_per_frame": 1})
        return self.current_frame()

    def error_for(self, message: dict[str, Any] | str) -> Error:
        """Send a message the server must refuse; its error."""
        self.send_raw(message if isinstance(message, str) else json.dumps(message))
        return self.next(Error)

    def start(self) -> tuple[Ready, Data, Frame]:
        """A new session opens with ready, then the data, then a frame of the untrained model."""
        ready = self.receive()
        assert isinstance(ready, Ready)
        data = self.receive()
        assert isinstance(data, Data)
        frame = self.receive()
        assert isinstance(frame, Frame)
        return ready, data, frame

    def since(self, index: int) -> list[Message]:
        return self.received[index:]
