"""What a digits export reproduces: one model's settings, its images split as the session split
them, and its epoch-0 weights cut from the engine's padded layout (image_model.Params) down to
the network the settings describe."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn_playground.digits_protocol import DigitsSettings, FirstLayer
from nn_playground.engine.config import Activation
from nn_playground.engine.numerics import image_model as padded
from nn_playground.engine.numerics.digits import DigitsData
from nn_playground.engine.numerics.image_hyper import make_image_hyper
from nn_playground.engine.numerics.image_model import Params
from nn_playground.engine.numerics.windows import positions_per_side
from nn_playground.engine.runtime.digits_runner import start_digits_model
from nn_playground.engine.runtime.runner import committed
from nn_playground.export.run import DEFAULT_EPOCHS
from nn_playground.sessions.digits_setup import hyper_arguments, outputs

Layer = tuple[np.ndarray, np.ndarray]  # (weights, biases), float32


@dataclass(frozen=True, eq=False)
class DigitsRun:
    settings: DigitsSettings
    data: DigitsData
    model: int  # the model's index (compare mode)
    # Epoch-0 (weights, biases) per layer, output last. Dense: (inputs, units), (units,);
    # conv: (k*k, filters), (filters,); local: (positions, k*k, filters), (positions, filters).
    # A conv or local layer's outputs are flattened position-major (position * filters + f).
    layers: list[Layer]
    activations: list[Activation]  # per hidden layer, the conv or local one first
    dropout: list[float]  # rate per hidden layer
    epochs: int  # epochs the script trains unless told otherwise

    @property
    def outputs(self) -> int:
        return outputs(self.settings)

    @property
    def windowed(self) -> bool:
        """Whether the first hidden layer is a conv or local one."""
        return self.settings.first_layer is not FirstLayer.DENSE

    @property
    def positions(self) -> int:
        """Windows of a conv or local first layer (positions_per_side squared)."""
        return positions_per_side(self.settings.kernel, self.settings.stride) ** 2

    @property
    def hidden_widths(self) -> list[int]:
        """Units of every hidden layer (a conv or local one: positions * filters)."""
        dense = [len(biases) for _, biases in self.layers[int(self.windowed) : -1]]
        return [self.positions * self.settings.filters, *dense] if self.windowed else dense


def exact_layers(params: Params, settings: DigitsSettings) -> list[Layer]:
    """The configured network's parameters out of the padded ones: rows are a matrix's inputs
    and its last row the biases (image_model's layout), so keep the rows of the inputs in use
    and the columns of the units in use."""
    p = {
        name: np.asarray(array, np.float32)
        for name, array in zip(Params._fields, params, strict=True)
    }
    hidden, classes = list(settings.hidden), outputs(settings)
    layers: list[Layer] = []
    if settings.first_layer is FirstLayer.DENSE:
        inputs = np.arange(padded.PIXELS)
        reads = [p["first_dense"], p["next_dense"], p["third"]][: len(hidden)]
        last = p["out_dense"] if hidden else p["out_pixels"]
    else:
        kernel, filters = settings.kernel, settings.filters
        positions = positions_per_side(kernel, settings.stride) ** 2
        # The k x k kernel sits at the top left of a PATCH x PATCH square of slots.
        slots = (np.arange(kernel)[:, None] * padded.PATCH + np.arange(kernel)).ravel()
        if settings.first_layer is FirstLayer.CONV:
            layers.append((p["conv"][slots][:, :filters], p["conv"][padded.WINDOW, :filters]))
        else:
            local = p["local"][:positions]
            layers.append((local[:, slots, :filters], local[:, padded.WINDOW, :filters]))
        inputs = (np.arange(positions)[:, None] * padded.FILTERS + np.arange(filters)).ravel()
        reads = [p["next_flat"], p["third"]][: len(hidden)]
        last = p["out_dense"] if hidden else p["out_flat"]
    for matrix, width in zip(reads, hidden, strict=True):
        layers.append((matrix[inputs][:, :width], matrix[-1, :width]))
        inputs = np.arange(width)
    layers.append((last[inputs][:, :classes], last[-1, :classes]))
    return [(np.ascontiguousarray(w), np.ascontiguousarray(b)) for w, b in layers]


def digits_run(settings: DigitsSettings, data: DigitsData, model: int, epochs: int) -> DigitsRun:
    """The run as the engine starts it: the same settings give the same weights (the program
    that draws them is the one every digits session already compiled)."""
    arguments = hyper_arguments(settings)
    state = start_digits_model(committed(make_image_hyper(**arguments)))
    return DigitsRun(
        settings=settings,
        data=data,
        model=model,
        layers=exact_layers(state.params, settings),
        activations=list(arguments["activations"])[: len(arguments["hidden"])],
        dropout=[float(rate) for rate in arguments["dropout"]][: len(arguments["hidden"])],
        epochs=epochs if epochs > 0 else DEFAULT_EPOCHS,
    )
