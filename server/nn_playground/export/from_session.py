"""An `export` request of a live session answered: which model, its data described as the page
shows it, and the script as a `code` message. Reads the experiment, changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nn_playground.engine.config import DatasetName, Problem
from nn_playground.export.run import exported_run
from nn_playground.export.scripts import write_script
from nn_playground.protocol import Code, Export, Settings
from nn_playground.sessions.training_setup import SetupError

if TYPE_CHECKING:  # the experiment asks for these answers (experiment.request)
    from nn_playground.sessions.experiment import Experiment


def dataset_detail(settings: Settings, problem: Problem) -> str:
    """How the session's data was made, for the script's header."""
    if settings.dataset is DatasetName.CUSTOM:
        return f"points the user gave, split with data seed {settings.data_seed}"
    classes = f", {settings.n_classes} classes" if problem is Problem.MULTICLASS else ""
    return (
        f"{settings.n_points} points, noise {settings.noise:g}{classes}, "
        f"data seed {settings.data_seed}"
    )


def code_request(experiment: Experiment, request: Export) -> Callable[[], Code]:
    """The work of answering `request` (to run on a worker: it computes the initial weights),
    from what the experiment holds now. Raises SetupError for a model it does not have."""
    count = len(experiment.models)
    if request.model >= count:
        expected = "0 (one model)" if count == 1 else f"0 to {count - 1} (models compared)"
        raise SetupError("model", expected, request.model)
    chosen = experiment.models[request.model]
    config, dataset, settings = chosen.config, experiment.dataset, experiment.settings
    epochs = chosen.progress.epoch
    detail = dataset_detail(settings, dataset.problem)

    def write() -> Code:
        run = exported_run(config, dataset, settings.dataset.value, detail, epochs)
        script = write_script(request.format, run)
        return Code(
            format=request.format, model=request.model, filename=script.filename, code=script.code
        )

    return write
