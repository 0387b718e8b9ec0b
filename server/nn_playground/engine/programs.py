"""The frame programs, kept on disk as exported (traced and lowered) modules: a restarted
process then skips tracing and lowering, about 3 s a program here, and the persistent
compilation cache skips compiling. Used only when that cache is enabled."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax

from nn_playground import __version__
from nn_playground.engine import compilation
from nn_playground.engine.frames import Frame

log = logging.getLogger(__name__)
_SOURCES = sorted(Path(__file__).parent.glob("*.py"))
# Any change to the engine's code or to JAX makes a new program.
_CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in _SOURCES) + jax.__version__.encode() + __version__.encode()
).hexdigest()[:16]


def _cache_dir() -> Path | None:
    directory = compilation.cache_dir()
    return directory / "exported" if directory else None


class Program:
    """A jitted frame function (args: state, data, hyper, shared -> state, frame) that
    loads its exported module from disk when one matches, or exports and saves it."""

    def __init__(self, name: str, function: Callable[..., tuple[Any, Frame]]) -> None:
        self.name = name
        self.function = function
        self._loaded: dict[Any, tuple[Callable[..., Any], Any]] = {}
        # The warm-up thread and a first session may want the same program at once: one
        # loads it while the other waits (two loads at once took longer than both in turn).
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> tuple[Any, Frame]:
        directory = _cache_dir()
        if directory is None:
            return self.function(*args)
        leaves, in_tree = jax.tree.flatten(args)
        # Hashable and cheap: this runs on every frame.
        signature = (in_tree, tuple((x.shape, x.dtype) for x in leaves))
        if signature not in self._loaded:
            with self._lock:
                if signature not in self._loaded:
                    self._loaded[signature] = self._load(
                        directory, leaves, in_tree, repr(signature), args
                    )
        call, out_tree = self._loaded[signature]
        result: tuple[Any, Frame] = jax.tree.unflatten(out_tree, call(*leaves))
        return result

    def _load(
        self, directory: Path, leaves: list[Any], in_tree: Any, signature: str, args: Any
    ) -> tuple[Callable[..., Any], Any]:
        key = hashlib.sha256((_CODE + jax.default_backend() + signature).encode()).hexdigest()
        path = directory / f"{self.name}-{key[:24]}.jaxexport"
        # Every output is an array: the state as it came in, then the frame's fields.
        out_tree = jax.tree.structure((args[0], Frame(*range(len(Frame._fields)))))
        exported = None
        if path.exists():
            try:
                exported = jax.export.deserialize(bytearray(path.read_bytes()))
            except Exception:  # a truncated or foreign file: export afresh
                log.warning("ignoring unreadable exported program %s", path)
        if exported is None:

            def flat(*flat_args: Any) -> list[Any]:
                return jax.tree.leaves(self.function(*jax.tree.unflatten(in_tree, flat_args)))

            exported = jax.export.export(jax.jit(flat))(*leaves)
            directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            partial.write_bytes(exported.serialize())
            partial.replace(path)  # atomic: a concurrent reader never sees half a file
        return jax.jit(exported.call), out_tree
