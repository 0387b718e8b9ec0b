"""The handwritten digits ship with the package and split as documented."""

from __future__ import annotations

import numpy as np
import pytest

from nn_playground.engine.numerics.data import DataError
from nn_playground.engine.numerics.digits import CLASSES, digits_data, load_digits

# engine/data/README.md: the UCI test set as scikit-learn ships it.
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_the_digits_load_from_the_package_with_their_documented_shape() -> None:
    images, digits = load_digits()
    assert images.shape == (1797, 8, 8)
    assert images.dtype == np.uint8
    assert images.min() == 0
    assert images.max() == 16
    assert np.bincount(digits, minlength=CLASSES).tolist() == CLASS_COUNTS
    # A real picture: the mean 0 has a hole in the middle, the mean 1 a bar down it.
    zero, one = images[digits == 0].mean(axis=0), images[digits == 1].mean(axis=0)
    assert zero[3:5, 3:5].mean() < zero[3:5, 1:3].mean()
    assert one[2:6, 3:5].mean() > one[2:6, 0:2].mean()


def test_all_ten_split_into_1437_train_and_360_test_images_by_digit() -> None:
    data = digits_data()
    assert len(data.train.images) == 1437
    assert len(data.test.images) == 360
    test_counts = np.bincount(data.test.digits, minlength=CLASSES)
    assert np.all(np.abs(test_counts - np.asarray(CLASS_COUNTS) * 0.2) <= 1)
    assert data.train.x.shape == (1437, 64)
    assert data.train.x.dtype == np.float32
    assert data.train.x.max() == 1.0
    assert np.array_equal(data.train.labels, data.train.digits)


def test_a_task_picks_its_digits_and_numbers_them_from_zero() -> None:
    data = digits_data((3, 8, 5), seed=2)
    assert set(data.train.digits) == {3, 8, 5}
    assert set(data.test.digits) == {3, 8, 5}
    assert np.array_equal(
        data.train.labels, np.asarray([(3, 8, 5).index(d) for d in data.train.digits])
    )


def test_a_smaller_training_set_keeps_the_test_set_and_every_digit() -> None:
    whole, small = digits_data(seed=1), digits_data(train_size=100, seed=1)
    assert np.array_equal(whole.test.images, small.test.images)
    assert np.bincount(small.train.digits).tolist() == [10] * CLASSES
    assert np.array_equal(small.train.images, whole.train.images[:100])


def test_the_seed_chooses_the_split() -> None:
    first, again, other = digits_data(seed=0), digits_data(seed=0), digits_data(seed=1)
    assert np.array_equal(first.test.images, again.test.images)
    assert not np.array_equal(first.test.images, other.test.images)


@pytest.mark.parametrize(
    ("classes", "train_size", "field"),
    [
        ((1,), None, "digits"),
        ((1, 1), None, "digits"),
        ((0, 10), None, "digits"),
        ((0, 1), 1, "train_size"),
        ((0, 1), 10_000, "train_size"),
    ],
)
def test_bad_tasks_are_refused_naming_the_field(
    classes: tuple[int, ...], train_size: int | None, field: str
) -> None:
    with pytest.raises(DataError) as refused:
        digits_data(classes, train_size)
    assert refused.value.field == field
