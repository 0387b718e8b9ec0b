"""Server options: one frozen record built from command-line flags and environment variables
(NN_PLAYGROUND_<NAME>). Imports nothing from the rest of the package but `cores`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from nn_playground.serving.cores import usable_cores

ENV_PREFIX = "NN_PLAYGROUND_"
SAME_ORIGIN = "same-origin"


SESSIONS_PER_CORE = 16


def default_max_sessions() -> int:
    """16 per core this process may use (its affinity and its container's CPU limit, not
    the machine's core count): as many sessions as a core serves at about 10 frames/s each
    on the default network (bench/run.py: sessions_32_fps_median on two cores)."""
    return SESSIONS_PER_CORE * usable_cores()


def parse_workers(text: str) -> int:
    """ "auto": one process per usable core; else a count of at least 1."""
    if text.strip().lower() == "auto":
        return usable_cores()
    count = int(text)
    if count < 1:
        raise ValueError(f"expected 'auto' or at least 1 worker, got {text!r}")
    return count


def split_origins(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    max_sessions: int = field(default_factory=default_max_sessions)
    idle_timeout: float = 600.0  # seconds without a message before a session is closed
    send_timeout: float = 15.0  # seconds a client may leave frames unread before it is closed
    allowed_origins: tuple[str, ...] = (SAME_ORIGIN,)
    max_points: int = 1000  # per dataset; at most the engine's limit
    warm_up_only: bool = False  # compile every training function, then exit
    # Server processes behind HAProxy (workers.py); None: this one process serves alone.
    workers: int | None = None


# How each option is read from its environment variable.
_PARSERS: dict[str, Callable[[str], Any]] = {
    "host": str,
    "port": int,
    "max_sessions": int,
    "idle_timeout": float,
    "send_timeout": float,
    "allowed_origins": split_origins,
    "max_points": int,
    "workers": parse_workers,
}


def options_from_env(env: Mapping[str, str] | None = None) -> ServerOptions:
    """Defaults overridden by NN_PLAYGROUND_HOST, _PORT, _MAX_SESSIONS, _IDLE_TIMEOUT,
    _SEND_TIMEOUT, _ALLOWED_ORIGINS (comma-separated), _MAX_POINTS and _WORKERS when they
    are set."""
    env = os.environ if env is None else env
    changes: dict[str, Any] = {}
    for option in fields(ServerOptions):
        name = ENV_PREFIX + option.name.upper()
        if option.name not in _PARSERS or name not in env:
            continue
        try:
            changes[option.name] = _PARSERS[option.name](env[name])
        except ValueError:
            kind = "an integer" if option.type in (int, "int") else "a number"
            if option.name == "workers":
                kind = "'auto' or a count of at least 1"
            raise ValueError(f"{name} must be {kind}, got {env[name]!r}") from None
    return replace(ServerOptions(), **changes)
