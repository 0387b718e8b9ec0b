"""bench/chrome_trace.py, the browser benchmark's reading of a Chrome trace, on hand-made
events: nested events are counted once, the window clips them, and the page's main thread
and window marks are found. (tests/test_bench.py runs the benchmark itself, in quick mode,
end to end.)"""

from __future__ import annotations

from typing import Any

import pytest

from bench.chrome_trace import (
    Span,
    main_thread_time,
    renderer_main_thread,
    thread_spans,
    window_marks,
)

PAGE = (10, 11)
OTHER_RENDERER = (20, 21)


def _complete(
    name: str, ts: float, dur: float, thread: tuple[int, int] = PAGE, **extra: Any
) -> dict[str, Any]:
    return {
        "ph": "X",
        "name": name,
        "ts": ts,
        "dur": dur,
        "pid": thread[0],
        "tid": thread[1],
    } | extra


def _thread_name(thread: tuple[int, int], name: str) -> dict[str, Any]:
    return {
        "ph": "M",
        "name": "thread_name",
        "pid": thread[0],
        "tid": thread[1],
        "args": {"name": name},
    }


def test_nested_events_count_once_and_self_times_add_up() -> None:
    spans = [
        Span("RunTask", 0, 100),
        Span("FireAnimationFrame", 10, 60),
        Span("FunctionCall", 20, 50),
        Span("FunctionCall", 30, 40),  # a nested call of the same kind
        Span("Paint", 70, 90),
        Span("RunTask", 200, 230),
    ]
    time = main_thread_time(spans, 0, 1000)
    assert time.busy_us == 130
    assert time.self_us == {
        "RunTask": 60,
        "FireAnimationFrame": 20,
        "FunctionCall": 30,
        "Paint": 20,
    }
    assert sum(time.self_us.values()) == time.busy_us
    assert time.inclusive_us["FunctionCall"] == 30  # the outer call only
    assert time.inclusive_us["RunTask"] == 130


def test_the_window_clips_tasks_and_their_cpu_time() -> None:
    spans = [
        Span("RunTask", 0, 100, cpu=50),
        Span("Layout", 80, 120),
        Span("RunTask", 150, 250, cpu=80),
    ]
    time = main_thread_time(spans, 50, 200)
    assert time.busy_us == 50 + 50  # [50, 100] and [150, 200]
    assert time.cpu_us == pytest.approx(25 + 40)  # pro rata
    # A child that outlasts its parent (clock rounding) is cut at the parent's end.
    assert time.inclusive_us["Layout"] == 20


def test_complete_and_begin_end_events_of_one_thread_become_spans() -> None:
    events = [
        _complete("RunTask", 0, 10, tdur=7),
        {"ph": "B", "name": "Commit", "ts": 20, "tts": 100, "pid": 10, "tid": 11},
        {"ph": "E", "name": "Commit", "ts": 25, "tts": 104, "pid": 10, "tid": 11},
        {"ph": "B", "name": "Cut", "ts": 30, "pid": 10, "tid": 11},  # tracing ended first
        _complete("RunTask", 0, 10, OTHER_RENDERER),
        {"ph": "I", "name": "TimeStamp", "ts": 5, "pid": 10, "tid": 11},
    ]
    assert thread_spans(events, PAGE) == [Span("RunTask", 0, 10, 7), Span("Commit", 20, 25, 4)]


def test_the_page_is_the_renderer_that_runs_animation_frames() -> None:
    events = [
        _thread_name(OTHER_RENDERER, "CrRendererMain"),
        _thread_name(PAGE, "CrRendererMain"),
        _thread_name((10, 12), "Compositor"),
        _complete("FireAnimationFrame", 0, 1),
        _complete("FireAnimationFrame", 5, 1),
    ]
    assert renderer_main_thread(events) == PAGE
    with pytest.raises(RuntimeError, match="CrRendererMain"):
        renderer_main_thread([_thread_name((10, 12), "Compositor")])


def test_window_marks_come_from_the_page_timestamps() -> None:
    def mark(message: str, ts: float) -> dict[str, Any]:
        return {"ph": "I", "name": "TimeStamp", "ts": ts, "args": {"data": {"message": message}}}

    marks = [mark("open", 100), mark("other", 150), mark("close", 900)]
    assert window_marks(marks, "open", "close") == (100, 900)
    with pytest.raises(RuntimeError, match="window marks"):
        window_marks(marks[:2], "open", "close")
