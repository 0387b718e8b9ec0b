"""Frames on the wire: one binary websocket message = a 4-byte little-endian header length, a
JSON header (protocol.FrameHeader), then the arrays it lists, back to back. Imports numpy and
the engine's export helpers, no JAX calls: frames arrive here as host arrays."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Any, Literal, SupportsFloat, TypeVar

import numpy as np
from pydantic import BaseModel

from nn_playground.digits_protocol import DigitsFrameHeader
from nn_playground.engine import limits
from nn_playground.engine.config import ModelConfig, Problem
from nn_playground.engine.numerics.export import exact_layers, feature_columns
from nn_playground.engine.numerics.frames import Frame
from nn_playground.protocol import FrameHeader, SessionState

HEADER_LENGTH = struct.Struct("<I")
H = TypeVar("H", FrameHeader, DigitsFrameHeader)


@dataclass(frozen=True)
class TrainedModel:
    """One model's frame with the configuration it was trained under."""

    frame: Frame  # host (numpy) arrays
    config: ModelConfig


def finite(value: SupportsFloat) -> float | None:
    """JSON has no NaN or Infinity: a non-finite number travels as null."""
    number = float(value)
    return number if math.isfinite(number) else None


def _finite_list(values: np.ndarray) -> list[float | None]:
    listed = np.asarray(values, np.float64).ravel().tolist()
    return [value if math.isfinite(value) else None for value in listed]


# The header is built as plain dicts and validated once, as a whole, into a FrameHeader: one
# call into pydantic's compiled validator instead of one per model and buffer (a dozen a
# frame, at hundreds of frames a second).


def _model_header(model: TrainedModel) -> dict[str, Any]:
    frame, config = model.frame, model.config
    depth = len(config.hidden)
    classification = config.problem is not Problem.REGRESSION
    diverged = bool(frame.diverged)
    columns = feature_columns(config)
    grad_norms = np.asarray(frame.grad_norms)
    neuron_scale = np.asarray(frame.neuron_scale)
    return dict(
        epoch=int(frame.epoch),
        step=int(frame.step),
        train_loss=finite(frame.train_loss),
        test_loss=finite(frame.test_loss),
        train_accuracy=finite(frame.train_accuracy) if classification else None,
        test_accuracy=finite(frame.test_accuracy) if classification else None,
        learning_rate=finite(frame.learning_rate),
        grad_norms=_finite_list(np.concatenate([grad_norms[:depth], grad_norms[-1:]])),
        hidden=list(config.hidden),
        n_outputs=config.n_outputs,
        diverged=diverged,
        diverged_epoch=int(frame.diverged_epoch) if diverged else None,
        diverged_step=int(frame.diverged_step) if diverged else None,
        stopped_early=bool(frame.stopped_early),
        best_epoch=int(frame.best_epoch) if config.early_stopping else None,
        neuron_scale=[
            _finite_list(neuron_scale[layer, :width]) for layer, width in enumerate(config.hidden)
        ],
        feature_scale=_finite_list(np.asarray(frame.feature_scale)[columns]),
        features=[limits.FEATURE_NAMES[i] for i in columns],
    )


def _arrays(model: TrainedModel) -> list[tuple[str, np.ndarray]]:
    """The model's arrays in payload order: grids (uint8) then exact weights (float32)."""
    frame, config = model.frame, model.config
    widest = max(config.hidden, default=0)
    arrays: list[tuple[str, np.ndarray]] = [
        ("outputs", np.asarray(frame.outputs)[: config.n_outputs]),
        ("neurons", np.asarray(frame.neurons)[: len(config.hidden), :widest]),
        ("features", np.asarray(frame.features)[feature_columns(config)]),
    ]
    for layer, (weights, biases) in enumerate(exact_layers(np.asarray(frame.params), config)):
        arrays.append((f"weights.{layer}", weights))
        arrays.append((f"biases.{layer}", biases))
    return arrays


def encode_frame(
    number: int, revision: int, state: SessionState, models: list[TrainedModel]
) -> bytes:
    """One binary frame message for these models (one, or several in compare mode)."""
    return pack_frame(
        FrameHeader,
        {"frame": number, "revision": revision, "state": state},
        [_model_header(model) for model in models],
        [_arrays(model) for model in models],
    )


def pack_frame(
    header_type: type[BaseModel],
    fields: dict[str, Any],
    model_headers: list[dict[str, Any]],
    model_arrays: list[list[tuple[str, np.ndarray]]],
) -> bytes:
    """A frame message: `fields` and each model's header validated as `header_type`, then
    each model's arrays (uint8 or float32) back to back, each padded to 4 bytes."""
    buffers: list[dict[str, Any]] = []
    chunks: list[bytes] = []
    offset = 0
    for index, arrays in enumerate(model_arrays):
        for name, array in arrays:
            dtype: Literal["uint8", "float32"] = "uint8" if array.dtype == np.uint8 else "float32"
            data = np.ascontiguousarray(array, dtype=dtype).tobytes()
            buffers.append(
                dict(
                    name=name,
                    model=index,
                    dtype=dtype,
                    shape=list(array.shape),
                    offset=offset,
                    length=len(data),
                )
            )
            data += b"\0" * (-len(data) % 4)
            chunks.append(data)
            offset += len(data)
    header = header_type.model_validate({**fields, "models": model_headers, "buffers": buffers})
    encoded = header.model_dump_json().encode()
    # Spaces pad the header so the payload starts 4-byte aligned, and every buffer starts at a
    # multiple of 4: float32 arrays can be viewed in place (JavaScript's Float32Array refuses
    # unaligned offsets).
    encoded += b" " * (-(HEADER_LENGTH.size + len(encoded)) % 4)
    return HEADER_LENGTH.pack(len(encoded)) + encoded + b"".join(chunks)


def decode_frame(
    message: bytes, header_type: type[H]
) -> tuple[H, dict[tuple[int, str], np.ndarray]]:
    """The inverse of pack_frame (for tests and Python clients): the header and each buffer
    by (model, name)."""
    (length,) = HEADER_LENGTH.unpack_from(message)
    header = header_type.model_validate_json(
        message[HEADER_LENGTH.size : HEADER_LENGTH.size + length]
    )
    payload = memoryview(message)[HEADER_LENGTH.size + length :]
    arrays = {}
    for buffer in header.buffers:
        raw = payload[buffer.offset : buffer.offset + buffer.length]
        arrays[(buffer.model, buffer.name)] = np.frombuffer(raw, buffer.dtype).reshape(buffer.shape)
    return header, arrays
