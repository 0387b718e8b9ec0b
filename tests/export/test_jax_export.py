"""The JAX + optax export replays the engine's run: the same initial weights, shuffles,
minibatches, dropout masks and optimizer, so its losses match the engine's to float32
round-off, not just in trend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.export.cases import CASES, FEW_EPOCHS, engine_outcome, run_script, write

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


@pytest.mark.parametrize("name", list(FEW_EPOCHS))
def test_jax_export_matches_the_engine_for_every_choice(name: str, tmp_path: Path) -> None:
    case = FEW_EPOCHS[name]
    epochs = 4
    engine = engine_outcome(case, epochs)
    script = run_script(write(case, "jax", tmp_path), epochs)
    assert abs(script.train_loss - engine.train_loss) <= TOLERANCE
    assert abs(script.test_loss - engine.test_loss) <= TOLERANCE
