"""An `export` request of a digits session answered: which model, and its script (JAX + optax
or Keras 3) as a `code` message. Reads the experiment, changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nn_playground.export.digits_jax import digits_jax_script
from nn_playground.export.digits_keras import digits_keras_script
from nn_playground.export.digits_run import DigitsRun, digits_run
from nn_playground.protocol import Code, Export
from nn_playground.sessions.training_setup import SetupError

if TYPE_CHECKING:  # the experiment asks for these answers (experiment.request)
    from nn_playground.sessions.digits_experiment import DigitsExperiment

WRITERS: dict[str, Callable[[DigitsRun, str], str]] = {
    "jax": digits_jax_script,
    "keras": digits_keras_script,
}


def digits_filename(format_name: str) -> str:
    return f"nn_playground_digits_{format_name}.py"


def digits_code_request(experiment: DigitsExperiment, request: Export) -> Callable[[], Code]:
    """The work of answering `request` (to run on a worker: it draws the initial weights),
    from what the experiment holds now. Raises SetupError for a model it does not have."""
    count = len(experiment.models)
    if request.model >= count:
        expected = "0 (one model)" if count == 1 else f"0 to {count - 1} (models compared)"
        raise SetupError("model", expected, request.model)
    chosen = experiment.models[request.model]
    settings, data, epochs = chosen.settings, experiment.images, chosen.epoch

    def write() -> Code:
        run = digits_run(settings, data, request.model, epochs)
        filename = digits_filename(request.format)
        code = WRITERS[request.format](run, filename)
        return Code(format=request.format, model=request.model, filename=filename, code=code)

    return write
