"""`explain` and `apply_step` against a real server with the `websockets` client: an explain
is answered by `explanation` then `settings` (a refused one by an `error` naming the field,
and the session carries on); it pauses a playing session and explains the weights it holds;
`apply_step` takes exactly the step explained, its frame's weights the explanation's `after`
bit for bit, and the next explanation is of the next minibatch."""

from __future__ import annotations

from typing import Any

import numpy as np
from websockets.asyncio.client import ClientConnection, connect

from nn_playground.protocol import AppliedSettings, Error, Explanation, Ready, Status
from tests.live_client import read_frames, receive, send
from tests.live_server import LiveServer, run_async
from tests.server.client_helpers import Frame, Message

# Few points and batches, so that two steps end an epoch: 10 train points, 5 per step.
SMALL = {"n_points": 20, "train_fraction": 0.5, "batch_size": 5}


class Client:
    """One session: what it received, frames acknowledged, and the changes it sent."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.changes = 0  # accepted messages that count a revision
        self.last_frame: Frame | None = None

    async def next(self) -> Message:
        message = await receive(self.ws)
        if isinstance(message, Frame):
            await send(self.ws, {"type": "ack", "frame": message.header.frame})
            self.last_frame = message
        return message

    async def answer(self, message: dict[str, Any]) -> list[Message]:
        """Send `message`; what came up to and including its `settings` answer, frames aside."""
        await send(self.ws, message)
        replies: list[Message] = []
        while True:
            reply = await self.next()
            if not isinstance(reply, Frame):
                replies.append(reply)
            if isinstance(reply, AppliedSettings):
                return replies

    async def change(self, message: dict[str, Any]) -> Frame:
        """Send a message the server applies; the first frame that reflects it."""
        replies = await self.answer(message)
        assert not [reply for reply in replies if isinstance(reply, Error)], replies
        self.changes += 1
        while True:
            frame = await self.next()
            if isinstance(frame, Frame) and frame.revision >= self.changes:
                return frame

    async def explain(self, **fields: Any) -> Explanation:
        replies = await self.answer({"type": "explain", **fields})
        explanations = [reply for reply in replies if isinstance(reply, Explanation)]
        assert len(explanations) == 1, replies
        assert isinstance(replies[-1], AppliedSettings)
        assert replies[-1].revision == self.changes  # an explain changes nothing
        return explanations[0]

    async def redraw(self) -> Frame:
        """A frame of the weights as they are (speed trains nothing while paused)."""
        return await self.change({"type": "speed", "epochs_per_frame": 1})


async def opened(ws: ClientConnection) -> Client:
    client = Client(ws)
    assert isinstance(await client.next(), Ready)
    while not isinstance(await client.next(), Status):  # data, frame 1, then the status
        pass
    return client


def frame_layers(frame: Frame) -> list[tuple[np.ndarray, np.ndarray]]:
    count = sum(1 for _, name in frame.arrays if name.startswith("weights."))
    return [
        (frame.arrays[(0, f"weights.{i}")], frame.arrays[(0, f"biases.{i}")]) for i in range(count)
    ]


def shown_layers(explanation: Explanation, after: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """The explanation's weights (before the step, or after it) as float32 arrays."""
    return [
        (
            np.asarray(layer.after_weights if after else layer.weights, np.float32),
            np.asarray(layer.after_biases if after else layer.biases, np.float32),
        )
        for layer in explanation.layers
    ]


def assert_same_layers(
    got: list[tuple[np.ndarray, np.ndarray]], expected: list[tuple[np.ndarray, np.ndarray]]
) -> None:
    assert len(got) == len(expected)
    for (weights, biases), (want_weights, want_biases) in zip(got, expected, strict=True):
        assert weights.dtype == want_weights.dtype == np.float32
        np.testing.assert_array_equal(weights, want_weights)
        np.testing.assert_array_equal(biases, want_biases)


def test_explain_is_answered_by_an_explanation_then_settings(live_server: LiveServer) -> None:
    async def scenario() -> tuple[Frame, list[Message]]:
        async with connect(live_server.ws_url) as ws:
            client = await opened(ws)
            assert client.last_frame is not None
            replies = await client.answer(
                {"type": "explain", "point": 3, "weight": {"layer": 1, "source": 2, "unit": 1}}
            )
            return client.last_frame, replies

    frame, replies = run_async(scenario())
    # A fresh session is idle and stays idle: no status, only the two answers.
    assert [type(reply) for reply in replies] == [Explanation, AppliedSettings]
    explanation, settings = replies
    assert isinstance(explanation, Explanation)
    assert isinstance(settings, AppliedSettings)
    assert settings.revision == 0
    assert (explanation.model, explanation.point, explanation.epoch, explanation.step) == (
        0,
        3,
        0,
        0,
    )
    assert explanation.weight_name == "weight h1.3 -> unit 2 of the layer 2"
    assert [layer.name for layer in explanation.layers] == ["layer 1", "layer 2", "output"]
    assert [len(layer.units) for layer in explanation.layers] == [4, 2, 1]
    assert explanation.batch.number == 1
    assert len(explanation.batch.points) == settings.settings.batch_size
    # It explains the weights the session holds: those of the frame it drew.
    assert_same_layers(shown_layers(explanation, after=False), frame_layers(frame))


def test_a_bad_explain_names_its_field_and_the_session_carries_on(
    live_server: LiveServer,
) -> None:
    """Default network: 250 train points, hidden [4, 2] (layer 2 is the output layer)."""
    bad = [
        ({"point": 250}, "point"),  # within the message's bounds, past the train points
        ({"point": -1}, "point"),  # outside the message's bounds
        ({"weight": {"layer": 3, "source": 0, "unit": 0}}, "weight.layer"),
        ({"weight": {"layer": 1, "source": 4, "unit": 0}}, "weight.source"),
        ({"weight": {"layer": 2, "source": -2, "unit": 0}}, "weight.source"),
        ({"weight": {"layer": 2, "source": 0, "unit": 1}}, "weight.unit"),
        ({"model": 1}, "model"),
        ({"epsilon": 0.0}, "epsilon"),
    ]

    async def scenario() -> tuple[list[list[Message]], Explanation]:
        async with connect(live_server.ws_url) as ws:
            client = await opened(ws)
            answers = [await client.answer({"type": "explain", **fields}) for fields, _ in bad]
            good = await client.explain(point=249, weight={"layer": 2, "source": -1, "unit": 0})
            return answers, good

    answers, good = run_async(scenario())
    for (fields, field), replies in zip(bad, answers, strict=True):
        assert [type(reply) for reply in replies] == [Error, AppliedSettings], fields
        error, settings = replies
        assert isinstance(error, Error)
        assert isinstance(settings, AppliedSettings)
        assert error.field == field, (fields, error)
        assert error.expected, error
        assert settings.revision == 0
    assert good.point == 249
    assert good.weight_name == "bias of unit 1 of the output"


def test_explain_pauses_a_playing_session_and_explains_its_weights(
    live_server: LiveServer,
) -> None:
    async def scenario() -> tuple[list[Message], Frame]:
        async with connect(live_server.ws_url) as ws:
            client = await opened(ws)
            await client.change({"type": "play"})
            await read_frames(ws, 3)
            replies = await client.answer({"type": "explain", "point": 0})
            return replies, await client.redraw()

    replies, frame = run_async(scenario())
    statuses = [reply for reply in replies if isinstance(reply, Status)]
    assert [status.state for status in statuses] == ["paused"]
    (explanation,) = [reply for reply in replies if isinstance(reply, Explanation)]
    assert isinstance(replies[-1], AppliedSettings)
    # The weights as they stand after the frame that was computing: the paused model's.
    assert frame.header.state == "paused"
    assert explanation.epoch == frame.epoch > 0
    assert explanation.step == frame.model.step
    assert_same_layers(shown_layers(explanation, after=False), frame_layers(frame))


def test_apply_step_takes_exactly_the_step_explained(live_server: LiveServer) -> None:
    """Two steps end the epoch of 10 train points in batches of 5: the minibatch number goes
    1, 2, then 1 of the next epoch; each step's frame holds the explanation's `after`."""

    async def scenario() -> list[tuple[Explanation, Frame]]:
        async with connect(live_server.ws_url) as ws:
            client = await opened(ws)
            await client.change({"type": "configure", "settings": SMALL})
            steps = []
            for _ in range(2):
                explanation = await client.explain(point=1, weight={"layer": 0, "source": 1})
                steps.append((explanation, await client.change({"type": "apply_step"})))
            last = await client.explain(point=1, weight={"layer": 0, "source": 1})
            return [*steps, (last, await client.redraw())]

    (first, first_frame), (second, second_frame), (third, third_frame) = run_async(scenario())
    assert (first.batch.number, first.batch.of, first.epoch, first.step) == (1, 2, 0, 0)
    assert len(first.batch.points) == 5
    for explanation, frame in ((first, first_frame), (second, second_frame)):
        assert frame.model.step == explanation.step + 1
        assert_same_layers(frame_layers(frame), shown_layers(explanation, after=True))
        layer = explanation.layers[0]
        assert explanation.update.after == layer.after_weights[1][0]
    # The next explanation starts where the step left the weights, at the next minibatch.
    assert (second.batch.number, second.epoch, second.step) == (2, 0, 1)
    assert_same_layers(shown_layers(second, after=False), shown_layers(first, after=True))
    assert {p.index for p in first.batch.points}.isdisjoint(p.index for p in second.batch.points)
    # Two steps ended the epoch: the third is the first minibatch of epoch 1.
    assert (third.batch.number, third.epoch, third.step) == (1, 1, 2)
    assert second_frame.epoch == 1
    assert third_frame.model.step == 2  # explaining took no step
    assert_same_layers(shown_layers(third, after=False), frame_layers(second_frame))
