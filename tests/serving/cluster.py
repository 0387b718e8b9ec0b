"""`nn-playground --workers 2` as a user starts it: two real server processes behind a real
HAProxy (Debian's package), on three consecutive free ports."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import LiveServer, run_server

WORKERS = 2


def consecutive_free_ports(count: int) -> int:
    """The first of `count` consecutive ports that are free on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first: int = probe.getsockname()[1]
        if first + count > 65535:
            continue
        with ExitStack() as held:
            try:
                for port in range(first, first + count):
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return first
    raise RuntimeError(f"no {count} consecutive free ports")


@dataclass
class Cluster:
    balancer: LiveServer  # the supervising process; its url is HAProxy's

    @property
    def worker_ports(self) -> list[int]:
        return [self.balancer.port + 1 + index for index in range(WORKERS)]

    def worker_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.worker_ports[index]}/"


def worker_pid(port: int) -> int:
    """The server process listening on `port` (found by its command line)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        wanted = b"nn_playground" in arguments and str(port).encode() in arguments
        if wanted and b"--warm-up" not in arguments:
            return int(entry.name)
    raise LookupError(f"no nn_playground process on port {port}")


def cores_allowed(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(
        line.split()[1] for line in status.splitlines() if line.startswith("Cpus_allowed_list")
    )


@contextmanager
def run_cluster(*args: str) -> Iterator[Cluster]:
    port = consecutive_free_ports(WORKERS + 1)
    # A cold compile cache: the warm-up compiles every program first (minutes on a busy box).
    with run_server("--workers", str(WORKERS), "--port", str(port), *args, timeout=900) as live:
        yield Cluster(live)
