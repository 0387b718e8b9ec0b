"""The benchmark runs end to end and reports every figure; no timing is asserted here (run
`python bench/run.py` for real figures), only that the JSON line is complete and that no
setting compiles after warm-up. The quick run also compiles every program once from an empty
cache, starts this checkout's server three times and plays 32 sessions on it for a few
seconds, then traces the page in chromium for a second."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE_KEYS = {
    "epochs_per_s_default",
    "epochs_per_s_large",
    "numpy_epochs_per_s_default",
    "numpy_epochs_per_s_large",
    "speedup_default",
    "speedup_large",
    "frames_per_s_large",
    "compare_8_cost_ratio",
    "recompiles_after_warmup",
}
SERVER_KEYS = {
    "cold_start_s",
    "rss_mb_per_worker",
    "startup_s",
    "slider_to_frame_ms_p50",
    "slider_to_frame_ms_p95",
    "slider_to_frame_ms_max",
    "frame_bytes_default",
    "sessions_32_fps_median",
    "sessions_32_fps_p5",
    "sessions_32_fairness",
    "sessions_32_frame_ms_p95",
    "sessions_32_frames_per_s_total",
    "sessions_32_server_cpu_cores",
    "sessions_32_server_loop_cpu_cores",
    "sessions_32_client_cpu_cores",
    "frame_cpu_ms_default",
}
ADMISSION_KEYS = {"busy_close_ms_p50", "busy_close_ms_p95"}
DIGITS_KEYS = {
    "digits_epochs_per_s",
    "numpy_digits_epochs_per_s",
    "digits_speedup",
    "digits_frame_ms_p95",
}
SERVING_KEYS = {
    "scaling_2_over_1",
    "workers_vs_single",
    "sessions_at_10fps_workers",
    "sessions_at_10fps_single",
    "sessions_at_10fps_one",
    "frames_per_s_at_10fps_workers",
}
# Measured only where a Docker engine and the server's image are at hand.
CONTAINER_KEYS = {"container_first_frame_s"}
BROWSER_KEYS = {
    "browser_main_ms_per_frame_large",
    "browser_main_cpu_ms_per_frame_large",
    "browser_frames_drawn_per_s_large",
    "browser_main_busy_share",
    "browser_worker_ms_per_frame_large",
}
# CPU shares are read from /proc and may round to 0 in a short quick run.
MAY_BE_ZERO = (
    {"recompiles_after_warmup"}
    | {key for key in SERVER_KEYS if "cpu" in key}
    # A quick run tries one load: it may leave no session at 10 frames/s, or none faster.
    | SERVING_KEYS
)
# A cold compilation cache compiles every function once (~20 s each on a small machine).
TIMEOUT_S = 900


def _run(*args: str, pythonpath: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath:  # the source tree, not an installed copy
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "server"), str(ROOT)])
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


@pytest.mark.browser
@pytest.mark.timeout(TIMEOUT_S + 60)
def test_quick_run_prints_every_figure_and_no_compilation_after_warm_up() -> None:
    result = _run("bench/run.py", "--quick")
    assert result.returncode == 0, result.stderr[-4000:]
    last_line = result.stdout.strip().splitlines()[-1]
    figures = json.loads(last_line)
    expected = ENGINE_KEYS | DIGITS_KEYS | SERVER_KEYS | ADMISSION_KEYS | SERVING_KEYS
    expected |= BROWSER_KEYS
    if set(figures) >= CONTAINER_KEYS:
        expected |= CONTAINER_KEYS
    else:
        assert "\n  not measured: " in result.stdout  # with the reason, below the tables
    assert set(figures) == expected
    assert all(isinstance(value, int | float) for value in figures.values())
    assert all(value > 0 for key, value in figures.items() if key not in MAY_BE_ZERO)
    assert figures["recompiles_after_warmup"] == 0
    assert "PASS" in result.stdout  # the table came before the JSON line


@pytest.mark.parametrize("command", [["bench/run.py"], ["-m", "bench.run"]])
def test_both_ways_of_starting_it_work(command: list[str]) -> None:
    # Without PYTHONPATH: run.py finds the bench package and the engine next to it itself.
    result = _run(*command, "--help", pythonpath=False)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "--quick" in result.stdout
