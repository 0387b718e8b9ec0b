"""One live websocket session: a receiver that validates and applies client messages, and a
trainer that runs frames on the training pool and sends them, paced by the client's acks.

Pacing: at most MAX_IN_FLIGHT frames unacknowledged; a client that leaves them unread for
`send_timeout` seconds is closed, so a slow or vanished reader costs neither memory nor CPU.
Every send is bounded by the same timeout. Changes arriving while a frame computes are
applied to the next one, which coalesces a fast-moving slider into one frame."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from nn_playground import __version__
from nn_playground.edge.metrics import ServerMetrics
from nn_playground.engine.numerics.state import ALL_STEPS
from nn_playground.options import ServerOptions
from nn_playground.protocol import (
    MAX_MESSAGE_BYTES,
    MAX_STEP_EPOCHS,
    Ack,
    ApplyStep,
    Error,
    Explain,
    Pause,
    Play,
    Reset,
    SessionState,
    Speed,
    Status,
    Step,
    Strict,
)
from nn_playground.sessions.lab import Lab
from nn_playground.sessions.training_pool import TrainingPool
from nn_playground.sessions.training_setup import SetupError

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 2
CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008  # stopped acknowledging frames
CLOSE_TOO_BIG = 1009


class Closed(Exception):  # noqa: N818 (an outcome, not an error)
    """The session is over (the client left, or we closed it)."""


def validation_error(error: ValidationError) -> Error:
    """The first problem of a refused message, located the way the client wrote it."""
    first = error.errors(include_url=False)[0]
    location = [str(part) for part in first["loc"]]
    if first["type"] == "union_tag_invalid" or first["type"] == "union_tag_not_found":
        location, expected = ["type"], first["msg"]
    elif location:
        location = location[1:]  # the message type the discriminator chose
        expected = first["msg"]
    else:
        expected = first["msg"]
    received = repr(first.get("input"))
    return Error(
        field=".".join(location) or "message",
        expected=expected,
        received=received[:200],
        message=f"{'.'.join(location) or 'message'}: {expected}",
    )


async def refuse_lab(websocket: WebSocket, lab: str) -> None:
    """A /ws query naming no lab: say so, and close."""
    error = Error(
        field="lab",
        expected="playground or digits (/ws?lab=digits)",
        received=repr(lab)[:200],
        message=f"lab: no lab is called {lab!r}",
    )
    with contextlib.suppress(Exception):
        await websocket.send_text(error.model_dump_json())
        await asyncio.wait_for(websocket.close(CLOSE_POLICY, "no such lab"), 1.0)


class Session:
    def __init__(
        self,
        websocket: WebSocket,
        options: ServerOptions,
        pool: TrainingPool,
        metrics: ServerMetrics,
        open_lab: Callable[[], Lab],
    ) -> None:
        self.websocket = websocket
        self.open_lab = open_lab  # called on a worker: a lab builds its first models
        self.options = options
        self.pool = pool
        self.metrics = metrics
        self.experiment: Lab
        self.playing = False
        self.step_epochs = 0
        self.step_update = False  # an `apply_step` waits: the next frame takes one update
        self.redraw = True
        self.epochs_per_frame = 1
        self.revision = 0
        self.sent = 0
        self.acked = 0
        self.reported: SessionState | None = None
        self._wake = asyncio.Event()
        self._ack = asyncio.Event()
        self._settled = asyncio.Event()  # no frame is computing: the weights stand still
        self._settled.set()
        self._send_lock = asyncio.Lock()

    # --- sending ------------------------------------------------------------------------------

    async def _send(self, payload: str | bytes) -> None:
        async with self._send_lock:
            try:
                send = (
                    self.websocket.send_bytes(payload)
                    if isinstance(payload, bytes)
                    else self.websocket.send_text(payload)
                )
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps every send in a
                # task of its own, a measurable cost at hundreds of frames a second.
                async with asyncio.timeout(self.options.send_timeout):
                    await send
            except TimeoutError:
                raise Closed("send timed out") from None
            except (WebSocketDisconnect, RuntimeError, OSError) as error:
                raise Closed(str(error)) from None

    async def send_message(self, message: Strict) -> None:
        await self._send(message.model_dump_json())

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code, reason), 1.0)
        raise Closed(reason)

    # --- state --------------------------------------------------------------------------------

    def state(self) -> SessionState:
        every_halted, diverged = self.experiment.halted()
        if every_halted:
            return SessionState.DIVERGED if diverged else SessionState.STOPPED_EARLY
        if self.playing:
            return SessionState.RUNNING
        return SessionState.PAUSED if self.experiment.trained else SessionState.IDLE

    async def report_state(self) -> None:
        state = self.state()
        if state is self.reported:
            return
        self.reported = state
        detail = ""
        if state is SessionState.DIVERGED:
            detail = self.experiment.divergence()
        elif state is SessionState.STOPPED_EARLY:
            detail = "the test loss stopped improving; the best weights are restored"
        await self.send_message(Status(state=state, epoch=self.experiment.epoch, detail=detail))

    # --- the session --------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve an accepted websocket until it closes."""
        self.experiment = await self.pool.run(self.open_lab)
        sides = [asyncio.create_task(self._train()), asyncio.create_task(self._converse())]
        try:
            # Either side ends the session: the receiver when the client leaves or breaks a
            # limit, the trainer when the client stops taking frames (a client that sends but
            # never reads would otherwise keep its session, and its slot, forever).
            await asyncio.wait(sides, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for side in sides:
                side.cancel()
            for side in sides:
                try:
                    await side
                except asyncio.CancelledError:
                    pass
                except Closed as closed:
                    log.debug("session closed: %s", closed)

    async def _converse(self) -> None:
        await self.send_message(self.experiment.ready(__version__, self.epochs_per_frame))
        self._wake.set()
        await self._receive()

    async def _receive(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.options.idle_timeout):
                    message = await self.websocket.receive()
            except TimeoutError:
                await self.close(CLOSE_NORMAL, f"idle for {self.options.idle_timeout:g} s")
            if message["type"] == "websocket.disconnect":
                raise Closed("client left")
            text = message.get("text")
            if text is None:
                await self.send_message(
                    Error(
                        field="message",
                        expected="a JSON text message",
                        received="binary data",
                        message="messages are JSON text",
                    )
                )
                await self._answer()
                continue
            if len(text.encode()) > MAX_MESSAGE_BYTES:
                await self.close(CLOSE_TOO_BIG, f"messages are at most {MAX_MESSAGE_BYTES} bytes")
            parsed: Any = None
            try:
                parsed = self.experiment.parse(text)
                await self._handle(parsed)
            except ValidationError as error:
                await self.send_message(validation_error(error))
            except SetupError as error:
                await self.send_message(
                    Error(
                        field=error.field,
                        expected=error.expected,
                        received=repr(error.received)[:200],
                        message=str(error),
                    )
                )
            if not isinstance(parsed, Ack):
                await self._answer()

    async def _answer(self) -> None:
        """Every client message but an ack is answered with the settings then in effect (the
        same as before it when it was refused): the page shows those, never its own guess."""
        await self.send_message(self.experiment.applied(self.revision, self.epochs_per_frame))

    async def _handle(self, message: Any) -> None:
        if isinstance(message, Ack):
            self.acked = max(self.acked, min(message.frame, self.sent))
            self._ack.set()
            return
        if isinstance(message, Explain):
            # Explained at weights that stand still: paused, and a frame under way finished.
            # A step still waiting for its frame would move them after the explanation; this
            # loop cannot wait for it (it reads the acks that let the frame go).
            if self.step_update or self.step_epochs:
                raise SetupError("type", "explain once the step's frame has arrived", "explain")
            self.playing = False
            await self._settled.wait()
        request = self.experiment.request(message)
        if request is not None:
            # Answered on a worker (an export computes initial weights); it changes nothing.
            await self.send_message(await self.pool.run(request))
            await self.report_state()
            return
        if isinstance(message, Play):
            self.playing = True
        elif isinstance(message, Pause):
            self.playing = False
        elif isinstance(message, Step):
            # Steps add up (two steps of 5 train 10); a reset cancels what is left.
            self.playing = False
            self.step_epochs = min(self.step_epochs + message.epochs, MAX_STEP_EPOCHS)
        elif isinstance(message, ApplyStep):
            self.playing = False
            self.step_update = True
        elif isinstance(message, Speed):
            self.epochs_per_frame = message.epochs_per_frame
        else:
            self.experiment.apply(message)
            if isinstance(message, Reset):
                self.playing, self.step_epochs, self.step_update = False, 0, False
        self.revision += 1
        self.redraw = True
        self._wake.set()
        await self.report_state()

    def _epochs_wanted(self) -> int | None:
        """Epochs for the next frame, or None when no frame is due."""
        if self.step_update:
            return 1  # and one update of it (see _frame)
        if self.step_epochs:
            return self.step_epochs
        if self.playing and not self.experiment.halted()[0]:
            return self.epochs_per_frame
        return 0 if self.redraw else None

    async def _train(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._epochs_wanted() is not None:
                if self.sent - self.acked >= MAX_IN_FLIGHT:
                    self._ack.clear()
                    if self.sent - self.acked >= MAX_IN_FLIGHT:
                        try:
                            await asyncio.wait_for(self._ack.wait(), self.options.send_timeout)
                        except TimeoutError:
                            await self.close(
                                CLOSE_POLICY,
                                f"no frame acknowledged in {self.options.send_timeout:g} s",
                            )
                    continue
                await self._frame()

    async def _frame(self) -> None:
        experiment = self.experiment
        if experiment.data_due:
            await self.send_message(experiment.data_message())
        # Read after the await above: messages that arrived meanwhile belong to this frame.
        epochs = self._epochs_wanted()
        if epochs is None:
            return
        revision = self.revision
        snapshot = experiment.snapshot()
        self.redraw = False
        steps = 1 if self.step_update else ALL_STEPS
        # Taken by this frame (dropped with it if the weights change).
        self.step_epochs, self.step_update = 0, False
        compute_seconds = self.metrics.frame_compute_seconds

        def compute() -> tuple[Any, float]:
            # Timed and observed on the worker: the event loop, the busiest thread of a full
            # server, does no more per frame than it did.
            started = time.perf_counter()
            result = snapshot.run(epochs, steps)
            computed = time.perf_counter()
            compute_seconds.observe(computed - started)
            return result, computed

        self._settled.clear()
        try:
            result, computed = await self.pool.run(compute)
            committed = experiment.commit(snapshot.generation, result)
        finally:
            self._settled.set()
        if not committed:
            self.redraw = True
            return
        self.sent += 1
        await self._send(experiment.encode_frame(self.sent, revision, self.state(), result))
        self.metrics.frame_send_delay_seconds.observe(time.perf_counter() - computed)
        self.metrics.frames_sent.inc()
        await self.report_state()
