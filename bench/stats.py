"""Timing helpers: percentiles, and the machine's state, since other work shares its two cores."""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(slots=True)
class Samples:
    """Wall and CPU (this thread) seconds of repeated runs of one thing."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @contextmanager
    def measure(self) -> Iterator[None]:
        w, c = time.perf_counter(), time.thread_time()
        yield
        self.cpu.append(time.thread_time() - c)
        self.wall.append(time.perf_counter() - w)

    def ms(self) -> dict[str, float]:
        return {
            "p50_ms": median(self.wall) * 1e3,
            "p95_ms": percentile(self.wall, 95) * 1e3,
            "cpu_p50_ms": median(self.cpu) * 1e3,
            "cpu_p95_ms": percentile(self.cpu, 95) * 1e3,
            "n": len(self.wall),
        }


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def machine() -> dict[str, object]:
    load = os.getloadavg()
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_avg_1m_at_start": round(load[0], 2),
    }


def cpu_seconds() -> float:
    """CPU time of this process and its finished children: on a loaded machine, a better guide than the
    wall clock to how long a run takes on a quiet one."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
