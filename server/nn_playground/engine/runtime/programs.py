"""Compiled programs kept on disk: a restarted server loads each executable straight from
its file, skipping tracing, lowering and the compiler. Used only when
compilation.enable_persistent_cache named a directory (its programs/ folder holds them).
Public API only: jax.jit's lower().compile() and jax.experimental.serialize_executable;
tests/engine/test_programs.py pins what this relies on.

Why not JAX's persistent compilation cache: it finds an executable only after tracing and
lowering the function again to compute its key, a large part of loading a program on the way
to a starting server's first frame; jax.export, which skips tracing, still lowers its module
on every load."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
import time
import weakref
from functools import cache
from pathlib import Path
from typing import Any

import jax
from jax.experimental import serialize_executable

from nn_playground import __version__
from nn_playground.engine.runtime import compilation

log = logging.getLogger(__name__)
_SOURCES = sorted(Path(__file__).parents[1].rglob("*.py"))  # the whole engine
# Any change to the engine's code or to JAX makes a new program.
_CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in _SOURCES) + jax.__version__.encode() + __version__.encode()
).hexdigest()[:16]


def _cache_dir() -> Path | None:
    directory = compilation.cache_dir()
    return directory / "programs" if directory else None


@cache
def _machine() -> str:
    """What a compiled executable depends on besides the code: the backend and its version,
    XLA's flags and, on the CPU, the instruction set it was compiled for (a cache directory
    copied to an older CPU must not load code that CPU cannot run)."""
    backend = jax.devices()[0].client
    cpu_flags = ""
    if backend.platform == "cpu" and os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            cpu_flags = next((line for line in cpuinfo if line.startswith("flags")), "")
    return "|".join(
        (backend.platform, backend.platform_version, os.environ.get("XLA_FLAGS", ""), cpu_flags)
    )


_PROGRAMS: weakref.WeakSet[Program] = weakref.WeakSet()


def _signature(args: tuple[Any, ...]) -> Any:
    """Hashable and cheap: this runs on every frame. A compiled executable takes exactly the
    types it was compiled for, weak or not."""
    leaves, in_tree = jax.tree.flatten(args)
    return (in_tree, tuple((x.shape, x.dtype, getattr(x, "weak_type", False)) for x in leaves))


def loaded_programs() -> int:
    """How many compiled executables this process holds in memory (the /metrics gauge)."""
    return sum(len(program._loaded) for program in list(_PROGRAMS))


class Program:
    """A jitted function whose executables (one per argument signature) are loaded from
    disk when saved there, else compiled and saved."""

    def __init__(self, name: str, function: Any) -> None:
        self.name = name
        self.function = function  # jax.jit(...)
        self._loaded: dict[Any, Any] = {}
        # The warm-up thread and a first session may want the same program at once: one
        # loads it while the other waits (two loads at once take longer than both in turn).
        self._lock = threading.Lock()
        _PROGRAMS.add(self)

    def __call__(self, *args: Any) -> Any:
        directory = _cache_dir()
        if directory is None:
            return self.function(*args)
        return self._executable(directory, args)(*args)

    def prepare(self, *args: Any) -> None:
        """Load (or compile and save) the executable for these arguments without running it:
        warm-up compiles several programs at once this way."""
        directory = _cache_dir()
        if directory is not None:
            self._executable(directory, args)

    def saved(self, *args: Any) -> bool:
        """Whether the executable for these arguments is in memory or on disk already."""
        directory = _cache_dir()
        if directory is None:
            return False
        signature = _signature(args)
        return signature in self._loaded or self._path(directory, repr(signature)).exists()

    def _executable(self, directory: Path, args: tuple[Any, ...]) -> Any:
        signature = _signature(args)
        compiled = self._loaded.get(signature)
        if compiled is None:
            with self._lock:
                compiled = self._loaded.get(signature)
                if compiled is None:
                    compiled = self._load(directory, repr(signature), args)
                    self._loaded[signature] = compiled
        return compiled

    def _path(self, directory: Path, signature: str) -> Path:
        key = hashlib.sha256((_CODE + _machine() + signature).encode()).hexdigest()
        return directory / f"{self.name}-{key[:24]}.program"

    def _load(self, directory: Path, signature: str, args: tuple[Any, ...]) -> Any:
        path = self._path(directory, signature)
        if path.exists():
            try:
                payload, in_tree, out_tree = pickle.loads(path.read_bytes())
                loaded = serialize_executable.deserialize_and_load(payload, in_tree, out_tree)
                compilation.program_loaded()
                return loaded
            except Exception:  # a truncated or foreign file: compile afresh
                log.warning("ignoring unreadable compiled program %s", path)
        started = time.perf_counter()
        compiled = self.function.lower(*args).compile()
        log.info("compiled program %s in %.1f s", self.name, time.perf_counter() - started)
        directory.mkdir(parents=True, exist_ok=True)
        # Named for this process and thread: two servers compiling at once never mix files.
        partial = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.partial")
        partial.write_bytes(pickle.dumps(serialize_executable.serialize(compiled)))
        partial.replace(path)  # atomic: a concurrent reader never sees half a file
        return compiled
