"""The program store (programs.py) and what it relies on in JAX's public API: an executable
compiled by `jit(...).lower(...).compile()` and serialised by jax.experimental.
serialize_executable loads in a new process without tracing, lowering or compiling, and
computes exactly what the jitted function computes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pytest

from nn_playground.engine.config import ModelConfig
from nn_playground.engine.numerics import frames
from nn_playground.engine.numerics.state import DeviceData, shared_settings
from nn_playground.engine.runtime import compilation, runner
from nn_playground.engine.runtime.programs import Program

ROOT = Path(__file__).resolve().parents[2]

# Run twice in new processes with the same store: the first compiles and saves a program,
# the second must load it. Prints the result and the compile events JAX reported.
_PROCESS = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import jax, jax.numpy as jnp
    from nn_playground.engine.runtime import compilation
    from nn_playground.engine.runtime.programs import Program

    events = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, duration, **kwargs: events.append(event)
    )
    compilation.enable_persistent_cache(Path(sys.argv[1]))

    def step(w, x):
        return jnp.tanh(x @ w).sum(axis=0)

    program = Program("pinned", jax.jit(step))
    w = jnp.arange(12.0, dtype=jnp.float32).reshape(3, 4) / 10
    x = jnp.ones((5, 3), jnp.float32)
    before = len(events)
    result = program(w, x)
    compiled = [e for e in events[before:] if e.startswith("/jax/core/compile/")]
    print(json.dumps({"result": [float(v) for v in result], "compile_events": compiled}))
    """
)


def _in_new_process(store: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "server"), str(ROOT)]))
    done = subprocess.run(
        [sys.executable, "-c", _PROCESS, str(store)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reply: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return reply


def test_a_saved_program_loads_in_a_new_process_without_compiling(tmp_path: Path) -> None:
    first = _in_new_process(tmp_path)
    assert first["compile_events"]  # the first process compiled
    assert len(list((tmp_path / "programs").glob("pinned-*.program"))) == 1
    second = _in_new_process(tmp_path)
    assert second["compile_events"] == []  # no trace, no lowering, no compile: a load
    assert second["result"] == first["result"]


def test_jax_persistent_cache_stays_off(tmp_path: Path) -> None:
    """The store must only save fresh compiles: an executable read from JAX's own cache
    re-serialises incompletely (jaxlib 0.10.2)."""
    previous = compilation.cache_dir()
    compilation.enable_persistent_cache(tmp_path)
    try:
        assert compilation.cache_dir() == tmp_path
        assert not jax.config.jax_compilation_cache_dir  # type: ignore[attr-defined]
    finally:
        compilation.enable_persistent_cache(previous)


@pytest.fixture
def programs_dir(tmp_path: Path) -> Iterator[Path]:
    """Saved programs go to a fresh directory for the test."""
    previous = compilation.cache_dir()
    compilation.enable_persistent_cache(tmp_path)
    try:
        yield tmp_path / "programs"
    finally:
        compilation.enable_persistent_cache(previous)


def _draw_args(data: DeviceData) -> tuple[Any, ...]:
    state, hyper = runner.start_model(ModelConfig())
    return (state, data, hyper, shared_settings([hyper], 0))


def test_a_loaded_program_computes_what_the_compiled_one_did(
    circle_data: DeviceData, programs_dir: Path
) -> None:
    args = _draw_args(circle_data)
    first = Program("saved", frames.draw_frame)(*args)
    loaded = Program("saved", frames.draw_frame)(*args)  # a new Program: from the file
    assert len(list(programs_dir.glob("saved-*.program"))) == 1
    for mine, theirs in zip(first, loaded, strict=True):
        assert np.array_equal(np.asarray(mine), np.asarray(theirs))


def test_an_unreadable_saved_program_is_compiled_afresh(
    circle_data: DeviceData, programs_dir: Path
) -> None:
    """A truncated or foreign file where a program should be: compile, replace it, go on."""

    args = _draw_args(circle_data)
    first = Program("probe", frames.draw_frame)(*args)
    (saved,) = programs_dir.glob("probe-*.program")
    saved.write_bytes(b"not a program")
    again = Program("probe", frames.draw_frame)(*args)
    assert np.array_equal(np.asarray(first.outputs), np.asarray(again.outputs))
    assert saved.read_bytes() != b"not a program"
