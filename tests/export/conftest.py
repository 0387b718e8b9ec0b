"""Export tests share compiled engine programs through the persistent compilation cache."""

from __future__ import annotations

from nn_playground.engine.runtime.compilation import enable_persistent_cache

enable_persistent_cache()
