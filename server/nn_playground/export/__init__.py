"""Exported code: Python scripts (JAX + optax, Keras 3) that train what a session trains, on
its data, from its initial weights. The writers import the engine alone; `from_session`
answers the wire's `export` message (session.py imports it from there), `digits_session`
the digits lab's (digits_experiment.py imports it)."""

from nn_playground.export.run import ExportedRun, exported_run
from nn_playground.export.scripts import FORMATS, Script, write_script

__all__ = ["FORMATS", "ExportedRun", "Script", "exported_run", "write_script"]
