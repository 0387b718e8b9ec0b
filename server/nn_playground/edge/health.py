"""Facts about the running process that the health check reports: the JAX backend."""

from __future__ import annotations

from typing import Literal

import jax

Backend = Literal["cpu", "gpu", "tpu"]


def jax_backend() -> Backend:
    """'gpu' when JAX found a CUDA/ROCm device, else 'cpu' (or 'tpu')."""
    name = jax.default_backend()
    if name in ("cuda", "rocm", "gpu"):
        return "gpu"
    if name == "tpu":
        return "tpu"
    return "cpu"
