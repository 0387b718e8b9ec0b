"""The Keras 3 export (on the JAX backend here) trains the same network on the same data:
Keras shuffles and draws dropout masks its own way, so it lands close to the engine, not on
it: test accuracy within 0.03, or a regression loss within 10%."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.export.cases import CASES, FEW_EPOCHS, engine_outcome, run_script, run_scripts, write

EPOCHS = 20


@pytest.mark.parametrize("name", list(CASES))
def test_keras_export_lands_where_the_engine_does(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    engine = engine_outcome(case, EPOCHS)
    script = run_script(write(case, "keras", tmp_path), EPOCHS)
    assert script.epochs == EPOCHS
    if engine.test_accuracy is None:
        assert script.test_accuracy is None
        assert abs(script.test_loss - engine.test_loss) <= 0.1 * engine.test_loss
    else:
        assert script.test_accuracy is not None
        assert abs(script.test_accuracy - engine.test_accuracy) <= 0.03


def test_keras_export_runs_every_choice(tmp_path: Path) -> None:
    """Every loss, decay, activation and optimizer the cases above leave out, penalties and
    early stopping: each script trains, and a few epochs land near the engine."""
    epochs = 4
    paths = [write(case, "keras", tmp_path / name) for name, case in FEW_EPOCHS.items()]
    scripts = run_scripts(paths, epochs)
    for (name, case), script in zip(FEW_EPOCHS.items(), scripts, strict=True):
        engine = engine_outcome(case, epochs)
        assert abs(script.train_loss - engine.train_loss) <= 0.25 * engine.train_loss, name
