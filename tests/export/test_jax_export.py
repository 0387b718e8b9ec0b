"""The JAX + optax export replays the engine's run: the same initial weights, shuffles,
minibatches, dropout masks and optimizer, so its losses match the engine's to float32
round-off, not just in trend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.export.cases import CASES, FEW_EPOCHS, engine_outcome, run_script, run_scripts, write

EPOCHS = 20
TOLERANCE = 1e-4


@pytest.mark.parametrize("name", list(CASES))
def test_jax_export_matches_the_engine_at_epoch_20(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    engine = engine_outcome(case, EPOCHS)
    script = run_script(write(case, "jax", tmp_path), EPOCHS)
    assert script.epochs == engine.epochs == EPOCHS
    assert abs(script.train_loss - engine.train_loss) <= TOLERANCE
    assert abs(script.test_loss - engine.test_loss) <= TOLERANCE


def test_jax_export_matches_the_engine_for_every_choice(tmp_path: Path) -> None:
    """Every loss, decay, activation and optimizer the cases above leave out, penalties,
    early stopping and one-point minibatches, over a few epochs (one interpreter runs all)."""
    epochs = 4
    paths = [write(case, "jax", tmp_path / name) for name, case in FEW_EPOCHS.items()]
    scripts = run_scripts(paths, epochs)
    for (name, case), script in zip(FEW_EPOCHS.items(), scripts, strict=True):
        engine = engine_outcome(case, epochs)
        assert abs(script.train_loss - engine.train_loss) <= TOLERANCE, name
        assert abs(script.test_loss - engine.test_loss) <= TOLERANCE, name
