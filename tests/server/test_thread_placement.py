"""Python's threads on one core, XLA's on the others: the rule, a process that applies it,
and a real server that does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from nn_playground.sessions.thread_placement import placement
from tests.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def test_python_keeps_the_first_allowed_core_and_xla_gets_the_rest() -> None:
    assert placement({0, 1}) == ({0}, {1})
    assert placement({2, 5, 7}) == ({2}, {5, 7})


def test_a_single_core_is_left_alone() -> None:
    assert placement({3}) is None


def thread_cores(pid: int) -> dict[int, tuple[str, set[int]]]:
    """Every thread of a process: its name and the cores it may run on."""
    threads = {}
    for name in os.listdir(f"/proc/{pid}/task"):
        thread_id = int(name)
        try:
            with open(f"/proc/{pid}/task/{name}/comm") as comm:
                threads[thread_id] = (comm.read().strip(), os.sched_getaffinity(thread_id))
        except OSError:  # the thread ended meanwhile, as place_threads allows for
            continue
    return threads


# Runs in a process of its own: placing threads must not pin the test runner's.
PLACE_AND_REPORT = """
import json, os, threading
import jax, jax.numpy as jnp
from nn_playground.sessions.thread_placement import place_threads
jax.jit(lambda x: x + 1)(jnp.ones(3)).block_until_ready()
placed = place_threads()
later = {}
worker = threading.Thread(target=lambda: later.update(cores=sorted(os.sched_getaffinity(0))))
worker.start(); worker.join()
def xla_cores(thread):
    try:  # None for a thread that ended meanwhile, as place_threads allows for
        with open(f"/proc/self/task/{thread}/comm") as comm:
            if comm.read().startswith("tf_XLAEigen"):
                return sorted(os.sched_getaffinity(int(thread)))
    except OSError:
        pass
    return None
xla = [cores for t in os.listdir("/proc/self/task") if (cores := xla_cores(t)) is not None]
main = sorted(os.sched_getaffinity(0))
print(json.dumps({"placed": placed, "later": later["cores"], "main": main, "xla": xla}))
"""


def test_place_threads_pins_python_and_xla_apart_and_new_threads_follow() -> None:
    allowed = os.sched_getaffinity(0)
    process = subprocess.Popen(
        [sys.executable, "-c", PLACE_AND_REPORT],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT / "server")},
    )
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    report = json.loads(out.strip().splitlines()[-1])
    if len(allowed) < 2:
        assert report["placed"] is False
        return
    first = min(allowed)
    assert report["placed"] is True
    assert report["main"] == [first]
    assert report["xla"]
    assert all(cores == sorted(allowed - {first}) for cores in report["xla"])
    # A thread started after the placement inherits its starter's core: the Python one.
    assert report["later"] == [first]


def test_a_live_server_runs_xla_apart_from_its_event_loop(live_server: LiveServer) -> None:
    allowed = os.sched_getaffinity(0)
    pid = live_server.process.pid
    # Placed once the warm-up has loaded every program (compiled them, on a cold cache).
    deadline = time.monotonic() + 240
    while not any("threads placed" in line for line in live_server.output):
        if len(allowed) < 2:
            break
        assert time.monotonic() < deadline, "".join(live_server.output)
        time.sleep(0.1)
    threads = thread_cores(pid)
    if len(allowed) < 2:
        assert all(cores == allowed for _, cores in threads.values())
        return
    first = min(allowed)
    event_loop = threads[pid][1]  # the main thread runs the event loop
    assert event_loop == {first}
    xla_pool = [cores for name, cores in threads.values() if name.startswith("tf_XLAEigen")]
    assert xla_pool, threads
    assert all(cores == allowed - {first} for cores in xla_pool)
