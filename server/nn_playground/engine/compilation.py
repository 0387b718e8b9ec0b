"""Compilation: the persistent cache, a counter of compilations (tests and benchmarks use it
to prove that moving a slider never compiles) and the warm-up that compiles everything once
before a server accepts connections."""

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
    """Keep compiled programs on disk, so a restarted server skips the compiler.

    Every program is cached however fast it compiled (the defaults skip quick ones).
    """
    path = directory or Path(os.environ.get("NN_PLAYGROUND_CACHE_DIR") or default_cache_dir())
    path.mkdir(parents=True, exist_ok=True)
    global _cache_path
    _cache_path = path
    update = jax.config.update  # untyped in jax's stubs
    update("jax_compilation_cache_dir", str(path))  # type: ignore[no-untyped-call]
    update("jax_persistent_cache_min_compile_time_secs", 0.0)  # type: ignore[no-untyped-call]
    update("jax_persistent_cache_min_entry_size_bytes", -1)  # type: ignore[no-untyped-call]
    return path
