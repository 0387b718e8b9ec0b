"""A full server answers newcomers while it trains: the training workers run at a lower CPU
priority than the event loop that admits and refuses connections (training_pool.py says
why; bench/admission.py measures the busy answer under load)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from nn_playground.sessions.training_pool import WORKER_NICENESS, TrainingPool
from tests.live_server import run_async

MAX_NICENESS = 19


@pytest.mark.skipif(sys.platform != "linux", reason="threads have their own niceness on Linux")
def test_training_workers_run_nicer_than_the_event_loop() -> None:
    pool = TrainingPool(workers=2)

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    async def scenario() -> tuple[int, list[int]]:
        loop_niceness = niceness()
        workers = await asyncio.gather(*(pool.run(niceness) for _ in range(4)))
        return loop_niceness, workers

    try:
        loop_niceness, workers = run_async(scenario())
    finally:
        pool.close()
    assert WORKER_NICENESS > 0
    assert workers == [min(MAX_NICENESS, loop_niceness + WORKER_NICENESS)] * 4
    assert niceness() == loop_niceness  # the caller's own priority is untouched
