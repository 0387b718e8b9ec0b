"""A digit drawn by the learner becomes an 8 x 8 image like the dataset's: drawings made here
with thick lines, compared with the mean image of each digit in the dataset."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from nn_playground.engine.numerics.digits import CLASSES, load_digits
from nn_playground.engine.numerics.drawn_digit import digit_from_drawing

Array = npt.NDArray[Any]
Point = tuple[float, float]  # (row, col) on the canvas

PEN = 6.0  # canvas pixels, the same pen however big the digit is drawn


def _line(canvas: Array, start: Point, end: Point, pen: float = PEN) -> None:
    """Ink every pixel within pen / 2 of the segment start-end (a round-tipped stroke)."""
    rows, cols = np.mgrid[0 : canvas.shape[0], 0 : canvas.shape[1]].astype(np.float64)
    (r0, c0), (r1, c1) = start, end
    dr, dc = r1 - r0, c1 - c0
    t = np.clip(((rows - r0) * dr + (cols - c0) * dc) / (dr * dr + dc * dc), 0.0, 1.0)
    canvas[np.hypot(rows - (r0 + t * dr), cols - (c0 + t * dc)) <= pen / 2] = 1.0


def _ring(canvas: Array, centre: Point, radii: Point, pen: float = PEN) -> None:
    """An ellipse of half-height radii[0] and half-width radii[1], about pen thick."""
    rows, cols = np.mgrid[0 : canvas.shape[0], 0 : canvas.shape[1]].astype(np.float64)
    radius = np.hypot((rows - centre[0]) / radii[0], (cols - centre[1]) / radii[1])
    canvas[np.abs(radius - 1.0) * min(radii) <= pen / 2] = 1.0


def _one(top: float = 30, left: float = 60, height: float = 140) -> Array:
    canvas = np.zeros((200, 200))
    _line(canvas, (top, left + 40), (top + height, left + 40))
    return canvas


def _zero(top: float = 30, left: float = 55, height: float = 140) -> Array:
    canvas = np.zeros((200, 200))
    half = height / 2
    _ring(canvas, (top + half, left + 0.65 * half), (half, 0.65 * half))
    return canvas


def _seven(top: float = 35, left: float = 55, height: float = 130) -> Array:
    """A bar across the top and a stroke down to the left, 130 x 90 at full size."""
    canvas = np.zeros((200, 200))
    s = height / 130
    corner = (top, left + 90 * s)
    _line(canvas, (top, left), corner)
    _line(canvas, corner, (top + 130 * s, left + 30 * s))
    return canvas


def _nearest_digit(image: Array) -> int:
    """The digit whose mean image in the dataset is nearest (Euclidean) to `image`."""
    images, digits = load_digits()
    means = np.stack([images[digits == d].mean(axis=0) for d in range(CLASSES)])
    return int(np.argmin(((means - image) ** 2).sum(axis=(1, 2))))


@pytest.mark.parametrize(("drawing", "digit"), [(_one, 1), (_zero, 0), (_seven, 7)])
def test_a_drawn_digit_is_nearest_to_its_own_digits_mean_image(drawing: Any, digit: int) -> None:
    image = digit_from_drawing(drawing())
    assert image.shape == (8, 8)
    assert image.dtype == np.uint8
    assert image.max() <= 16  # uint8 is never below 0
    assert _nearest_digit(image) == digit


def test_the_digit_fills_the_height_and_a_one_stays_narrow_and_centred() -> None:
    # As in the dataset: every digit spans all 8 rows; a one is a column in the middle.
    one = digit_from_drawing(_one(left=5))
    assert one.sum(axis=1).min() > 0
    columns = np.flatnonzero(one.sum(axis=0))
    assert columns.tolist() in ([3, 4], [3], [4])


@pytest.mark.parametrize("drawing", [_one, _zero, _seven])
def test_where_and_how_big_the_digit_is_drawn_does_not_matter(drawing: Any) -> None:
    big = digit_from_drawing(drawing()).astype(np.int64)
    small = digit_from_drawing(drawing(top=120, left=110, height=70)).astype(np.int64)
    assert np.abs(big - small).mean() < 1.0
    # ... while another digit is far: the comparison above can tell digits apart.
    other = _one if drawing is not _one else _zero
    assert np.abs(big - digit_from_drawing(other()).astype(np.int64)).mean() > 3.0


def test_brightness_scales_and_canvas_sizes_agree() -> None:
    seven = _seven()
    expected = digit_from_drawing(seven)
    as_bytes = (seven * 255).astype(np.uint8)
    np.testing.assert_array_equal(digit_from_drawing(as_bytes), expected)
    # The same drawing on a canvas of another size (every pixel doubled: 400 x 400).
    doubled = np.kron(seven, np.ones((2, 2)))
    assert np.abs(digit_from_drawing(doubled).astype(int) - expected.astype(int)).mean() < 0.5


def test_a_stray_dot_far_away_does_not_move_the_digit() -> None:
    seven = _seven()
    dotted = seven.copy()
    dotted[195:197, 2:4] = 1.0
    # The dot is left out of the frame; the frame's edges may shift by a drawing pixel (the
    # dot adds to the ink the frame's margins are a share of), which moves a few counts.
    difference = digit_from_drawing(dotted).astype(int) - digit_from_drawing(seven).astype(int)
    assert np.abs(difference).max() <= 3
    assert np.abs(difference).mean() < 0.25


@pytest.mark.parametrize("value", [0.0, 0.05])
def test_an_empty_or_faint_drawing_is_all_zero(value: float) -> None:
    image = digit_from_drawing(np.full((64, 64), value))
    np.testing.assert_array_equal(image, np.zeros((8, 8), np.uint8))


def test_a_drawing_must_be_two_dimensional() -> None:
    with pytest.raises(ValueError, match="2-D grayscale"):
        digit_from_drawing(np.zeros((8, 8, 3)))
