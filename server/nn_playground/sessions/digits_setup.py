"""Digits-lab settings (digits_protocol.DigitsSettings) turned into what the engine trains:
the images of the chosen digits and the network's hyperparameters, with the rules that make
partial changes friendly (per-layer lists follow the depth) and the refusals that name the
field at fault."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from nn_playground.digits_protocol import DigitsLoss, DigitsSettings, FirstLayer
from nn_playground.engine import limits
from nn_playground.engine.numerics.data import DataError
from nn_playground.engine.numerics.digits import DigitsData, digits_data
from nn_playground.engine.numerics.image_model import DigitsLoss as EngineLoss
from nn_playground.engine.numerics.image_model import Kind
from nn_playground.engine.numerics.windows import positions_per_side
from nn_playground.sessions.training_setup import SetupError, fit_to_depth

SIDE = limits.DIGITS_SIDE
MAX_DEPTH = limits.DIGITS_MAX_HIDDEN_LAYERS


def depth(settings: DigitsSettings) -> int:
    """Hidden layers: the conv or local one, if any, then the dense ones."""
    return len(settings.hidden) + (settings.first_layer is not FirstLayer.DENSE)


def merged_digits(
    settings: DigitsSettings, change: dict[str, Any], prefix: str = "settings."
) -> DigitsSettings:
    """`settings` with `change` applied and its per-layer lists fitted to the depth; a value
    refused as a whole (digits named twice) raises SetupError at `prefix` + its field."""
    values = settings.model_dump() | change
    # Too deep a network is refused by `check`, with the field named where it is called.
    layers = min(max(len(values["hidden"]) + (values["first_layer"] != "dense"), 1), MAX_DEPTH)
    values["activations"] = fit_to_depth(values["activations"], layers)
    values["dropout"] = fit_to_depth(values["dropout"], layers)
    try:
        return DigitsSettings.model_validate(values, strict=False)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"])
        raise SetupError(prefix + field, first["msg"], first.get("input")) from None


def check(settings: DigitsSettings, prefix: str = "settings.") -> None:
    """Refuse what is in bounds field by field but not as a whole."""
    if depth(settings) > limits.DIGITS_MAX_HIDDEN_LAYERS:
        raise SetupError(
            prefix + "hidden",
            f"at most {limits.DIGITS_MAX_HIDDEN_LAYERS - 1} dense layers after a "
            f"{settings.first_layer} first layer ({limits.DIGITS_MAX_HIDDEN_LAYERS} hidden "
            "layers in all)",
            settings.hidden,
        )
    if settings.loss is DigitsLoss.SIGMOID_CE and len(settings.digits) != 2:
        raise SetupError(
            prefix + "loss",
            "a softmax loss for more than two digits (sigmoid_ce tells two apart)",
            settings.loss.value,
        )


def outputs(settings: DigitsSettings) -> int:
    return 1 if settings.loss is DigitsLoss.SIGMOID_CE else len(settings.digits)


def first_layer_outputs(settings: DigitsSettings) -> int:
    """Units of a conv or local first layer: `filters` at every window position."""
    return positions_per_side(settings.kernel, settings.stride) ** 2 * settings.filters


def layer_names(settings: DigitsSettings) -> list[str]:
    """Each hidden layer as the page lists it."""
    names = [f"dense {units}" for units in settings.hidden]
    if settings.first_layer is FirstLayer.DENSE:
        return names
    side = positions_per_side(settings.kernel, settings.stride)
    k = settings.kernel
    window = f"{k}x{k} stride {settings.stride}, {settings.filters} filters, {side}x{side} windows"
    return [f"{settings.first_layer.value} {window}", *names]


def parameter_count(settings: DigitsSettings) -> int:
    """Trainable weights and biases of the network the settings describe."""
    total, inputs = 0, SIDE * SIDE
    if settings.first_layer is not FirstLayer.DENSE:
        kernel = settings.kernel**2 + 1
        positions = positions_per_side(settings.kernel, settings.stride) ** 2
        shared = settings.first_layer is FirstLayer.CONV
        total += kernel * settings.filters * (1 if shared else positions)
        inputs = first_layer_outputs(settings)
    for units in [*settings.hidden, outputs(settings)]:
        total += (inputs + 1) * units
        inputs = units
    return total


def digits_images(settings: DigitsSettings) -> DigitsData:
    """The chosen digits' images split by the data seed, the training set cut to train_size
    (all of it when the digits have fewer)."""
    digits = tuple(settings.digits)
    try:
        whole = digits_data(digits, None, settings.data_seed)
        available = len(whole.train.labels)
        size = max(min(settings.train_size, available), len(digits))
        data = whole if size == available else digits_data(digits, size, settings.data_seed)
    except DataError as error:
        raise SetupError.of(error, "settings.") from None
    return data


def hyper_arguments(settings: DigitsSettings) -> dict[str, Any]:
    """make_image_hyper's arguments for `settings` (check them first). The engine counts a
    conv or local first layer in `hidden` with an entry it does not read."""
    kind = {FirstLayer.DENSE: Kind.DENSE, FirstLayer.CONV: Kind.CONV, FirstLayer.LOCAL: Kind.LOCAL}
    first = [] if settings.first_layer is FirstLayer.DENSE else [1]
    layers = max(depth(settings), 1)
    return {
        "kind": kind[settings.first_layer],
        "kernel": settings.kernel,
        "stride": settings.stride,
        "filters": settings.filters,
        "hidden": (*first, *settings.hidden),
        "activations": fit_to_depth(settings.activations, layers),
        "classes": len(settings.digits),
        "loss": EngineLoss[settings.loss.name],
        "init": settings.init,
        "optimizer": settings.optimizer,
        "learning_rate": settings.learning_rate,
        "momentum": settings.momentum,
        "beta1": settings.beta1,
        "beta2": settings.beta2,
        "rho": settings.rho,
        "epsilon": settings.epsilon,
        "decay": settings.decay,
        "decay_rate": settings.decay_rate,
        "decay_epochs": float(settings.decay_epochs),
        "batch_size": settings.batch_size,
        "l1": settings.l1,
        "l2": settings.l2,
        "dropout": fit_to_depth(settings.dropout, layers),
        "early_stopping": settings.early_stopping,
        "patience": settings.patience,
        "seed": settings.seed,
    }
