"""Chrome trace events (the JSON objects of the trace event format that CDP's
`Tracing.dataCollected` reports) read as time on one thread: which thread is the page's main
thread (or its drawing worker), its duration events as spans, and the time they cover in a
window with a breakdown by event name. Pure: no browser here; bench/browser.py records the
traces."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RENDERER_MAIN = "CrRendererMain"
DEDICATED_WORKER = "DedicatedWorker thread"


@dataclass(frozen=True)
class Span:
    """One duration event of a thread, in microseconds of the trace clock, and the CPU time
    the thread used in it (0 where the trace has no thread clock)."""

    name: str
    start: float
    end: float
    cpu: float = 0.0

    def clipped(self, start: float, end: float) -> Span:
        """The part inside [start, end]; its CPU time pro rata."""
        inside = Span(self.name, max(self.start, start), min(self.end, end))
        length = self.end - self.start
        share = (inside.end - inside.start) / length if length > 0 else 1.0
        return Span(inside.name, inside.start, inside.end, self.cpu * share)


@dataclass
class MainThreadTime:
    """Microseconds of one thread in a window."""

    # Covered by at least one event: the top-level tasks' time.
    busy_us: float
    # The CPU time the thread used in them: less where it waited, or another process had
    # the core.
    cpu_us: float
    # Per event name, the time not inside a child event: these sum to busy_us.
    self_us: defaultdict[str, float]
    # Per event name, the time of its outermost occurrences (a nested call is inside one).
    inclusive_us: defaultdict[str, float]


def renderer_main_thread(events: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(pid, tid) of the page's main thread: of the threads named CrRendererMain (one per
    renderer process), the one that ran the most animation frames."""
    return busiest_thread(events, RENDERER_MAIN)


def drawing_worker_thread(events: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(pid, tid) of the page's drawing worker (web/worker/frame_worker.js): of the dedicated
    worker threads, the one that ran the most animation frames."""
    return busiest_thread(events, DEDICATED_WORKER)


def busiest_thread(events: Iterable[Mapping[str, Any]], name: str) -> tuple[int, int]:
    """(pid, tid) of the thread named `name` that ran the most animation frames."""
    events = list(events)
    threads = {
        (event["pid"], event["tid"])
        for event in events
        if event.get("ph") == "M"
        and event.get("name") == "thread_name"
        and event.get("args", {}).get("name") == name
    }
    if not threads:
        raise RuntimeError(f"no {name} thread in the trace ({len(events)} events)")
    frames = Counter(
        (event["pid"], event["tid"])
        for event in events
        if event.get("name") == "FireAnimationFrame"
    )
    return max(threads, key=lambda thread: frames[thread])


def thread_spans(events: Iterable[Mapping[str, Any]], thread: tuple[int, int]) -> list[Span]:
    """The thread's duration events: complete ones ("X") and begin/end pairs ("B"/"E"),
    which nest per thread. A pair cut by the start or end of tracing is left out."""
    spans: list[Span] = []
    open_spans: list[Mapping[str, Any]] = []
    for event in sorted(
        (e for e in events if (e.get("pid"), e.get("tid")) == thread), key=lambda e: e["ts"]
    ):
        phase = event.get("ph")
        if phase == "X" and "dur" in event:
            end = event["ts"] + event["dur"]
            spans.append(Span(event["name"], event["ts"], end, event.get("tdur", 0.0)))
        elif phase == "B":
            open_spans.append(event)
        elif phase == "E" and open_spans:
            begun = open_spans.pop()
            cpu = event.get("tts", 0.0) - begun.get("tts", 0.0) if "tts" in begun else 0.0
            spans.append(Span(begun["name"], begun["ts"], event["ts"], cpu))
    return spans


def window_marks(
    events: Iterable[Mapping[str, Any]], opening: str, closing: str
) -> tuple[float, float]:
    """Trace times of the page's console.timeStamp marks `opening` and `closing`."""
    marks = {
        event.get("args", {}).get("data", {}).get("message"): float(event["ts"])
        for event in events
        if event.get("name") == "TimeStamp"
    }
    if opening not in marks or closing not in marks:
        raise RuntimeError(
            f"expected the window marks {opening!r} and {closing!r} in the trace, "
            f"found {sorted(map(str, marks))}"
        )
    return marks[opening], marks[closing]


def main_thread_time(spans: Sequence[Span], start: float, end: float) -> MainThreadTime:
    """Time covered by `spans` between `start` and `end`, with a breakdown by name. Each
    span is clipped to the window; a span that starts inside another is its child (nested,
    so counted once), even where clock rounding lets it end a little after its parent."""
    clipped = [span.clipped(start, end) for span in spans if span.end > start and span.start < end]
    # Parents first: the earlier start, and at equal starts the longer span.
    clipped.sort(key=lambda span: (span.start, -span.end))
    result = MainThreadTime(0.0, 0.0, defaultdict(float), defaultdict(float))
    stack: list[tuple[str, float, float]] = []  # (name, start, end) of the open ancestors
    children_us: list[float] = []  # time inside children, per stack entry

    def close() -> None:
        name, opened, closed = stack.pop()
        result.self_us[name] += closed - opened - children_us.pop()
        if all(ancestor != name for ancestor, _, _ in stack):
            result.inclusive_us[name] += closed - opened

    for span in clipped:
        while stack and stack[-1][2] <= span.start:
            close()
        span_end = min(span.end, stack[-1][2]) if stack else span.end
        if stack:
            children_us[-1] += span_end - span.start
        else:
            result.busy_us += span_end - span.start
            result.cpu_us += span.cpu
        stack.append((span.name, span.start, span_end))
        children_us.append(0.0)
    while stack:
        close()
    return result
