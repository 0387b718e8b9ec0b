"""The worker threads every session's training runs on, so the event loop never blocks. One
worker more than there are cores, and a first-in-first-out queue: each session has at most
one frame queued, so under overload every session waits its turn and all slow down evenly.

The extra worker: part of each frame is Python (dispatching the call, copying results out)
that holds the GIL while no core computes; with one worker per core a core then idles.

The workers run at a lower CPU priority than the event loop (Linux: niceness is per thread).
They share the GIL, and on a CPU host one core (thread_placement.py), with the loop; at equal
priority a worker that drops the GIL often takes it straight back before the woken loop runs,
and uvloop takes the GIL anew for every socket event: a full server then answers a burst of
refused connections slowly (bench/run.py: busy_close_ms_p95; bench/admission.py compares
builds). At the lowest priority (+19) the loop answers soonest, at the same frames per
second. The price: on a machine shared with other busy programs, those take the core from
the training first, and frames slow down before they do; a server meant for a class has its
cores to itself. Threads a worker starts inherit its priority: in the server XLA's threads
are started first, by the warm-up thread (cli.py)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

WORKER_NICENESS = 19  # added to the niceness a worker starts with: the event loop comes first


def lower_this_threads_priority(niceness: int) -> bool:
    """Make the calling thread `niceness` nicer than it is; False where threads have no
    priority of their own (not Linux) or it cannot be changed."""
    if sys.platform != "linux":  # elsewhere setpriority(PRIO_PROCESS) takes a process id
        return False
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + niceness)
    except OSError:
        return False
    return True


class TrainingPool:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or (os.cpu_count() or 1) + 1
        # The queue length is what was submitted less what workers started. Each count has a
        # single writer (the event loop; each worker its own tally), so neither needs a lock.
        self._submitted = 0
        self._started: list[list[int]] = []  # one [count] per worker
        self._worker = threading.local()
        self._executor = ThreadPoolExecutor(
            self.workers, thread_name_prefix="training", initializer=self._add_worker
        )

    def _add_worker(self) -> None:
        lower_this_threads_priority(WORKER_NICENESS)
        tally = [0]
        self._worker.started = tally
        self._started.append(tally)

    def _start(self, work: Callable[[], T]) -> T:
        self._worker.started[0] += 1
        return work()

    @property
    def queued(self) -> int:
        """Work submitted that no worker has started yet (read at any time, from any thread;
        it may lag a start by a moment)."""
        return max(0, self._submitted - sum(tally[0] for tally in list(self._started)))

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` on a worker; JAX releases the GIL while it computes. Call it from the
        event loop's thread."""
        future = self._executor.submit(self._start, work)
        self._submitted += 1
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            if future.cancel():  # it had not started, and now never will
                self._submitted -= 1
            raise

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
