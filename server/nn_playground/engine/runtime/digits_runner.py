"""The digits engine's entry points for the server, benchmarks and tests: start a model, run
one frame of one or several models, the probabilities of a drawn digit, and the programs'
warm-up. Every setting within limits runs the same three compiled programs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import jax
import numpy as np

from nn_playground.engine.numerics import image_frame, image_model, image_train
from nn_playground.engine.numerics.digits import LEVELS, PIXELS, digits_data
from nn_playground.engine.numerics.image_frame import ImageFrame
from nn_playground.engine.numerics.image_hyper import ImageHyper, make_image_hyper
from nn_playground.engine.numerics.image_train import ImageData, ImageState, image_data
from nn_playground.engine.runtime.programs import Program
from nn_playground.engine.runtime.runner import committed, to_host


def _drawn_probabilities(params: image_model.Params, x: jax.Array, hyper: ImageHyper) -> jax.Array:
    return image_model.probabilities(image_model.logits(params, x, hyper), hyper)


_START = Program("digits_start", image_frame.start)
_FRAME = Program("digits_frame", image_frame.run_frame)
_PREDICT = Program("digits_predict", jax.jit(_drawn_probabilities))


def start_digits_model(hyper: ImageHyper) -> ImageState:
    """Fresh weights from hyper.seed, committed to the device as the frame program wants."""
    return cast(ImageState, committed(_START(hyper)))


def run_digits_frames(
    states: Sequence[ImageState], data: ImageData, hypers: Sequence[ImageHyper], epochs: int
) -> tuple[list[ImageState], list[ImageFrame]]:
    """`epochs` more epochs of every model on the same images, then each one's frame as
    numpy arrays; the states stay on the device. Every call is dispatched before any result
    is read, so one model's Python work overlaps the one before it computing."""
    count = committed(np.asarray(epochs, np.int32))
    done = [_FRAME(state, data, hyper, count) for state, hyper in zip(states, hypers, strict=True)]
    return [state for state, _ in done], to_host([frame for _, frame in done])


def predict_image(
    states: Sequence[ImageState], hypers: Sequence[ImageHyper], image: np.ndarray
) -> list[np.ndarray]:
    """Each model's (CLASSES,) probabilities of one (8, 8) image of grey levels 0..16."""
    x = committed(np.asarray(image, np.float32).reshape(1, PIXELS) / np.float32(LEVELS))
    done = [_PREDICT(state.params, x, hyper) for state, hyper in zip(states, hypers, strict=True)]
    return [np.asarray(p)[0] for p in to_host(done)]


def warm_up_digits() -> None:
    """Load (or compile and save) the digits lab's programs: compiled when a learner opens
    the lab, they would keep them waiting for half a minute."""
    hyper = committed(make_image_hyper())
    data = committed(image_data(digits_data()))
    state = jax.eval_shape(image_train.init_state, hyper)
    _START.prepare(hyper)
    _FRAME.prepare(state, data, hyper, committed(np.asarray(1, np.int32)))
    x = committed(np.zeros((1, PIXELS), np.float32))
    _PREDICT.prepare(state.params, x, hyper)
