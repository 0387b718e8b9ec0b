"""Run the benchmark: `python bench/run.py` (or `python -m bench.run`) from the repository
root. Prints progress, a table of figures with their targets, and as the very last line of
stdout one JSON object of every figure (for scripts and CI).

Each group of figures (the engine, a live server, then the page in chromium) is a `Group` in
GROUPS: a measuring function that returns a dict of numbers, and the specs that name, round
and judge them. A new group needs a module under bench/ with a `measure(quick, log)` function
and one more entry there.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Benchmark the engine in this checkout (server/) even where an older copy is installed, and
# let `python bench/run.py` import the `bench` package like `python -m bench.run` does.
ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT / "server", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Mapping, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import NamedTuple  # noqa: E402

from bench import admission, browser, container, digits, engine, server, serving  # noqa: E402
from bench.container import NotMeasuredError  # noqa: E402
from nn_playground.engine.runtime.compilation import enable_persistent_cache  # noqa: E402

Figures = Mapping[str, float]
Log = Callable[[str], None]


class Spec(NamedTuple):
    """How one figure is shown: label, decimals kept (0: an integer) and its target."""

    label: str
    digits: int
    at_least: float | None = None
    at_most: float | None = None

    def target(self) -> str:
        if self.at_least is not None:
            return f">= {self.at_least:g}"
        if self.at_most is not None:
            return f"<= {self.at_most:g}"
        return ""

    def verdict(self, value: float) -> str:
        if self.at_least is None and self.at_most is None:
            return ""
        low_ok = self.at_least is None or value >= self.at_least
        high_ok = self.at_most is None or value <= self.at_most
        return "PASS" if low_ok and high_ok else "MISS"

    def rounded(self, value: float) -> float | int:
        return round(value) if self.digits == 0 else round(value, self.digits)


@dataclass(frozen=True)
class Group:
    title: str
    measure: Callable[[bool, Log], Figures]
    specs: Mapping[str, Spec]  # exactly the keys `measure` returns, in display order


ENGINE_SPECS: dict[str, Spec] = {
    "epochs_per_s_default": Spec("epochs/s, default (2-4-2-1, circle)", 1),
    "numpy_epochs_per_s_default": Spec("numpy epochs/s, default", 1),
    "speedup_default": Spec("speedup over numpy, default", 2, at_least=3),
    "epochs_per_s_large": Spec("epochs/s, large (6 features, 6x8, spiral)", 1),
    "numpy_epochs_per_s_large": Spec("numpy epochs/s, large", 1),
    "speedup_large": Spec("speedup over numpy, large", 2, at_least=3),
    "frames_per_s_large": Spec("frames/s, large (1 epoch + grids)", 1, at_least=100),
    "compare_8_cost_ratio": Spec("8 models' frame / 8 frames of 1 model", 2, at_most=1.0),
    "recompiles_after_warmup": Spec("compilations after warm-up", 0, at_most=0),
}

SERVER_SPECS: dict[str, Spec] = {
    "cold_start_s": Spec("cold start: --warm-up, empty cache (s)", 1, at_most=30),
    "rss_mb_per_worker": Spec("warm server's memory, no session (MiB)", 0, at_most=600),
    "startup_s": Spec("start to first frame, warm cache (s)", 2, at_most=3),
    "slider_to_frame_ms_p50": Spec("change to its frame, median (ms)", 1),
    "slider_to_frame_ms_p95": Spec("change to its frame, p95 (ms)", 1, at_most=30),
    "slider_to_frame_ms_max": Spec("change to its frame, slowest (ms)", 1),
    "frame_bytes_default": Spec("frame size, default network (bytes)", 0),
    "sessions_32_fps_median": Spec("32 sessions: frames/s, median session", 1, at_least=10),
    "sessions_32_fps_p5": Spec("32 sessions: frames/s, slowest 5%", 1, at_least=10),
    "sessions_32_fairness": Spec("32 sessions: slowest 5% / median", 2, at_least=0.9),
    "sessions_32_frame_ms_p95": Spec("32 sessions: time between frames, p95 (ms)", 1),
    "sessions_32_frames_per_s_total": Spec("32 sessions: frames/s, all together", 0),
    "sessions_32_server_cpu_cores": Spec("32 sessions: server CPU (cores)", 2),
    "sessions_32_server_loop_cpu_cores": Spec("32 sessions: of which its event loop", 2),
    "sessions_32_client_cpu_cores": Spec("32 sessions: the clients' CPU (cores)", 2),
    "frame_cpu_ms_default": Spec("32 sessions: server CPU per frame (ms)", 2, at_most=4.5),
}

ADMISSION_SPECS: dict[str, Spec] = {
    "busy_close_ms_p50": Spec("full server: busy answer, median (ms)", 1),
    "busy_close_ms_p95": Spec("full server: busy answer, p95 (ms)", 1, at_most=100),
}

SERVING_SPECS: dict[str, Spec] = {
    "scaling_2_over_1": Spec("2 pinned processes over 1, frames/s at 10/session", 2, at_least=1.7),
    "workers_vs_single": Spec("--workers over one plain process, same", 2, at_least=0.95),
    "sessions_at_10fps_workers": Spec("sessions at 10 frames/s: --workers", 0),
    "sessions_at_10fps_single": Spec("sessions at 10 frames/s: one process", 0),
    "sessions_at_10fps_one": Spec("sessions at 10 frames/s: one process on one core", 0),
    "frames_per_s_at_10fps_workers": Spec("frames/s in all at that load: --workers", 0),
}

CONTAINER_SPECS: dict[str, Spec] = {
    "container_first_frame_s": Spec("docker run to first frame, cache volume (s)", 2, at_most=10),
}

DIGITS_SPECS: dict[str, Spec] = {
    "digits_epochs_per_s": Spec("digits: epochs/s, 64-25-15-10 ReLU, Adam, batch 32", 1),
    "numpy_digits_epochs_per_s": Spec("digits: numpy epochs/s, same", 1),
    "digits_speedup": Spec("digits: speedup over numpy", 2, at_least=3),
    "digits_frame_ms_p95": Spec(
        "digits: frame (epoch + confusion + 64 digits), p95 (ms)", 1, at_most=30
    ),
}

BROWSER_SPECS: dict[str, Spec] = {
    "browser_main_ms_per_frame_large": Spec("main thread per drawn frame (ms)", 2, at_most=4),
    "browser_main_cpu_ms_per_frame_large": Spec("of which CPU (ms)", 2),
    "browser_frames_drawn_per_s_large": Spec("frames drawn per second", 1),
    "browser_main_busy_share": Spec("main thread busy (share of the time)", 2),
    "browser_worker_ms_per_frame_large": Spec("drawing worker per drawn frame (ms)", 2),
}

GROUPS: tuple[Group, ...] = (
    Group("Engine", engine.measure, ENGINE_SPECS),
    Group("Digits", digits.measure, DIGITS_SPECS),
    Group("Live server", server.measure, SERVER_SPECS),
    Group(
        "A full server's busy answer (100 connections at once)",
        admission.measure,
        ADMISSION_SPECS,
    ),
    Group(
        "Class serving: --workers behind HAProxy",
        serving.measure,
        SERVING_SPECS,
    ),
    Group(
        "A container (docker run, compile-cache volume filled before)",
        container.measure,
        CONTAINER_SPECS,
    ),
    Group(
        "Page in chromium (large: 6 features, 6x8, spiral)",
        browser.measure,
        BROWSER_SPECS,
    ),
)


def _log(message: str) -> None:
    print(f"# {message}", flush=True)


def _table(group: Group, figures: Figures) -> list[str]:
    rows = [(spec.label, spec.rounded(figures[key]), spec) for key, spec in group.specs.items()]
    width = max(len(label) for label, _, _ in rows)
    lines = [
        group.title,
        f"  {'figure':<{width}}  {'value':>10}  {'target':>8}  result",
    ]
    for label, value, spec in rows:
        lines.append(
            f"  {label:<{width}}  {value:>10}  {spec.target():>8}  {spec.verdict(value)}".rstrip()
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny repetition counts: proves the benchmark runs; the timings mean nothing",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cache = enable_persistent_cache()
    _log(f"persistent compilation cache: {cache}")
    _log("a first run with an empty cache compiles every function (~20 s each): minutes")
    if args.quick:
        _log("quick mode: tiny repetition counts, the timings are not meaningful")
    results: list[tuple[Group, Figures]] = []
    not_measured: list[tuple[Group, str]] = []
    for group in GROUPS:
        try:
            figures = group.measure(args.quick, _log)
        except NotMeasuredError as reason:
            _log(f"{group.title}: not measured: {reason}")
            not_measured.append((group, str(reason)))
            continue
        if set(figures) != set(group.specs):
            raise RuntimeError(f"{group.title}: figures {sorted(figures)} do not match the specs")
        results.append((group, figures))
    print()
    for group, figures in results:
        print("\n".join(_table(group, figures)))
        print()
    for group, reason in not_measured:
        print(f"{group.title}\n  not measured: {reason}\n")
    print(f"total time: {time.perf_counter() - started:.1f} s (medians of repeated measurements)")
    line = {
        key: spec.rounded(figures[key])
        for group, figures in results
        for key, spec in group.specs.items()
    }
    print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
