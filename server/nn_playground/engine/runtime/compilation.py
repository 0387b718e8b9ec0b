"""Compilation: where compiled programs are kept, and a counter of compilations (tests and
benchmarks use it to prove that moving a slider never compiles)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jax

# Tracing a function for new argument types or shapes, lowering it, compiling it: any of
# these after warm-up means a user waited for the compiler.
_COMPILE_EVENTS = (
    "/jax/core/compile/jaxpr_trace_duration",
    "/jax/core/compile/backend_compile_duration",
)
_lock = threading.Lock()
_count = 0
_listening = False
_cache_path: Path | None = None


def _on_event(event: str, duration_secs: float, **kwargs: str | int) -> None:
    global _count
    if event in _COMPILE_EVENTS:
        with _lock:
            _count += 1


def program_loaded() -> None:
    """A compiled program was loaded from disk (programs.py): no trace or compilation, but
    the same wait for a user after warm-up (seconds), so it counts as one."""
    global _count
    with _lock:
        _count += 1


def compilation_count() -> int:
    """How many traces, compilations and program loads this process has done since counting
    began."""
    global _listening
    with _lock:
        if not _listening:
            jax.monitoring.register_event_duration_secs_listener(_on_event)
            _listening = True
        return _count


@contextmanager
def count_compilations() -> Iterator[list[int]]:
    """`with count_compilations() as counted:` ... then `counted[0]` is how many happened."""
    start = compilation_count()
    counted = [0]
    try:
        yield counted
    finally:
        counted[0] = compilation_count() - start


def cache_dir() -> Path | None:
    """The persistent cache this process uses, or None when it was never enabled."""
    return _cache_path


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nn-playground" / "jax"


def enable_persistent_cache(directory: Path | None = None) -> Path:
    """Keep compiled programs on disk (programs.py), so a restarted server skips the compiler.

    JAX's own persistent compilation cache stays off: the program store holds every program
    a session runs, and an executable JAX reads from its cache re-serialises incompletely
    (jaxlib 0.10.2: the saved copy fails with "Function ... not found" when it runs), so the
    store must only ever save fresh compiles."""
    path = directory or Path(os.environ.get("NN_PLAYGROUND_CACHE_DIR") or default_cache_dir())
    path.mkdir(parents=True, exist_ok=True)
    global _cache_path
    _cache_path = path
    return path
