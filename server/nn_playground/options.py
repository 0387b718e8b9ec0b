"""Server options: one frozen record built from command-line flags and environment variables
(NN_PLAYGROUND_<NAME>). Imports nothing from the rest of the package."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

ENV_PREFIX = "NN_PLAYGROUND_"
SAME_ORIGIN = "same-origin"


def default_max_sessions() -> int:
    """16 per core: a class of 32 on two cores. Measured here (bench/run.py), every session
    then slows evenly, to about 3-6 frames/s each on the default network."""
    return 16 * (os.cpu_count() or 1)


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


# How each option is read from its environment variable.
_PARSERS: dict[str, Callable[[str], Any]] = {
    "host": str,
    "port": int,
    "max_sessions": int,
    "idle_timeout": float,
    "send_timeout": float,
    "allowed_origins": split_origins,
    "max_points": int,
}


def options_from_env(env: Mapping[str, str] | None = None) -> ServerOptions:
    """Defaults overridden by NN_PLAYGROUND_HOST, _PORT, _MAX_SESSIONS, _IDLE_TIMEOUT,
    _SEND_TIMEOUT, _ALLOWED_ORIGINS (comma-separated) and _MAX_POINTS when they are set."""
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
            raise ValueError(f"{name} must be {kind}, got {env[name]!r}") from None
    return replace(ServerOptions(), **changes)
