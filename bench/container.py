"""Container benchmark: how soon `docker run` of the server image answers with a first frame on
a machine that has run it before.

"Run it before" means the documented compile-cache volume (README, "Docker"; compose.yaml) is
filled: a `--warm-up` container writes every program into a named volume, and each measured
`docker run --rm -v VOLUME:/var/cache/nn-playground -p PORT:8000 IMAGE` loads them instead of
compiling. The time runs from starting `docker run` to the first frame of a websocket client
that connects as soon as it can (a new session draws its untrained model unasked). Three
starts; the median is `container_first_frame_s` (target 10 s).

Needs a Docker engine (DOCKER_HOST is honoured) and the image: NN_PLAYGROUND_BENCH_IMAGE,
default `nn-playground:latest`, built from this checkout (`docker build -t nn-playground .`;
without Docker Hub see README, "Docker"). Where either is missing the figure is reported as not
measured, with the reason.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from bench.server import Server, _first_frame
from tests.live_server import free_port, stop_process

Figures = dict[str, float]
Log = Callable[[str], None]

IMAGE = os.environ.get("NN_PLAYGROUND_BENCH_IMAGE", "nn-playground:latest")
CACHE_IN_IMAGE = "/var/cache/nn-playground"  # the Dockerfile's NN_PLAYGROUND_CACHE_DIR
WARM_UP_TIMEOUT_S = 900.0
START_TIMEOUT_S = 120.0
STARTS = 3


class NotMeasuredError(Exception):
    """The figures of a group cannot be measured here; the message says why."""


def _docker(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def check_docker() -> None:
    """Raise NotMeasuredError unless a Docker engine answers and IMAGE exists."""
    if shutil.which("docker") is None:
        raise NotMeasuredError("no docker command")
    if _docker("info", "--format", "{{.ServerVersion}}").returncode != 0:
        raise NotMeasuredError("no Docker engine answers (set DOCKER_HOST, or start dockerd)")
    if _docker("image", "inspect", IMAGE).returncode != 0:
        raise NotMeasuredError(f"no image {IMAGE}: build it with `docker build -t {IMAGE} .`")


@contextmanager
def cache_volume() -> Iterator[str]:
    """A new named volume, removed afterwards."""
    name = f"nn-playground-bench-{uuid.uuid4().hex[:8]}"
    created = _docker("volume", "create", name)
    if created.returncode != 0:
        raise RuntimeError(f"docker volume create failed: {created.stderr}")
    try:
        yield name
    finally:
        _docker("volume", "rm", "-f", name)


def warm_up(volume: str) -> float:
    """Fill `volume` the way compose.yaml's warm-up service does; its seconds."""
    started = time.perf_counter()
    result = _docker(
        "run",
        "--rm",
        "-v",
        f"{volume}:{CACHE_IN_IMAGE}",
        IMAGE,
        "nn-playground",
        "--warm-up",
        timeout=WARM_UP_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the warm-up container failed:\n{result.stderr[-4000:]}")
    return time.perf_counter() - started


@contextmanager
def running_container(volume: str) -> Iterator[Server]:
    """`docker run --rm` of IMAGE with the cache volume, in the foreground so that its
    process stands for the container; removed on exit."""
    name = f"nn-playground-bench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    command = [
        "docker",
        "run",
        "--rm",
        "--name",
        name,
        "-v",
        f"{volume}:{CACHE_IN_IMAGE}",
        "-p",
        f"127.0.0.1:{port}:8000",
        IMAGE,
    ]
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield Server(process, port, started, output)
        finally:
            stop_process(process)
            _docker("rm", "-f", name)


def measure(quick: bool = False, log: Log = print) -> Figures:
    """`container_first_frame_s`; raises NotMeasuredError where Docker or the image is missing."""
    check_docker()
    starts = 1 if quick else STARTS
    with cache_volume() as volume:
        log(f"container: filling a compile-cache volume with a --warm-up container of {IMAGE}")
        log(f"container: the warm-up took {warm_up(volume):.1f} s")
        seconds = []
        for _ in range(starts):
            with running_container(volume) as server:
                accepted, first = asyncio.run(_first_frame(server, START_TIMEOUT_S))
            log(f"container: port answered after {accepted:.2f} s, first frame {first:.2f} s")
            seconds.append(first)
    return {"container_first_frame_s": float(np.median(seconds))}
