"""Helpers the benchmark areas share (scripts/bench_<area>.py)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    """The fastest of ``repeat`` calls of ``fn()`` in seconds, and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def scratch_root() -> str | None:
    """tmpfs (/dev/shm) when writable, for benchmarks that write thousands of files; else None
    (the system's temporary folder)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


@contextlib.contextmanager
def busy_core():
    """Another process keeps one core busy while the block runs (a loaded machine)."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        busy.kill()
        busy.wait()
