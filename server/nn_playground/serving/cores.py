"""How many cores this process may use: its CPU affinity (taskset, a pinned worker) capped by
its cgroup's CPU quota (a container's or pod's CPU limit). Plain Python, imports nothing."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def affinity() -> set[int]:
    """The cores the scheduler may run this process on (every core where that is unknown)."""
    if hasattr(os, "sched_getaffinity"):
        return os.sched_getaffinity(0)
    return set(range(os.cpu_count() or 1))


def cgroup_quota(root: Path = CGROUP) -> float | None:
    """The CPU limit of this process's cgroup in cores (2.5 for `cpus: 2.5`), or None where
    there is none. cgroup v2 writes it as "<quota> <period>" in cpu.max ("max" for none);
    v1 as cpu.cfs_quota_us (-1 for none) over cpu.cfs_period_us."""
    try:
        quota, period = (root / "cpu.max").read_text().split()
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota_us <= 0 or period_us <= 0 else quota_us / period_us


def usable_cores() -> int:
    """Cores this process can keep busy: `os.cpu_count()` counts the machine's, which
    overstates a process started with `taskset -c 0` or a container limited to one CPU."""
    cores = len(affinity())
    quota = cgroup_quota()
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)
