"""The handwritten digits (8 x 8, 0..16; engine/data/README.md names the source and licence):
loaded from the package, a task's digits picked, split into train and test by a seed, and
the training set cut to a size (to show how much data a network needs)."""

from __future__ import annotations

import functools
import gzip
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.numerics.data import DataError

SIDE = limits.DIGITS_SIDE
PIXELS = limits.DIGITS_PIXELS
LEVELS = 16  # a pixel counts the set pixels of a 4 x 4 block of the 32 x 32 bitmap
CLASSES = limits.DIGITS_CLASSES
TEST_FRACTION = 0.2  # of every digit's images: 1,437 train and 360 test images of all ten


@functools.cache
def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Every image (1797, 8, 8) uint8 in 0..16 and its digit (1797,) int32, read-only."""
    source = resources.files("nn_playground.engine").joinpath("data/digits.csv.gz")
    with source.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int32)
    images = table[:, :PIXELS].astype(np.uint8).reshape(-1, SIDE, SIDE)
    digits = table[:, PIXELS].astype(np.int32)
    images.flags.writeable = False
    digits.flags.writeable = False
    return images, digits


@dataclass(frozen=True, eq=False)
class DigitImages:
    """One split: `images` (n, 8, 8) uint8 in 0..16, `digits` (n,) the digit drawn, and
    `labels` (n,) its class index among the task's digits (0 vs 1: the digit itself)."""

    images: np.ndarray
    digits: np.ndarray
    labels: np.ndarray

    @property
    def x(self) -> np.ndarray:
        """(n, 64) float32 in [0, 1]: what a network reads."""
        return (self.images.reshape(len(self.images), PIXELS) / np.float32(LEVELS)).astype(
            np.float32
        )


@dataclass(frozen=True, eq=False)
class DigitsData:
    classes: tuple[int, ...]  # the task's digits, in class order
    train: DigitImages
    test: DigitImages


def check_classes(classes: tuple[int, ...]) -> None:
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise DataError("digits", "at least 2 different digits", list(classes))
    if any(not 0 <= digit < CLASSES for digit in classes):
        raise DataError("digits", "digits from 0 to 9", list(classes))


def digits_data(
    classes: tuple[int, ...] = tuple(range(CLASSES)),
    train_size: int | None = None,
    seed: int = 0,
) -> DigitsData:
    """The images of `classes`, each digit split TEST_FRACTION to test by `seed`; the test
    set depends on the classes and seed alone, so changing `train_size` (at most the train
    split, the whole of it when None) only removes training images, evenly over the digits."""
    check_classes(classes)
    images, digits = load_digits()
    rng = np.random.default_rng(seed)
    train_rows: list[np.ndarray] = []
    test_rows: list[np.ndarray] = []
    groups = [rng.permutation(np.flatnonzero(digits == digit)) for digit in classes]
    for rows, cut in zip(groups, _test_counts([len(rows) for rows in groups]), strict=True):
        test_rows.append(rows[:cut])
        train_rows.append(rows[cut:])
    train = _interleaved(train_rows)
    available = len(train)
    if train_size is not None:
        if not len(classes) <= train_size <= available:
            raise DataError("train_size", f"{len(classes)} to {available}", train_size)
        train = train[:train_size]  # interleaved: every digit keeps its share
    test = np.sort(np.concatenate(test_rows))
    label_of = {digit: index for index, digit in enumerate(classes)}

    def split(rows: np.ndarray) -> DigitImages:
        return DigitImages(
            images=images[rows],
            digits=digits[rows],
            labels=np.asarray([label_of[int(d)] for d in digits[rows]], np.int32),
        )

    return DigitsData(classes=tuple(classes), train=split(train), test=split(test))


def _test_counts(sizes: list[int]) -> list[int]:
    """Test images per digit: TEST_FRACTION of all of them rounded up (as scikit-learn's
    train_test_split counts: 360 of 1,797), shared out by largest remainder."""
    total = math.ceil(TEST_FRACTION * sum(sizes))
    shares = [size * total / sum(sizes) for size in sizes]
    counts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(sizes)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _interleaved(groups: list[np.ndarray]) -> np.ndarray:
    """Rows taken from the groups in turn (one of each, then the next of each...), so that
    any prefix holds every group in proportion."""
    longest = max(len(group) for group in groups)
    order = [group[i] for i in range(longest) for group in groups if i < len(group)]
    return np.asarray(order, np.int64)
