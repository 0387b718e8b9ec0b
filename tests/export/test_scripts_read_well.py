"""Every exported script is valid Python that names nothing it does not define (pyflakes,
through ruff), for every choice the test cases cover, in both formats."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
