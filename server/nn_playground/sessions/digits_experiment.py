"""What one digits-lab session trains (a Lab, see lab.py): its settings, the chosen digits'
images and its model (or the 2-8 models of compare mode), the rules for what each change
keeps, and the answers to a drawn digit and an export. No I/O and no asyncio.

As in experiment.py, a change that replaces the weights bumps `generation`, and a frame
computed from an older generation is dropped on commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import jax
import numpy as np

from nn_playground.digits_protocol import (
    DIGITS_CLIENT_MESSAGE,
    DIGITS_REGENERATE,
    DIGITS_REINITIALISE,
    SHOWN,
    DigitsApplied,
    DigitsCompare,
    DigitsConfigure,
    DigitsLimits,
    DigitsLoss,
    DigitsModelSettings,
    DigitsReady,
    DigitsSettings,
    Predict,
    Prediction,
    ShownDigits,
)
from nn_playground.engine.numerics.digits import DigitsData
from nn_playground.engine.numerics.drawn_digit import digit_from_drawing
from nn_playground.engine.numerics.image_frame import ImageFrame
from nn_playground.engine.numerics.image_hyper import ImageHyper, make_image_hyper
from nn_playground.engine.numerics.image_train import ImageState, image_data
from nn_playground.engine.runtime.digits_runner import (
    predict_image,
    run_digits_frames,
    start_digits_model,
)
from nn_playground.engine.runtime.runner import committed
from nn_playground.export.digits_session import digits_code_request
from nn_playground.protocol import Export, Regenerate, Reset, SessionState, Strict
from nn_playground.sessions.digits_setup import (
    check,
    digits_images,
    hyper_arguments,
    layer_names,
    merged_digits,
    outputs,
    parameter_count,
)
from nn_playground.sessions.digits_wire import DigitsTrained, encode_digits_frame
from nn_playground.sessions.training_setup import SetupError


@dataclass
class DigitsModel:
    settings: DigitsSettings  # the model's whole settings (compare mode: its variant's)
    hyper: ImageHyper  # committed to the device
    state: ImageState
    epoch: int = 0
    step: int = 0
    diverged: bool = False
    stopped_early: bool = False  # halts training only while its settings have early_stopping


class DigitsResult(NamedTuple):
    states: list[ImageState]  # on the device
    frames: list[ImageFrame]  # on the host


@dataclass(frozen=True)
class DigitsSnapshot:
    generation: int
    states: list[ImageState]
    hypers: list[ImageHyper]
    data: Any  # image_train.ImageData, committed

    def run(self, epochs: int, steps: int) -> DigitsResult:
        """`steps` is not used: the digits lab trains whole epochs."""
        return DigitsResult(*run_digits_frames(self.states, self.data, self.hypers, epochs))


def _hyper(settings: DigitsSettings) -> ImageHyper:
    return committed(make_image_hyper(**hyper_arguments(settings)))


class DigitsExperiment:
    def __init__(self, settings: DigitsSettings | None = None) -> None:
        self.settings = settings or DigitsSettings()
        check(self.settings)
        self.compare: list[dict[str, Any]] = []
        self.generation = 0
        self.data_due = True
        self.images = digits_images(self.settings)  # the chosen digits' split
        self.data = committed(image_data(self.images))
        self.models: list[DigitsModel] = []
        self._start_models()

    # --- building -----------------------------------------------------------------------------

    def _variants(
        self, settings: DigitsSettings, compare: Sequence[dict[str, Any]]
    ) -> list[DigitsSettings]:
        """Every model's whole settings; raises SetupError naming a refused field."""
        check(settings)
        variants = []
        for index, change in enumerate(compare):
            variant = merged_digits(settings, change, f"models.{index}.")
            check(variant, f"models.{index}.")
            variants.append(variant)
        return variants or [settings]

    def _start_models(self) -> None:
        self.models = []
        for variant in self._variants(self.settings, self.compare):
            hyper = _hyper(variant)
            self.models.append(DigitsModel(variant, hyper, start_digits_model(hyper)))
        self.generation += 1

    def _replace_images(self, images: DigitsData) -> None:
        self.images = images
        self.data = committed(image_data(images))
        self.data_due = True

    # --- messages (see lab.py) ----------------------------------------------------------------

    def parse(self, text: str) -> Any:
        return DIGITS_CLIENT_MESSAGE.validate_json(text)

    def ready(self, version: str, epochs_per_frame: int) -> DigitsReady:
        return DigitsReady(
            version=version,
            limits=DigitsLimits(),
            settings=self.settings,
            epochs_per_frame=epochs_per_frame,
            models=self._model_settings(),
        )

    def apply(self, message: Any) -> None:
        if isinstance(message, DigitsConfigure):
            self.change(message.settings.given())
        elif isinstance(message, Reset):
            if message.seed is not None:
                self.settings = self.settings.model_copy(update={"seed": message.seed})
            self._start_models()
        elif isinstance(message, Regenerate):
            self.regenerate(message.data_seed)
        elif isinstance(message, DigitsCompare):
            self.set_compare([change.given() for change in message.models])

    def request(self, message: Any) -> Callable[[], Strict] | None:
        if isinstance(message, Predict):
            return self.prediction(message)
        if isinstance(message, Export):
            return digits_code_request(self, message)
        return None

    # --- changes (each validates everything before it changes anything) ----------------------

    def change(self, sent: dict[str, Any]) -> None:
        """Apply the settings sent; a setting sent with the value in effect changes nothing."""
        current = self.settings.model_dump()
        change = {name: value for name, value in sent.items() if current[name] != value}
        if not change:
            return
        settings = merged_digits(self.settings, change)
        if settings == self.settings:
            return
        variants = self._variants(settings, self.compare)
        new_images = bool(DIGITS_REGENERATE & change.keys())
        images = digits_images(settings) if new_images else self.images
        self.settings = settings
        if new_images:
            self._replace_images(images)
        if new_images or DIGITS_REINITIALISE & change.keys():
            self._start_models()
            return
        false = cast(jax.Array, np.bool_(False))
        for model, variant in zip(self.models, variants, strict=True):
            model.settings, model.hyper = variant, _hyper(variant)
            # A lower learning rate carries on from the last good weights, and a longer
            # patience from the best ones (as the 2-D lab's Experiment.change).
            model.state = committed(model.state._replace(diverged=false, stopped_early=false))
            model.diverged = model.stopped_early = False

    def regenerate(self, data_seed: int | None) -> None:
        chosen = (self.settings.data_seed + 1) % 2**31 if data_seed is None else data_seed
        settings = self.settings.model_copy(update={"data_seed": chosen})
        self._replace_images(digits_images(settings))
        self.settings = settings
        self._start_models()

    def set_compare(self, changes: Sequence[dict[str, Any]]) -> None:
        """Train these variants of the settings together; none leaves compare mode."""
        if len(changes) == 1:
            raise SetupError("models", "none (to stop comparing) or 2 to 8 models", 1)
        for index, change in enumerate(changes):
            for field in sorted(DIGITS_REGENERATE & change.keys()):
                raise SetupError(
                    f"models.{index}.{field}",
                    "a model setting (compared models share the images)",
                    change[field],
                )
        self._variants(self.settings, changes)
        self.compare = [dict(change) for change in changes]
        self._start_models()

    # --- answers ------------------------------------------------------------------------------

    def prediction(self, request: Predict) -> Callable[[], Prediction]:
        """The work of answering a drawn digit (on a worker), with the weights of now."""
        if len(request.pixels) != request.side**2:
            raise SetupError(
                "pixels", f"{request.side**2} grey levels (side²)", len(request.pixels)
            )
        drawing = np.asarray(request.pixels, np.float32).reshape(request.side, request.side)
        states = [model.state for model in self.models]
        hypers = [model.hyper for model in self.models]
        digits = list(self.images.classes)

        def answer() -> Prediction:
            image = digit_from_drawing(drawing / np.float32(255))
            found = predict_image(states, hypers, image)
            return Prediction(
                image=[int(v) for v in image.ravel()],
                digits=digits,
                probabilities=[[round(float(p), 5) for p in row[: len(digits)]] for row in found],
            )

        return answer

    def _model_settings(self) -> list[DigitsModelSettings]:
        return [
            DigitsModelSettings(
                settings=model.settings,
                layers=layer_names(model.settings),
                outputs=outputs(model.settings),
                output_activation="sigmoid"
                if model.settings.loss is DigitsLoss.SIGMOID_CE
                else "softmax",
                parameters=parameter_count(model.settings),
            )
            for model in self.models
        ]

    def applied(self, revision: int, epochs_per_frame: int) -> DigitsApplied:
        return DigitsApplied(
            revision=revision,
            settings=self.settings,
            compare=[dict(change) for change in self.compare],
            models=self._model_settings(),
            epochs_per_frame=epochs_per_frame,
            train_images=len(self.images.train.labels),
            test_images=len(self.images.test.labels),
        )

    def data_message(self) -> ShownDigits:
        test = self.images.test
        self.data_due = False
        return ShownDigits(
            digits=list(self.images.classes),
            labels=[int(d) for d in test.digits[:SHOWN]],
            images=[[int(v) for v in image.ravel()] for image in test.images[:SHOWN]],
            train_images=len(self.images.train.labels),
            test_images=len(test.labels),
        )

    # --- training -----------------------------------------------------------------------------

    def snapshot(self) -> DigitsSnapshot:
        return DigitsSnapshot(
            generation=self.generation,
            states=[model.state for model in self.models],
            hypers=[model.hyper for model in self.models],
            data=self.data,
        )

    def commit(self, generation: int, result: DigitsResult) -> bool:
        if generation != self.generation:
            return False
        for model, state, frame in zip(self.models, result.states, result.frames, strict=True):
            model.state = state
            model.epoch, model.diverged = int(frame.epoch), bool(frame.diverged)
            model.stopped_early = bool(frame.stopped_early)
            model.step = int(state.step)
        return True

    def encode_frame(
        self, number: int, revision: int, state: SessionState, result: DigitsResult
    ) -> bytes:
        shown = min(SHOWN, len(self.images.test.labels))
        trained = [
            DigitsTrained(frame, model.step, model.settings, shown)
            for frame, model in zip(result.frames, self.models, strict=True)
        ]
        return encode_digits_frame(number, revision, state, trained)

    @property
    def epoch(self) -> int:
        return max(model.epoch for model in self.models)

    @property
    def trained(self) -> bool:
        return any(model.step for model in self.models)

    def halted(self) -> tuple[bool, bool]:
        """(every model diverged or stopped early, some model diverged)."""
        diverged = [model.diverged for model in self.models]
        stopped = [model.stopped_early and model.settings.early_stopping for model in self.models]
        every = all(d or s for d, s in zip(diverged, stopped, strict=True))
        return every, any(diverged)

    def divergence(self) -> str:
        model = next(model for model in self.models if model.diverged)
        where = f"at epoch {model.epoch + 1}"
        if model.settings.loss is DigitsLoss.SOFTMAX_CE_NAIVE:
            return (
                f"the loss became infinite {where}: the naive cross-entropy takes the log of a "
                "softmax probability, which rounds to 0 once one logit is far above the "
                "others (log 0 is minus infinity). Computed from the logits (softmax_ce) "
                "the same loss stays finite. The last good weights are kept."
            )
        return (
            f"the loss or the weights became infinite or NaN {where}: the learning rate is "
            "too large for this problem. The last good weights are kept: lower the learning "
            "rate to carry on, or reset."
        )
