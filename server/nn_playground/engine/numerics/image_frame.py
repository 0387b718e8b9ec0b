"""A frame of the digits page: E more epochs (image_train), then what the page shows
(`ImageFrame`: losses, accuracies, the test confusion matrix, the first test images'
probabilities, the first layer's weights as images); `run_frame` and `start` are the
compiled entry points, one program each for every setting within limits (DIGITS_)."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from nn_playground.engine import limits
from nn_playground.engine.numerics import image_model
from nn_playground.engine.numerics.image_batch import MAX_IMAGES
from nn_playground.engine.numerics.image_hyper import ImageHyper
from nn_playground.engine.numerics.image_model import (
    CLASSES,
    FILTERS,
    PATCH,
    PIXELS,
    POSITIONS,
    UNITS,
    WINDOW,
    Params,
)
from nn_playground.engine.numerics.image_train import (
    ImageData,
    ImageState,
    init_state,
    train_epochs,
)

SHOWN = 64  # test images whose probabilities a frame carries


class ImageFrame(NamedTuple):
    """What the page shows after a frame's epochs."""

    epoch: jax.Array  # () int32
    diverged: jax.Array  # () bool
    stopped_early: jax.Array  # () bool
    best_epoch: jax.Array  # () int32 lowest test loss so far (with early stopping on)
    train_loss: jax.Array  # () float32 mean over the training images (no regularisation)
    test_loss: jax.Array  # () float32
    train_accuracy: jax.Array  # () float32
    test_accuracy: jax.Array  # () float32
    confusion: jax.Array  # (CLASSES, CLASSES) int32 test counts, rows the true class
    probabilities: jax.Array  # (SHOWN, CLASSES) float32 of the first test images (0 past n_test)
    dense_images: jax.Array  # (UNITS, 8, 8) float32 a dense first layer's weights per unit
    conv_images: jax.Array  # (FILTERS, PATCH, PATCH) float32 kernels, k x k at the top left
    local_images: jax.Array  # (POSITIONS, FILTERS, PATCH, PATCH) float32 per position, filter


def first_layer_images(params: Params) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The first layer's weights as images: dense (UNITS, 8, 8), conv (FILTERS, PATCH, PATCH),
    local (POSITIONS, FILTERS, PATCH, PATCH); zero where not part of the model."""
    side = limits.DIGITS_SIDE
    dense = params.first_dense[:PIXELS].T.reshape(UNITS, side, side)
    conv = params.conv[:WINDOW].T.reshape(FILTERS, PATCH, PATCH)
    local = jnp.transpose(params.local[:, :WINDOW], (0, 2, 1)).reshape(
        POSITIONS, FILTERS, PATCH, PATCH
    )
    return dense, conv, local


def measure(state: ImageState, data: ImageData, hyper: ImageHyper) -> ImageFrame:
    """Losses, accuracies, the test confusion matrix, the first test images' probabilities
    and the first layer's weights of `state`."""
    z = image_model.logits(state.params, data.x, hyper)
    losses = image_model.point_losses(z, data.labels, hyper)
    correct = (image_model.predictions(z, hyper) == data.labels).astype(jnp.float32)
    row = jnp.arange(MAX_IMAGES)
    train_rows = row < data.n_train
    test_rows = (row >= data.n_train) & (row < data.n_train + data.n_test)

    def mean(rows: jax.Array, n: jax.Array, values: jax.Array) -> jax.Array:
        return jnp.sum(jnp.where(rows, values, 0.0)) / jnp.maximum(n, 1).astype(jnp.float32)

    true = jax.nn.one_hot(data.labels, CLASSES, dtype=jnp.float32) * test_rows[:, None]
    predicted = jax.nn.one_hot(image_model.predictions(z, hyper), CLASSES, dtype=jnp.float32)
    confusion = jnp.round(true.T @ predicted).astype(jnp.int32)
    shown = lax.dynamic_slice_in_dim(
        image_model.probabilities(z, hyper), jnp.minimum(data.n_train, MAX_IMAGES - SHOWN), SHOWN
    )
    shown = jnp.where((jnp.arange(SHOWN) < data.n_test)[:, None], shown, 0.0)
    dense, conv, local = first_layer_images(state.params)
    return ImageFrame(
        epoch=state.epoch,
        diverged=state.diverged,
        stopped_early=state.stopped_early,
        best_epoch=state.best_epoch,
        train_loss=mean(train_rows, data.n_train, losses),
        test_loss=mean(test_rows, data.n_test, losses),
        train_accuracy=mean(train_rows, data.n_train, correct),
        test_accuracy=mean(test_rows, data.n_test, correct),
        confusion=confusion,
        probabilities=shown,
        dense_images=dense,
        conv_images=conv,
        local_images=local,
    )


def frame(
    state: ImageState, data: ImageData, hyper: ImageHyper, epochs: jax.Array
) -> tuple[ImageState, ImageFrame]:
    """`epochs` (runtime int32) more epochs, then the measurements: one compiled program."""
    trained = train_epochs(state, data, hyper, epochs)
    return trained, measure(trained, data, hyper)


# The compiled entry points: one program each for every setting within limits.
run_frame = jax.jit(frame)
start = jax.jit(init_state)
