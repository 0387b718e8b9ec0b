"""`nn-playground --workers N`: N server processes, each pinned to its own cores, behind an
HAProxy configured by haproxy_config.py; this process starts them, restarts a process that
dies and stops them all. Imports no JAX: it only supervises.

Why processes: one process's Python side (event loop, dispatch) caps it near one core
whatever XLA gets, so a bigger machine needs more processes; HAProxy, an existing engine,
spreads the sessions over them. The session cap and every other limit mean the same as for
one process: `--max-sessions` is the whole server's, split evenly among the processes."""

from __future__ import annotations

import ctypes
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from nn_playground import __version__
from nn_playground.options import ServerOptions
from nn_playground.serving.cores import affinity
from nn_playground.serving.haproxy_config import OWN_HEALTH_PATH, Listed, render_config

log = logging.getLogger("nn_playground")

INSTALL_HAPROXY = (
    "--workers needs HAProxy, which is not installed (no `haproxy` on PATH). Install it: "
    "`sudo apt-get install haproxy` (Debian, Ubuntu), `sudo dnf install haproxy` (Fedora), "
    "`brew install haproxy` (macOS); or run `nn-playground` without --workers for one "
    "process, or `docker compose up` (see docs/serving-a-class.md)."
)
READY_TIMEOUT_S = 300.0  # a cold compile cache is filled by the warm-up before this
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class WorkerPlan:
    """One server process: its cores, its port on 127.0.0.1 and its share of the cap."""

    index: int
    cores: frozenset[int]
    port: int
    max_sessions: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def split_evenly(total: int, parts: int) -> list[int]:
    """`total` in `parts` whole shares that differ by at most one, largest first."""
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def plan_workers(options: ServerOptions, count: int, cores: Sequence[int]) -> list[WorkerPlan]:
    """`count` processes over `cores`: one core each when there are as many cores, else
    consecutive groups (a process with several cores splits them itself, see
    thread_placement.py); more processes than cores share them in turn. Ports follow the
    server's own: 8001, 8002... for 8000."""
    ordered = sorted(cores)
    caps = split_evenly(options.max_sessions, count)
    if count <= len(ordered):
        sizes = split_evenly(len(ordered), count)
        starts = [sum(sizes[:index]) for index in range(count)]
        groups = [ordered[start : start + size] for start, size in zip(starts, sizes, strict=True)]
    else:
        groups = [[ordered[index % len(ordered)]] for index in range(count)]
    return [
        WorkerPlan(index + 1, frozenset(groups[index]), options.port + 1 + index, caps[index])
        for index in range(count)
    ]


def worker_command(options: ServerOptions, plan: WorkerPlan) -> list[str]:
    return [
        sys.executable,
        "-m",
        "nn_playground",
        "--host",
        "127.0.0.1",
        "--port",
        str(plan.port),
        "--max-sessions",
        str(plan.max_sessions),
        "--idle-timeout",
        str(options.idle_timeout),
        "--send-timeout",
        str(options.send_timeout),
        "--allowed-origins",
        ",".join(options.allowed_origins),
        "--max-points",
        str(options.max_points),
    ]


def haproxy_text(options: ServerOptions, plans: Sequence[WorkerPlan]) -> str:
    bind = (
        f"[{options.host}]:{options.port}"
        if ":" in options.host
        else f"{options.host}:{options.port}"
    )
    servers = Listed(
        tuple(plan.address for plan in plans), tuple(plan.max_sessions for plan in plans)
    )
    # One HAProxy thread: the cores belong to the pinned processes, and a class's traffic
    # (tens of frames of ~20 KB a second per student) is far below one thread's capacity.
    return render_config(servers, bind=bind, threads=1)


def _pump(stream: IO[str], prefix: str) -> None:
    """Copy a child's output to ours, each line marked with the child it came from."""
    for line in stream:
        sys.stdout.write(f"{prefix} {line}" if prefix else line)
        sys.stdout.flush()


def _end_with_parent() -> None:
    """In a child, before it starts: SIGTERM when this supervisor dies, however it dies
    (Linux's PR_SET_PDEATHSIG), so a killed supervisor leaves no server behind."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start(command: list[str], prefix: str, cores: frozenset[int] | None) -> subprocess.Popen[str]:
    chosen = set(cores) if cores is not None and hasattr(os, "sched_setaffinity") else None

    def prepare() -> None:  # in the child between fork and exec: no Python locks taken
        _end_with_parent()
        if chosen is not None:  # every thread the server starts inherits these cores
            os.sched_setaffinity(0, chosen)

    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=prepare,
    )
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(process.stdout, prefix), daemon=True).start()
    return process


def is_warm(port: int) -> bool:
    """The process answers /healthz and has loaded its frame programs: a first session
    there draws at once instead of waiting for a program to load."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
            return bool(reply.status == 200 and json.load(reply).get("warm"))
    except (OSError, ValueError):
        return False


def _stop(processes: Sequence[subprocess.Popen[str]], timeout: float = 15.0) -> None:
    """SIGTERM (a server closes its websockets with 1012: pages reconnect), then SIGKILL."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Supervisor:
    """The running set: workers and HAProxy. `run` returns the exit status."""

    def __init__(
        self, options: ServerOptions, plans: Sequence[WorkerPlan], haproxy: str, url: str
    ) -> None:
        self.options = options
        self.url = url
        self.plans = list(plans)
        self.haproxy = haproxy
        self.workers: dict[int, subprocess.Popen[str]] = {}
        self.balancer: subprocess.Popen[str] | None = None
        self.stopping = threading.Event()

    def _start_worker(self, plan: WorkerPlan) -> None:
        self.workers[plan.index] = _start(
            worker_command(self.options, plan), f"[worker {plan.index}]", plan.cores
        )

    def _await_workers(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        waiting = {plan.index: plan for plan in self.plans}
        while waiting and not self.stopping.is_set():
            for index, plan in list(waiting.items()):
                if self.workers[index].poll() is not None:
                    log.error(
                        "worker %d exited with code %s", index, self.workers[index].returncode
                    )
                    return False
                if is_warm(plan.port):
                    del waiting[index]
            if time.monotonic() > deadline:
                log.error(
                    "workers %s did not load their programs in %.0f s",
                    sorted(waiting),
                    READY_TIMEOUT_S,
                )
                return False
            self.stopping.wait(0.2)
        return not waiting

    def _await_balancer(self, balancer: subprocess.Popen[str]) -> bool:
        """HAProxy answers its own health URI on the server's address (it may fail to start
        after its configuration passed the check: a port in use, too few file descriptors)."""
        host = "127.0.0.1" if self.options.host in ("0.0.0.0", "") else self.options.host
        host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
        url = f"http://{host}:{self.options.port}{OWN_HEALTH_PATH}"
        deadline = time.monotonic() + 30
        while balancer.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status == 200:
                        return True
            except OSError:
                pass
            if self.stopping.wait(0.1):
                return False
        log.error("HAProxy did not start (exit code %s)", balancer.poll())
        return False

    def run(self, config_dir: Path) -> int:
        try:
            return self._run(config_dir)
        finally:  # whatever ended the run: stop every process it started
            balancer = [self.balancer] if self.balancer is not None else []
            _stop([*balancer, *self.workers.values()])

    def _run(self, config_dir: Path) -> int:
        for plan in self.plans:
            self._start_worker(plan)
        if not self._await_workers():
            return 1
        config = config_dir / "haproxy.cfg"
        config.write_text(haproxy_text(self.options, self.plans))
        checked = subprocess.run(
            [self.haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True
        )
        if checked.returncode != 0:
            log.error("HAProxy refused its configuration %s:\n%s", config, checked.stderr)
            return 1
        balancer = _start([self.haproxy, "-db", "-f", str(config)], "[haproxy]", None)
        self.balancer = balancer
        if not self._await_balancer(balancer):
            return 1
        log.info(
            "nn-playground %s is ready: open %s (%d processes behind HAProxy, %d sessions "
            "in all; configuration %s)",
            __version__,
            self.url,
            len(self.plans),
            self.options.max_sessions,
            config,
        )
        return self._supervise(balancer)

    def _supervise(self, balancer: subprocess.Popen[str]) -> int:
        while not self.stopping.wait(0.5):
            if balancer.poll() is not None:
                log.error("HAProxy exited with code %s: stopping", balancer.returncode)
                return 1
            for plan in self.plans:
                code = self.workers[plan.index].poll()
                if code is None:
                    continue
                # Its pages reconnect, and HAProxy sends them to the others meanwhile.
                log.warning(
                    "worker %d (port %d) exited with code %s; restarting it",
                    plan.index,
                    plan.port,
                    code,
                )
                self._start_worker(plan)
        return 0


def find_haproxy() -> str | None:
    """NN_PLAYGROUND_HAPROXY if set, else `haproxy` on PATH or in the sbin folders, which a
    user's PATH often lacks."""
    chosen = os.environ.get("NN_PLAYGROUND_HAPROXY")
    if chosen is not None:
        return chosen if os.access(chosen, os.X_OK) else None
    candidates = ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")
    return shutil.which("haproxy") or next((p for p in candidates if os.access(p, os.X_OK)), None)


def run_workers(options: ServerOptions, count: int, url: str) -> int:
    """Serve with `count` processes behind HAProxy at `url` until SIGINT or SIGTERM."""
    haproxy = find_haproxy()
    if haproxy is None:
        chosen = os.environ.get("NN_PLAYGROUND_HAPROXY")
        where = f"NN_PLAYGROUND_HAPROXY={chosen} is not an executable" if chosen else None
        log.error(INSTALL_HAPROXY.replace("no `haproxy` on PATH", where or "no `haproxy` on PATH"))
        return 2
    plans = plan_workers(options, count, sorted(affinity()))
    log.info(
        "starting %d server processes: %s",
        count,
        "; ".join(
            f"{plan.address} on core {','.join(map(str, sorted(plan.cores)))}, "
            f"{plan.max_sessions} sessions"
            for plan in plans
        ),
    )
    supervisor = Supervisor(options, plans, haproxy, url)

    def stop(signum: int, frame: object) -> None:
        supervisor.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Fill the compile cache once, so the processes load the programs instead of each
    # compiling the same ones at once.
    warming = _start([sys.executable, "-m", "nn_playground", "--warm-up"], "", None)
    while warming.poll() is None:
        if supervisor.stopping.wait(0.2):
            _stop([warming])
            return 1
    if warming.returncode != 0:
        return warming.returncode
    with tempfile.TemporaryDirectory(prefix="nn-playground-haproxy-") as config_dir:
        return supervisor.run(Path(config_dir))
