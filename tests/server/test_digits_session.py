"""The digits lab over /ws?lab=digits (starlette's TestClient, the real app): every text reply
validates against the digits server messages, frames decode to the documented buffers, the
confusion matrix's diagonal grows as it trains, sliders never compile, bad input gets an
error naming its field and the session carries on, a drawn digit is answered, compare
trains several models, and divergence is explained."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import Field, TypeAdapter
from starlette.testclient import WebSocketTestSession

from nn_playground.digits_protocol import (
    DigitsApplied,
    DigitsFrameHeader,
    DigitsReady,
    Prediction,
    ShownDigits,
)
from nn_playground.edge.app import create_app
from nn_playground.engine.numerics import image_frame
from nn_playground.protocol import Error, Status
from nn_playground.sessions.frame_wire import decode_frame

Reply = Annotated[
    DigitsReady | DigitsApplied | ShownDigits | Prediction | Status | Error,
    Field(discriminator="type"),
]
REPLY: TypeAdapter[Reply] = TypeAdapter(Reply)
Frame = tuple[DigitsFrameHeader, dict[tuple[int, str], np.ndarray]]
SMALL = {"train_size": 200, "batch_size": 10, "learning_rate": 0.01}  # quick epochs


class Client:
    def __init__(self, ws: WebSocketTestSession) -> None:
        self.ws = ws
        self.revision = 0
        self.frame: Frame | None = None

    def next(self) -> Reply | Frame:
        message = self.ws.receive()
        if message.get("bytes") is not None:
            frame = decode_frame(message["bytes"], DigitsFrameHeader)
            self.ws.send_text(json.dumps({"type": "ack", "frame": frame[0].frame}))
            self.frame = frame
            return frame
        return REPLY.validate_json(message["text"])

    def answer(self, message: dict[str, Any]) -> list[Reply]:
        """Send `message`; every reply up to its `settings` answer, frames aside."""
        self.ws.send_text(json.dumps(message))
        replies: list[Reply] = []
        while True:
            reply = self.next()
            if isinstance(reply, tuple):
                continue
            replies.append(reply)
            if isinstance(reply, DigitsApplied):
                return replies

    def change(self, message: dict[str, Any]) -> Frame:
        """Send a message the server applies; the first frame that reflects it."""
        replies = self.answer(message)
        assert not [r for r in replies if isinstance(r, Error)], replies
        revision = replies[-1].revision  # type: ignore[union-attr]
        while True:
            reply = self.next()
            if isinstance(reply, tuple) and reply[0].revision >= revision:
                return reply

    def refused(self, message: dict[str, Any]) -> Error:
        replies = self.answer(message)
        errors = [r for r in replies if isinstance(r, Error)]
        assert len(errors) == 1, replies
        return errors[0]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        TestClient(create_app()) as test_client,
        test_client.websocket_connect("/ws?lab=digits") as ws,
    ):
        session = Client(ws)
        ready = session.next()
        assert isinstance(ready, DigitsReady)
        assert ready.models[0].layers == ["dense 25", "dense 15"]
        assert ready.models[0].parameters == 65 * 25 + 26 * 15 + 16 * 10
        session.change({"type": "configure", "settings": SMALL})
        yield session


def diagonal(frame: Frame, model: int = 0) -> float:
    return float(np.trace(frame[1][(model, "confusion")]))


def test_training_grows_the_confusion_diagonal(client: Client) -> None:
    before = client.change({"type": "reset"})
    after = client.change({"type": "step", "epochs": 5})
    header, arrays = after
    test_images = int(arrays[(0, "confusion")].sum())
    assert test_images == 360  # the test set of all ten digits
    assert diagonal(after) > diagonal(before) + 100
    assert header.models[0].test_accuracy is not None
    assert header.models[0].test_accuracy > 0.7
    assert header.models[0].epoch == 5
    assert arrays[(0, "probabilities")].shape == (64, 10)
    # 255 stands for 1: a row of probabilities sums to about 255.
    sums = arrays[(0, "probabilities")].astype(int).sum(axis=1)
    assert np.all(np.abs(sums - 255) <= 6)
    assert arrays[(0, "weights")].shape == (25, 8, 8)


def test_sliders_never_compile(client: Client) -> None:
    client.change({"type": "step", "epochs": 1})
    compiled = image_frame.run_frame._cache_size()
    changes: list[dict[str, Any]] = [
        {"learning_rate": 0.01},
        {"optimizer": "sgd", "momentum": 0.5},
        {"first_layer": "conv", "kernel": 3, "stride": 1, "filters": 6, "hidden": [15]},
        {"kernel": 5, "stride": 2},
        {"first_layer": "local", "kernel": 2, "stride": 2},
        {"first_layer": "dense", "hidden": [32, 8, 4], "activations": ["tanh", "elu", "swish"]},
        {"digits": [0, 1], "loss": "sigmoid_ce"},
        {"digits": [3, 5, 8], "loss": "softmax_mse", "train_size": 50, "batch_size": 7},
        {"dropout": [0.3], "l2": 0.001, "decay": "exponential"},
    ]
    for change in changes:
        client.change({"type": "configure", "settings": change})
        client.change({"type": "step", "epochs": 1})
    assert image_frame.run_frame._cache_size() == compiled
    client.change({"type": "configure", "settings": _defaults_small()})


def _defaults_small() -> dict[str, Any]:
    from nn_playground.digits_protocol import DigitsSettings

    return {**DigitsSettings().model_dump(mode="json"), **SMALL}


def test_conv_frames_carry_k_by_k_filters(client: Client) -> None:
    header, arrays = client.change(
        {
            "type": "configure",
            "settings": {"first_layer": "conv", "kernel": 3, "filters": 5, "hidden": [15]},
        }
    )
    assert arrays[(0, "weights")].shape == (5, 3, 3)
    scale = header.models[0].weight_scale
    assert scale is not None
    assert scale > 0
    replies = client.answer({"type": "configure", "settings": {"first_layer": "local"}})
    applied = replies[-1]
    assert isinstance(applied, DigitsApplied)
    assert applied.models[0].layers[0] == "local 3x3 stride 1, 5 filters, 6x6 windows"
    assert applied.models[0].parameters == 36 * 10 * 5 + (180 + 1) * 15 + 16 * 10
    local = client.change({"type": "step", "epochs": 1})
    assert local[1][(0, "weights")].shape == (5 * 36, 3, 3)
    client.change({"type": "configure", "settings": _defaults_small()})


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"loss": "sigmoid_ce"}, "settings.loss"),  # ten digits
        ({"first_layer": "conv", "hidden": [8, 8, 8]}, "settings.hidden"),
        ({"digits": [1, 1, 2]}, "settings.digits"),
        ({"kernel": 6}, "settings.kernel"),
        ({"hidden": [33]}, "settings.hidden.0"),
        ({"learning_rate": "fast"}, "settings.learning_rate"),
    ],
)
def test_bad_settings_are_refused_by_name(
    client: Client, settings: dict[str, Any], field: str
) -> None:
    before = client.answer({"type": "pause"})[-1]
    error = client.refused({"type": "configure", "settings": settings})
    assert error.field == field
    after = client.answer({"type": "pause"})[-1]
    assert isinstance(before, DigitsApplied)
    assert isinstance(after, DigitsApplied)
    assert after.settings == before.settings  # nothing changed


def test_2d_messages_are_not_digits_messages(client: Client) -> None:
    assert client.refused({"type": "explain"}).field == "type"
    error = client.refused({"type": "points", "problem": "binary", "points": []})
    assert error.field == "type"


def _vertical_stroke(side: int = 64) -> list[int]:
    pad = np.zeros((side, side), np.uint8)
    pad[8:56, 29:35] = 255
    return [int(v) for v in pad.ravel()]


def test_a_drawn_digit_is_answered_with_probabilities(client: Client) -> None:
    client.change({"type": "step", "epochs": 5})
    replies = client.answer({"type": "predict", "side": 64, "pixels": _vertical_stroke()})
    (prediction,) = [r for r in replies if isinstance(r, Prediction)]
    assert len(prediction.image) == 64
    assert max(prediction.image) <= 16
    image = np.asarray(prediction.image).reshape(8, 8)
    assert image[:, 3:5].sum() > image[:, :2].sum()  # a centred upright stroke
    (probabilities,) = prediction.probabilities
    assert len(probabilities) == 10
    assert abs(sum(probabilities) - 1) < 1e-3
    assert client.refused({"type": "predict", "side": 8, "pixels": [0] * 63}).field == "pixels"


def test_compare_trains_dense_and_conv_side_by_side(client: Client) -> None:
    replies = client.answer(
        {
            "type": "compare",
            "models": [{"first_layer": "dense"}, {"first_layer": "conv", "hidden": []}],
        }
    )
    applied = replies[-1]
    assert isinstance(applied, DigitsApplied)
    assert [m.settings.first_layer for m in applied.models] == ["dense", "conv"]
    assert applied.models[1].parameters < applied.models[0].parameters
    header, arrays = client.change({"type": "step", "epochs": 2})
    assert len(header.models) == 2
    assert arrays[(0, "weights")].shape == (25, 8, 8)
    assert arrays[(1, "weights")].shape == (4, 3, 3)
    error = client.refused({"type": "compare", "models": [{"train_size": 50}, {}]})
    assert error.field == "models.0.train_size"
    client.change({"type": "compare", "models": []})


def test_divergence_is_explained(client: Client) -> None:
    # The naive cross-entropy takes log(softmax): at a large learning rate the logits grow
    # until exp overflows or a probability rounds to 0 (from the logits neither happens; the
    # settings of lesson `softmax-from-logits`, where it diverged for every seed tried).
    naive = {
        "loss": "softmax_ce_naive",
        "learning_rate": 0.05,
        "train_size": 1437,
        "batch_size": 32,
    }
    client.change({"type": "configure", "settings": naive})
    client.ws.send_text(json.dumps({"type": "step", "epochs": 30}))
    statuses = []
    for _ in range(20):
        reply = client.next()
        if isinstance(reply, Status):
            statuses.append(reply)
            if reply.state == "diverged":
                break
    assert statuses[-1].state == "diverged", statuses
    assert "from the logits (softmax_ce)" in statuses[-1].detail
    header, _ = client.change({"type": "configure", "settings": {"loss": "softmax_ce"}})
    assert header.models[0].diverged is False
    trained, _ = client.change({"type": "step", "epochs": 2})
    assert trained.models[0].train_loss is not None
    assert trained.models[0].epoch == header.models[0].epoch + 2
    client.change({"type": "configure", "settings": _defaults_small()})


def test_early_stopping_halts_with_the_best_weights(client: Client) -> None:
    # Twenty training images overfit within fifteen epochs (the engine test's settings).
    overfitting = {
        "train_size": 20,
        "batch_size": 32,
        "learning_rate": 0.03,
        "early_stopping": True,
        "patience": 2,
    }
    client.change({"type": "configure", "settings": overfitting})
    client.ws.send_text(json.dumps({"type": "step", "epochs": 30}))
    statuses = []
    for _ in range(20):
        reply = client.next()
        if isinstance(reply, Status):
            statuses.append(reply)
            if reply.state == "stopped_early":
                break
    assert statuses[-1].state == "stopped_early", statuses
    assert statuses[-1].detail == "the test loss stopped improving; the best weights are restored"
    assert client.frame is not None
    stopped = client.frame[0].models[0]
    assert stopped.stopped_early is True
    assert stopped.best_epoch is not None
    assert stopped.epoch == stopped.best_epoch + 2 < 30
    # A longer patience keeps the weights and clears the halt: training carries on.
    header, _ = client.change({"type": "configure", "settings": {"patience": 50}})
    assert header.models[0].stopped_early is False
    trained, _ = client.change({"type": "step", "epochs": 2})
    assert trained.models[0].epoch == stopped.epoch + 2
    client.change({"type": "configure", "settings": _defaults_small()})
