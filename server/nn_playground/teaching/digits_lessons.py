"""The digits lab's lessons (GET /api/digits/lessons): the course's running example, from
telling 0 from 1 to a convolutional layer, each a ready-made experiment with what to look at.
Data and its validation only. tests/teaching/test_digits_lessons.py trains every lesson and
checks its claim across seeds, so change a configuration here only with its test passing."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, model_validator

from nn_playground.digits_protocol import (
    DIGITS_REGENERATE,
    DigitsSettings,
    DigitsSettingsChange,
)
from nn_playground.protocol import Strict
from nn_playground.sessions.digits_setup import merged_digits
from nn_playground.teaching.lesson_model import MAX_LESSON_MODELS, LessonText, check_compared


class DigitsLesson(LessonText):
    """Opened as a 2-D lesson is: `configure` with `whole_settings`, `compare`, `speed`."""

    settings: DigitsSettingsChange = Field(description="applied to the digits lab's defaults")
    compare: list[DigitsSettingsChange] = Field(default_factory=list, max_length=MAX_LESSON_MODELS)
    try_next: DigitsSettingsChange | None = None
    hidden_controls: list[str] = Field(
        description="DigitsSettings fields that classroom mode hides as distractions"
    )

    @model_validator(mode="after")
    def _consistent(self) -> DigitsLesson:
        fields = set(DigitsSettings.model_fields)
        check_compared(self.compare, self.hidden_controls, fields, DIGITS_REGENERATE)
        return self


class ServedDigitsLesson(DigitsLesson):
    whole_settings: DigitsSettings = Field(description="what `configure` sends to open it")


class DigitsLessons(Strict):
    lessons: list[ServedDigitsLesson]


def digits_lesson_settings(lesson: DigitsLesson) -> DigitsSettings:
    return merged_digits(DigitsSettings(), lesson.settings.given())


def _shown(*names: str) -> list[str]:
    return [name for name in DigitsSettings.model_fields if name not in names]


def _lesson(**spec: Any) -> DigitsLesson:
    # Through JSON, as a client's message arrives (see lesson_model.lesson_from).
    return DigitsLesson.model_validate_json(json.dumps(spec))


DIGITS_LESSONS: tuple[DigitsLesson, ...] = (
    _lesson(
        id="digits-zero-one",
        title="0 or 1: one sigmoid output",
        explanation=[
            "The network sees 8 x 8 images of handwritten zeros and ones and has a single "
            "output: a sigmoid gives the probability that the image is a 1, trained with "
            "binary cross-entropy computed from the logit.",
            "Within a few epochs it tells every test image apart: a zero's ring and a one's "
            "upright stroke light up different pixels, and the first layer's weight images "
            "show which ones it looks at.",
            "Draw a 0 or a 1 on the pad to ask the live network, then try two digits that "
            "look alike, such as 3 and 8.",
        ],
        settings={"digits": [0, 1], "loss": "sigmoid_ce", "hidden": [25, 15]},
        try_next={"digits": [3, 8]},
        epochs_per_frame=1,
        hidden_controls=_shown("digits", "loss", "hidden", "learning_rate"),
    ),
    _lesson(
        id="digits-softmax-from-logits",
        title="Ten digits: softmax from the logits",
        explanation=[
            "Ten outputs, one per digit, turned into probabilities by a softmax; both networks "
            "learn with cross-entropy at a large learning rate (0.05).",
            "The left one computes the loss from the logits (log-sum-exp), the right one takes "
            "the log of the softmax's probabilities: once one logit runs far ahead, exp "
            "overflows or a probability rounds to 0, the loss becomes infinite and training "
            "halts, while the same mathematics computed from the logits trains on.",
            "This is why Keras asks for SparseCategoricalCrossentropy(from_logits=True): lower "
            "the learning rate to 0.003 and both train, but only one is safe.",
        ],
        settings={"learning_rate": 0.05, "hidden": [25, 15]},
        compare=[{"loss": "softmax_ce"}, {"loss": "softmax_ce_naive"}],
        try_next={"learning_rate": 0.003},
        epochs_per_frame=1,
        hidden_controls=_shown("loss", "learning_rate"),
    ),
    _lesson(
        id="digits-convolution",
        title="A convolutional layer with 100 images",
        explanation=[
            "Only 100 training images: the left network is the course's dense one (25 and 15 "
            "units, 2,175 weights), the right one has four 3 x 3 filters slid over the image, "
            "so each unit looks at a small window and the filters' 40 weights are shared.",
            "Over ten seeds the convolutional network is about 3 points more accurate on the "
            "360 test images (ahead in 8 of them) with fewer weights in all (1,490); a single "
            "dense layer of 25 units does about as well as it, so on these small images the "
            "filters' gain is doing as well with far fewer weights.",
            "Try the locally connected variant (first layer local): as accurate, but with "
            "1,440 weights in its first layer instead of 40, since nothing is shared.",
        ],
        settings={"train_size": 100, "hidden": [25, 15], "kernel": 3, "stride": 1, "filters": 4},
        compare=[{"first_layer": "dense"}, {"first_layer": "conv", "hidden": []}],
        epochs_per_frame=5,
        hidden_controls=_shown(
            "train_size", "first_layer", "kernel", "stride", "filters", "hidden"
        ),
    ),
    _lesson(
        id="digits-adam-vs-gradient-descent",
        title="Adam vs gradient descent on the digits",
        explanation=[
            "Both networks take one step per epoch on all 1,437 training images (full-batch "
            "gradient descent) at the same learning rate, 0.01.",
            "Adam adapts each weight's step to its gradients' history and reaches about 93% "
            "test accuracy in 50 steps, while plain gradient descent has barely moved its loss "
            "from where it started.",
            "Raise plain gradient descent's learning rate to 0.5: it learns, but still trails; "
            "with small minibatches and a tuned rate it would catch up.",
        ],
        settings={"batch_size": 1437, "learning_rate": 0.01, "hidden": [25, 15]},
        compare=[{"optimizer": "adam"}, {"optimizer": "sgd"}],
        epochs_per_frame=2,
        hidden_controls=_shown("optimizer", "learning_rate", "batch_size"),
    ),
)

DIGITS_BY_ID = {lesson.id: lesson for lesson in DIGITS_LESSONS}


def describe_digits_lessons() -> DigitsLessons:
    return DigitsLessons(
        lessons=[
            ServedDigitsLesson.model_validate(
                {**dict(lesson), "whole_settings": digits_lesson_settings(lesson)}
            )
            for lesson in DIGITS_LESSONS
        ]
    )
