"""A digit drawn by the learner, reduced the way the UCI digits were made (engine/data/
README.md): a normalised 32 x 32 bitmap cut into 4 x 4 blocks, the set pixels of each block
counted, so a network trained on the dataset reads the drawing as it read the dataset.
Imports only numpy."""

from __future__ import annotations

import numpy as np

from nn_playground.engine.numerics.digits import SIDE

BITMAP_SIDE = 32
BLOCK = BITMAP_SIDE // SIDE  # 4: each 8 x 8 pixel counts a 4 x 4 block, 0..16 (LEVELS) set
BACKGROUND = 0.1  # fainter than this is paper, not ink (canvas smoothing, a stray brush edge)
INK = 0.5  # a pixel is set when at least half ink, on the drawing and on the bitmap alike
EDGE_INK = 0.005  # share of the ink each side of the frame may leave out (a stray dot)
# Bitmap pixels: the dataset's images average 4.9 of 16, so ~30% of a bitmap is set, which
# for a zero about 24 x 32 pixels is a stroke ~3.5 pixels wide.
STROKE_WIDTH = 3.5
SAMPLES = 4  # sample points per bitmap pixel along each axis (an area average, no library)


def digit_from_drawing(pixels: np.ndarray) -> np.ndarray:
    """The (8, 8) uint8 image, 0..16 per pixel, of a grayscale drawing (any H x W, strokes
    bright on dark, values 0..1, or 0..255 when any exceeds 1). An empty drawing is all 0.

    Why each step (NIST's normalisation as the dataset shows it: every digit spans the full
    32 rows, centred, widths vary with the digit, ones the narrowest):
    - frame the ink by its bounding box, leaving out the faintest EDGE_INK of it at each
      side, so a stray dot far from the digit does not shrink the digit into a corner;
    - thicken thin strokes to about STROKE_WIDTH bitmap pixels: NIST wrote with pens on
      paper, and a canvas pen scaled down from a large drawing would otherwise leave faint,
      broken strokes; a thicker stroke is left as drawn (thinning could cut it);
    - scale the frame so its longer side is 32 pixels, keeping the aspect ratio (a one
      stays a narrow upright stroke), centre it in the 32 x 32 box and set the pixels at
      least half covered: where and how big the digit was drawn no longer matters;
    - count the set pixels of each 4 x 4 block.
    """
    gray = _intensity(pixels)
    frame = _ink_frame(gray)
    if frame is None:
        return np.zeros((SIDE, SIDE), np.uint8)
    top, bottom, left, right = frame
    # Cropped before thickening, so ink left out of the frame (a stray dot) stays out.
    ink = gray[top:bottom, left:right] >= INK
    if not ink.any():  # only faint ink, nothing at least half bright
        return np.zeros((SIDE, SIDE), np.uint8)
    bitmap = _bitmap(_thickened(ink))
    counts: np.ndarray = bitmap.reshape(SIDE, BLOCK, SIDE, BLOCK).sum(axis=(1, 3))
    return counts.astype(np.uint8)


def _intensity(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim != 2 or 0 in pixels.shape:
        raise ValueError(f"a drawing is a non-empty 2-D grayscale array, not shape {pixels.shape}")
    gray = pixels.astype(np.float64)
    if gray.max() > 1.0:
        gray /= 255.0
    return np.where(gray >= BACKGROUND, np.clip(gray, 0.0, 1.0), 0.0)


def _ink_span(profile: np.ndarray) -> tuple[int, int] | None:
    """[start, stop) of the ink along one axis, EDGE_INK of it left out at each end."""
    cumulative = np.cumsum(profile)
    total = cumulative[-1]
    if total < 1.0:  # less than one full pixel of ink: nothing drawn
        return None
    start = int(np.searchsorted(cumulative, EDGE_INK * total, side="right"))
    stop = int(np.searchsorted(cumulative, (1.0 - EDGE_INK) * total, side="left")) + 1
    return start, max(stop, start + 1)


def _ink_frame(gray: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the ink, bottom and right excluded."""
    rows = _ink_span(gray.sum(axis=1))
    cols = _ink_span(gray.sum(axis=0))
    if rows is None or cols is None:
        return None
    return rows[0], rows[1], cols[0], cols[1]


def _stroke_width(ink: np.ndarray) -> float:
    """Area over half the perimeter: w for a stroke of width w much longer than wide.
    Staircase edges of slanted strokes lengthen the perimeter, so this errs thin."""
    padded = np.pad(ink, 1).astype(np.int8)
    perimeter = np.abs(np.diff(padded, axis=0)).sum() + np.abs(np.diff(padded, axis=1)).sum()
    return float(2.0 * ink.sum() / max(int(perimeter), 1))


def _thickened(ink: np.ndarray) -> np.ndarray:
    """The framed ink with its strokes grown by whole pixels until they would be about
    STROKE_WIDTH once scaled; the frame grows by as much on every side."""
    scale = BITMAP_SIDE / max(ink.shape)  # bitmap pixels per drawing pixel
    missing = STROKE_WIDTH / scale - _stroke_width(ink)  # in drawing pixels
    grown = ink
    for _ in range(round(missing / 2.0)):  # each 3 x 3 dilation adds a pixel each side
        padded = np.pad(grown, 2)
        height, width = grown.shape[0] + 2, grown.shape[1] + 2
        shifted = [padded[r : r + height, c : c + width] for r in range(3) for c in range(3)]
        grown = np.logical_or.reduce(shifted)
    return grown


def _bitmap(ink: np.ndarray) -> np.ndarray:
    """(32, 32) bool: the framed ink scaled to a longer side of 32, centred in the square,
    its pixels set where at least half covered."""
    scale = BITMAP_SIDE / max(ink.shape)
    # SAMPLES points inside every bitmap pixel, mapped back into the drawing.
    points = (np.arange(BITMAP_SIDE * SAMPLES) + 0.5) / SAMPLES

    def source(length: int) -> tuple[np.ndarray, np.ndarray]:
        margin = (BITMAP_SIDE - length * scale) / 2.0  # centres the shorter side
        index = np.floor((points - margin) / scale).astype(np.int64)
        inside = (index >= 0) & (index < length)
        return np.clip(index, 0, length - 1), inside

    rows, rows_inside = source(ink.shape[0])
    cols, cols_inside = source(ink.shape[1])
    sampled = ink[np.ix_(rows, cols)] & rows_inside[:, None] & cols_inside[None, :]
    coverage = sampled.reshape(BITMAP_SIDE, SAMPLES, BITMAP_SIDE, SAMPLES).mean(axis=(1, 3))
    covered: np.ndarray = coverage >= INK
    return covered
