"""Handing memory the process freed back to the operating system (glibc's malloc only).
Imports nothing of the engine."""

from __future__ import annotations

import ctypes
import sys


def release_free_memory() -> bool:
    """Return the free pages of every malloc arena to the system; False where that is not
    possible (not Linux, or a C library without malloc_trim).

    Loading or compiling the programs allocates and frees hundreds of megabytes (the files
    read, the deserialised protos, LLVM's work); glibc keeps what was freed for reuse, in the
    main heap below any live block and in the arenas of XLA's threads, which it never trims
    by itself: after warm-up that is a large part of the process's resident memory
    (bench/run.py: rss_mb_per_worker). The frames that follow allocate far less, so the
    pages would stay idle."""
    if sys.platform != "linux":
        return False
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True
