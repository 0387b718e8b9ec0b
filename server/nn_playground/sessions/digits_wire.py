"""Digits frames on the wire, in frame_wire's layout (length, JSON header, buffers): each
model's numbers (digits_protocol.DigitsModelFrame) and its confusion matrix, the shown test
digits' probabilities and the first layer's weights as images, cut to the model's size and
quantised. Imports numpy, no JAX calls: frames arrive here as host arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nn_playground.digits_protocol import DigitsFrameHeader, DigitsSettings, FirstLayer
from nn_playground.engine.numerics.image_frame import ImageFrame
from nn_playground.engine.numerics.windows import positions_per_side
from nn_playground.protocol import SessionState
from nn_playground.sessions.frame_wire import finite, pack_frame


@dataclass(frozen=True)
class DigitsTrained:
    """One model's frame (host arrays) with what the wire needs to cut it."""

    frame: ImageFrame
    step: int
    settings: DigitsSettings
    shown: int  # test digits with probabilities: min(SHOWN, test images)


def weight_images(frame: ImageFrame, settings: DigitsSettings) -> np.ndarray:
    """The first layer's weights as (n, h, w) float32 images: a dense layer's units 8 x 8, a
    conv layer's filters k x k, a local layer's filters at every window, filter-major; none
    for a network without hidden layers."""
    k = settings.kernel
    if settings.first_layer is FirstLayer.CONV:
        return np.asarray(frame.conv_images)[: settings.filters, :k, :k]
    if settings.first_layer is FirstLayer.LOCAL:
        positions = positions_per_side(k, settings.stride) ** 2
        local = np.asarray(frame.local_images)[:positions, : settings.filters, :k, :k]
        return np.ascontiguousarray(local.transpose(1, 0, 2, 3)).reshape(-1, k, k)
    units = settings.hidden[0] if settings.hidden else 0
    return np.asarray(frame.dense_images)[:units]


def quantised(images: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Signed weights as uint8 (128 is 0) and the scale that 255 stands for."""
    scale = float(np.max(np.abs(images))) if images.size else 0.0
    if not np.isfinite(scale):
        return np.full(images.shape, 128, np.uint8), None
    levels = np.round(images / max(scale, 1e-12) * 127.5 + 127.5)
    return np.clip(levels, 0, 255).astype(np.uint8), scale


def _model(trained: DigitsTrained) -> tuple[dict[str, Any], list[tuple[str, np.ndarray]]]:
    frame, classes = trained.frame, len(trained.settings.digits)
    weights, scale = quantised(weight_images(frame, trained.settings))
    probabilities = np.asarray(frame.probabilities)[: trained.shown, :classes]
    header = dict(
        epoch=int(frame.epoch),
        step=trained.step,
        train_loss=finite(frame.train_loss),
        test_loss=finite(frame.test_loss),
        train_accuracy=finite(frame.train_accuracy),
        test_accuracy=finite(frame.test_accuracy),
        diverged=bool(frame.diverged),
        stopped_early=bool(frame.stopped_early),
        best_epoch=int(frame.best_epoch) if trained.settings.early_stopping else None,
        weight_scale=scale,
    )
    arrays = [
        ("confusion", np.asarray(frame.confusion)[:classes, :classes].astype(np.float32)),
        ("probabilities", np.round(np.nan_to_num(probabilities) * 255).astype(np.uint8)),
        ("weights", weights),
    ]
    return header, arrays


def encode_digits_frame(
    number: int, revision: int, state: SessionState, models: list[DigitsTrained]
) -> bytes:
    parts = [_model(model) for model in models]
    return pack_frame(
        DigitsFrameHeader,
        {"frame": number, "revision": revision, "state": state},
        [header for header, _ in parts],
        [arrays for _, arrays in parts],
    )
