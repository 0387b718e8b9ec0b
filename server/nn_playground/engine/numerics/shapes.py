"""Dataset geometry: the shape constants, the clean-position samplers and the regression
functions behind each built-in dataset. Imports only numpy and the engine's config and limits
(no jax, no pydantic, and never engine.data, which imports this module)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from nn_playground.engine import limits
from nn_playground.engine.config import DatasetName

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Rng = np.random.Generator

CLOUD_STD = 0.7  # spread of a gaussian cloud at noise 0, so the clouds never touch
CIRCLE_INNER = 2.5  # inner disc radius; the outer ring spans [CIRCLE_GAP, CIRCLE_OUTER]
CIRCLE_GAP = 3.5
CIRCLE_OUTER = 5.0
XOR_PADDING = 0.3  # keeps xor points off the axes, where the label flips
XOR_REACH = 5.3
SPIRAL_RADIUS = 5.0
SPIRAL_TURNS = 1.75  # the TensorFlow Playground's two-arm spiral
SPIRAL_ARMS_TURNS = 1.25  # more arms share the same radial room, so fewer turns
MOONS_SCALE = 3.5  # unit half-moons span 3 x 1.5; scaled they fill most of the domain
LINEAR_ANGLE = math.pi / 6  # a tilted line, so neither input alone separates the classes
LINEAR_MARGIN = 0.5  # half the empty band around the line: separable at noise 0
LINEAR_REACH = 5.0
BLOB_RADIUS = 3.5
VENN_LABELS = 3
VENN_CENTRE_RADIUS = 1.5  # close enough for every intersection, the triple one included
VENN_DISC_RADIUS = 2.5
VENN_REACH = 5.0
BUMPS: tuple[tuple[float, float, float], ...] = (  # (x1, x2, height); far apart, so sum <= ~1
    (-2.5, -2.0, 1.0),
    (2.5, 1.5, 0.8),
    (-1.0, 3.5, 0.6),
)
BUMP_WIDTH = 1.3
MAX_REJECTION_ROUNDS = 1000

Sampler = Callable[[Rng, Ints, int], Floats]


class Regression(NamedTuple):
    function: Callable[[Floats], Floats]
    low: float  # the clean values' span, which scales the target noise
    high: float
    clip: bool  # keep noisy targets inside the span


# --- binary samplers: clean positions for given labels ------------------------------------


def sample_circle(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    inner = labels == 1
    radius = np.where(
        inner,
        rng.uniform(0.0, CIRCLE_INNER, labels.size),
        rng.uniform(CIRCLE_GAP, CIRCLE_OUTER, labels.size),
    )
    return polar(radius, rng.uniform(0.0, 2 * math.pi, labels.size))


def sample_xor(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    size = rng.uniform(XOR_PADDING, XOR_REACH, (labels.size, 2))
    sign1 = rng.choice(np.array([-1.0, 1.0]), labels.size)
    sign2 = np.where(labels == 1, sign1, -sign1)  # label 1: same signs, x1 * x2 > 0
    signs: Floats = np.stack([sign1, sign2], axis=1)
    return size * signs


def sample_gaussians(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    centres = np.array([[-2.0, -2.0], [2.0, 2.0]])
    return centres[labels] + rng.standard_normal((labels.size, 2)) * CLOUD_STD


def sample_spiral(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    return spiral(rng, labels, n_labels, SPIRAL_TURNS)


def sample_moons(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    t = rng.uniform(0.0, math.pi, labels.size)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    moons = np.where((labels == 1)[:, None], lower, upper)
    centred: Floats = moons - np.array([0.5, 0.25])  # puts the pair's centre on the origin
    return centred * MOONS_SCALE


def sample_linear(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    normal = np.array([-math.sin(LINEAR_ANGLE), math.cos(LINEAR_ANGLE)])

    def side(x: Floats) -> Ints:
        distance = x @ normal
        above = np.where(distance >= LINEAR_MARGIN, 1, -1)  # -1: inside the empty band
        return np.where(distance <= -LINEAR_MARGIN, 0, above)

    return sample_regions(rng, labels, side, LINEAR_REACH)


# --- multiclass and multilabel samplers ---------------------------------------------------


def sample_blobs(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    angles = math.pi / 2 + 2 * math.pi * np.arange(n_labels) / n_labels
    centres = polar(np.full(n_labels, BLOB_RADIUS), angles)
    return centres[labels] + rng.standard_normal((labels.size, 2)) * CLOUD_STD


def sample_spiral_arms(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    return spiral(rng, labels, n_labels, SPIRAL_ARMS_TURNS)


def sample_overlap(rng: Rng, labels: Ints, n_labels: int) -> Floats:
    """A three-disc Venn diagram; every one of the 8 regions gets its share of points, so
    each label is on for half of them."""
    angles = math.pi / 2 + 2 * math.pi * np.arange(VENN_LABELS) / VENN_LABELS
    centres = polar(np.full(VENN_LABELS, VENN_CENTRE_RADIUS), angles)

    def bitmask(x: Floats) -> Ints:
        distances = np.linalg.norm(x[:, None, :] - centres[None, :, :], axis=2)
        inside: Ints = (distances <= VENN_DISC_RADIUS).astype(np.int64)
        bits: Ints = 1 << np.arange(VENN_LABELS)
        return inside @ bits

    return sample_regions(rng, labels, bitmask, VENN_REACH)


# --- regression functions of clean positions ------------------------------------------


def plane(x: Floats) -> Floats:
    return (x[:, 0] + x[:, 1]) / (2 * limits.DOMAIN)


def bumps(x: Floats) -> Floats:
    total = np.zeros(len(x))
    for c1, c2, height in BUMPS:
        squared = (x[:, 0] - c1) ** 2 + (x[:, 1] - c2) ** 2
        total += height * np.exp(-squared / (2 * BUMP_WIDTH**2))
    return np.minimum(total, 1.0)  # the tails of far bumps may add a hair above 1


def sine(x: Floats) -> Floats:
    return np.sin(x[:, 0]) * np.cos(x[:, 1])


# --- shared geometry ----------------------------------------------------------------------


def polar(radius: Floats, angle: Floats) -> Floats:
    return np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)


def spiral(rng: Rng, labels: Ints, arms: int, turns: float) -> Floats:
    """Arm k starts at angle 2*pi*k/arms; radius grows with the angle travelled, as in the
    TensorFlow Playground. Positions along the arm are random so each seed differs."""
    along = rng.uniform(0.0, 1.0, labels.size)
    angle = 2 * math.pi * (turns * along + labels / arms)
    return polar(SPIRAL_RADIUS * along, angle)


def sample_regions(
    rng: Rng, labels: Ints, region_of: Callable[[Floats], Ints], reach: float
) -> Floats:
    """Uniform points in [-reach, reach]^2, kept where region_of matches each slot's label:
    rejection keeps every region uniform while balancing how many points each one gets."""
    x = np.empty((labels.size, 2))
    for label in np.unique(labels):
        slots = np.flatnonzero(labels == label)
        x[slots] = draw_region(rng, int(label), slots.size, region_of, reach)
    return x


def draw_region(
    rng: Rng, label: int, count: int, region_of: Callable[[Floats], Ints], reach: float
) -> Floats:
    found: list[Floats] = []
    remaining = count
    for _ in range(MAX_REJECTION_ROUNDS):
        candidates = rng.uniform(-reach, reach, (max(64, 8 * remaining), 2))
        kept = candidates[region_of(candidates) == label][:remaining]
        found.append(kept)
        remaining -= len(kept)
        if remaining == 0:
            return np.concatenate(found)
    raise RuntimeError(f"region {label} is too small to sample")  # a geometry constant bug


SAMPLERS: dict[DatasetName, Sampler] = {
    DatasetName.CIRCLE: sample_circle,
    DatasetName.XOR: sample_xor,
    DatasetName.GAUSSIANS: sample_gaussians,
    DatasetName.SPIRAL: sample_spiral,
    DatasetName.MOONS: sample_moons,
    DatasetName.LINEAR: sample_linear,
    DatasetName.BLOBS: sample_blobs,
    DatasetName.SPIRAL3: sample_spiral_arms,
    DatasetName.OVERLAP: sample_overlap,
}

REGRESSIONS: dict[DatasetName, Regression] = {
    DatasetName.PLANE: Regression(plane, -1.0, 1.0, clip=False),
    # The ReLU-output lesson needs targets >= 0, so noise must not push bumps below zero.
    DatasetName.BUMPS: Regression(bumps, 0.0, 1.0, clip=True),
    DatasetName.SINE: Regression(sine, -1.0, 1.0, clip=False),
}
