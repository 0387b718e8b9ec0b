"""How `--workers` divides the machine: cores, ports and the session cap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nn_playground.cli import parse_options
from nn_playground.options import ServerOptions
from nn_playground.serving.cores import cgroup_quota
from nn_playground.serving.workers import plan_workers, split_evenly


def test_one_process_per_core_with_the_cap_split_evenly() -> None:
    plans = plan_workers(ServerOptions(port=8000, max_sessions=33), 2, [0, 1])
    assert [sorted(plan.cores) for plan in plans] == [[0], [1]]
    assert [plan.port for plan in plans] == [8001, 8002]
    assert [plan.max_sessions for plan in plans] == [17, 16]
    assert sum(plan.max_sessions for plan in plans) == 33  # the cap means the whole server's


def test_fewer_processes_than_cores_take_consecutive_groups() -> None:
    plans = plan_workers(ServerOptions(max_sessions=64), 2, [4, 5, 6, 7, 8])
    assert [sorted(plan.cores) for plan in plans] == [[4, 5, 6], [7, 8]]


def test_more_processes_than_cores_share_them_in_turn() -> None:
    plans = plan_workers(ServerOptions(max_sessions=6), 3, [0, 1])
    assert [sorted(plan.cores) for plan in plans] == [[0], [1], [0]]


def test_split_evenly() -> None:
    assert split_evenly(10, 3) == [4, 3, 3]
    assert split_evenly(2, 4) == [1, 1, 0, 0]


def test_workers_flag_and_environment() -> None:
    assert parse_options(["--workers", "3"]).workers == 3
    assert parse_options([], {"NN_PLAYGROUND_WORKERS": "2"}).workers == 2
    assert parse_options([]).workers is None  # plain nn-playground: one process, as before
    with pytest.raises(SystemExit):
        parse_options(["--workers", "0"])


def test_default_cap_follows_the_cores_the_process_may_use() -> None:
    """Under `taskset -c 0` a process may use one core: 16 sessions, whatever the machine."""
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    code = "from nn_playground.options import ServerOptions; print(ServerOptions().max_sessions)"
    printed = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.strip() == "16"
    assert parse_options([], {}).max_sessions == ServerOptions().max_sessions


def test_cgroup_quota_v2_and_v1(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert cgroup_quota(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cgroup_quota(tmp_path) is None
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("200000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_quota(tmp_path) == 2.0
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_quota(tmp_path) is None
