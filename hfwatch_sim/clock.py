"""The simulated Hub's clock: Unix time that runs faster than the wall clock, and can be set or stepped."""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime

#: 2026-11-01T00:00:00Z: the catalogue is laid out around this instant (>= 1,500 models visible, releases
#: scheduled for the weeks after it).
DEFAULT_START: float = datetime(2026, 11, 1, tzinfo=UTC).timestamp()


class SimClock:
    """Simulated Unix time = start + (real seconds elapsed since start) * speed.

    Real time is read from ``time.monotonic`` so that wall-clock jumps on the host do not move the
    simulation. Every method is thread-safe: tests move the clock while the server thread reads it.
    """

    def __init__(self, start: float | None = None, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._lock = threading.Lock()
        self._anchor_sim = DEFAULT_START if start is None else float(start)
        self._anchor_real = time.monotonic()
        self._speed = float(speed)

    def now(self) -> float:
        with self._lock:
            return self._anchor_sim + (time.monotonic() - self._anchor_real) * self._speed

    def set(self, t: float) -> None:
        with self._lock:
            self._anchor_sim = float(t)
            self._anchor_real = time.monotonic()

    def advance(self, seconds: float) -> None:
        with self._lock:
            real = time.monotonic()
            self._anchor_sim += (real - self._anchor_real) * self._speed + seconds
            self._anchor_real = real

    @property
    def speed(self) -> float:
        with self._lock:
            return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            # Re-anchor first so a speed change never makes the simulated time jump.
            real = time.monotonic()
            self._anchor_sim += (real - self._anchor_real) * self._speed
            self._anchor_real = real
            self._speed = float(value)

    def __repr__(self) -> str:
        return f"SimClock(now={iso_z(self.now())}, speed={self.speed:g})"


def iso_z(t: float) -> str:
    """The Hub's timestamp format: ``2026-06-13T06:42:57.000Z`` (milliseconds, UTC, "Z")."""
    whole = math.floor(t)
    g = time.gmtime(whole)
    ms = int((t - whole) * 1000)
    day = f"{g.tm_year:04d}-{g.tm_mon:02d}-{g.tm_mday:02d}"
    return f"{day}T{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}.{ms:03d}Z"
