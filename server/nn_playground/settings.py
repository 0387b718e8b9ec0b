"""Server settings: one frozen record built from command-line flags and environment variables.
Imports nothing from the rest of the package."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

ENV_PREFIX = "NN_PLAYGROUND_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    warm_up_only: bool = False  # compile every training function, then exit


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Defaults overridden by NN_PLAYGROUND_HOST / NN_PLAYGROUND_PORT when they are set."""
    env = os.environ if env is None else env
    defaults = Settings()
    raw_port = env.get(ENV_PREFIX + "PORT")
    try:
        port = defaults.port if raw_port is None else int(raw_port)
    except ValueError:
        raise ValueError(
            f"{ENV_PREFIX}PORT must be an integer port number, got {raw_port!r}"
        ) from None
    return Settings(host=env.get(ENV_PREFIX + "HOST", defaults.host), port=port)
