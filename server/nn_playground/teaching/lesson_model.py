"""What a lesson is: a ready-made experiment (settings, the models compared, the speed), a
few plain sentences on what to look at, and the controls classroom mode hides; validated so
that a lesson the page could not apply fails when it is defined. The lessons themselves are
in lessons.py."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import Field, model_validator

from nn_playground.protocol import (
    MAX_EPOCHS_PER_FRAME,
    REGENERATE,
    Settings,
    SettingsChange,
    Strict,
)
from nn_playground.sessions.training_setup import merged

MAX_LESSON_MODELS = 5  # enough for five seeds; more would crowd a classroom projector


class LessonText(Strict):
    """What every lesson has, in either lab: its slug, title, sentences and speed."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,39}$", description="stable slug for URLs")
    title: str = Field(min_length=1, max_length=60)
    explanation: list[str] = Field(
        min_length=2,
        max_length=4,
        description="2 to 4 plain sentences: what you are looking at, then what to try next",
    )
    epochs_per_frame: int = Field(ge=1, le=MAX_EPOCHS_PER_FRAME)

    @model_validator(mode="after")
    def _sentences(self) -> LessonText:
        for sentence in self.explanation:
            if not sentence.endswith((".", "?")) or re.search(r"[.?!] [A-Z]", sentence):
                raise ValueError(f"explanation: expected one sentence each, received {sentence!r}")
        return self


def check_compared(
    compare: list[Any], hidden_controls: list[str], fields: set[str], regenerate: frozenset[str]
) -> None:
    """A lesson the page could not apply fails when it is defined: compared models share
    the data, what they vary stays visible, and hidden controls are settings."""
    if len(compare) == 1:
        raise ValueError("compare: expected none or 2 to 5 models, received 1")
    unknown = set(hidden_controls) - fields
    if unknown:
        raise ValueError(f"hidden_controls: expected settings fields, received {unknown}")
    for index, change in enumerate(compare):
        varied = change.given().keys()
        if varied & regenerate:
            raise ValueError(f"compare.{index}: compared models share the data: {varied}")
        if varied & set(hidden_controls):
            raise ValueError(f"compare.{index}: what the models vary must stay visible")


class Lesson(LessonText):
    """To open a lesson a client sends `configure` with the lesson's whole settings (the
    defaults updated by `settings`: `lesson_settings`, served as `whole_settings`), `compare`
    with `compare` (an empty list leaves compare mode) and `speed` with `epochs_per_frame`."""

    settings: SettingsChange = Field(
        description="applied to the defaults, not to the learner's settings, so a lesson "
        "always starts from the same place"
    )
    compare: list[SettingsChange] = Field(
        default_factory=list,
        max_length=MAX_LESSON_MODELS,
        description="the models trained side by side (the `compare` message), or none",
    )
    try_next: SettingsChange | None = Field(
        None, description="the change the last sentence suggests, offered as one click"
    )
    hidden_controls: list[str] = Field(
        description="Settings fields that classroom mode hides as distractions"
    )
    explain_view: bool = Field(
        False,
        description='the page opens "Explain a step" for this lesson: one training step '
        "taken apart, number by number",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Lesson:
        check_compared(self.compare, self.hidden_controls, set(Settings.model_fields), REGENERATE)
        return self


class ServedLesson(Lesson):
    """A lesson as GET /api/lessons serves it: with the whole settings it trains, so that a
    client fills in no defaults of its own."""

    whole_settings: Settings = Field(
        description="the defaults updated by `settings`, lists fitted to the depth: what "
        "`configure` sends to open the lesson"
    )


class Lessons(Strict):
    """GET /api/lessons: every lesson, in teaching order."""

    lessons: list[ServedLesson]


def lesson_settings(lesson: Lesson) -> Settings:
    """The settings a lesson trains: the defaults updated by its change."""
    return merged(Settings(), lesson.settings.given())


def served(lesson: Lesson) -> ServedLesson:
    return ServedLesson.model_validate({**dict(lesson), "whole_settings": lesson_settings(lesson)})


def hidden_except(*shown: str) -> list[str]:
    """Classroom mode shows the controls a lesson is about and hides the rest."""
    return [name for name in Settings.model_fields if name not in shown]


def lesson_from(**spec: Any) -> Lesson:
    # Through JSON, as a client's message arrives: strict validation reads enum names there,
    # so a misspelt setting or choice fails loudly when this module is imported.
    return Lesson.model_validate_json(json.dumps(spec))
