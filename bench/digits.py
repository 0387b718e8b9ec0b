"""Digits benchmark: training speed of the digits network (image_train) and the time of one
frame (an epoch, the confusion matrix, 64 predictions and the first layer's weights as
images, fetched to the host).

`measure(quick, log)` returns a dict of figures, as the other groups (bench/engine.py);
`python -m bench.digits` prints them. Timings are medians (rates) and a 95th percentile
(frame time) over repetitions after warm-up. Pass `quick=True` for tiny repetition counts:
the figures then prove the code runs, not how fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python -m bench.digits` measures the engine in this checkout (server/), as bench/run.py.
_SERVER = str(Path(__file__).resolve().parent.parent / "server")
if _SERVER not in sys.path:
    sys.path.insert(0, _SERVER)

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import jax  # noqa: E402
import numpy as np  # noqa: E402

from nn_playground.engine.config import Activation, Loss, Optimizer, Problem  # noqa: E402
from nn_playground.engine.numerics import image_frame, image_train  # noqa: E402
from nn_playground.engine.numerics.digits import digits_data  # noqa: E402
from nn_playground.engine.numerics.image_first_layer import (  # noqa: E402
    FirstLayer,
    FirstLayerKind,
)
from nn_playground.engine.numerics.image_hyper import ImageHyper, make_image_hyper  # noqa: E402
from nn_playground.engine.numerics.image_reference import init_image_network  # noqa: E402
from nn_playground.engine.numerics.image_train import ImageData, ImageState  # noqa: E402
from nn_playground.engine.numerics.image_training import adam_epoch, adam_state  # noqa: E402

Figures = dict[str, float]
Log = Callable[[str], None]

# Jitted once here: every measurement reuses one compilation.
_train_epochs = jax.jit(image_train.train_epochs)


@dataclass(frozen=True)
class Repetitions:
    repeats: int  # timed calls per rate (the figure is their median)
    epochs: int  # epochs per timed training call
    frames: int  # timed frames (the figure is their 95th percentile)


FULL = Repetitions(repeats=9, epochs=10, frames=60)
QUICK = Repetitions(repeats=2, epochs=1, frames=3)


def _silent(message: str) -> None:
    del message


def setup() -> tuple[ImageState, ImageData, ImageHyper]:
    """64-25-15-10 ReLU, Adam at 0.003, batch 32, on the 1,437 training images of all ten
    digits (360 test images), placed on the device."""
    hyper = jax.device_put(
        make_image_hyper(
            hidden=(25, 15), optimizer=Optimizer.ADAM, learning_rate=0.003, batch_size=32
        )
    )
    data = jax.device_put(image_train.image_data(digits_data()))
    return image_frame.start(hyper), data, hyper


def epochs_per_s(reps: Repetitions) -> float:
    """Training epochs per second (train_epochs, waited for), median over repetitions."""
    state, data, hyper = setup()
    epochs = np.int32(reps.epochs)
    state = jax.block_until_ready(_train_epochs(state, data, hyper, epochs))  # warm-up
    rates: list[float] = []
    for _ in range(reps.repeats):
        start = time.perf_counter()
        state = jax.block_until_ready(_train_epochs(state, data, hyper, epochs))
        rates.append(reps.epochs / (time.perf_counter() - start))
    return float(statistics.median(rates))


def numpy_epochs_per_s(reps: Repetitions) -> float:
    """Epochs per second of the NumPy reference (numerics/image_reference.py, hand-written
    backprop and Adam) on the same network, data and batch size: the baseline."""
    data = digits_data()
    rng = np.random.default_rng(0)
    relu = Activation.RELU
    net = init_image_network(FirstLayer(FirstLayerKind.DENSE, 25), [15], 10, [relu, relu], rng)
    state = adam_state(net)
    x, labels = data.train.x, data.train.labels

    def epoch() -> None:
        adam_epoch(net, x, labels, Loss.CROSS_ENTROPY, Problem.MULTICLASS, 0.003, 32, rng, state)

    epoch()  # warm-up, as for the engine
    epochs = max(1, reps.epochs // 10)  # NumPy is slower: fewer epochs take as long
    rates: list[float] = []
    for _ in range(reps.repeats):
        start = time.perf_counter()
        for _ in range(epochs):
            epoch()
        rates.append(epochs / (time.perf_counter() - start))
    return float(statistics.median(rates))


def frame_ms_p95(reps: Repetitions) -> float:
    """The 95th percentile of one frame's time in ms: one epoch plus every measurement
    (image_frame.run_frame), with the frame fetched to the host."""
    state, data, hyper = setup()
    one = np.int32(1)
    state, frame = image_frame.run_frame(state, data, hyper, one)  # warm-up
    jax.device_get(frame)
    times: list[float] = []
    for _ in range(reps.frames):
        start = time.perf_counter()
        state, frame = image_frame.run_frame(state, data, hyper, one)
        jax.device_get(frame)
        times.append((time.perf_counter() - start) * 1000.0)
    return float(np.percentile(times, 95))


def measure(quick: bool = False, log: Log = _silent) -> Figures:
    """Every digits figure: digits_epochs_per_s, numpy_digits_epochs_per_s, their ratio
    digits_speedup, and digits_frame_ms_p95."""
    reps = QUICK if quick else FULL
    figures: Figures = {}
    start = time.perf_counter()
    figures["digits_epochs_per_s"] = epochs_per_s(reps)
    log(f"digits: training speed took {time.perf_counter() - start:.1f} s (compiling included)")
    figures["numpy_digits_epochs_per_s"] = numpy_epochs_per_s(reps)
    figures["digits_speedup"] = (
        figures["digits_epochs_per_s"] / figures["numpy_digits_epochs_per_s"]
    )
    start = time.perf_counter()
    figures["digits_frame_ms_p95"] = frame_ms_p95(reps)
    log(f"digits: frames took {time.perf_counter() - start:.1f} s (compiling included)")
    return figures


if __name__ == "__main__":
    print(measure(quick="--quick" in sys.argv, log=print))
