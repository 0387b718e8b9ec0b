"""The worker threads every session's training runs on, so the event loop never blocks. One
worker per core and a first-in-first-out queue: each session has at most one frame queued,
so under overload every session waits its turn and all slow down evenly."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class TrainingPool:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="training")

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` on a worker; JAX releases the GIL while it computes."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
