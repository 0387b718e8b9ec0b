"""Browser benchmark: the main-thread time the playground page spends per frame it draws, on
the large configuration, in Debian's chromium driven by Playwright against this checkout's
server (started as bench/server.py starts it).

The page opens with a link (URL hash) that sets the large configuration, plays, and after a
warm-up a Chrome trace is recorded over a few windows. A window is bracketed by two
`console.timeStamp` marks made in the same main-thread task that reads the page's count of
drawn frames (`window.nnPlayground.drawn`), so the frames and the trace cover the same span.
The page paints in its drawing worker (web/worker/frame_worker.js) and learns the count with each
batch of numbers, at most 200 ms old at either mark: both ends lag alike, so a window of a
few hundred frames is off by a few frames at most.

Main-thread time is the time covered by the renderer main thread's trace events (the
top-level tasks; nested events are inside them and are not counted again), clipped to the
window (bench/chrome_trace.py reads the trace). Its CPU time comes from the same events'
thread clock and is the steadier of the two on a busy machine, where a task's wall time
includes waiting for a core. Everything the page's main thread does counts: the worker's
messages, the numbers, the charts, style, layout, paint and the commit to the compositor
(in which the charts' canvases are rasterised). The socket, the frame decoding and the
pictures are the worker's; its busy time per drawn frame is reported beside, not counted.
Raster and compositing of the layers run on other threads and are not counted either.

Chromium runs with the tests' flags, `--disable-gpu` included: canvases and compositing are
in software, which makes the commit dearer than on a machine with a GPU.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from playwright.sync_api import Page, ViewportSize, sync_playwright

from bench.chrome_trace import (
    MainThreadTime,
    drawing_worker_thread,
    main_thread_time,
    renderer_main_thread,
    thread_spans,
    window_marks,
)
from bench.server import FIRST_START_TIMEOUT_S, Server, cache_dir, running_server, until_idle
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

Figures = dict[str, float]
Log = Callable[[str], None]

# The large configuration of bench/engine.py: six features, six tanh layers of 8, batch 10,
# spiral with 500 points, half for training. Defaults are spelled out too, so the link holds
# whatever the defaults become.
LARGE = {
    "dataset": "spiral",
    "features": "x1,x2,x1^2,x2^2,x1*x2,sin_x1",
    "hidden": "8,8,8,8,8,8",
    "activations": "tanh",
    "batch_size": "10",
    "n_points": "500",
    "train_fraction": "0.5",
}
LARGE_HASH = "&".join(f"{name}={value}" for name, value in LARGE.items())
# What the page's controls show once the link is applied (see web/page/controls.js).
LARGE_CONTROLS = {**LARGE, "hidden": "8, 8, 8, 8, 8, 8"}
# The network view's columns once frames of the large network are drawn: inputs, six layers.
LARGE_COLUMNS = 7

VIEWPORT: ViewportSize = {"width": 1280, "height": 720}
FIRST_FRAME_TIMEOUT_MS = 1000 * FIRST_START_TIMEOUT_S  # a cold cache compiles first
READY_TIMEOUT_S = 120.0
TRACE_TIMEOUT_S = 60.0
MIN_FRAMES = 2  # a window stays open until the page drew at least these
# `toplevel` holds the scheduler's RunTask events that wrap every task; the timeline ones
# name what ran inside (FunctionCall, FireAnimationFrame, Paint, Layout...).
TRACE_CATEGORIES = [
    "toplevel",
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "v8.execute",
    "blink.user_timing",
]
WINDOW_OPEN = "nn-bench-window-open"
WINDOW_CLOSE = "nn-bench-window-close"
BREAKDOWN_ROWS = 8  # event names logged by self time
# Logged by inclusive time: the page's script (socket messages, the animation-frame loop,
# other events), then the rendering pipeline's phases, then the compositor commit.
PHASES = (
    "Receive mojo message",
    "FireAnimationFrame",
    "EventDispatch",
    "FunctionCall",
    "UpdateLayoutTree",
    "Layout",
    "PrePaint",
    "Paint",
    "Layerize",
    "Commit",
)
# Reads the controls the link set, as strings comparable with LARGE_CONTROLS.
READ_CONTROLS = """() => {
  const value = (name) => document.querySelector(`[data-param="${name}"]`).value;
  const features = [...document.querySelectorAll('[data-param="features"]')]
    .filter((box) => box.checked).map((box) => box.value).join(",");
  const names = ["dataset", "hidden", "activations", "batch_size", "n_points", "train_fraction"];
  return { ...Object.fromEntries(names.map((name) => [name, value(name)])), features };
}"""


@dataclass(frozen=True)
class Plan:
    warm_up_s: float  # playing before the first window
    window_s: float  # each window's length
    windows: int  # figures are medians over windows


FULL = Plan(warm_up_s=4.0, window_s=5.0, windows=3)
QUICK = Plan(warm_up_s=0.5, window_s=0.5, windows=1)


def _silent(message: str) -> None:
    del message


# --- the page ----------------------------------------------------------------------------------


def _wait_until_serving(server: Server, timeout: float) -> str:
    """The page's address once the server answers /healthz."""
    url = f"http://127.0.0.1:{server.port}/"
    deadline = time.perf_counter() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError("the server exited:\n" + server.log_tail())
        try:
            with urllib.request.urlopen(url + "healthz", timeout=5):
                return url
        except OSError:
            if time.perf_counter() > deadline:
                raise RuntimeError("the server never answered:\n" + server.log_tail()) from None
            time.sleep(0.1)


def _drawn(page: Page) -> int:
    return int(page.evaluate("Number(window.nnPlayground?.drawn || 0)"))


def _open_large_and_play(page: Page, url: str) -> None:
    """Open the page on the large configuration's link, check that it took, and play."""
    page.goto(f"{url}#{LARGE_HASH}")
    page.wait_for_function(
        "Number(window.nnPlayground?.frames || 0) >= 1", timeout=FIRST_FRAME_TIMEOUT_MS
    )
    page.wait_for_function(
        f"document.querySelectorAll('#network .layer').length === {LARGE_COLUMNS}",
        timeout=FIRST_FRAME_TIMEOUT_MS,
    )
    controls = page.evaluate(READ_CONTROLS)
    if controls != LARGE_CONTROLS:
        raise RuntimeError(f"expected the controls to show {LARGE_CONTROLS}, found {controls}")
    notice = page.locator("#notice").inner_text()
    if notice:
        raise RuntimeError(f"the page refused part of the link: {notice}")
    page.locator("#play").click()
    page.wait_for_function(
        "document.getElementById('state').textContent === 'running'", timeout=30_000
    )
    before = _drawn(page)
    page.wait_for_function(
        f"Number(window.nnPlayground?.drawn || 0) >= {before + MIN_FRAMES}",
        timeout=FIRST_FRAME_TIMEOUT_MS,
    )


def _mark(page: Page, label: str) -> tuple[int, int]:
    """Mark the trace and read (frames drawn, frames received) in one main-thread task."""
    counts: list[int] = page.evaluate(
        """(label) => {
          console.timeStamp(label);
          const data = window.nnPlayground;
          return [Number(data.drawn || 0), Number(data.frames || 0)];
        }""",
        label,
    )
    return counts[0], counts[1]


@dataclass
class Window:
    seconds: float
    drawn: int
    received: int
    time: MainThreadTime  # the page's main thread
    worker: MainThreadTime  # its drawing worker


def _traced_window(page: Page, seconds: float) -> Window:
    """Trace the page for `seconds` (longer if it drew fewer than MIN_FRAMES)."""
    cdp = page.context.new_cdp_session(page)
    events: list[dict[str, Any]] = []
    complete: list[object] = []
    cdp.on("Tracing.dataCollected", lambda params: events.extend(params["value"]))
    # Playwright tags its handlers with an attribute: a function, not a bound builtin.
    cdp.on("Tracing.tracingComplete", lambda params: complete.append(params))
    cdp.send(
        "Tracing.start",
        {
            "transferMode": "ReportEvents",
            "traceConfig": {"includedCategories": TRACE_CATEGORIES},
        },
    )
    drawn_before, received_before = _mark(page, WINDOW_OPEN)
    page.wait_for_timeout(1000 * seconds)
    page.wait_for_function(
        f"Number(window.nnPlayground?.drawn || 0) >= {drawn_before + MIN_FRAMES}",
        timeout=1000 * TRACE_TIMEOUT_S,
    )
    drawn_after, received_after = _mark(page, WINDOW_CLOSE)
    cdp.send("Tracing.end")
    deadline = time.perf_counter() + TRACE_TIMEOUT_S
    while not complete:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the trace did not complete in {TRACE_TIMEOUT_S:g} s")
        page.wait_for_timeout(50)
    cdp.detach()
    start, end = window_marks(events, WINDOW_OPEN, WINDOW_CLOSE)
    worker_spans = thread_spans(events, drawing_worker_thread(events))
    return Window(
        seconds=(end - start) / 1e6,
        drawn=drawn_after - drawn_before,
        received=received_after - received_before,
        time=main_thread_time(thread_spans(events, renderer_main_thread(events)), start, end),
        worker=main_thread_time(worker_spans, start, end),
    )


# --- everything --------------------------------------------------------------------------------


def _per_frame_ms(us_by_name: Mapping[str, float], frames: int) -> str:
    return ", ".join(f"{name} {us / 1000 / frames:.2f}" for name, us in us_by_name.items())


def _log_window(log: Log, index: int, window: Window) -> None:
    busy_ms, cpu_ms, frames = window.time.busy_us / 1000, window.time.cpu_us / 1000, window.drawn
    log(
        f"browser: window {index + 1}: {frames} frames drawn of {window.received} received in "
        f"{window.seconds:.2f} s; main thread busy {busy_ms:.0f} ms ({busy_ms / frames:.2f} ms "
        f"per drawn frame), of which CPU {cpu_ms:.0f} ms ({cpu_ms / frames:.2f} ms per frame)"
    )
    by_self = sorted(window.time.self_us.items(), key=lambda item: -item[1])
    top_self = dict(by_self[:BREAKDOWN_ROWS])
    log(f"browser:   self time, ms per drawn frame: {_per_frame_ms(top_self, frames)}")
    phases = {kind: window.time.inclusive_us.get(kind, 0.0) for kind in PHASES}
    log(f"browser:   phases (inclusive), ms per drawn frame: {_per_frame_ms(phases, frames)}")
    worker_ms, worker_cpu_ms = window.worker.busy_us / 1000, window.worker.cpu_us / 1000
    log(
        f"browser:   drawing worker busy {worker_ms / frames:.2f} ms per drawn frame, of which "
        f"CPU {worker_cpu_ms / frames:.2f} ms"
    )


def _measure(plan: Plan, log: Log) -> Figures:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-dejavu-core")
    windows: list[Window] = []
    with running_server(cache_dir(), max_sessions=1) as server:
        # Let the server's background warm-up finish first: it would take CPU from the page.
        asyncio.run(until_idle(server, FIRST_START_TIMEOUT_S))
        url = _wait_until_serving(server, READY_TIMEOUT_S)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
                page = context.new_page()
                page.on("pageerror", lambda error: log(f"browser: page error: {error}"))
                _open_large_and_play(page, url)
                log(f"browser: playing the large configuration, warming up {plan.warm_up_s:g} s")
                page.wait_for_timeout(1000 * plan.warm_up_s)
                for index in range(plan.windows):
                    windows.append(_traced_window(page, plan.window_s))
                    _log_window(log, index, windows[-1])
            finally:
                browser.close()
    return {
        "browser_main_ms_per_frame_large": _median(w.time.busy_us / 1e3 / w.drawn for w in windows),
        "browser_main_cpu_ms_per_frame_large": _median(
            w.time.cpu_us / 1e3 / w.drawn for w in windows
        ),
        "browser_frames_drawn_per_s_large": _median(w.drawn / w.seconds for w in windows),
        "browser_main_busy_share": _median(w.time.busy_us / 1e6 / w.seconds for w in windows),
        "browser_worker_ms_per_frame_large": _median(
            w.worker.busy_us / 1e3 / w.drawn for w in windows
        ),
    }


def _median(values: Iterable[float]) -> float:
    return float(np.median(np.fromiter(values, np.float64)))


def measure(quick: bool = False, log: Log = _silent) -> Figures:
    """Main-thread milliseconds (and CPU milliseconds) per drawn frame, frames drawn per
    second and the main thread's busy share, on the large configuration (see the module's
    docstring)."""
    return _measure(QUICK if quick else FULL, log)
