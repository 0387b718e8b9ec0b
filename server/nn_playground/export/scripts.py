"""An exported script by format: its file name and its text."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from nn_playground.export.jax_script import jax_script
from nn_playground.export.keras_script import keras_script
from nn_playground.export.run import ExportedRun


class Script(NamedTuple):
    filename: str
    code: str


WRITERS: dict[str, Callable[[ExportedRun, str], str]] = {"keras": keras_script, "jax": jax_script}
FORMATS = tuple(WRITERS)


def write_script(format_name: str, run: ExportedRun) -> Script:
    """The script of `run` in `format_name` (one of FORMATS)."""
    filename = f"nn_playground_{run.dataset_name}_{format_name}.py"
    return Script(filename, WRITERS[format_name](run, filename))
