"""Every exported script is valid Python that names nothing it does not define (pyflakes,
through ruff), for every choice the test cases cover, in both formats; and a script reads
its inputs as the engine does."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.numerics.export import feature_matrix
from tests.export.cases import CASES, FEW_EPOCHS, write


def test_every_exported_script_is_clean_python(tmp_path: Path) -> None:
    paths = [
        write(case, format_name, tmp_path / f"{name}_{format_name}")
        for name, case in {**CASES, **FEW_EPOCHS}.items()
        for format_name in ("jax", "keras")
    ]
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "--no-cache", "--isolated", "--select", "F,E9", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_scripts_features_are_the_engines(tmp_path: Path) -> None:
    """`features()` of a script computes every input feature as the engine does."""
    every = tuple(limits.FEATURE_NAMES)
    case = CASES["binary_extra_features"]
    config = dataclasses.replace(case.config, features=every[::-1])
    code = write(dataclasses.replace(case, config=config), "jax", tmp_path).read_text()
    namespace: dict[str, Any] = {"np": np}
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef) and node.name == "features":
            exec(ast.unparse(node), namespace)
    points = case.data().train
    rows = np.column_stack([points.x, points.labels]).astype(np.float32)
    expected = feature_matrix(points.x, config)
    np.testing.assert_allclose(namespace["features"](rows), expected, rtol=1e-6, atol=1e-7)
