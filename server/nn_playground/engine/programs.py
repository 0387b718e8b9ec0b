"""The frame programs, kept on disk as compiled executables: a restarted process loads one
instead of tracing, lowering and compiling it. Loading the exported (lowered) module and
letting the persistent compilation cache skip the compiler took ~3 s for the training
program here, of which re-lowering and cache lookup were ~0.5 s; the executable alone is
what remains. Used only when the persistent cache is enabled (its directory holds them)."""

from __future__ import annotations

import hashlib
import logging
import pickle
import platform
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
from jax.experimental import serialize_executable

from nn_playground import __version__
from nn_playground.engine import compilation

log = logging.getLogger(__name__)
_SOURCES = sorted(Path(__file__).parent.glob("*.py"))


def _cpu_features() -> bytes:
    """An executable compiled for this CPU may use instructions another lacks: a cache
    directory moved to another machine must not load it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return line.encode()
    except OSError:
        pass
    return platform.processor().encode()


# Any change to the engine's code, to JAX or to the CPU makes a new program.
_CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in _SOURCES)
    + jax.__version__.encode()
    + __version__.encode()
    + _cpu_features()
).hexdigest()[:16]


def _cache_dir() -> Path | None:
    directory = compilation.cache_dir()
    return directory / "executables" if directory else None


class Program:
    """A jitted function of arrays (pytrees of them) that, with the persistent cache on,
    loads its compiled executable from disk when one matches, or compiles and saves it."""

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self.name = name
        self.function = function
        self._loaded: dict[Any, Callable[..., Any]] = {}
        # The warm-up thread and a first session may want the same program at once: one
        # loads it while the other waits (two loads at once took longer than both in turn).
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        directory = _cache_dir()
        if directory is None:
            return self.function(*args)
        leaves, in_tree = jax.tree.flatten(args)
        # Hashable and cheap: this runs on every frame.
        signature = (in_tree, tuple((x.shape, x.dtype) for x in leaves))
        if signature not in self._loaded:
            with self._lock:
                if signature not in self._loaded:
                    self._loaded[signature] = self._load(directory, repr(signature), args)
        return self._loaded[signature](*args)

    def _load(self, directory: Path, signature: str, args: Any) -> Callable[..., Any]:
        backend = jax.default_backend() + jax.devices()[0].device_kind
        key = hashlib.sha256((_CODE + backend + signature).encode()).hexdigest()
        path = directory / f"{self.name}-{key[:24]}.executable"
        if path.exists():
            try:
                payload, in_tree, out_tree = pickle.loads(path.read_bytes())
                loaded: Callable[..., Any] = serialize_executable.deserialize_and_load(
                    payload, in_tree, out_tree
                )
                return loaded
            except Exception:  # a truncated or foreign file: compile afresh
                log.warning("ignoring unreadable compiled program %s", path)
        compiled = jax.jit(self.function).lower(*args).compile()
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(serialize_executable.serialize(compiled)))
        partial.replace(path)  # atomic: a concurrent reader never sees half a file
        return compiled
