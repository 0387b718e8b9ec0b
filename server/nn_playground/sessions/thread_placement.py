"""Which cores the server's threads run on, on a CPU-only Linux host with two or more cores:
the threads Python started (the event loop, the training workers) share the first core the
process may use; the threads it did not start, XLA's own (the pool that runs each call's
kernels and the threads that dispatch calls), get the others.

Why: XLA splits every call across its thread pool. A frame is a few milliseconds of small
kernels, too short for the split to pay, and with both pools spread over every core each
frame's kernels hop between cores that the event loop and the workers keep busy. The Python
threads need about one core together, since they take turns holding the GIL. Placed, the
sessions of a full server get more frames per second and XLA spends less CPU per frame
(compared by switching the placement on and off within one run of bench/run.py's load).

A thread inherits the cores of the thread that starts it, so the training workers, started
later from the event loop, land on the Python core by themselves."""

from __future__ import annotations

import logging
import os
import sys
import threading

from nn_playground.edge.health import jax_backend
from nn_playground.serving.cores import cgroup_quota

log = logging.getLogger(__name__)

TASKS = "/proc/self/task"


def placement(allowed: set[int]) -> tuple[set[int], set[int]] | None:
    """(cores for Python's threads, cores for XLA's), or None to leave every thread alone."""
    if len(allowed) < 2:
        return None
    first = min(allowed)
    return {first}, allowed - {first}


def place_threads() -> bool:
    """Pin every thread of this process as `placement` says, once XLA has started its
    threads (after the first call); False where it does not apply (not Linux, a GPU or TPU
    backend, one core, or a CPU quota smaller than the cores it may run on). Call it from a
    thread that may still run on every core."""
    if sys.platform != "linux" or jax_backend() != "cpu" or not os.path.isdir(TASKS):
        return False
    allowed = os.sched_getaffinity(0)
    quota = cgroup_quota()
    if quota is not None and quota < len(allowed):
        # A container limited to fewer CPUs than it sees (Docker's `cpus`, a pod's limit)
        # gets time on any core, not cores of its own: every replica would pin its Python
        # threads to the same first core.
        return False
    cores = placement(allowed)
    if cores is None:
        return False
    python_cores, xla_cores = cores
    started_by_python = {thread.native_id for thread in threading.enumerate()}
    for name in os.listdir(TASKS):
        thread_id = int(name)
        try:
            os.sched_setaffinity(
                thread_id, python_cores if thread_id in started_by_python else xla_cores
            )
        except OSError:  # the thread ended meanwhile
            continue
    log.info(
        "threads placed: Python's on core %s, XLA's on cores %s",
        ",".join(map(str, sorted(python_cores))),
        ",".join(map(str, sorted(xla_cores))),
    )
    return True
